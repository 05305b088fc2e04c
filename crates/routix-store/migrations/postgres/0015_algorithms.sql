-- Algorithms as data: admins edit each algorithm's names, price, image-provider chain (a JSON
-- array of provider names, tried in order), availability and watermark rule ('plan' follows
-- the account's plan, 'always' and 'never' override it). Requests read the row when they
-- are made, so an edit applies to the next request on every server.
CREATE TABLE algorithms (
    id TEXT PRIMARY KEY CHECK (id IN ('basic', 'premium', 'pro')),
    name_en TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    chain TEXT NOT NULL,
    cost BIGINT NOT NULL CHECK (cost BETWEEN 1 AND 1000),
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    watermark TEXT NOT NULL CHECK (watermark IN ('plan', 'always', 'never')),
    position INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO algorithms (id, name_en, name_fa, chain, cost, enabled, watermark, position, updated_at) VALUES
    ('basic', 'Basic', 'پایه', '[]', 1, TRUE, 'plan', 1, now()),
    ('premium', 'Premium', 'ویژه', '["stability","sd-webui"]', 3, TRUE, 'plan', 2, now()),
    ('pro', 'Pro', 'حرفه‌ای', '["openai","gemini","stability","sd-webui"]', 5, TRUE, 'plan', 3, now());

-- Per-algorithm statistics read the last 30 days of requests.
CREATE INDEX generations_algorithm_created ON generations (algorithm, created_at);
