-- A creator's verdict on a result: 1 (thumbs up), -1 (down), NULL (none). Ratings and
-- outcomes per template teach the matcher which layouts work.
ALTER TABLE generations ADD COLUMN rating SMALLINT;
CREATE INDEX generations_template ON generations (template_id) WHERE template_id IS NOT NULL;
