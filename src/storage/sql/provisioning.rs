const SCIM_REQUEST_COLUMNS: &str = "id, at, credential_id, credential_name, method, path, resource_id, status, scim_type, detail, \
     duration_us, request_id";

impl Tx {
    /// Appends logged requests, `REQUESTS_PER_STATEMENT` to a statement (the log's writer
    /// batches them). Each row's values move into the statement, and a full statement's text is
    /// built once: writing it out and copying every value again for each batch was two thirds
    /// of the log writer's own work (a profile of /ServiceProviderConfig under load).
    pub async fn insert_scim_requests(&mut self, rows: Vec<ScimRequestRow>) -> StoreResult<()> {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<ScimRequestRow> = rows.by_ref().take(REQUESTS_PER_STATEMENT).collect();
            let full = chunk.len() == REQUESTS_PER_STATEMENT;
            let partial;
            let sql = if full {
                full_requests_insert()
            } else {
                partial = requests_insert(chunk.len());
                &partial
            };
            // A batch's last chunk is of any size, most often one not seen before: prepared for
            // this once, not kept, so it does not push kept statements out of the connection's
            // cache (nor leave up to a hundred large ones in it).
            let mut insert = sqlx::query(sql).persistent(full);
            for r in chunk {
                insert = insert
                    .bind(r.at)
                    .bind(r.credential_id)
                    .bind(r.credential_name)
                    .bind(r.method)
                    .bind(r.path)
                    .bind(r.resource_id)
                    .bind(r.status)
                    .bind(r.status / 100)
                    .bind(r.scim_type)
                    .bind(r.detail)
                    .bind(r.duration_us)
                    .bind(r.request_id);
            }
            insert.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Deletes up to `limit` of the oldest requests logged before `before`; returns how many.
    /// Small slices, each its own statement, so pruning never holds the store for long.
    pub async fn prune_scim_requests(&mut self, before: i64, limit: usize) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM scim_requests WHERE id IN \
             (SELECT id FROM scim_requests WHERE at < $1 ORDER BY at, id LIMIT $2)",
        )
        .bind(before)
        .bind(limit as i64)
        .execute(&mut *self.tx)
        .await?
        .rows_affected())
    }
}

impl Backend {
    /// One page of the log, newest first, keyset-paged like the audit trail.
    pub async fn scim_request_page(&self, filter: &ProvisioningFilter, cursor: &Cursor, limit: usize) -> StoreResult<Vec<ScimRequestRow>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {SCIM_REQUEST_COLUMNS} FROM scim_requests WHERE 1 = 1"));
        if let Some(credential) = &filter.credential {
            q.push(" AND credential_id = ").push_bind(credential.clone());
        }
        if let Some(class) = filter.status_class {
            q.push(" AND status_class = ").push_bind(class);
            if class != 2 {
                // Spelled out, so the planner sees the partial index of failures applies.
                q.push(" AND status_class <> 2");
            }
        }
        if let Some(method) = &filter.method {
            q.push(" AND method = ").push_bind(method.clone());
        }
        if let Some(from) = filter.from {
            q.push(" AND at >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            q.push(" AND at < ").push_bind(to);
        }
        if let Some(request) = &filter.request {
            q.push(" AND request_id = ").push_bind(request.clone());
        }
        let newer = matches!(cursor, Cursor::Before(_));
        if let Cursor::After(key) | Cursor::Before(key) = cursor {
            let (at, id) = parse_time_key(key)?;
            q.push(format!(" AND (at, id) {} (", if newer { ">" } else { "<" })).push_bind(at).push(", ").push_bind(id).push(")");
        }
        let order = if newer { "ASC" } else { "DESC" };
        q.push(format!(" ORDER BY at {order}, id {order} LIMIT ")).push_bind(limit as i64);
        let mut rows: Vec<ScimRequestRow> = q.build_query_as().fetch_all(&self.pool).await?;
        if newer {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Refused or failed requests per credential since `since` (credential id, count).
    pub async fn scim_errors_by_credential(&self, since: i64) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT credential_id, COUNT(*) FROM scim_requests \
             WHERE status_class IN (4, 5) AND status_class <> 2 AND at >= $1 AND credential_id IS NOT NULL GROUP BY credential_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest logged request, if any.
    pub async fn last_scim_request(&self) -> StoreResult<Option<ScimRequestRow>> {
        Ok(sqlx::query_as(&format!("SELECT {SCIM_REQUEST_COLUMNS} FROM scim_requests ORDER BY at DESC, id DESC LIMIT 1"))
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Rows per insert: twelve parameters each.
const REQUESTS_PER_STATEMENT: usize = 400;

/// The insert of `rows` logged requests: `VALUES ($1, ..., $12), ($13, ...)` (`?` on SQLite).
fn requests_insert(rows: usize) -> String {
    const COLUMNS: usize = 12;
    let mut sql = String::from(
        "INSERT INTO scim_requests (at, credential_id, credential_name, method, path, resource_id, status, \
         status_class, scim_type, detail, duration_us, request_id) VALUES ",
    );
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 1..=COLUMNS {
            if column > 1 {
                sql.push_str(", ");
            }
            dialect::push_parameter(&mut sql, row * COLUMNS + column);
        }
        sql.push(')');
    }
    sql
}

/// The insert of a full statement's rows, built once.
fn full_requests_insert() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| requests_insert(REQUESTS_PER_STATEMENT))
}
