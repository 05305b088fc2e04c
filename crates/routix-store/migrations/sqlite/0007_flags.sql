-- One-time events of an installation (e.g. the bank seeded with the layout previews), so
-- they happen once even when what they made is later deleted.
CREATE TABLE app_flags (
    name TEXT PRIMARY KEY,
    set_at TEXT NOT NULL
);
