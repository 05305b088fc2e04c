-- A creator's brand kit: a logo and a face photo (uploaded files, so their bytes sit in
-- object storage like every other upload), up to four colours ("#rrggbb,#rrggbb"), a
-- headline font and the corner the logo goes in. One row per user, made on first save.
CREATE TABLE brand_kits (
    user_id UUID PRIMARY KEY REFERENCES users (id),
    logo_file_id UUID REFERENCES files (id),
    face_file_id UUID REFERENCES files (id),
    colors TEXT NOT NULL DEFAULT '',
    font TEXT,
    logo_position TEXT NOT NULL DEFAULT 'top-left',
    updated_at TIMESTAMPTZ NOT NULL
);
