impl Tx {
    pub async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, door, action, target_kind, \
             target_id, target_name, before_json, after_json, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(event.at)
        .bind(event.actor_kind)
        .bind(&event.actor_id)
        .bind(&event.actor_name)
        .bind(event.door)
        .bind(&event.action)
        .bind(event.target_kind)
        .bind(&event.target_id)
        .bind(&event.target_name)
        .bind(event.before.as_ref().map(|v| v.to_string()))
        .bind(event.after.as_ref().map(|v| v.to_string()))
        .bind(&event.request_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Backend {
    /// The newest events about one target, newest first.
    pub async fn audit_of(&self, target_kind: &str, target_id: &str, limit: usize) -> StoreResult<Vec<AuditRecord>> {
        Ok(sqlx::query_as(
            "SELECT * FROM audit_events WHERE target_kind = $1 AND target_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(target_kind)
        .bind(target_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn count_audit_events(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&self.pool).await?)
    }

    /// Every event, oldest first (tests and small stores only).
    pub async fn audit_events_all(&self) -> StoreResult<Vec<AuditRecord>> {
        Ok(sqlx::query_as("SELECT * FROM audit_events ORDER BY id").fetch_all(&self.pool).await?)
    }
}
