-- The admin audit log: one row per admin change, written in the same transaction as the change.
-- actor: the admin's user id, or 'cli' for `routix admin ...`. target_kind/target_id name what
-- changed (user, bank_item, plan, pack, broadcast, ...). before_json/after_json: snapshots (NULL
-- where there is no before — a creation — or no after — a deletion).
CREATE TABLE admin_audit (
    id TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX admin_audit_actor ON admin_audit (actor, id DESC);
CREATE INDEX admin_audit_target ON admin_audit (target_kind, target_id, id DESC);

-- Admin messages shown to every signed-in user until they expire or an admin ends them.
CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY,
    message TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    ended_at TEXT
);
CREATE INDEX broadcasts_live ON broadcasts (ended_at, id DESC);

-- The admin dashboard groups these by day.
CREATE INDEX generations_created ON generations (created_at);
CREATE INDEX credit_ledger_created ON credit_ledger (created_at);
CREATE INDEX users_created ON users (created_at);
