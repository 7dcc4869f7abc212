-- The users list sorts by name and by last change, keyset-paged on these indexes. The name key
-- is the case-folded display name (written by the application from now on; rows written
-- before this migration are folded here, ASCII only, until their next change).
ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET display_name_key = lower(trim(display_name));
CREATE INDEX users_by_display_name ON users (display_name_key, id);
CREATE INDEX users_by_last_modified ON users (last_modified, id);
