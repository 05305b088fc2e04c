-- Test & Compare sets: three results a creator picked to test against each other (A, B, C).
-- Only the picks are kept (`[{"generation_id","variant"}]`, as JSON text); the zip is built
-- from the generations' stored images when downloaded, so a deleted result leaves no copy.
CREATE TABLE test_sets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    picks TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX test_sets_user ON test_sets (user_id, id DESC);
