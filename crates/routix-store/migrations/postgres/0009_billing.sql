-- Plans and credit packs as data (admins edit names, credits, prices, availability), paid
-- packs through Stripe-format checkout, and monthly plan credits.

-- users.plan gains agency and enterprise; users.credits may go below zero on enterprise only
-- (unlimited: its reservations are never refused, the negative balance is what it used);
-- the ledger gains `purchase`.
ALTER TABLE users DROP CONSTRAINT users_plan_check,
    ADD CONSTRAINT users_plan_check CHECK (plan IN ('free', 'pro', 'agency', 'enterprise'));
ALTER TABLE users DROP CONSTRAINT users_credits_check,
    ADD CONSTRAINT users_credits_check CHECK (credits >= 0 OR plan = 'enterprise');
ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_kind_check,
    ADD CONSTRAINT credit_ledger_kind_check
        CHECK (kind IN ('grant', 'purchase', 'reserve', 'settle', 'refund'));

-- monthly_credits: granted once per calendar month (UTC) to every account on the plan (free
-- accounts get their credits once, at sign-up: FREE_CREDITS). price_cents: per month, NULL
-- for "on request". Enterprise is unlimited (see users.credits above).
CREATE TABLE plans (
    id TEXT PRIMARY KEY CHECK (id IN ('free', 'pro', 'agency', 'enterprise')),
    name_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    monthly_credits BIGINT NOT NULL CHECK (monthly_credits >= 0),
    watermark BOOLEAN NOT NULL,
    price_cents BIGINT CHECK (price_cents >= 0),
    currency TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO plans (id, name_en, name_fa, monthly_credits, watermark, price_cents, currency, enabled, position, updated_at) VALUES
    ('free', 'Free', 'رایگان', 0, TRUE, 0, 'usd', TRUE, 1, now()),
    ('pro', 'Pro', 'حرفه‌ای', 100, FALSE, 1200, 'usd', TRUE, 2, now()),
    ('agency', 'Agency', 'آژانس', 500, FALSE, 4900, 'usd', TRUE, 3, now()),
    ('enterprise', 'Enterprise', 'سازمانی', 0, FALSE, NULL, 'usd', TRUE, 4, now());

CREATE TABLE credit_packs (
    id TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    credits BIGINT NOT NULL CHECK (credits > 0),
    price_cents BIGINT NOT NULL CHECK (price_cents > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO credit_packs (id, name_en, name_fa, credits, price_cents, currency, enabled, position, updated_at) VALUES
    ('starter', 'Starter', 'شروع', 50, 500, 'usd', TRUE, 1, now()),
    ('creator', 'Creator', 'سازنده', 200, 1500, 'usd', TRUE, 2, now()),
    ('studio', 'Studio', 'استودیو', 1000, 5000, 'usd', TRUE, 3, now());

-- One row per account and month ('2026-12') whose plan credits were granted, inserted in the
-- granting transaction: a second run, on this server or another, finds it and skips.
CREATE TABLE plan_grants (
    user_id UUID NOT NULL REFERENCES users (id),
    period TEXT NOT NULL,
    plan TEXT NOT NULL,
    credits BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Payment-provider events already handled (Stripe's evt_… ids): a redelivery finds its row.
CREATE TABLE payment_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

-- Packs paid for, one per checkout session (cs_…), credited in the same transaction as the
-- row and its event: two events about one session credit once.
CREATE TABLE purchases (
    session_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES payment_events (id),
    user_id UUID NOT NULL REFERENCES users (id),
    pack TEXT NOT NULL REFERENCES credit_packs (id),
    credits BIGINT NOT NULL,
    amount_cents BIGINT,
    currency TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX purchases_user ON purchases (user_id, created_at);
