-- Times are milliseconds since the Unix epoch; ids are random opaque strings.
-- *_key columns hold the case-folded form that uniqueness, search and sorting use. They sort by
-- code point (COLLATE "C"), as the application does, so prefix ranges and keyset pages agree.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL,
    user_name_key TEXT COLLATE "C" NOT NULL UNIQUE,
    external_id   TEXT,
    given_name    TEXT NOT NULL DEFAULT '',
    family_name   TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created       BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_by_status ON users (active, user_name_key);
CREATE INDEX users_by_external_id ON users (external_id);

-- One row per searchable word of a user, so a prefix search costs the matches, not the table.
CREATE TABLE user_search_terms (
    term    TEXT COLLATE "C" NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (term, user_id)
);
CREATE INDEX user_search_terms_by_user ON user_search_terms (user_id);

CREATE TABLE workspaces (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT COLLATE "C" NOT NULL UNIQUE,
    description   TEXT NOT NULL DEFAULT '',
    member_count  BIGINT NOT NULL DEFAULT 0,
    created       BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE access_grants (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    granted_at   BIGINT NOT NULL,
    granted_by   TEXT NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);
CREATE INDEX access_grants_by_workspace ON access_grants (workspace_id, user_id);

CREATE TABLE admins (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL,
    username_key  TEXT COLLATE "C" NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('security_admin', 'auditor')),
    created       BIGINT NOT NULL
);

-- Append-only: nothing in the code updates or deletes these rows.
CREATE TABLE audit_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    door        TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    target_name TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT NOT NULL
);
CREATE INDEX audit_events_by_target ON audit_events (target_kind, target_id, id);
