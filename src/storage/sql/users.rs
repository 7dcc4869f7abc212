const USER_COLUMNS: &str = "id, user_name, external_id, given_name, family_name, display_name, \
     email, active, created, last_modified, version, emails, extra, managed_by";

/// Binds $1..$16 of the insert and the update: id and every field a write can change.
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
    user: &'q User,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
    query
        .bind(&user.id)
        .bind(&user.user_name)
        .bind(fold_key(&user.user_name))
        .bind(&user.external_id)
        .bind(&user.given_name)
        .bind(&user.family_name)
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(user.active)
        .bind(user.last_modified)
        .bind(json_text(&user.emails))
        .bind(json_text(&user.extra))
        .bind(fold_key(&user.display_name))
        .bind(fold_key(&user.given_name))
        .bind(fold_key(&user.family_name))
        .bind(&user.managed_by)
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A workspace with more members than this is listed by walking users in the list's order and
/// keeping its members (a page then costs about a page divided by the members' share of all
/// users); a smaller one from its grants, sorted (at most this many rows).
const MEMBERS_SORTED_AT_MOST: i64 = 2000;

/// How a list of one workspace's members (and no search words) is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Members {
    /// From the workspace's grants: right for counting, and for small workspaces.
    FromGrants,
    /// Users in the list's order, kept when they are members: a big workspace's first page.
    WalkUsers,
}

/// `AND` the user is a member of `workspace`.
fn push_member_of(sql: &mut QueryBuilder<'_, Db>, workspace: &str) {
    sql.push(" AND EXISTS (SELECT 1 FROM access_grants wg WHERE wg.user_id = u.id AND wg.workspace_id = ")
        .push_bind(workspace.to_string())
        .push(")");
}

/// `FROM ... WHERE ...` of the users list: the search terms (their matches drive the join,
/// which `dialect::DRIVING_JOIN` fixes where needed, so a page costs the matches, not the table), the
/// workspace's members, the status.
fn push_list_source(sql: &mut QueryBuilder<'_, Db>, list: &UserListQuery, members: Members) {
    let words = search_terms([list.q.as_str()]);
    match (words.first(), &list.workspace) {
        (Some(first), _) => {
            sql.push(" FROM (SELECT DISTINCT user_id FROM user_search_terms WHERE term >= ")
                .push_bind(first.clone())
                .push(" AND term < ")
                .push_bind(prefix_end(first))
                .push(") m ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = m.user_id WHERE 1 = 1");
            if let Some(ws) = &list.workspace {
                push_member_of(sql, ws);
            }
        }
        (None, Some(ws)) if members == Members::WalkUsers => {
            sql.push(" FROM users u WHERE 1 = 1");
            push_member_of(sql, ws);
        }
        (None, Some(ws)) => {
            sql.push(" FROM access_grants wg ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = wg.user_id WHERE wg.workspace_id = ").push_bind(ws.clone());
        }
        (None, None) => {
            sql.push(" FROM users u WHERE 1 = 1");
        }
    }
    for word in words.iter().skip(1) {
        sql.push(" AND EXISTS (SELECT 1 FROM user_search_terms t WHERE t.user_id = u.id AND t.term >= ")
            .push_bind(word.clone())
            .push(" AND t.term < ")
            .push_bind(prefix_end(word))
            .push(")");
    }
    if let Some(active) = list.status.wanted() {
        sql.push(" AND u.active = ").push_bind(active);
    }
}

/// The columns a sort orders by, most significant first; the last makes the order unique.
fn sort_columns(sort: UserSort) -> &'static str {
    match sort {
        UserSort::UserName => "u.user_name_key",
        UserSort::Name => "u.display_name_key, u.id",
        UserSort::Status => "u.active, u.user_name_key",
        UserSort::LastChange => "u.last_modified, u.id",
    }
}

/// `AND (columns) > (cursor)` (or `<`), the cursor parsed back into its typed parts.
fn push_user_keyset(sql: &mut QueryBuilder<'_, Db>, sort: UserSort, key: &str, after: bool) -> StoreResult<()> {
    let bad = || StoreError::Query(QueryError(format!("{key:?} is not a position in this list")));
    let op = if after { " > " } else { " < " };
    sql.push(format!(" AND ({}){op}(", sort_columns(sort)));
    match sort {
        UserSort::UserName => {
            sql.push_bind(key.to_string());
        }
        UserSort::Name => {
            let (name, id) = key.split_once(CURSOR_SEPARATOR).ok_or_else(bad)?;
            sql.push_bind(name.to_string()).push(", ").push_bind(id.to_string());
        }
        UserSort::Status => {
            let (active, user_name) = key.split_once(CURSOR_SEPARATOR).ok_or_else(bad)?;
            sql.push_bind(active == "1").push(", ").push_bind(user_name.to_string());
        }
        UserSort::LastChange => {
            let (at, id) = key.split_once(CURSOR_SEPARATOR).ok_or_else(bad)?;
            sql.push_bind(at.parse::<i64>().map_err(|_| bad())?).push(", ").push_bind(id.to_string());
        }
    }
    sql.push(")");
    Ok(())
}

/// The workspaces of user `u` as a JSON array of `[id, name]`, by name: a user and its access
/// in one query (see `UserAccessRow`).
fn workspaces_of_u() -> String {
    format!(
        "(SELECT {} FROM access_grants g JOIN workspaces w ON w.id = g.workspace_id WHERE g.user_id = u.id)",
        dialect::json_rows("w.id, w.name", " ORDER BY w.name_key")
    )
}

async fn fetch_user<'e>(db: impl sqlx::Executor<'e, Database = Db>, id: &str) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql).bind(id).fetch_optional(db).await?;
    Ok(row.map(User::from))
}

impl Backend {
    pub async fn find_user_id_by_name(&self, user_name: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM users WHERE user_name_key = $1")
            .bind(fold_key(user_name))
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        fetch_user(&self.pool, id).await
    }

    /// A user with its workspaces, in one query.
    pub async fn get_user_with_access(&self, id: &str) -> StoreResult<Option<(User, Vec<WorkspaceLink>)>> {
        let sql = format!("SELECT {USER_COLUMNS}, {} AS workspaces FROM users u WHERE u.id = $1", workspaces_of_u());
        let row: Option<UserAccessRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(TryInto::try_into).transpose()
    }

    /// One page of the users list in `list`'s order, from `cursor`, at most `limit` rows,
    /// each with its position key.
    pub async fn list_users(&self, list: &UserListQuery, cursor: &Cursor, limit: usize) -> StoreResult<Vec<UserListRow>> {
        let members = match &list.workspace {
            Some(ws) if search_terms([list.q.as_str()]).is_empty() => {
                if self.member_count(ws).await? > MEMBERS_SORTED_AT_MOST { Members::WalkUsers } else { Members::FromGrants }
            }
            _ => Members::FromGrants,
        };
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT u.user_name_key, u.display_name_key, u.last_modified, u.id, u.user_name, u.display_name, u.email, u.active, \
             (SELECT COUNT(*) FROM access_grants g WHERE g.user_id = u.id) AS workspace_count",
        );
        push_list_source(&mut sql, list, members);
        // Paging back walks the order backwards from the cursor, then turns the rows around.
        let backwards = matches!(cursor, Cursor::Before(_));
        match cursor {
            Cursor::First => {}
            Cursor::After(key) => push_user_keyset(&mut sql, list.sort, key, !list.descending)?,
            Cursor::Before(key) => push_user_keyset(&mut sql, list.sort, key, list.descending)?,
        }
        let direction = if list.descending != backwards { " DESC" } else { " ASC" };
        let order: Vec<String> = sort_columns(list.sort).split(", ").map(|c| format!("{c}{direction}")).collect();
        sql.push(" ORDER BY ").push(order.join(", "));
        sql.push(" LIMIT ").push_bind(limit as i64);
        let mut rows: Vec<UserListRow> = sql.build_query_as().fetch_all(&self.pool).await?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The members a workspace counts (0 for none).
    async fn member_count(&self, workspace_id: &str) -> StoreResult<i64> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT member_count FROM workspaces WHERE id = $1").bind(workspace_id).fetch_optional(&self.pool).await?;
        Ok(count.unwrap_or(0))
    }

    /// How many users the list matches, on all pages.
    pub async fn count_users(&self, list: &UserListQuery) -> StoreResult<i64> {
        // Every member of one workspace: the count it keeps, instead of counting 50,000 grants.
        if let (Some(ws), true, None) = (&list.workspace, search_terms([list.q.as_str()]).is_empty(), list.status.wanted()) {
            return self.member_count(ws).await;
        }
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*)");
        push_list_source(&mut sql, list, Members::FromGrants);
        Ok(sql.build_query_scalar().fetch_one(&self.pool).await?)
    }
}

impl Tx {
    pub async fn get_user(&mut self, id: &str) -> StoreResult<Option<User>> {
        fetch_user(&mut *self.tx, id).await
    }

    pub async fn insert_user(&mut self, user: &User) -> StoreResult<()> {
        // The user and its search terms in one round trip (see `append_audit`).
        let sql = dialect::insert_then(
            "INSERT INTO users (id, user_name, user_name_key, external_id, given_name, family_name, \
             display_name, email, active, last_modified, emails, extra, display_name_key, given_name_key, family_name_key, \
             managed_by, created, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            "users",
            &terms_insert("new.id", "new, ", "$19"),
        );
        let terms = serde_json::to_string(&terms_of(user)).expect("strings serialise");
        bind_fields(sqlx::query(&sql), user).bind(user.created).bind(user.version).bind(terms).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// The version of a user this transaction is about to change, or None if it is gone.
    pub async fn lock_user(&mut self, id: &str) -> StoreResult<Option<i64>> {
        let sql = format!("SELECT version FROM users WHERE id = $1{}", dialect::FOR_UPDATE);
        Ok(sqlx::query_scalar(&sql).bind(id).fetch_optional(&mut *self.tx).await?)
    }

    /// Writes the profile fields and `active` of `user` and bumps its version, if the stored
    /// version is still `expected` (false when it is not, or the user is gone); the search terms
    /// are rewritten only when `searchable` fields changed.
    pub async fn update_user(&mut self, user: &User, searchable: bool, expected: i64) -> StoreResult<bool> {
        let update = sqlx::query(
            "UPDATE users SET user_name = $2, user_name_key = $3, external_id = $4, given_name = $5, \
             family_name = $6, display_name = $7, email = $8, active = $9, last_modified = $10, \
             emails = $11, extra = $12, display_name_key = $13, given_name_key = $14, family_name_key = $15, \
             managed_by = $16, version = version + 1 WHERE id = $1 AND version = $17",
        );
        if bind_fields(update, user).bind(expected).execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        if searchable {
            sqlx::query("DELETE FROM user_search_terms WHERE user_id = $1")
                .bind(&user.id)
                .execute(&mut *self.tx)
                .await?;
            self.index_user(user).await?;
        }
        Ok(true)
    }

    /// Marks a user changed (its grants changed) without touching its fields, if the stored
    /// version is still `expected` (false when it is not, or the user is gone).
    pub async fn touch_user(&mut self, id: &str, now: i64, expected: i64) -> StoreResult<bool> {
        let touched = sqlx::query("UPDATE users SET last_modified = $2, version = version + 1 WHERE id = $1 AND version = $3")
            .bind(id)
            .bind(now)
            .bind(expected)
            .execute(&mut *self.tx)
            .await?;
        Ok(touched.rows_affected() == 1)
    }

    /// Deletes a user; its grants go with it and the workspaces it was in count one member less.
    pub async fn delete_user(&mut self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE workspaces SET member_count = member_count - 1, last_modified = $2, \
             version = version + 1 WHERE id IN (SELECT workspace_id FROM access_grants WHERE user_id = $1)",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn index_user(&mut self, user: &User) -> StoreResult<()> {
        sqlx::query(&terms_insert("$1", "", "$2"))
            .bind(&user.id)
            .bind(serde_json::to_string(&terms_of(user)).expect("strings serialise"))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

/// The insert of a user's search terms, one per element of the JSON text array bound at `terms`,
/// for the user `user_id` names (read from `from`, which ends with a comma when given).
fn terms_insert(user_id: &str, from: &str, terms: &str) -> String {
    format!("INSERT INTO user_search_terms (term, user_id) SELECT each.value, {user_id} FROM {from}{}", dialect::json_elements(terms))
}

/// The words a user is found by.
fn terms_of(user: &User) -> Vec<String> {
    search_terms([
        user.user_name.as_str(),
        user.given_name.as_str(),
        user.family_name.as_str(),
        user.display_name.as_str(),
        user.email.as_str(),
        user.external_id.as_deref().unwrap_or(""),
    ])
}

impl Backend {
    /// Users meeting a condition, sorted and paged, with the total that meet it.
    /// Users meeting a SCIM query, sorted and paged, each with its workspaces; `start` as in
    /// `find_page`.
    pub async fn find_users(&self, query: &ListQuery, start: Option<(&str, usize)>) -> StoreResult<(i64, Vec<(User, Vec<WorkspaceLink>)>)> {
        let computed = format!(", {} AS workspaces", workspaces_of_u());
        let listing = Listing { table: "users", alias: "u", columns: USER_COLUMNS, computed: &computed, unique_key: "user_name_key" };
        let (total, rows): (i64, Vec<UserAccessRow>) = find_page(&self.pool, &listing, query, start).await?;
        Ok((total, rows.into_iter().map(TryInto::try_into).collect::<StoreResult<_>>()?))
    }

    /// The user name key of every `step`-th user in user-name order, from the first.
    pub async fn user_name_key_anchors(&self, step: usize) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_name_key FROM (SELECT user_name_key, row_number() OVER (ORDER BY user_name_key) AS n FROM users) k \
             WHERE (n - 1) % $1 = 0 ORDER BY user_name_key",
        )
        .bind(step as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The workspaces each of `user_ids` may enter, sorted by name.
    pub async fn workspaces_of(&self, user_ids: &[String]) -> StoreResult<HashMap<String, Vec<WorkspaceLink>>> {
        let mut out: HashMap<String, Vec<WorkspaceLink>> = HashMap::new();
        if user_ids.is_empty() {
            return Ok(out);
        }
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT g.user_id, w.id, w.name FROM access_grants g JOIN workspaces w ON w.id = g.workspace_id WHERE g.user_id IN (",
        );
        let mut list = sql.separated(", ");
        for id in user_ids {
            list.push_bind(id.clone());
        }
        sql.push(") ORDER BY w.name_key");
        let rows: Vec<(String, String, String)> = sql.build_query_as().fetch_all(&self.pool).await?;
        for (user_id, id, name) in rows {
            out.entry(user_id).or_default().push(WorkspaceLink { id, name });
        }
        Ok(out)
    }
}

impl Tx {
    /// The workspaces a user may enter, sorted by name.
    pub async fn workspaces_of_user(&mut self, user_id: &str) -> StoreResult<Vec<WorkspaceLink>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT w.id, w.name FROM access_grants g JOIN workspaces w ON w.id = g.workspace_id \
             WHERE g.user_id = $1 ORDER BY w.name_key",
        )
        .bind(user_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id, name)| WorkspaceLink { id, name }).collect())
    }
}
