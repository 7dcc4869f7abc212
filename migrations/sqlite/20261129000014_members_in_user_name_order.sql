-- A workspace's members are read in user-name order straight off its grants: each grant keeps a
-- copy of its user's `user_name_key` (rewritten when the user is renamed), indexed after the
-- workspace. At 1,000,000 users a workspace page sorted its 2,142 members to show 50, reading
-- every member's row at random (12 ms of 21); off this index a page costs a page at any size.
-- The index replaces `access_grants_by_workspace` (dropped first, so the copy is not written
-- into it): it serves every lookup by workspace as well, so a grant still costs one index
-- besides the table. The planner learns the new index at once.
DROP INDEX access_grants_by_workspace;
ALTER TABLE access_grants ADD COLUMN user_name_key TEXT NOT NULL DEFAULT '';
UPDATE access_grants SET user_name_key = COALESCE((SELECT u.user_name_key FROM users u WHERE u.id = access_grants.user_id), '');
CREATE INDEX access_grants_in_user_name_order ON access_grants (workspace_id, user_name_key);
ANALYZE access_grants;
