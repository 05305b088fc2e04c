-- Conversations: archiving, and search over messages and titles.
ALTER TABLE conversations ADD COLUMN archived_at TIMESTAMPTZ;

-- Full-text vectors with the `simple` configuration (no stemming, no stop words: right for
-- Persian and English alike), kept by PostgreSQL itself; adding them indexes what exists.
-- Text is folded as routix_core::chat_search::fold_char folds queries: ي (U+064A) and ى
-- (U+0649) as ی (U+06CC), ك (U+0643) as ک (U+06A9), the zero-width non-joiner (U+200C) as a
-- space. Keep both copies of the expression the same.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', translate(content, U&'\064A\0649\0643\200C', U&'\06CC\06CC\06A9\0020'))
) STORED;
ALTER TABLE conversations ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', translate(title, U&'\064A\0649\0643\200C', U&'\06CC\06CC\06A9\0020'))
) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
CREATE INDEX conversations_search ON conversations USING GIN (search);
