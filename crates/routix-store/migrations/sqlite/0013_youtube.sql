-- Publishing to YouTube: a creator's connected channel, the one-time OAuth states of a
-- connection in progress, and where each result was published.

-- One connected channel per account. Tokens are sealed (AES-256-GCM under
-- DATA_ENCRYPTION_KEY, a random nonce per value); never stored in plaintext.
-- `broken_at` is set when Google refused the refresh token: the creator must reconnect.
CREATE TABLE youtube_connections (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    channel_title TEXT NOT NULL,
    refresh_token_sealed TEXT NOT NULL,
    access_token_sealed TEXT,
    access_expires_at TEXT,
    scope TEXT NOT NULL,
    broken_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A pending authorization: only the SHA-256 of the `state` sent to Google is kept, with the
-- sealed PKCE verifier and the redirect URI used; consumed once, expires in minutes.
CREATE TABLE youtube_oauth_states (
    state_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    verifier_sealed TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX youtube_oauth_states_expiry ON youtube_oauth_states (expires_at);

-- Each time a result was set as a video's thumbnail.
CREATE TABLE generation_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    generation_id TEXT NOT NULL REFERENCES generations (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    video_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    variant INTEGER NOT NULL DEFAULT 0,
    published_at TEXT NOT NULL
);
CREATE INDEX generation_publications_by_generation ON generation_publications (generation_id, published_at);
