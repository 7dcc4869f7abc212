impl Backend {
    /// The ids of every user the users list matches, in user-name order (a bulk action on
    /// "all N users matching this search").
    pub async fn user_ids_matching(&self, list: &UserListQuery) -> StoreResult<Vec<String>> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT u.id");
        // A workspace's from its grants, each word met among its members' own terms.
        let met: Vec<Word> = search_terms([list.q.as_str()]).into_iter().map(Word::Prefix).collect();
        push_list_source(&mut sql, list, Some(&met));
        sql.push(" ORDER BY u.user_name_key");
        Ok(sql.build_query_scalar().fetch_all(&self.pool).await?)
    }

    /// The users with these user names (compared as the unique index compares them).
    pub async fn users_by_names(&self, user_names: &[String]) -> StoreResult<Vec<User>> {
        let mut users = Vec::with_capacity(user_names.len());
        for chunk in user_names.chunks(IDS_PER_STATEMENT) {
            let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users WHERE user_name_key IN ("));
            let mut list = sql.separated(", ");
            for name in chunk {
                list.push_bind(fold_key(name));
            }
            sql.push(")");
            let rows: Vec<UserRow> = sql.build_query_as().fetch_all(&self.pool).await?;
            users.extend(rows.into_iter().map(User::from));
        }
        Ok(users)
    }

    /// Active users as (id, user name, version, managing credential), for "deactivate users not
    /// in this file".
    pub async fn active_user_names(&self) -> StoreResult<Vec<(String, String, i64, Option<String>)>> {
        Ok(sqlx::query_as("SELECT id, user_name, version, managed_by FROM users WHERE active = $1 ORDER BY user_name_key")
            .bind(true)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn get_batch(&self, id: &str) -> StoreResult<Option<BatchRow>> {
        Ok(sqlx::query_as("SELECT * FROM batches WHERE id = $1").bind(id).fetch_optional(&self.pool).await?)
    }

    /// The first `limit` users a batch could not change, in the batch's order.
    pub async fn batch_failures(&self, id: &str, limit: usize) -> StoreResult<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as("SELECT position, subject, reason FROM batch_failures WHERE batch_id = $1 ORDER BY position LIMIT $2")
            .bind(id)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn get_import(&self, id: &str) -> StoreResult<Option<ImportRecord>> {
        Ok(sqlx::query_as("SELECT * FROM imports WHERE id = $1").bind(id).fetch_optional(&self.pool).await?)
    }
}

impl Tx {
    pub async fn insert_batch(&mut self, b: &BatchRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO batches (id, kind, title, origin, started_by_id, started_by, started_at, total, heartbeat_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&b.id)
        .bind(&b.kind)
        .bind(&b.title)
        .bind(&b.origin)
        .bind(&b.started_by_id)
        .bind(&b.started_by)
        .bind(b.started_at)
        .bind(b.total)
        .bind(b.heartbeat_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Adds a batch's progress since the last report, with the users it could not change;
    /// answers whether an administrator asked for it to stop.
    pub async fn record_batch_progress(&mut self, id: &str, progress: &BatchProgress, now: i64) -> StoreResult<bool> {
        for (position, subject, reason) in &progress.failures {
            sqlx::query("INSERT INTO batch_failures (batch_id, position, subject, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(position)
                .bind(subject)
                .bind(reason)
                .execute(&mut *self.tx)
                .await?;
        }
        let cancel: Option<bool> = sqlx::query_scalar(
            "UPDATE batches SET done = done + $2, unchanged = unchanged + $3, failed = failed + $4, heartbeat_at = $5 \
             WHERE id = $1 RETURNING cancel_requested",
        )
        .bind(id)
        .bind(progress.done)
        .bind(progress.unchanged)
        .bind(progress.failures.len() as i64)
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(cancel.unwrap_or(true))
    }

    pub async fn finish_batch(&mut self, id: &str, status: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE batches SET status = $2, finished_at = $3, heartbeat_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Asks a running batch to stop; false when it is not running.
    pub async fn request_batch_cancel(&mut self, id: &str) -> StoreResult<bool> {
        let changed = sqlx::query("UPDATE batches SET cancel_requested = $2 WHERE id = $1 AND status = 'running' AND cancel_requested = $3")
            .bind(id)
            .bind(true)
            .bind(false)
            .execute(&mut *self.tx)
            .await?;
        Ok(changed.rows_affected() > 0)
    }

    pub async fn insert_import(&mut self, i: &ImportRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO imports (id, file_name, content, deactivate_missing, uploaded_by_id, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&i.id)
        .bind(&i.file_name)
        .bind(&i.content)
        .bind(i.deactivate_missing)
        .bind(&i.uploaded_by_id)
        .bind(i.uploaded_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Deletes uploads never applied that were made before `before`.
    pub async fn delete_imports_unapplied_since(&mut self, before: i64) -> StoreResult<u64> {
        let deleted = sqlx::query("DELETE FROM imports WHERE batch_id IS NULL AND uploaded_at < $1").bind(before).execute(&mut *self.tx).await?;
        Ok(deleted.rows_affected())
    }

    /// Marks an import applied by `batch_id`, and lets go of the file (its people's data is in
    /// the store now, and the batch says what it did); false when it was applied already.
    pub async fn mark_import_applied(&mut self, id: &str, batch_id: &str) -> StoreResult<bool> {
        let changed = sqlx::query("UPDATE imports SET batch_id = $2, content = '' WHERE id = $1 AND batch_id IS NULL")
            .bind(id)
            .bind(batch_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(changed.rows_affected() > 0)
    }
}

/// Ids per `IN (...)` list: far below either backend's parameter limit.
const IDS_PER_STATEMENT: usize = 500;
