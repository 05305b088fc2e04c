-- Credits: the ledger is the truth (its sum is the balance); users.credits is the same sum
-- kept beside the account so a reservation can be checked and taken in one conditional UPDATE.
ALTER TABLE users ADD COLUMN credits BIGINT NOT NULL DEFAULT 0 CHECK (credits >= 0);

CREATE TABLE generations (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    conversation_id UUID REFERENCES conversations (id),
    prompt TEXT NOT NULL,
    algorithm TEXT NOT NULL CHECK (algorithm IN ('basic', 'premium', 'pro')),
    requested_template TEXT,
    reference_file_ids JSONB NOT NULL DEFAULT '[]',
    format TEXT NOT NULL CHECK (format IN ('jpeg', 'webp', 'png')),
    cost BIGINT NOT NULL CHECK (cost >= 0),
    watermark BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
    stage INTEGER NOT NULL DEFAULT 0,
    progress INTEGER NOT NULL DEFAULT 0,
    stages JSONB NOT NULL DEFAULT '[]',
    analysis JSONB,
    template_id TEXT,
    engine TEXT,
    fell_back BOOLEAN NOT NULL DEFAULT FALSE,
    fallback_reason TEXT,
    error TEXT,
    result_key TEXT,
    preview_key TEXT,
    result_bytes BIGINT,
    width INTEGER,
    height INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX generations_user ON generations (user_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX generations_conversation ON generations (conversation_id);
-- The queue: what a worker may claim.
CREATE INDEX generations_claimable ON generations (status, lease_until, id)
    WHERE status IN ('queued', 'processing');

CREATE TABLE credit_ledger (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'reserve', 'settle', 'refund')),
    amount BIGINT NOT NULL,
    generation_id UUID REFERENCES generations (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id DESC);
CREATE INDEX credit_ledger_generation ON credit_ledger (generation_id);
-- A generation is reserved, settled and refunded at most once each.
CREATE UNIQUE INDEX credit_ledger_once ON credit_ledger (generation_id, kind)
    WHERE generation_id IS NOT NULL;
