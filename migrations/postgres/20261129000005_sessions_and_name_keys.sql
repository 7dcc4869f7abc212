-- Console sessions in the database, so a session signed in on one instance is valid on all;
-- case-folded keys for given and family names (SCIM filters compare them).
CREATE TABLE console_sessions (
    id     TEXT PRIMARY KEY,
    data   TEXT NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expiry);

ALTER TABLE users ADD COLUMN given_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
