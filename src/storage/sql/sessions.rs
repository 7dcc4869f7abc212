impl Backend {
    /// Stores a new console session; false when its id is already taken.
    pub async fn insert_session(&self, id: &str, data: &str, expiry: i64) -> StoreResult<bool> {
        let inserted = sqlx::query("INSERT INTO console_sessions (id, data, expiry) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(data)
            .bind(expiry)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(inserted > 0)
    }

    pub async fn save_session(&self, id: &str, data: &str, expiry: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO console_sessions (id, data, expiry) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A session's data, unless it has expired.
    pub async fn load_session(&self, id: &str, now: i64) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT data FROM console_sessions WHERE id = $1 AND expiry > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn delete_session(&self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM console_sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM console_sessions WHERE expiry <= $1").bind(now).execute(&self.pool).await?.rows_affected())
    }
}
