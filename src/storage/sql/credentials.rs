const CREDENTIAL_COLUMNS: &str = "id, name, kind, username, secret_hash, created, created_by, last_used, revoked, \
     access_policy, owned_fields, on_delete, brake_on, brake_count, brake_percent, brake_tripped_at, brake_allowed_until";

/// Binds the six policy columns, in table order, after whatever the statement bound before.
fn bind_policy<'q>(
    query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
    c: &'q CredentialRecord,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
    query.bind(&c.access_policy).bind(&c.owned_fields).bind(&c.on_delete).bind(c.brake_on).bind(c.brake_count).bind(c.brake_percent)
}

impl Backend {
    pub async fn list_credentials(&self) -> StoreResult<Vec<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials ORDER BY revoked IS NOT NULL, name_key"))
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn credential_by_hash(&self, secret_hash: &str) -> StoreResult<Option<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE secret_hash = $1"))
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn credential_by_username(&self, username: &str) -> StoreResult<Option<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE username = $1"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn get_credential(&self, id: &str) -> StoreResult<Option<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Per credential, the deactivations and deletions the brake holds.
    pub async fn held_counts(&self) -> StoreResult<Vec<HeldCountRow>> {
        Ok(sqlx::query_as(
            "SELECT h.credential_id, c.name AS credential_name, COUNT(*) AS held, MAX(h.id) AS last_id FROM held_changes h \
             JOIN scim_credentials c ON c.id = h.credential_id WHERE h.status = 'held' \
             GROUP BY h.credential_id, c.name ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records use; bookkeeping outside any audited change.
    pub async fn touch_credential(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE scim_credentials SET last_used = $2 WHERE id = $1").bind(id).bind(now).execute(&self.pool).await?;
        Ok(())
    }
}

impl Tx {
    pub async fn insert_credential(&mut self, c: &CredentialRecord) -> StoreResult<()> {
        let insert = sqlx::query(
            "INSERT INTO scim_credentials (id, name, name_key, kind, username, secret_hash, created, created_by, \
             access_policy, owned_fields, on_delete, brake_on, brake_count, brake_percent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(fold_key(&c.name))
        .bind(&c.kind)
        .bind(&c.username)
        .bind(&c.secret_hash)
        .bind(c.created)
        .bind(&c.created_by);
        bind_policy(insert, c).execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn get_credential(&mut self, id: &str) -> StoreResult<Option<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// The credential, its row locked until commit, so two removals by it count one after the other.
    pub async fn lock_credential(&mut self, id: &str) -> StoreResult<Option<CredentialRecord>> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE id = $1{}", dialect::FOR_UPDATE);
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self.tx).await?)
    }

    pub async fn update_credential_policy(&mut self, c: &CredentialRecord) -> StoreResult<()> {
        let update = sqlx::query(
            "UPDATE scim_credentials SET access_policy = $2, owned_fields = $3, on_delete = $4, brake_on = $5, \
             brake_count = $6, brake_percent = $7 WHERE id = $1",
        )
        .bind(&c.id);
        bind_policy(update, c).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Deactivations and deletions the credential made since `since`.
    pub async fn count_removals(&mut self, credential_id: &str, since: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM brake_removals WHERE credential_id = $1 AND at >= $2")
            .bind(credential_id)
            .bind(since)
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// Counts one removal by the credential, forgetting those older than `since`.
    pub async fn record_removal(&mut self, credential_id: &str, now: i64, since: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM brake_removals WHERE credential_id = $1 AND at < $2")
            .bind(credential_id)
            .bind(since)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO brake_removals (credential_id, at) VALUES ($1, $2)")
            .bind(credential_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn count_active_users(&mut self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(USER_TOTAL).bind(Some(true)).fetch_one(&mut *self.tx).await?)
    }

    /// Sets (Some) or clears (None) the moment the brake tripped, and until when it is allowed.
    pub async fn set_brake_state(&mut self, id: &str, tripped_at: Option<i64>, allowed_until: Option<i64>) -> StoreResult<()> {
        sqlx::query("UPDATE scim_credentials SET brake_tripped_at = $2, brake_allowed_until = $3 WHERE id = $1")
            .bind(id)
            .bind(tripped_at)
            .bind(allowed_until)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Holds a change; false when the same change is already held (a retry).
    pub async fn hold_change(&mut self, credential_id: &str, user_id: &str, user_name: &str, kind: &str, now: i64, request_id: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO held_changes (credential_id, user_id, user_name, kind, requested_at, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(credential_id)
        .bind(user_id)
        .bind(user_name)
        .bind(kind)
        .bind(now)
        .bind(request_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn count_held(&mut self, credential_id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM held_changes WHERE credential_id = $1 AND status = 'held'")
            .bind(credential_id)
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// The changes held for the credential, up to `last_id` (those an administrator saw).
    pub async fn held_up_to(&mut self, credential_id: &str, last_id: i64) -> StoreResult<Vec<HeldChangeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, user_name, kind, requested_at FROM held_changes \
             WHERE credential_id = $1 AND status = 'held' AND id <= $2 ORDER BY id",
        )
        .bind(credential_id)
        .bind(last_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Settles held changes (`applied`, `rejected` or `superseded`); those settled meanwhile
    /// stay as they are. Returns how many this call settled.
    pub async fn settle_held(&mut self, ids: &[i64], status: &str, by: &str, now: i64) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut update = QueryBuilder::<Db>::new("UPDATE held_changes SET status = ");
        update.push_bind(status.to_string()).push(", decided_by = ").push_bind(by.to_string()).push(", decided_at = ").push_bind(now);
        update.push(" WHERE status = 'held' AND id IN (");
        let mut list = update.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        update.push(")");
        Ok(update.build().execute(&mut *self.tx).await?.rows_affected())
    }

    pub async fn revoke_credential(&mut self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE scim_credentials SET revoked = $2 WHERE id = $1").bind(id).bind(now).execute(&mut *self.tx).await?;
        Ok(())
    }
}
