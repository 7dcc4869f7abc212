const ADMIN_COLUMNS: &str = "id, username, password_hash, role, created, disabled, must_change_password, last_sign_in";

impl Backend {
    pub async fn find_admin_by_username(&self, username: &str) -> StoreResult<Option<AdminRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {ADMIN_COLUMNS} FROM admins WHERE username_key = $1"))
            .bind(fold_key(username))
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn get_admin(&self, id: &str) -> StoreResult<Option<AdminRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {ADMIN_COLUMNS} FROM admins WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Every administrator, enabled ones first, by name.
    pub async fn list_admins(&self) -> StoreResult<Vec<AdminRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {ADMIN_COLUMNS} FROM admins ORDER BY disabled IS NOT NULL, username_key"))
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn count_admins(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(&self.pool).await?)
    }

    pub async fn note_admin_sign_in(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE admins SET last_sign_in = $2 WHERE id = $1").bind(id).bind(now).execute(&self.pool).await?;
        Ok(())
    }
}

impl Tx {
    pub async fn insert_admin(&mut self, admin: &AdminRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO admins (id, username, username_key, password_hash, role, created, must_change_password) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&admin.id)
        .bind(&admin.username)
        .bind(fold_key(&admin.username))
        .bind(&admin.password_hash)
        .bind(&admin.role)
        .bind(admin.created)
        .bind(admin.must_change_password)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Every enabled security admin, locked until the transaction ends: a change that could
    /// leave none counts them under these locks, so two such changes cannot both pass.
    pub async fn lock_security_admins(&mut self) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT id FROM admins WHERE role = 'security_admin' AND disabled IS NULL ORDER BY id{}",
            dialect::FOR_UPDATE
        ))
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn get_admin(&mut self, id: &str) -> StoreResult<Option<AdminRecord>> {
        Ok(sqlx::query_as(&format!("SELECT {ADMIN_COLUMNS} FROM admins WHERE id = $1{}", dialect::FOR_UPDATE))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// Writes an administrator's role, status and password (hash) as given.
    pub async fn update_admin(&mut self, admin: &AdminRecord) -> StoreResult<()> {
        sqlx::query(
            "UPDATE admins SET role = $2, disabled = $3, password_hash = $4, must_change_password = $5 WHERE id = $1",
        )
        .bind(&admin.id)
        .bind(&admin.role)
        .bind(admin.disabled)
        .bind(&admin.password_hash)
        .bind(admin.must_change_password)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
