-- On SQLite this migration adds an index that answers each grant's lookup of its workspace's
-- name from the index alone. PostgreSQL would answer from such an index only where the table's
-- pages are marked visible to all, which every change of a workspace's member count undoes, so
-- it gets none: this file keeps the two backends' migrations in step.
SELECT 1;
