/// Rows per bulk grant insert: five parameters each.
const GRANTS_PER_STATEMENT: usize = 2000;

/// The columns a grant is inserted with: who, where, when, by whom, and its user's
/// `user_name_key` (the order the workspace's members are read in).
const GRANT_COLUMNS: &str = "user_id, workspace_id, granted_at, granted_by, user_name_key";

impl Backend {
    /// Every workspace whose folded name starts with `name_prefix`, with whether `user_id` has it,
    /// sorted by name; at most `limit` rows.
    pub async fn workspace_access(
        &self,
        user_id: &str,
        name_prefix: &str,
        limit: usize,
    ) -> StoreResult<Vec<WorkspaceAccess>> {
        let prefix = fold_key(name_prefix);
        let rows: Vec<AccessRow> = sqlx::query_as(
            "SELECT w.id AS workspace_id, w.name AS workspace_name, \
             EXISTS (SELECT 1 FROM access_grants g WHERE g.user_id = $1 AND g.workspace_id = w.id) AS granted \
             FROM workspaces w WHERE w.name_key >= $2 AND w.name_key < $3 ORDER BY w.name_key LIMIT $4",
        )
        .bind(user_id)
        .bind(&prefix)
        .bind(prefix_end(&prefix))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| WorkspaceAccess { workspace_id: r.workspace_id, workspace_name: r.workspace_name, granted: r.granted })
            .collect())
    }

    pub async fn count_workspaces(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(&self.pool).await?)
    }

    pub async fn count_grants_of_user(&self, user_id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM access_grants WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }
}

impl Tx {
    /// Writes grants as given (bulk loads), then counts every workspace's members afresh.
    pub async fn load_grants(&mut self, grants: &[GrantRow]) -> StoreResult<()> {
        for chunk in grants.chunks(GRANTS_PER_STATEMENT) {
            // Each with its user's `user_name_key` (see the `members_in_user_name_order`
            // migration), folded from the name the load gives rather than looked up in users
            // (2,000,000 lookups: a 1,000,000-user load took 293 s with them, 287 s without).
            let mut insert = QueryBuilder::<Db>::new(format!("INSERT INTO access_grants ({GRANT_COLUMNS}) "));
            insert.push_values(chunk, |mut row, g| {
                row.push_bind(g.user_id.clone())
                    .push_bind(g.workspace_id.clone())
                    .push_bind(g.granted_at)
                    .push_bind(g.granted_by.clone())
                    .push_bind(fold_key(&g.user_name));
            });
            insert.push(" ON CONFLICT (user_id, workspace_id) DO NOTHING");
            insert.build().execute(&mut *self.tx).await?;
        }
        sqlx::query(
            "UPDATE workspaces SET member_count = (SELECT COUNT(*) FROM access_grants g WHERE g.workspace_id = workspaces.id)",
        )
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Grants a workspace, counting the member on it (its version moves). False when the grant
    /// already existed or the workspace does not exist (anymore).
    pub async fn insert_grant(&mut self, user_id: &str, workspace_id: &str, by: &str, now: i64) -> StoreResult<bool> {
        let inserted = sqlx::query(
            &format!(
                "INSERT INTO access_grants ({GRANT_COLUMNS}) SELECT u.id, w.id, $3, $4, u.user_name_key \
                 FROM workspaces w, users u WHERE w.id = $2 AND u.id = $1 ON CONFLICT (user_id, workspace_id) DO NOTHING"
            ),
        )
        .bind(user_id)
        .bind(workspace_id)
        .bind(now)
        .bind(by)
        .execute(&mut *self.tx)
        .await?
        .rows_affected()
            > 0;
        if inserted {
            self.count_members(workspace_id, 1, now).await?;
        }
        Ok(inserted)
    }

    /// Revokes a workspace; false when there was no such grant.
    pub async fn delete_grant(&mut self, user_id: &str, workspace_id: &str, now: i64) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM access_grants WHERE user_id = $1 AND workspace_id = $2")
            .bind(user_id)
            .bind(workspace_id)
            .execute(&mut *self.tx)
            .await?
            .rows_affected()
            > 0;
        if deleted {
            self.count_members(workspace_id, -1, now).await?;
        }
        Ok(deleted)
    }

    /// Moves a workspace's member count by `delta` in one statement (so concurrent writers
    /// never lose a step) and its version with it.
    pub(super) async fn count_members(&mut self, workspace_id: &str, delta: i64, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE workspaces SET member_count = member_count + $2, last_modified = $3, version = version + 1 WHERE id = $1",
        )
        .bind(workspace_id)
        .bind(delta)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn workspace_exists(&mut self, id: &str) -> StoreResult<bool> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1)").bind(id).fetch_one(&mut *self.tx).await?)
    }
}
