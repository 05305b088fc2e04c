-- Credits: the ledger is the truth (its sum is the balance); users.credits is the same sum
-- kept beside the account so a reservation can be checked and taken in one conditional UPDATE.
ALTER TABLE users ADD COLUMN credits INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0);

CREATE TABLE generations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    conversation_id TEXT REFERENCES conversations (id),
    prompt TEXT NOT NULL,
    algorithm TEXT NOT NULL CHECK (algorithm IN ('basic', 'premium', 'pro')),
    requested_template TEXT,
    reference_file_ids TEXT NOT NULL DEFAULT '[]',
    format TEXT NOT NULL CHECK (format IN ('jpeg', 'webp', 'png')),
    cost INTEGER NOT NULL CHECK (cost >= 0),
    watermark INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
    stage INTEGER NOT NULL DEFAULT 0,
    progress INTEGER NOT NULL DEFAULT 0,
    stages TEXT NOT NULL DEFAULT '[]',
    analysis TEXT,
    template_id TEXT,
    engine TEXT,
    fell_back INTEGER NOT NULL DEFAULT 0,
    fallback_reason TEXT,
    error TEXT,
    result_key TEXT,
    preview_key TEXT,
    result_bytes INTEGER,
    width INTEGER,
    height INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    deleted_at TEXT
);
CREATE INDEX generations_user ON generations (user_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX generations_conversation ON generations (conversation_id);
-- The queue: what a worker may claim.
CREATE INDEX generations_claimable ON generations (status, lease_until, id)
    WHERE status IN ('queued', 'processing');

CREATE TABLE credit_ledger (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'reserve', 'settle', 'refund')),
    amount INTEGER NOT NULL,
    generation_id TEXT REFERENCES generations (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id DESC);
CREATE INDEX credit_ledger_generation ON credit_ledger (generation_id);
-- A generation is reserved, settled and refunded at most once each.
CREATE UNIQUE INDEX credit_ledger_once ON credit_ledger (generation_id, kind)
    WHERE generation_id IS NOT NULL;
