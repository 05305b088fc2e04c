-- Email verification, password reset and the outgoing mail queue.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;

-- One-time links sent by mail. Only the SHA-256 of a token is stored; a token is used up by
-- setting used_at in the same statement that checks it, so it works once.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Mails waiting to be sent (and, without their bodies, those sent). next_attempt_at is in
-- milliseconds since the epoch; a sender claims a mail by moving it into the future, which
-- is also its lease.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
