impl Backend {
    /// Failures counted for each key within the window that ends now.
    pub async fn sign_in_failures(&self, keys: &[String], since: i64) -> StoreResult<Vec<(String, i64)>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let failures: Option<i64> =
                sqlx::query_scalar("SELECT failures FROM sign_in_failures WHERE key = $1 AND window_start > $2")
                    .bind(key)
                    .bind(since)
                    .fetch_optional(&self.pool)
                    .await?;
            out.push((key.clone(), failures.unwrap_or(0)));
        }
        Ok(out)
    }

    /// Counts one failure against each key, starting a new window where the old one has passed.
    /// Bookkeeping outside any audited change, in one statement per key so that instances
    /// counting at once never lose a failure.
    pub async fn record_sign_in_failure(&self, keys: &[String], now: i64, since: i64) -> StoreResult<()> {
        for key in keys {
            sqlx::query(
                "INSERT INTO sign_in_failures (key, failures, window_start) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN sign_in_failures.window_start > $3 THEN sign_in_failures.failures + 1 ELSE 1 END, \
                 window_start = CASE WHEN sign_in_failures.window_start > $3 THEN sign_in_failures.window_start ELSE $2 END",
            )
            .bind(key)
            .bind(now)
            .bind(since)
            .execute(&self.pool)
            .await?;
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE window_start <= $1").bind(since).execute(&self.pool).await?;
        Ok(())
    }

    /// A correct password clears the failures of that user name from that address.
    pub async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }
}
