-- Plans and credit packs as data (admins edit names, credits, prices, availability), paid
-- packs through Stripe-format checkout, and monthly plan credits.

-- users.plan gains agency and enterprise; users.credits may go below zero on enterprise only
-- (unlimited: its reservations are never refused, the negative balance is what it used);
-- the ledger gains `purchase`. SQLite can't alter a CHECK, so each column is rebuilt beside
-- the old one, filled, and swapped in (DROP COLUMN takes the column's own CHECK with it).
ALTER TABLE users ADD COLUMN plan_next TEXT NOT NULL DEFAULT 'free'
    CHECK (plan_next IN ('free', 'pro', 'agency', 'enterprise'));
UPDATE users SET plan_next = plan;
ALTER TABLE users DROP COLUMN plan;
ALTER TABLE users RENAME COLUMN plan_next TO plan;

ALTER TABLE users ADD COLUMN credits_next INTEGER NOT NULL DEFAULT 0
    CHECK (credits_next >= 0 OR plan = 'enterprise');
UPDATE users SET credits_next = credits;
ALTER TABLE users DROP COLUMN credits;
ALTER TABLE users RENAME COLUMN credits_next TO credits;

DROP INDEX credit_ledger_once;
-- The default only satisfies ADD COLUMN; every insert names its kind.
ALTER TABLE credit_ledger ADD COLUMN kind_next TEXT NOT NULL DEFAULT 'grant'
    CHECK (kind_next IN ('grant', 'purchase', 'reserve', 'settle', 'refund'));
UPDATE credit_ledger SET kind_next = kind;
ALTER TABLE credit_ledger DROP COLUMN kind;
ALTER TABLE credit_ledger RENAME COLUMN kind_next TO kind;
CREATE UNIQUE INDEX credit_ledger_once ON credit_ledger (generation_id, kind)
    WHERE generation_id IS NOT NULL;

-- monthly_credits: granted once per calendar month (UTC) to every account on the plan (free
-- accounts get their credits once, at sign-up: FREE_CREDITS). price_cents: per month, NULL
-- for "on request". Enterprise is unlimited (see users.credits above).
CREATE TABLE plans (
    id TEXT PRIMARY KEY CHECK (id IN ('free', 'pro', 'agency', 'enterprise')),
    name_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    monthly_credits INTEGER NOT NULL CHECK (monthly_credits >= 0),
    watermark INTEGER NOT NULL,
    price_cents INTEGER CHECK (price_cents >= 0),
    currency TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO plans (id, name_en, name_fa, monthly_credits, watermark, price_cents, currency, enabled, position, updated_at) VALUES
    ('free', 'Free', 'رایگان', 0, 1, 0, 'usd', 1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('pro', 'Pro', 'حرفه‌ای', 100, 0, 1200, 'usd', 1, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('agency', 'Agency', 'آژانس', 500, 0, 4900, 'usd', 1, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('enterprise', 'Enterprise', 'سازمانی', 0, 0, NULL, 'usd', 1, 4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE credit_packs (
    id TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    credits INTEGER NOT NULL CHECK (credits > 0),
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    enabled INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO credit_packs (id, name_en, name_fa, credits, price_cents, currency, enabled, position, updated_at) VALUES
    ('starter', 'Starter', 'شروع', 50, 500, 'usd', 1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('creator', 'Creator', 'سازنده', 200, 1500, 'usd', 1, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('studio', 'Studio', 'استودیو', 1000, 5000, 'usd', 1, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- One row per account and month ('2026-12') whose plan credits were granted, inserted in the
-- granting transaction: a second run, on this server or another, finds it and skips.
CREATE TABLE plan_grants (
    user_id TEXT NOT NULL REFERENCES users (id),
    period TEXT NOT NULL,
    plan TEXT NOT NULL,
    credits INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Payment-provider events already handled (Stripe's evt_… ids): a redelivery finds its row.
CREATE TABLE payment_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Packs paid for, one per checkout session (cs_…), credited in the same transaction as the
-- row and its event: two events about one session credit once.
CREATE TABLE purchases (
    session_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES payment_events (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    pack TEXT NOT NULL REFERENCES credit_packs (id),
    credits INTEGER NOT NULL,
    amount_cents INTEGER,
    currency TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX purchases_user ON purchases (user_id, created_at);
