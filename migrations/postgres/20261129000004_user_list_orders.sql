-- The users list sorts by name and by last change, keyset-paged on these indexes.
ALTER TABLE users ADD COLUMN display_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX users_by_display_name ON users (display_name_key, id);
CREATE INDEX users_by_last_modified ON users (last_modified, id);
