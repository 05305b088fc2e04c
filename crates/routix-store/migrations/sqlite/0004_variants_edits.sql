-- Variants, free re-edits and what the compositor measured.
-- options: what was asked beyond the prompt ({variants, edit: {headline, template_id, palette, subject}}).
-- details: what was made ({legibility, headline, shortened_from, mirrored, artwork_key, variants: [...]}).
ALTER TABLE generations ADD COLUMN options TEXT;
ALTER TABLE generations ADD COLUMN parent_id TEXT;
ALTER TABLE generations ADD COLUMN details TEXT;
CREATE INDEX generations_parent ON generations (parent_id) WHERE parent_id IS NOT NULL;
