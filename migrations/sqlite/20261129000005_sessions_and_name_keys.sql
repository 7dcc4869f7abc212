-- Console sessions move into the store's own table (the same on both backends), and the given
-- and family names get case-folded keys, so SCIM filters on them are case-insensitive for every
-- letter, not only ASCII (written by the application; rows from before are folded here, ASCII
-- only, until their next change).
CREATE TABLE console_sessions (
    id     TEXT PRIMARY KEY NOT NULL,
    data   TEXT NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expiry);
DROP TABLE IF EXISTS tower_sessions;

ALTER TABLE users ADD COLUMN given_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET given_name_key = lower(trim(given_name)), family_name_key = lower(trim(family_name));
