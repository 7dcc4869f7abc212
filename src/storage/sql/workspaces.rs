const WORKSPACE_COLUMNS: &str = "id, name, external_id, description, member_count, created, last_modified, version";

async fn fetch_workspace<'e>(db: impl sqlx::Executor<'e, Database = Db>, id: &str) -> StoreResult<Option<Workspace>> {
    let sql = format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1");
    let row: Option<WorkspaceRow> = sqlx::query_as(&sql).bind(id).fetch_optional(db).await?;
    Ok(row.map(Workspace::from))
}

/// Users per statement when members are added or removed set-based.
const MEMBER_CHUNK: usize = 500;

/// Appends `a, b, c` as bound parameters.
fn push_list(sql: &mut QueryBuilder<'_, Db>, values: &[String]) {
    let mut list = sql.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
}

/// Appends keyset conditions and order for `cursor` on `key_column`, then the limit.
fn push_key_cursor(sql: &mut QueryBuilder<'_, Db>, key_column: &str, cursor: &Cursor, limit: usize) {
    match cursor {
        Cursor::First => {}
        Cursor::After(key) => {
            sql.push(format!(" AND {key_column} > ")).push_bind(key.clone());
        }
        Cursor::Before(key) => {
            sql.push(format!(" AND {key_column} < ")).push_bind(key.clone());
        }
    }
    let direction = if matches!(cursor, Cursor::Before(_)) { "DESC" } else { "ASC" };
    sql.push(format!(" ORDER BY {key_column} {direction} LIMIT ")).push_bind(limit as i64);
}

impl Backend {
    pub async fn find_workspace_id_by_name(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM workspaces WHERE name_key = $1")
            .bind(fold_key(name))
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn get_workspace(&self, id: &str) -> StoreResult<Option<Workspace>> {
        fetch_workspace(&self.pool, id).await
    }

    /// Workspaces sorted by folded name, keyed by that name; `name_prefix` narrows the list.
    pub async fn list_workspaces(
        &self,
        name_prefix: &str,
        cursor: &Cursor,
        limit: usize,
    ) -> StoreResult<Vec<(String, Workspace)>> {
        let mut sql: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT name_key, {WORKSPACE_COLUMNS} FROM workspaces WHERE 1 = 1"));
        let prefix = fold_key(name_prefix);
        if !prefix.is_empty() {
            sql.push(" AND name_key >= ").push_bind(prefix.clone());
            sql.push(" AND name_key < ").push_bind(prefix_end(&prefix));
        }
        push_key_cursor(&mut sql, "name_key", cursor, limit);
        let mut rows: Vec<(String, Workspace)> = sql
            .build_query_as::<WorkspaceRowWithKey>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| (r.name_key, r.row.into()))
            .collect();
        if matches!(cursor, Cursor::Before(_)) {
            rows.reverse();
        }
        Ok(rows)
    }
}

impl Tx {
    pub async fn get_workspace(&mut self, id: &str) -> StoreResult<Option<Workspace>> {
        fetch_workspace(&mut *self.tx, id).await
    }

    pub async fn insert_workspace(&mut self, ws: &Workspace) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO workspaces (id, name, name_key, description, member_count, created, last_modified, version, external_id) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)",
        )
        .bind(&ws.id)
        .bind(&ws.name)
        .bind(fold_key(&ws.name))
        .bind(&ws.description)
        .bind(ws.created)
        .bind(ws.last_modified)
        .bind(ws.version)
        .bind(&ws.external_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Writes name and description and bumps the version.
    pub async fn update_workspace(&mut self, ws: &Workspace) -> StoreResult<()> {
        sqlx::query(
            "UPDATE workspaces SET name = $2, name_key = $3, description = $4, last_modified = $5, \
             external_id = $6, version = version + 1 WHERE id = $1",
        )
        .bind(&ws.id)
        .bind(&ws.name)
        .bind(fold_key(&ws.name))
        .bind(&ws.description)
        .bind(ws.last_modified)
        .bind(&ws.external_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Deletes a workspace; its members lose the grant and so change version too.
    pub async fn delete_workspace(&mut self, id: &str, now: i64) -> StoreResult<()> {
        self.touch_members(id, now).await?;
        sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }
}

impl Backend {
    /// Workspaces as (id, name) in name order, at most `limit`.
    pub async fn workspace_links(&self, limit: usize) -> StoreResult<Vec<WorkspaceLink>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM workspaces ORDER BY name_key LIMIT $1")
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id, name)| WorkspaceLink { id, name }).collect())
    }

    /// Workspaces named by id, and by (folded) name, keyed by what named them.
    pub async fn workspaces_by_ids_and_names(
        &self,
        ids: &[String],
        names: &[String],
    ) -> StoreResult<(HashMap<String, WorkspaceLink>, HashMap<String, WorkspaceLink>)> {
        let mut by_id = HashMap::new();
        let mut by_name = HashMap::new();
        for (column, values, out) in [("id", ids.to_vec(), &mut by_id), ("name_key", names.iter().map(|n| fold_key(n)).collect::<Vec<_>>(), &mut by_name)] {
            for chunk in values.chunks(MEMBER_CHUNK) {
                let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {column}, id, name FROM workspaces WHERE {column} IN ("));
                push_list(&mut sql, chunk);
                sql.push(")");
                let rows: Vec<(String, String, String)> = sql.build_query_as().fetch_all(&self.pool).await?;
                out.extend(rows.into_iter().map(|(key, id, name)| (key, WorkspaceLink { id, name })));
            }
        }
        Ok((by_id, by_name))
    }

    /// Workspaces (SCIM Groups) meeting a condition, sorted and paged, with the total.
    pub async fn find_workspaces(&self, query: &ListQuery) -> StoreResult<(i64, Vec<Workspace>)> {
        let listing = Listing { table: "workspaces", alias: "w", columns: WORKSPACE_COLUMNS, computed: "", unique_key: "name_key", kept_total: None };
        let (total, rows): (i64, Vec<WorkspaceRow>) = find_page(&self.pool, &listing, query, None).await?;
        Ok((total, rows.into_iter().map(Workspace::from).collect()))
    }

    /// Every member of each workspace as (user id, userName), sorted by userName, in one query.
    pub async fn members_of(&self, workspace_ids: &[String]) -> StoreResult<HashMap<String, Vec<(String, String)>>> {
        let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
        if workspace_ids.is_empty() {
            return Ok(out);
        }
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT g.workspace_id, u.id, u.user_name FROM access_grants g JOIN users u ON u.id = g.user_id \
             WHERE g.workspace_id IN (",
        );
        let mut list = sql.separated(", ");
        for id in workspace_ids {
            list.push_bind(id.clone());
        }
        sql.push(") ORDER BY g.user_name_key");
        let rows: Vec<(String, String, String)> = sql.build_query_as().fetch_all(&self.pool).await?;
        for (workspace_id, id, user_name) in rows {
            out.entry(workspace_id).or_default().push((id, user_name));
        }
        Ok(out)
    }
}

impl Tx {
    /// The workspace this transaction is about to change, or None if it is gone.
    pub async fn lock_workspace(&mut self, id: &str) -> StoreResult<Option<Workspace>> {
        let sql = format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1{}", dialect::FOR_UPDATE);
        let row: Option<WorkspaceRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self.tx).await?;
        Ok(row.map(Workspace::from))
    }

    /// Adds existing users (ids of users that do not exist are skipped) to a workspace, set-based
    /// in chunks; the users added change version, the workspace counts them. Returns who was
    /// added, as (id, userName).
    pub async fn add_members(&mut self, workspace_id: &str, user_ids: &[String], by: &str, now: i64) -> StoreResult<Vec<(String, String)>> {
        let mut added = Vec::new();
        for chunk in user_ids.chunks(MEMBER_CHUNK) {
            let mut insert: QueryBuilder<Db> = QueryBuilder::new(format!("INSERT INTO access_grants ({GRANT_COLUMNS}) SELECT id, "));
            insert.push_bind(workspace_id.to_string()).push(", ").push_bind(now).push(", ").push_bind(by.to_string());
            insert.push(", user_name_key FROM users WHERE id IN (");
            push_list(&mut insert, chunk);
            insert.push(") ON CONFLICT (user_id, workspace_id) DO NOTHING RETURNING user_id");
            let ids: Vec<String> = insert.build_query_scalar().fetch_all(&mut *self.tx).await?;
            added.extend(self.touch_users(&ids, now).await?);
            self.copy_name_keys(workspace_id, &ids).await?;
        }
        if !added.is_empty() {
            self.count_members(workspace_id, added.len() as i64, now).await?;
        }
        Ok(added)
    }

    /// Removes users from a workspace, set-based in chunks; returns who was removed.
    pub async fn remove_members(&mut self, workspace_id: &str, user_ids: &[String], now: i64) -> StoreResult<Vec<(String, String)>> {
        let mut removed = Vec::new();
        for chunk in user_ids.chunks(MEMBER_CHUNK) {
            let mut delete: QueryBuilder<Db> = QueryBuilder::new("DELETE FROM access_grants WHERE workspace_id = ");
            delete.push_bind(workspace_id.to_string()).push(" AND user_id IN (");
            push_list(&mut delete, chunk);
            delete.push(") RETURNING user_id");
            let ids: Vec<String> = delete.build_query_scalar().fetch_all(&mut *self.tx).await?;
            removed.extend(self.touch_users(&ids, now).await?);
        }
        if !removed.is_empty() {
            self.count_members(workspace_id, -(removed.len() as i64), now).await?;
        }
        Ok(removed)
    }

    /// Copies the user name key of each of `user_ids` into its grant of the workspace again,
    /// now that `touch_users` holds their rows: on PostgreSQL the insert read the keys without
    /// a lock, and a rename committing between the two would otherwise leave its old key on a
    /// grant its own rewrite (`update_user`) could not see yet.
    async fn copy_name_keys(&mut self, workspace_id: &str, user_ids: &[String]) -> StoreResult<()> {
        if user_ids.is_empty() {
            return Ok(());
        }
        const KEY: &str = "(SELECT u.user_name_key FROM users u WHERE u.id = access_grants.user_id)";
        let mut update: QueryBuilder<Db> = QueryBuilder::new(format!("UPDATE access_grants SET user_name_key = {KEY} WHERE workspace_id = "));
        update.push_bind(workspace_id.to_string()).push(" AND user_id IN (");
        push_list(&mut update, user_ids);
        update.push(format!(") AND user_name_key <> {KEY}"));
        update.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Moves the version of each user (whose grants changed); returns them as (id, userName).
    async fn touch_users(&mut self, ids: &[String], now: i64) -> StoreResult<Vec<(String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut update: QueryBuilder<Db> = QueryBuilder::new("UPDATE users SET version = version + 1, last_modified = ");
        update.push_bind(now).push(" WHERE id IN (");
        push_list(&mut update, ids);
        update.push(") RETURNING id, user_name");
        Ok(update.build_query_as().fetch_all(&mut *self.tx).await?)
    }

    /// A workspace's name shows in its members' representations: they change version with it.
    pub async fn touch_members(&mut self, workspace_id: &str, now: i64) -> StoreResult<()> {
        self.touch_related("users", "user_id", "workspace_id", workspace_id, now).await
    }

    /// A user's name shows in its workspaces' member lists: they change version with it.
    pub async fn touch_workspaces_of(&mut self, user_id: &str, now: i64) -> StoreResult<()> {
        self.touch_related("workspaces", "workspace_id", "user_id", user_id, now).await
    }

    /// Moves the version of every row of `table` granted to or from `id` (the grant's `by`
    /// column is `id`, its `key` column names the rows).
    async fn touch_related(&mut self, table: &str, key: &str, by: &str, id: &str, now: i64) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {table} SET last_modified = $2, version = version + 1 WHERE id IN (SELECT {key} FROM access_grants WHERE {by} = $1)"
        );
        sqlx::query(&sql).bind(id).bind(now).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Every member of a workspace as (id, userName).
    pub async fn members_with_names(&mut self, workspace_id: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.user_name FROM access_grants g JOIN users u ON u.id = g.user_id WHERE g.workspace_id = $1 ORDER BY g.user_name_key",
        )
        .bind(workspace_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Ids of every member of a workspace (a whole new member list is compared with them).
    pub async fn member_ids(&mut self, workspace_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM access_grants WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_all(&mut *self.tx)
            .await?)
    }
}
