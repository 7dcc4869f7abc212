const CREDENTIAL_COLUMNS: &str = "id, name, kind, username, secret_hash, created, created_by, last_used, revoked";

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

    /// Records use; bookkeeping outside any audited change.
    pub async fn touch_credential(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE scim_credentials SET last_used = $2 WHERE id = $1").bind(id).bind(now).execute(&self.pool).await?;
        Ok(())
    }
}

impl Tx {
    pub async fn insert_credential(&mut self, c: &CredentialRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_credentials (id, name, name_key, kind, username, secret_hash, created, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(fold_key(&c.name))
        .bind(&c.kind)
        .bind(&c.username)
        .bind(&c.secret_hash)
        .bind(c.created)
        .bind(&c.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn get_credential(&mut self, id: &str) -> StoreResult<Option<CredentialRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {CREDENTIAL_COLUMNS} FROM scim_credentials WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn revoke_credential(&mut self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE scim_credentials SET revoked = $2 WHERE id = $1").bind(id).bind(now).execute(&mut *self.tx).await?;
        Ok(())
    }
}
