-- A user's workspaces are read with the user (every SCIM read of a user, 100 users to a page):
-- each grant looks its workspace up by id for the name and its key. With the two in the index,
-- the lookup can be answered from the index alone where the table's pages are marked visible to
-- all. (The index changes only when a workspace is created, renamed or deleted; counting
-- members changes no indexed column, so those updates stay in place.)
CREATE INDEX workspaces_by_id_with_names ON workspaces (id) INCLUDE (name_key, name);
ANALYZE workspaces;
