-- SCIM: the full list of e-mail addresses and the attributes that have no column of their own
-- (JSON), workspace external ids, and the credentials SCIM clients sign in with.

ALTER TABLE users ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
UPDATE users SET emails = json_array(json_object('value', email, 'type', 'work', 'primary', json('true')))
 WHERE email <> '';

ALTER TABLE workspaces ADD COLUMN external_id TEXT;

-- Secrets are stored only as SHA-256 hashes: they are 256-bit random values, so a slow hash
-- adds nothing but cost per request.
CREATE TABLE scim_credentials (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('bearer', 'basic')),
    username    TEXT UNIQUE,
    secret_hash TEXT NOT NULL UNIQUE,
    created     BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    last_used   BIGINT,
    revoked     BIGINT
);
