-- SCIM: every e-mail address and the attributes without a column of their own (JSON text, read
-- as jsonb by filters), workspace external ids, and the credentials SCIM clients sign in with.
ALTER TABLE users ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE workspaces ADD COLUMN external_id TEXT;

-- Secrets are stored only as SHA-256 hashes: they are 256-bit random values.
CREATE TABLE scim_credentials (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('bearer', 'basic')),
    username    TEXT UNIQUE,
    secret_hash TEXT NOT NULL UNIQUE,
    created     BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    last_used   BIGINT,
    revoked     BIGINT
);
