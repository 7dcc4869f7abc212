impl Backend {
    pub async fn find_admin_by_username(&self, username: &str) -> StoreResult<Option<AdminRecord>> {
        Ok(sqlx::query_as(
            "SELECT id, username, password_hash, role, created FROM admins WHERE username_key = $1",
        )
        .bind(fold_key(username))
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn get_admin(&self, id: &str) -> StoreResult<Option<AdminRecord>> {
        Ok(sqlx::query_as("SELECT id, username, password_hash, role, created FROM admins WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn count_admins(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(&self.pool).await?)
    }
}

impl Tx {
    pub async fn insert_admin(&mut self, admin: &AdminRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO admins (id, username, username_key, password_hash, role, created) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&admin.id)
        .bind(&admin.username)
        .bind(fold_key(&admin.username))
        .bind(&admin.password_hash)
        .bind(&admin.role)
        .bind(admin.created)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
