-- The audit trail is read newest first, by any one of: what it concerns, action, actor, door,
-- time. Each of those is one index range in time order, so the first page of any single filter
-- costs the page, not the trail.
--
-- An event is filed under every subject it concerns: its target, and the users or workspaces
-- whose access it changed ("user:<id>", "workspace:<id>"), and under each part of its action
-- ("action:user.deactivate"). The application writes these with the event.
CREATE TABLE audit_tags (
    tag      TEXT NOT NULL,
    at       INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (tag, at, event_id)
) WITHOUT ROWID;

DROP INDEX audit_events_by_target;
CREATE INDEX audit_events_by_time ON audit_events (at, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, at, id);
CREATE INDEX audit_events_by_door ON audit_events (door, at, id);
CREATE INDEX audit_events_by_request ON audit_events (request_id);

-- Events recorded before this migration, filed the same way.
INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT target_kind || ':' || target_id, at, id FROM audit_events;

WITH parts(name) AS (VALUES
    ('user.create'), ('user.update'), ('user.activate'), ('user.deactivate'), ('user.delete'),
    ('access.grant'), ('access.revoke'), ('workspace.create'), ('workspace.update'),
    ('workspace.delete'), ('admin.create'), ('scim_credential.issue'), ('scim_credential.revoke'),
    ('demo_data.load'))
INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT 'action:' || parts.name, e.at, e.id
FROM audit_events e JOIN parts ON instr('+' || e.action || '+', '+' || parts.name || '+') > 0;

-- The other side of access changes: workspaces granted to or revoked from a user (or held when
-- it was deleted), users added to or removed from a workspace (or members when it was deleted).
INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT CASE e.target_kind WHEN 'user' THEN 'workspace:' ELSE 'user:' END || json_extract(item.value, '$.id'), e.at, e.id
FROM audit_events e, json_each(e.after_json, '$.granted') item
WHERE e.target_kind IN ('user', 'workspace') AND json_valid(e.after_json);

INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT CASE e.target_kind WHEN 'user' THEN 'workspace:' ELSE 'user:' END || json_extract(item.value, '$.id'), e.at, e.id
FROM audit_events e, json_each(e.after_json, '$.revoked') item
WHERE e.target_kind IN ('user', 'workspace') AND json_valid(e.after_json);

INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT 'workspace:' || json_extract(item.value, '$.id'), e.at, e.id
FROM audit_events e, json_each(e.before_json, '$.workspaces') item
WHERE e.target_kind = 'user' AND json_valid(e.before_json);

INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT 'workspace:' || json_extract(item.value, '$.id'), e.at, e.id
FROM audit_events e, json_each(e.after_json, '$.workspaces') item
WHERE e.target_kind = 'user' AND json_valid(e.after_json);

INSERT OR IGNORE INTO audit_tags (tag, at, event_id)
SELECT 'user:' || json_extract(item.value, '$.id'), e.at, e.id
FROM audit_events e, json_each(e.before_json, '$.members') item
WHERE e.target_kind = 'workspace' AND json_valid(e.before_json);
