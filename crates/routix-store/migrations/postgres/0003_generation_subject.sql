-- What the compositor drew as the thumbnail's subject: {kind, emoji, label}.
ALTER TABLE generations ADD COLUMN subject JSONB;
