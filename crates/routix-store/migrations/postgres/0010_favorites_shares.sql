-- Favourites (a creator keeps the good ones) and public share links of a result.
ALTER TABLE generations ADD COLUMN favorited_at TIMESTAMPTZ;
CREATE INDEX generations_favorites ON generations (user_id, id DESC)
    WHERE favorited_at IS NOT NULL AND deleted_at IS NULL;

-- A share link: an unguessable token (128 bits) naming one generation's result. Revoked
-- links stay as history; at most one live link per generation. While a link is live the
-- result's stored images are kept, even after the generation itself is deleted.
CREATE TABLE generation_shares (
    token TEXT PRIMARY KEY,
    generation_id UUID NOT NULL REFERENCES generations (id),
    user_id UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX generation_shares_live ON generation_shares (generation_id) WHERE revoked_at IS NULL;
