-- Every SCIM request, as the provisioning log shows it: never a body, never a secret. Written
-- in batches off the request path and pruned after a retention period.
CREATE TABLE scim_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    credential_id   TEXT,
    credential_name TEXT NOT NULL DEFAULT '',
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    resource_id     TEXT,
    status          INTEGER NOT NULL,
    -- 2, 4 or 5: the status filter and the per-credential error counts read it.
    status_class    INTEGER NOT NULL,
    scim_type       TEXT,
    detail          TEXT,
    duration_us     INTEGER NOT NULL,
    request_id      TEXT NOT NULL
);
CREATE INDEX scim_requests_by_time ON scim_requests (at, id);
CREATE INDEX scim_requests_by_credential ON scim_requests (credential_id, at, id);
-- Refused and failed requests only (few, and what admins look for): every index costs each
-- logged request, so successes are found through the time index, and methods too.
CREATE INDEX scim_requests_failed ON scim_requests (status_class, at, id) WHERE status_class <> 2;
CREATE INDEX scim_requests_by_request ON scim_requests (request_id);
