-- Administrators can be disabled (kept for the audit trail, never deleted) and given a one-time
-- password that must be changed at the next sign-in.
ALTER TABLE admins ADD COLUMN disabled INTEGER;
ALTER TABLE admins ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE admins ADD COLUMN last_sign_in INTEGER;
