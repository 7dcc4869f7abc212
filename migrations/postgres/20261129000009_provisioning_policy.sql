-- Who owns what between an identity provider and the console, per SCIM credential, and the
-- brake on mass deactivation. Existing credentials get the defaults that lose nothing: the
-- console owns workspace access (what an identity provider sends is granted, never revoked),
-- and a DELETE deactivates.
ALTER TABLE scim_credentials ADD COLUMN access_policy TEXT NOT NULL DEFAULT 'console_add'
    CHECK (access_policy IN ('provider', 'console_add', 'console'));
ALTER TABLE scim_credentials ADD COLUMN owned_fields TEXT NOT NULL DEFAULT 'user_name,external_id,names,email,active';
ALTER TABLE scim_credentials ADD COLUMN on_delete TEXT NOT NULL DEFAULT 'deactivate'
    CHECK (on_delete IN ('deactivate', 'delete'));
ALTER TABLE scim_credentials ADD COLUMN brake_on BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE scim_credentials ADD COLUMN brake_count BIGINT NOT NULL DEFAULT 50;
ALTER TABLE scim_credentials ADD COLUMN brake_percent BIGINT NOT NULL DEFAULT 5;
-- Set when the brake holds a first change; cleared when an admin allows.
ALTER TABLE scim_credentials ADD COLUMN brake_tripped_at BIGINT;
-- Until then, "allow" lets the credential deactivate and delete without the brake.
ALTER TABLE scim_credentials ADD COLUMN brake_allowed_until BIGINT;

-- The identity provider (credential id) that provisions a user: its policy decides which of
-- the user's fields and grants the console shows as managed.
ALTER TABLE users ADD COLUMN managed_by TEXT;
-- Users provisioned before this migration belong to the credential that last changed them.
UPDATE users SET managed_by = (
    SELECT e.actor_id FROM audit_tags t JOIN audit_events e ON e.id = t.event_id
     WHERE t.tag = 'user:' || users.id AND e.actor_kind = 'scim_credential'
     ORDER BY t.at DESC, t.event_id DESC LIMIT 1);

-- Deactivations and deletions a credential made in the last hour, which the brake counts.
CREATE TABLE brake_removals (
    credential_id TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX brake_removals_by_credential ON brake_removals (credential_id, at);

-- Deactivations and deletions the brake held, and what an administrator decided.
CREATE TABLE held_changes (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    user_name     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('deactivate', 'delete')),
    requested_at  BIGINT NOT NULL,
    request_id    TEXT NOT NULL,
    -- superseded: the user changed after the hold (or is gone), so "allow" did not apply it.
    status        TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'applied', 'rejected', 'superseded')),
    decided_at    BIGINT,
    decided_by    TEXT
);
-- One held change per user and kind: an identity provider retrying is not held twice.
CREATE UNIQUE INDEX held_changes_pending ON held_changes (credential_id, user_id, kind) WHERE status = 'held';
