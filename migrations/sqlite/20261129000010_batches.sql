-- Work on many users at once: a batch (a bulk action from the users list or a workspace page,
-- or a CSV import being applied) runs on the server, one audited write per user, each event
-- carrying the batch's id. Its progress lives here, so every instance can show it and a
-- closed browser tab loses nothing.
CREATE TABLE batches (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('bulk', 'import')),
    -- What it does, as the confirmation said it: "Deactivate 1,234 users".
    title            TEXT NOT NULL,
    -- The console page it was started from (always a local path), to go back to.
    origin           TEXT NOT NULL,
    started_by_id    TEXT NOT NULL,
    started_by       TEXT NOT NULL,
    started_at       INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    done             INTEGER NOT NULL DEFAULT 0,
    unchanged        INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'cancelled')),
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    -- Refreshed while the batch runs: a running batch whose instance stopped is seen as
    -- interrupted once this is old.
    heartbeat_at     INTEGER NOT NULL,
    finished_at      INTEGER
);
CREATE INDEX batches_by_start ON batches (started_at);

-- Users a batch could not change, and why (deleted meanwhile, managed by an identity provider).
CREATE TABLE batch_failures (
    batch_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    subject  TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (batch_id, position)
);

-- The batch an event belongs to. The trail's unfiltered view shows a batch as its one start
-- event; the partial index keeps that view's first page a range read.
ALTER TABLE audit_events ADD COLUMN batch_id TEXT;
CREATE INDEX audit_events_outside_batches ON audit_events (at, id) WHERE batch_id IS NULL;

-- An uploaded CSV file, kept between its dry run and its application (which must do exactly
-- what the dry run showed). Applied: the batch that applied it.
CREATE TABLE imports (
    id                 TEXT PRIMARY KEY,
    file_name          TEXT NOT NULL,
    content            TEXT NOT NULL,
    deactivate_missing BOOLEAN NOT NULL,
    uploaded_by_id     TEXT NOT NULL,
    uploaded_at        INTEGER NOT NULL,
    batch_id           TEXT
);
