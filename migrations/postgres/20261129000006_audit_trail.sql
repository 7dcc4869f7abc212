-- The audit trail is read newest first, by any one of: what it concerns, action, actor, door,
-- time. Each of those is one index range in time order, so the first page of any single filter
-- costs the page, not the trail.
--
-- An event is filed under every subject it concerns: its target, and the users or workspaces
-- whose access it changed ("user:<id>", "workspace:<id>"), and under each part of its action
-- ("action:user.deactivate"). The application writes these with the event.
CREATE TABLE audit_tags (
    tag      TEXT COLLATE "C" NOT NULL,
    at       BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (tag, at, event_id)
);

DROP INDEX audit_events_by_target;
CREATE INDEX audit_events_by_time ON audit_events (at, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, at, id);
CREATE INDEX audit_events_by_door ON audit_events (door, at, id);
CREATE INDEX audit_events_by_request ON audit_events (request_id);

-- Events recorded before this migration, filed the same way.
INSERT INTO audit_tags (tag, at, event_id)
SELECT target_kind || ':' || target_id, at, id FROM audit_events
ON CONFLICT DO NOTHING;

WITH parts(name) AS (VALUES
    ('user.create'), ('user.update'), ('user.activate'), ('user.deactivate'), ('user.delete'),
    ('access.grant'), ('access.revoke'), ('workspace.create'), ('workspace.update'),
    ('workspace.delete'), ('admin.create'), ('scim_credential.issue'), ('scim_credential.revoke'),
    ('demo_data.load'))
INSERT INTO audit_tags (tag, at, event_id)
SELECT 'action:' || parts.name, e.at, e.id
FROM audit_events e JOIN parts ON position('+' || parts.name || '+' IN '+' || e.action || '+') > 0
ON CONFLICT DO NOTHING;

-- The other side of access changes: workspaces granted to or revoked from a user (or held when
-- it was created or deleted), users added to or removed from a workspace (or members when it
-- was deleted).
INSERT INTO audit_tags (tag, at, event_id)
SELECT CASE e.target_kind WHEN 'user' THEN 'workspace:' ELSE 'user:' END || (item ->> 'id'), e.at, e.id
FROM audit_events e,
     LATERAL (
         SELECT jsonb_array_elements(e.after_json::jsonb -> 'granted')
         UNION ALL SELECT jsonb_array_elements(e.after_json::jsonb -> 'revoked')
         UNION ALL SELECT jsonb_array_elements(e.after_json::jsonb -> 'workspaces')
         UNION ALL SELECT jsonb_array_elements(e.before_json::jsonb -> 'workspaces')
         UNION ALL SELECT jsonb_array_elements(e.before_json::jsonb -> 'members')
     ) AS items(item)
WHERE e.target_kind IN ('user', 'workspace')
ON CONFLICT DO NOTHING;
