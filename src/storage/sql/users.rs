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

/// The columns of a row of the users list (`UserListRow`), of user `u`.
const USER_LIST_COLUMNS: &str = "u.user_name_key, u.display_name_key, u.last_modified, u.id, u.user_name, u.display_name, u.email, \
     u.active, (SELECT COUNT(*) FROM access_grants g WHERE g.user_id = u.id) AS workspace_count";

/// A workspace with at most this many members is listed from its grants (at most this many
/// rows), the rest of the search applied to each and the page sorted from them; a bigger one
/// too while that costs less (`grants_sort_cheaper`), else by walking users (or a searched
/// word's terms) in the list's order and keeping its members, so a page costs about a page
/// divided by the members' share.
const MEMBERS_SORTED_AT_MOST: i64 = 2000;

/// Whether sorting a workspace's `members` costs less than walking `users` to meet a page of
/// them. Sorting costs a step per member; walking, a page divided by the members' share, each
/// step about three quarters of one of sorting (4.2 against 5.6 µs, measured at 1,000,000
/// users). So sorting wins while members² × 4 < page × users × 3: up to about 1,900 members
/// at 100,000 users and 6,100 at 1,000,000, where a workspace of 2,142 took 100 ms walking and
/// 12 ms sorted.
fn grants_sort_cheaper(members: i64, users: i64) -> bool {
    members.saturating_mul(members).saturating_mul(4) < (PAGE_SIZE as i64).saturating_mul(users).saturating_mul(3)
}

/// How the users list is read.
enum Plan {
    /// Off the terms of the searched word with the fewest, term by term in the list's order
    /// (`push_term_walk`; user names or display names, see `terms_order`), the other words
    /// applied to each: a page costs a page per term however many users match.
    TermWalks { terms: Vec<String>, others: Vec<String> },
    /// Several lists in the list's order that a match is in every one of (the terms of each
    /// searched word, the users of a status), hopped through together (`push_hops`): a page
    /// costs about a hop per match, however the lists interleave.
    Hops(Vec<Run>),
    /// Every user in the list's order (an index holds each), a window of `USERS_WALKED` at a
    /// time, kept if it has every searched word: for words of a letter or two, which most users
    /// have, and for a search in an order the search terms do not hold.
    UserWalk,
    /// A workspace's grants in user-name order (an index holds them so, see the
    /// `members_in_user_name_order` migration), the rest of the search applied to each: a page
    /// costs a page divided by the members' share that match.
    MemberWalk(Vec<Word>),
    /// From a small workspace's grants, sorted; the searched words as met by the grants.
    Grants(Vec<Word>),
    /// From the matches of the first searched word, from a big workspace's members met walking
    /// users, or from all users; sorted, unless an index holds the order.
    Matches,
}

/// `AND` the user is a member of `workspace`.
fn push_member_of(sql: &mut QueryBuilder<'_, Db>, workspace: &str) {
    sql.push(" AND EXISTS (SELECT 1 FROM access_grants wg WHERE wg.user_id = u.id AND wg.workspace_id = ")
        .push_bind(workspace.to_string())
        .push(")");
}

/// `FROM ... WHERE ...` of the users list for a `Grants` plan (the workspace's grants, with the
/// searched words as `grants` met them) or a `Matches` one: what drives the join
/// (`dialect::DRIVING_JOIN` fixes it where needed) and the rest of the search, the workspace's
/// members and the status.
fn push_list_source(sql: &mut QueryBuilder<'_, Db>, list: &UserListQuery, grants: Option<&[Word]>) {
    let words = search_terms([list.q.as_str()]);
    let mut rest = words.as_slice();
    match (&list.workspace, words.first(), grants) {
        (Some(ws), _, Some(met)) => {
            sql.push(" FROM access_grants wg ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = wg.user_id WHERE wg.workspace_id = ").push_bind(ws.clone());
            push_member_has(sql, met);
            rest = &[];
        }
        (workspace, Some(first), _) => {
            sql.push(" FROM (SELECT DISTINCT user_id FROM user_search_terms WHERE term >= ")
                .push_bind(first.clone())
                .push(" AND term < ")
                .push_bind(prefix_end(first))
                .push(") m ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = m.user_id WHERE 1 = 1");
            if let Some(ws) = workspace {
                push_member_of(sql, ws);
            }
            rest = &words[1..];
        }
        (Some(ws), None, _) => {
            sql.push(" FROM users u WHERE 1 = 1");
            push_member_of(sql, ws);
        }
        (None, None, _) => {
            sql.push(" FROM users u WHERE 1 = 1");
        }
    }
    push_words_and_status(sql, rest, list);
}

/// `AND` user `u` has a term starting with each of `words`, and the status the list wants.
fn push_words_and_status(sql: &mut QueryBuilder<'_, Db>, words: &[String], list: &UserListQuery) {
    push_words_of(sql, words, "u.id");
    if let Some(active) = list.status.wanted() {
        sql.push(" AND u.active = ").push_bind(active);
    }
}

/// `AND` the user whose id is in column `user` has a term starting with each of `words`.
fn push_words_of(sql: &mut QueryBuilder<'_, Db>, words: &[String], user: &str) {
    for word in words {
        sql.push(format!(" AND EXISTS (SELECT 1 FROM user_search_terms t WHERE t.user_id = {user} AND t.term >= "))
            .push_bind(word.clone())
            .push(" AND t.term < ")
            .push_bind(prefix_end(word))
            .push(")");
    }
}

/// A searched word, as a workspace's grants are met against it (`push_member_has`).
enum Word {
    /// Its terms, where it has few (`TERMS_MERGED_AT_MOST`): a member has it if one of them has
    /// an entry at the member's user name key, one step down the terms' index each.
    Terms(Vec<String>),
    /// A word of a letter or two with many terms: looked up among the member's own terms.
    Prefix(String),
}

/// `AND` the user of grant `wg` has every one of `words`. A word's terms are met at the grant's
/// user name key, so a walk of grants in that order reads each term's entries in their order,
/// where a lookup by user id reads them at random (at 1,000,000 users, counting the
/// "lovelace"s among 2,142 members took 16 ms joined to every member's row, 9 ms looked up by
/// id, 1 ms at the name key).
fn push_member_has(sql: &mut QueryBuilder<'_, Db>, words: &[Word]) {
    for word in words {
        match word {
            Word::Terms(terms) => {
                sql.push(" AND EXISTS (SELECT 1 FROM user_search_terms t WHERE t.user_name_key = wg.user_name_key AND t.term IN (");
                let mut each = sql.separated(", ");
                for term in terms {
                    each.push_bind(term.clone());
                }
                sql.push("))");
            }
            Word::Prefix(prefix) => push_words_of(sql, std::slice::from_ref(prefix), "wg.user_id"),
        }
    }
}

/// `FROM` the grants `wg` of the list's workspace whose users have every one of `words` and the
/// status the list wants (past `after`, a user name key, in the walk's direction), for a
/// `Plan::MemberWalk` and for counting a workspace's matches. No condition reads a user's row
/// unless a status is wanted.
fn push_members_matching(sql: &mut QueryBuilder<'_, Db>, list: &UserListQuery, words: &[Word], after: Option<&str>, descending: bool) {
    let ws = list.workspace.as_deref().expect("only a workspace's list reads its grants");
    sql.push(" FROM access_grants wg WHERE wg.workspace_id = ").push_bind(ws.to_string());
    if let Some(key) = after {
        sql.push(if descending { " AND wg.user_name_key < " } else { " AND wg.user_name_key > " }).push_bind(key.to_string());
    }
    push_member_has(sql, words);
    if let Some(active) = list.status.wanted() {
        sql.push(" AND EXISTS (SELECT 1 FROM users s WHERE s.id = wg.user_id AND s.active = ").push_bind(active).push(")");
    }
}

/// An order the search terms' index holds, and which way a walk or a hop goes along it.
struct Order {
    /// The column holding each user's position in the order, one unique text per user, in the
    /// search terms and in `users` alike (each write of a user rewrites its terms' copy when the
    /// position moves): `user_name_key` or `display_order` (see the
    /// `search_terms_in_display_order` migration).
    key: &'static str,
    descending: bool,
}

/// `sort`'s order, if the search terms' index holds it.
fn terms_order(sort: UserSort, descending: bool) -> Option<Order> {
    let key = match sort {
        UserSort::UserName => "user_name_key",
        UserSort::Name => "display_order",
        UserSort::Status | UserSort::LastChange => return None,
    };
    Some(Order { key, descending })
}

/// User-name order, which the users table holds as well.
const BY_USER_NAME: Order = Order { key: "user_name_key", descending: false };

/// A list of users in one of the search terms' orders, one of those a `Plan::Hops` search hops
/// through.
enum Run {
    /// The users with any of these search terms.
    Terms(Vec<String>),
    /// The users with this status.
    Status(bool),
    /// The members of this workspace (by id), whose grants keep the user name order only.
    Members(String),
}

/// The first position (`order`'s column: see `terms_order`) of `run` past the one `from` pushes
/// (at it too, unless `strict`), in the list's direction: one step down an index.
fn push_seek<'q>(sql: &mut QueryBuilder<'q, Db>, run: &Run, order: &Order, strict: bool, from: &dyn Fn(&mut QueryBuilder<'q, Db>)) {
    let (key, descending) = (order.key, order.descending);
    let op = match (descending, strict) {
        (false, true) => " > ",
        (false, false) => " >= ",
        (true, true) => " < ",
        (true, false) => " <= ",
    };
    // `(SELECT <key> FROM <table> WHERE <column> = <bind> AND <key> <op> <from> ORDER BY <key>
    // LIMIT 1)`.
    let seek = |sql: &mut QueryBuilder<'q, Db>, table_where_column: &str, bind: &dyn Fn(&mut QueryBuilder<'q, Db>)| {
        sql.push(format!("(SELECT {key} FROM {table_where_column} = "));
        bind(sql);
        sql.push(format!(" AND {key}")).push(op);
        from(sql);
        sql.push(format!(" ORDER BY {key}{} LIMIT 1)", if descending { " DESC" } else { "" }));
    };
    match run {
        Run::Status(active) => seek(sql, "users WHERE active", &|sql| {
            sql.push_bind(*active);
        }),
        Run::Members(workspace) => {
            debug_assert_eq!(key, "user_name_key", "grants keep user-name order only");
            seek(sql, "access_grants WHERE workspace_id", &|sql| {
                sql.push_bind(workspace.clone());
            })
        }
        Run::Terms(terms) if terms.len() == 1 => seek(sql, "user_search_terms WHERE term", &|sql| {
            sql.push_bind(terms[0].clone());
        }),
        Run::Terms(terms) => {
            sql.push(if descending { "(SELECT MAX(s) FROM (" } else { "(SELECT MIN(s) FROM (" });
            for (i, term) in terms.iter().enumerate() {
                sql.push(if i == 0 { "SELECT " } else { " UNION ALL SELECT " });
                seek(sql, "user_search_terms WHERE term", &|sql| {
                    sql.push_bind(term.clone());
                });
                sql.push(" AS s");
            }
            sql.push(") z)");
        }
    }
}

/// The first position past `start` that the last run has, from the first position the run
/// before it has from there, and so on back to the first run: one hop. Where every run has
/// that position, it is a match; else no position before it can be one.
fn push_hop<'q>(sql: &mut QueryBuilder<'q, Db>, runs: &[Run], order: &Order, start: &dyn Fn(&mut QueryBuilder<'q, Db>)) {
    match runs.split_last() {
        None => start(sql),
        Some((last, before)) => push_seek(sql, last, order, before.is_empty(), &|sql| push_hop(sql, before, order, start)),
    }
}

/// Whether every run but the last (which a hop ends on) has the key in column `key`.
fn push_every_run_has<'q>(sql: &mut QueryBuilder<'q, Db>, runs: &[Run], order: &Order, key: &'static str) {
    debug_assert!(runs.len() > 1, "hops go through two runs or more (see `plan`)");
    for (i, run) in runs[..runs.len() - 1].iter().enumerate() {
        sql.push(if i == 0 { "(" } else { " AND " });
        push_seek(sql, run, order, false, &|sql| {
            sql.push(key);
        });
        sql.push(" = ").push(key);
    }
    sql.push(")");
}

/// The hops through `runs` from `start` (a position in `order`, or none for the list's end),
/// each with whether it is a match, until `matches` matches, the runs' end, or `max_hops` hops.
fn push_hops(sql: &mut QueryBuilder<'_, Db>, runs: &[Run], order: &Order, start: Option<&str>, matches: usize, max_hops: usize) {
    let start = start.map(str::to_string).unwrap_or_else(|| if order.descending { prefix_end("") } else { String::new() });
    sql.push("WITH RECURSIVE hop (b, n, hops) AS (SELECT ");
    push_hop(sql, runs, order, &|sql| {
        sql.push_bind(start.clone());
    });
    sql.push(", 0, 1 UNION ALL SELECT ");
    push_hop(sql, runs, order, &|sql| {
        sql.push("hop.b");
    });
    sql.push(", hop.n + CASE WHEN ");
    push_every_run_has(sql, runs, order, "hop.b");
    sql.push(" THEN 1 ELSE 0 END, hop.hops + 1 FROM hop WHERE hop.b IS NOT NULL AND hop.n < ")
        .push_bind(matches as i64)
        .push(" AND hop.hops < ")
        .push_bind(max_hops as i64);
    sql.push(") SELECT b, COALESCE(b IS NOT NULL AND ");
    push_every_run_has(sql, runs, order, "hop.b");
    sql.push(", FALSE) FROM hop ORDER BY hops");
}

/// `FROM` the next `USERS_WALKED` users past `after` in the list's order, as `u`.
fn push_user_window(sql: &mut QueryBuilder<'_, Db>, sort: UserSort, after: Option<&str>, descending: bool) -> StoreResult<()> {
    sql.push(" FROM (SELECT u.id FROM users u WHERE 1 = 1");
    if let Some(key) = after {
        push_user_keyset(sql, sort, key, !descending)?;
    }
    sql.push(order_by(sort, descending)).push(" LIMIT ").push_bind(USERS_WALKED as i64);
    sql.push(") w ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = w.id WHERE 1 = 1");
    Ok(())
}

/// A `Plan::UserWalk` looks at this many users for a page (or a count) at most; a page not full
/// by then is read another way (at 1,000,000 users, a search for "lovelace" in order of last
/// change sorted all 41,545 matches: 200 ms; a window of users in that order, 4% of them
/// matching, fills a page in about 1,300).
const USERS_WALKED: usize = 2000;

/// A page of hops ends after this many; a page not full by then is read another way.
const HOPS_PER_PAGE: usize = 1500;

/// A count by hops counts this many matches at most (and one more, to know there are more), in
/// at most `COUNT_HOPS` hops.
const COUNT_HOP_MATCHES: usize = 200;
const COUNT_HOPS: usize = 500;

/// A workspace's plan compares a word's entries with its members up to this many (see
/// `plan_in_workspace`); counting them costs about a millisecond.
const ENTRIES_COMPARED_AT_MOST: usize = 10_000;

/// A searched word with this many terms at most is read term by term (`Plan::TermWalks`); one
/// with more (a prefix of a letter or two) from all its matches.
const TERMS_MERGED_AT_MOST: usize = 32;

/// Where a term walk goes.
struct Walk<'a> {
    /// Past this position, in the walk's order.
    after: Option<&'a str>,
    order: Order,
    /// At most this many users.
    limit: Option<usize>,
    /// Through at most this many of the term's entries.
    entries: Option<usize>,
}

/// The users of each of `terms`' walks (`push_term_walk`), each once.
fn push_term_walks(sql: &mut QueryBuilder<'_, Db>, terms: &[String], others: &[String], list: &UserListQuery, walk: &Walk<'_>) {
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ");
        }
        sql.push("SELECT * FROM (");
        push_term_walk(sql, term, others, list, walk);
        sql.push(format!(") walk{i}"));
    }
}

/// `SELECT id, <position>` of the users who have `term` and meet the rest of the list's
/// search, in the walk's order: a walk along the term's entries, which the index holds in that
/// order, that stops at the page's end.
fn push_term_walk(sql: &mut QueryBuilder<'_, Db>, term: &str, others: &[String], list: &UserListQuery, walk: &Walk<'_>) {
    let key = walk.order.key;
    let direction = if walk.order.descending { " DESC" } else { "" };
    let extra = if key == "user_name_key" { String::new() } else { format!(", {key}") };
    sql.push(format!("SELECT d.user_id AS id, d.{key} FROM (SELECT user_id, user_name_key{extra} FROM user_search_terms WHERE term = "))
        .push_bind(term.to_string());
    if let Some(after) = walk.after {
        sql.push(format!(" AND {key}{}", if walk.order.descending { " < " } else { " > " })).push_bind(after.to_string());
    }
    if let Some(entries) = walk.entries {
        sql.push(format!(" ORDER BY {key}{direction} LIMIT ")).push_bind(entries as i64);
    }
    // A user's row is read only for the rest of the search; membership is met at the entry's
    // user name key in the workspace's grants (`access_grants_in_user_name_order`), which a walk
    // in user-name order meets in order too (at 1,000,000 users, the page searching a workspace
    // of 500,000 for "lovelace" took 35 ms joining each entry to its user's row and grants, and
    // 12 ms without: its count walks 2,000 entries).
    let reads_users = !others.is_empty() || list.status.wanted().is_some();
    sql.push(") d");
    if reads_users {
        sql.push(" ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = d.user_id");
    }
    sql.push(" WHERE 1 = 1");
    if let Some(ws) = &list.workspace {
        sql.push(" AND EXISTS (SELECT 1 FROM access_grants wg WHERE wg.workspace_id = ")
            .push_bind(ws.clone())
            .push(" AND wg.user_name_key = d.user_name_key)");
    }
    if reads_users {
        push_words_and_status(sql, others, list);
    }
    sql.push(format!(" ORDER BY d.{key}{direction}"));
    if let Some(limit) = walk.limit {
        sql.push(" LIMIT ").push_bind(limit as i64);
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

/// ` ORDER BY` the sort's columns, each in the list's direction.
fn order_by(sort: UserSort, descending: bool) -> String {
    let direction = if descending { " DESC" } else { " ASC" };
    let columns: Vec<String> = sort_columns(sort).split(", ").map(|c| format!("{c}{direction}")).collect();
    format!(" ORDER BY {}", columns.join(", "))
}

/// `AND (columns) > (cursor)` (or `<`), the cursor parsed back into its typed parts.
fn push_user_keyset(sql: &mut QueryBuilder<'_, Db>, sort: UserSort, key: &str, after: bool) -> StoreResult<()> {
    let op = if after { " > " } else { " < " };
    sql.push(format!(" AND ({}){op}(", sort_columns(sort)));
    match sort {
        UserSort::UserName => {
            sql.push_bind(key.to_string());
        }
        UserSort::Name => {
            let (name, id) = cursor_parts(key)?;
            sql.push_bind(name.to_string()).push(", ").push_bind(id.to_string());
        }
        UserSort::Status => {
            let (active, user_name) = cursor_parts(key)?;
            sql.push_bind(active == "1").push(", ").push_bind(user_name.to_string());
        }
        UserSort::LastChange => {
            let (at, id) = cursor_parts(key)?;
            sql.push_bind(at.parse::<i64>().map_err(|_| not_a_position(key))?).push(", ").push_bind(id.to_string());
        }
    }
    sql.push(")");
    Ok(())
}

/// The two parts of a composite cursor (see `UserListRow::cursor`).
fn cursor_parts(key: &str) -> StoreResult<(&str, &str)> {
    key.split_once(CURSOR_SEPARATOR).ok_or_else(|| not_a_position(key))
}

fn not_a_position(key: &str) -> StoreError {
    StoreError::Query(QueryError(format!("{key:?} is not a position in this list")))
}

/// The workspaces of user `u` as a JSON array of `[id, name, name key]`: a user and its access
/// in one query (see `UserAccessRow`, which sorts them by the key). Unsorted here: an ORDER BY
/// inside the aggregate built and emptied a sorter for every user, a twentieth of a SCIM page
/// of 100 users with seven workspaces each.
fn workspaces_of_u() -> String {
    format!(
        "(SELECT {} FROM access_grants g JOIN workspaces w ON w.id = g.workspace_id WHERE g.user_id = u.id)",
        dialect::json_rows("w.id, w.name, w.name_key", "")
    )
}

/// A unique key a user is looked up by.
#[derive(Clone, Copy)]
enum UserKey {
    Id,
    /// The case-folded user name (`fold_key`).
    UserNameKey,
}

/// A user with its workspaces, selected by `by`; built once.
fn user_with_access_sql(by: UserKey) -> &'static str {
    static BY_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static BY_USER_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (sql, column) = match by {
        UserKey::Id => (&BY_ID, "id"),
        UserKey::UserNameKey => (&BY_USER_NAME, "user_name_key"),
    };
    sql.get_or_init(|| format!("SELECT {USER_COLUMNS}, {} AS workspaces FROM users u WHERE u.{column} = $1", workspaces_of_u()))
}

/// The key a condition names one user by, when that is all it says: what an identity provider
/// asks before it creates or changes a user (`userName eq "..."`, `id eq "..."`).
fn names_one_user(condition: Option<&Condition>) -> Option<(UserKey, String)> {
    match condition? {
        Condition::Compare(Field::UserId, Op::Eq, Literal::Text(id)) => Some((UserKey::Id, id.clone())),
        Condition::Compare(Field::UserName, Op::Eq, Literal::Text(name)) => Some((UserKey::UserNameKey, fold_key(name))),
        _ => None,
    }
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
        self.user_with_access_by(UserKey::Id, id).await
    }

    /// The user whose `by` is `key`, with its workspaces: read on this thread when the backend
    /// can (SQLite, see `sqlite_direct`), else through the pool.
    async fn user_with_access_by(&self, by: UserKey, key: &str) -> StoreResult<Option<(User, Vec<WorkspaceLink>)>> {
        let sql = user_with_access_sql(by);
        let row = match self.user_access_row_directly(sql, key) {
            Direct::Found(row) => Some(row),
            Direct::Missing => None,
            Direct::Elsewhere => sqlx::query_as::<_, UserAccessRow>(sql).bind(key).fetch_optional(&self.pool).await?,
        };
        row.map(TryInto::try_into).transpose()
    }

    /// One page of the users list in `list`'s order, from `cursor`, at most `limit` rows,
    /// each with its position key.
    pub async fn list_users(&self, list: &UserListQuery, cursor: &Cursor, limit: usize) -> StoreResult<Vec<UserListRow>> {
        // Paging back walks the order backwards from the cursor, then turns the rows around.
        let (after, backwards) = match cursor {
            Cursor::First => (None, false),
            Cursor::After(key) => (Some(key.as_str()), false),
            Cursor::Before(key) => (Some(key.as_str()), true),
        };
        let mut rows = self.walk_users_list(list, after, list.descending != backwards, limit).await?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }

    /// At most `limit` rows of the users list past `after`, in the list's order or (`descending`
    /// differing from the list's) the other way.
    async fn walk_users_list(&self, list: &UserListQuery, after: Option<&str>, descending: bool, limit: usize) -> StoreResult<Vec<UserListRow>> {
        if let (UserSort::Name, Some(key)) = (list.sort, after) {
            // Walks and hops compare a name position whole: it must at least be one.
            cursor_parts(key)?;
        }
        if list.sort == UserSort::Status && self.terms_lead(&UserListQuery { sort: UserSort::UserName, ..list.clone() }).await? {
            self.walk_status_by_status(list, after, descending, limit).await
        } else {
            self.walk_by_plan(list, after, descending, limit).await
        }
    }

    /// Whether `list` (in user-name order) is read off the search terms, by walks or hops.
    async fn terms_lead(&self, list: &UserListQuery) -> StoreResult<bool> {
        Ok(matches!(self.plan(list, UserSort::UserName, true).await?, Plan::TermWalks { .. } | Plan::Hops(_)))
    }

    /// A search in status order (inactive users first, each status in user-name order) that the
    /// search terms lead, read as the search in user-name order of one status, then of the
    /// other: the terms hold that order, and a status is met by each match or hopped through.
    /// (Walking users in status order found no "lovelace" in the first 2,000 at 1,000,000
    /// users, and sorting all matches took 150 ms.)
    async fn walk_status_by_status(&self, list: &UserListQuery, after: Option<&str>, descending: bool, limit: usize) -> StoreResult<Vec<UserListRow>> {
        let from = match after {
            Some(key) => {
                let (active, user_name_key) = cursor_parts(key)?;
                Some((active == "1", user_name_key))
            }
            None => None,
        };
        let mut rows = Vec::new();
        // Past the statuses before the cursor's, and then from the cursor's user name on.
        let mut reached = from.is_none();
        for active in if descending { [true, false] } else { [false, true] } {
            let after_name = match from {
                Some((at, user_name_key)) if at == active => {
                    reached = true;
                    Some(user_name_key)
                }
                _ => None,
            };
            if !reached || list.status.wanted().is_some_and(|wanted| wanted != active) {
                continue;
            }
            let status = if active { StatusFilter::Active } else { StatusFilter::Inactive };
            let one_status = UserListQuery { sort: UserSort::UserName, status, ..list.clone() };
            rows.extend(self.walk_by_plan(&one_status, after_name, descending, limit - rows.len()).await?);
            if rows.len() == limit {
                break;
            }
        }
        Ok(rows)
    }

    /// `walk_users_list` for an order that one plan reads.
    async fn walk_by_plan(&self, list: &UserListQuery, after: Option<&str>, descending: bool, limit: usize) -> StoreResult<Vec<UserListRow>> {
        let mut plan = self.plan(list, list.sort, true).await?;
        if let (Plan::Hops(runs), Some(order)) = (&plan, terms_order(list.sort, descending)) {
            match self.hop_keys(runs, &order, after, limit, HOPS_PER_PAGE).await? {
                Some((keys, _)) => return self.list_rows_at(&keys, list.sort, descending).await,
                None => plan = self.plan(list, list.sort, false).await?,
            }
        }
        if let Plan::UserWalk = plan {
            let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {USER_LIST_COLUMNS}"));
            push_user_window(&mut sql, list.sort, after, descending)?;
            push_words_and_status(&mut sql, &search_terms([list.q.as_str()]), list);
            sql.push(order_by(list.sort, descending)).push(" LIMIT ").push_bind(limit as i64);
            let rows: Vec<UserListRow> = sql.build_query_as().fetch_all(&self.pool).await?;
            if rows.len() == limit || self.users_past(list.sort, after, descending).await? <= USERS_WALKED {
                return Ok(rows);
            }
            plan = self.plan(list, list.sort, false).await?;
        }
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {USER_LIST_COLUMNS}"));
        match &plan {
            Plan::TermWalks { terms, .. } if terms.is_empty() => return Ok(Vec::new()),
            Plan::TermWalks { terms, others } => {
                let order = terms_order(list.sort, descending).expect("terms are walked only in an order they hold (see `plan`)");
                sql.push(" FROM (");
                push_term_walks(&mut sql, terms, others, list, &Walk { after, order, limit: Some(limit), entries: None });
                sql.push(") m ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = m.id");
            }
            Plan::MemberWalk(words) => {
                // The page's grants first, off the index in its order; then their users' rows.
                sql.push(" FROM (SELECT wg.user_id");
                push_members_matching(&mut sql, list, words, after, descending);
                sql.push(format!(" ORDER BY wg.user_name_key{} LIMIT ", if descending { " DESC" } else { "" })).push_bind(limit as i64);
                sql.push(") m ").push(dialect::DRIVING_JOIN).push(" users u ON u.id = m.user_id");
            }
            Plan::Hops(_) | Plan::UserWalk => unreachable!("a plan that may give up was read, or replaced, above"),
            Plan::Grants(_) | Plan::Matches => {
                let grants = if let Plan::Grants(met) = &plan { Some(met.as_slice()) } else { None };
                push_list_source(&mut sql, list, grants);
                if let Some(key) = after {
                    push_user_keyset(&mut sql, list.sort, key, !descending)?;
                }
            }
        }
        sql.push(order_by(list.sort, descending)).push(" LIMIT ").push_bind(limit as i64);
        Ok(sql.build_query_as().fetch_all(&self.pool).await?)
    }

    /// How to read `list` in `sort`'s order: hops and walks of terms only in an order the search
    /// terms hold (`terms_order`), and the plans that may give up (hops, walks of users) only if
    /// `bounded`.
    async fn plan(&self, list: &UserListQuery, sort: UserSort, bounded: bool) -> StoreResult<Plan> {
        let words = search_terms([list.q.as_str()]);
        if let Some(ws) = &list.workspace {
            let Some(met) = self.words_met(&words).await? else {
                return Ok(Plan::TermWalks { terms: Vec::new(), others: Vec::new() });
            };
            let members = self.member_count(ws).await?;
            if sort == UserSort::UserName {
                return self.plan_in_workspace(list, &words, met, members, bounded).await;
            }
            if members <= MEMBERS_SORTED_AT_MOST || grants_sort_cheaper(members, self.user_total(None).await?) {
                return Ok(Plan::Grants(met));
            }
        }
        if words.is_empty() {
            return Ok(Plan::Matches);
        }
        if terms_order(sort, false).is_none() {
            return Ok(if bounded && list.workspace.is_none() { Plan::UserWalk } else { Plan::Matches });
        }
        // Each word's terms, if it has few enough.
        let mut narrow = Vec::new();
        for word in &words {
            let terms = self.terms_starting_with(word, TERMS_MERGED_AT_MOST + 1).await?;
            if terms.is_empty() {
                return Ok(Plan::TermWalks { terms, others: Vec::new() });
            }
            if terms.len() <= TERMS_MERGED_AT_MOST {
                narrow.push((word.clone(), terms));
            }
        }
        let status = list.status.wanted();
        if bounded && list.workspace.is_none() && narrow.len() == words.len() && words.len() + usize::from(status.is_some()) > 1 {
            let mut runs: Vec<Run> = narrow.into_iter().map(|(_, terms)| Run::Terms(terms)).collect();
            runs.extend(status.map(Run::Status));
            return Ok(Plan::Hops(runs));
        }
        match narrow.into_iter().min_by_key(|(_, terms)| terms.len()) {
            Some((driving, terms)) => Ok(Plan::TermWalks { terms, others: words.into_iter().filter(|w| *w != driving).collect() }),
            None if bounded && list.workspace.is_none() => Ok(Plan::UserWalk),
            None => Ok(Plan::Matches),
        }
    }

    /// How a workspace's grants meet each of `words` (`Word`); None if a word starts no term,
    /// so that no user has it.
    async fn words_met(&self, words: &[String]) -> StoreResult<Option<Vec<Word>>> {
        let mut met = Vec::new();
        for word in words {
            let terms = self.terms_starting_with(word, TERMS_MERGED_AT_MOST + 1).await?;
            met.push(match terms.len() {
                0 => return Ok(None),
                n if n > TERMS_MERGED_AT_MOST => Word::Prefix(word.clone()),
                _ => Word::Terms(terms),
            });
        }
        Ok(Some(met))
    }

    /// How to read a workspace's `members` in user-name order, the searched `words` met as `met`
    /// says. Two conditions or more (words with few terms, a status) and the members are hopped
    /// through together, if `bounded` (as outside a workspace; at 1,000,000 users, "ada lov" in a
    /// workspace of 500,000 walked "ada" for 90 ms). Otherwise: walking its grants and keeping
    /// who has every word, or walking the terms of the word with the fewest entries and keeping
    /// the members. Either walk keeps a user in about the other list's share of all users, so the
    /// one that walks the longer list reaches a page first; and no walk goes past its own list's
    /// end, which the longer list reaches last. So: the grants, unless a word's terms have fewer
    /// entries than the workspace has members (when both are past `ENTRIES_COMPARED_AT_MOST`, a
    /// lone word and the members are hopped through first).
    async fn plan_in_workspace(&self, list: &UserListQuery, words: &[String], mut met: Vec<Word>, members: i64, bounded: bool) -> StoreResult<Plan> {
        let status = list.status.wanted();
        let all_narrow = met.iter().all(|w| matches!(w, Word::Terms(_)));
        if bounded && all_narrow && (status.is_some() || met.len() > 1) {
            let mut runs: Vec<Run> = met.into_iter().filter_map(|w| if let Word::Terms(terms) = w { Some(Run::Terms(terms)) } else { None }).collect();
            runs.extend(status.map(Run::Status));
            runs.push(Run::Members(list.workspace.clone().expect("a workspace's plan")));
            return Ok(Plan::Hops(runs));
        }
        // Entries counted past the members' number at most (the index alone), and while
        // `bounded` no further than `ENTRIES_COMPARED_AT_MOST`.
        let cap = if bounded { ENTRIES_COMPARED_AT_MOST } else { usize::MAX - 1 };
        let enough = (members.max(0) as usize).min(cap) + 1;
        let mut narrowest: Option<(usize, usize)> = None;
        for (i, word) in met.iter().enumerate() {
            let Word::Terms(terms) = word else { continue };
            let mut entries = 0;
            for term in terms {
                if entries < enough {
                    entries += self.term_entries(term, enough - entries).await?;
                }
            }
            if narrowest.is_none_or(|(fewest, _)| entries < fewest) {
                narrowest = Some((entries, i));
            }
        }
        Ok(match narrowest {
            // Both lists long, and how long the word's is unknown: hopped through together, so
            // that lists that hardly meet give up after `HOPS_PER_PAGE` hops; the unbounded
            // plan then counts the word's entries in full and walks the shorter list.
            Some((entries, driving)) if entries > cap && met.len() == 1 => {
                let Word::Terms(terms) = met.swap_remove(driving) else { unreachable!("only a word's terms are counted") };
                Plan::Hops(vec![Run::Terms(terms), Run::Members(list.workspace.clone().expect("a workspace's plan"))])
            }
            Some((entries, driving)) if (entries as i64) <= members => {
                let Word::Terms(terms) = met.swap_remove(driving) else { unreachable!("only a word's terms are counted") };
                Plan::TermWalks { terms, others: words.iter().enumerate().filter(|(i, _)| *i != driving).map(|(_, w)| w.clone()).collect() }
            }
            _ => Plan::MemberWalk(met),
        })
    }

    /// The positions in `order` of the first `matches` users in every one of `runs` past
    /// `start`, and whether those are all there are; None if `max_hops` hops found fewer (the
    /// runs interleave without meeting, and another plan will do better).
    async fn hop_keys(&self, runs: &[Run], order: &Order, start: Option<&str>, matches: usize, max_hops: usize) -> StoreResult<Option<(Vec<String>, bool)>> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("");
        push_hops(&mut sql, runs, order, start, matches, max_hops);
        let hops: Vec<(Option<String>, bool)> = sql.build_query_as().fetch_all(&self.pool).await?;
        let all = matches!(hops.last(), Some((None, _)));
        let keys: Vec<String> = hops.into_iter().filter(|(_, hit)| *hit).filter_map(|(key, _)| key).take(matches).collect();
        Ok((all || keys.len() == matches).then_some((keys, all)))
    }

    /// How many users there are past `after` in the list's order, counted up to one more than
    /// `USERS_WALKED` (the order's index alone).
    async fn users_past(&self, sort: UserSort, after: Option<&str>, descending: bool) -> StoreResult<usize> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM users u WHERE 1 = 1");
        if let Some(key) = after {
            push_user_keyset(&mut sql, sort, key, !descending)?;
        }
        sql.push(order_by(sort, descending)).push(" LIMIT ").push_bind(USERS_WALKED as i64 + 1).push(") p");
        let past: i64 = sql.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(past as usize)
    }

    /// The rows of the users list at these positions in `sort`'s order (one the search terms
    /// hold: user name keys, or `name_position`s, which end with the user's id), in that order
    /// (`descending` or not).
    async fn list_rows_at(&self, positions: &[String], sort: UserSort, descending: bool) -> StoreResult<Vec<UserListRow>> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let by_user_name = sort == UserSort::UserName;
        let column = if by_user_name { "u.user_name_key" } else { "u.id" };
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {USER_LIST_COLUMNS} FROM users u WHERE {column} IN ("));
        let mut list = sql.separated(", ");
        for position in positions {
            let value = if by_user_name { position.as_str() } else { position.rsplit_once(CURSOR_SEPARATOR).map_or(position.as_str(), |(_, id)| id) };
            list.push_bind(value.to_string());
        }
        sql.push(")").push(order_by(sort, descending));
        Ok(sql.build_query_as().fetch_all(&self.pool).await?)
    }

    /// The first `limit` distinct terms starting with `prefix`, each found by one step along
    /// the index from the one before (not by reading every user's entry under the prefix).
    async fn terms_starting_with(&self, prefix: &str, limit: usize) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "WITH RECURSIVE found (term, n) AS ( \
               SELECT (SELECT term FROM user_search_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT 1), 1 \
               UNION ALL \
               SELECT (SELECT term FROM user_search_terms WHERE term > found.term AND term < $2 ORDER BY term LIMIT 1), n + 1 \
               FROM found WHERE found.term IS NOT NULL AND n < $3) \
             SELECT term FROM found WHERE term IS NOT NULL",
        )
        .bind(prefix)
        .bind(prefix_end(prefix))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether a migration asked for every user's search terms to be rebuilt.
    pub async fn search_terms_due(&self) -> StoreResult<bool> {
        let due: Option<String> =
            sqlx::query_scalar("SELECT task FROM store_upkeep WHERE task = $1").bind(REBUILD_SEARCH_TERMS).fetch_optional(&self.pool).await?;
        Ok(due.is_some())
    }

    /// The members a workspace counts (0 for none).
    async fn member_count(&self, workspace_id: &str) -> StoreResult<i64> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT member_count FROM workspaces WHERE id = $1").bind(workspace_id).fetch_optional(&self.pool).await?;
        Ok(count.unwrap_or(0))
    }

    /// How many users the list matches, on all pages: exactly where a kept count says it (all
    /// users, by status; a workspace's members) or counting costs little; otherwise at least
    /// how many were found within a bounded amount of work (see `COUNT_ENTRIES`).
    pub async fn count_users(&self, list: &UserListQuery) -> StoreResult<Total> {
        let words = search_terms([list.q.as_str()]);
        match (&list.workspace, words.is_empty(), list.status.wanted()) {
            (None, true, status) => return Ok(Total::Exactly(self.user_total(status).await?)),
            // Every member of one workspace: the count it keeps, instead of counting 50,000 grants.
            (Some(ws), true, None) => return Ok(Total::Exactly(self.member_count(ws).await?)),
            (Some(ws), ..) => {
                // A workspace of a few thousand members counts its grants that match, all of them.
                let Some(met) = self.words_met(&words).await? else { return Ok(Total::Exactly(0)) };
                if self.member_count(ws).await? <= COUNT_ENTRIES as i64 {
                    return self.count_members_matching(list, &met).await;
                }
            }
            _ => {}
        }
        // Counted in user-name order whatever the list's: the order changes no count, and that
        // one has every plan.
        let mut plan = self.plan(list, UserSort::UserName, true).await?;
        if let Plan::Hops(runs) = &plan {
            match self.hop_keys(runs, &BY_USER_NAME, None, COUNT_HOP_MATCHES + 1, COUNT_HOPS).await? {
                Some((keys, all)) => return Ok(Total::counted(keys.len() as i64, all)),
                None => plan = self.plan(list, UserSort::UserName, false).await?,
            }
        }
        match plan {
            Plan::TermWalks { terms, others } => self.count_by_terms(list, &terms, &others).await,
            Plan::UserWalk => {
                let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*)");
                push_user_window(&mut sql, UserSort::UserName, None, false)?;
                push_words_and_status(&mut sql, &words, list);
                let found: i64 = sql.build_query_scalar().fetch_one(&self.pool).await?;
                let walked_all = self.users_past(UserSort::UserName, None, false).await? <= USERS_WALKED;
                Ok(Total::counted(found, walked_all))
            }
            Plan::MemberWalk(met) => self.count_members_matching(list, &met).await,
            _ => {
                let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1");
                push_list_source(&mut sql, list, None);
                self.count_at_most_entries(sql).await
            }
        }
    }

    /// The members of the list's workspace with every searched word (met as `met` says) and the
    /// status it wants, counted as far as `COUNT_ENTRIES`.
    async fn count_members_matching(&self, list: &UserListQuery, met: &[Word]) -> StoreResult<Total> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1");
        push_members_matching(&mut sql, list, met, None, false);
        self.count_at_most_entries(sql).await
    }

    /// The rows of `sql` (`SELECT COUNT(*) FROM (SELECT 1 FROM ...`), counted as far as
    /// `COUNT_ENTRIES`: exactly up to there, else at least that many.
    async fn count_at_most_entries(&self, mut sql: QueryBuilder<'_, Db>) -> StoreResult<Total> {
        sql.push(" LIMIT ").push_bind(COUNT_ENTRIES as i64 + 1).push(") m");
        let counted: i64 = sql.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(Total::counted(counted.min(COUNT_ENTRIES as i64), counted <= COUNT_ENTRIES as i64))
    }

    /// The matches of a search read off `terms`: a lone term with nothing else to meet is
    /// counted from its entries (up to `COUNT_TERM_ENTRIES`, the index alone); otherwise the
    /// users among the first `COUNT_ENTRIES` entries of the terms (shared out between them) that
    /// meet the rest of the search, exactly if no term has more entries than its share.
    async fn count_by_terms(&self, list: &UserListQuery, terms: &[String], others: &[String]) -> StoreResult<Total> {
        let alone = others.is_empty() && list.workspace.is_none() && list.status.wanted().is_none();
        if let ([term], true) = (terms, alone) {
            let entries = self.term_entries(term, COUNT_TERM_ENTRIES + 1).await?;
            return Ok(Total::counted(entries.min(COUNT_TERM_ENTRIES) as i64, entries <= COUNT_TERM_ENTRIES));
        }
        if terms.is_empty() {
            return Ok(Total::Exactly(0));
        }
        let share = (COUNT_ENTRIES / terms.len()).max(1);
        let mut cut_short = false;
        for term in terms {
            cut_short |= self.term_entries(term, share + 1).await? > share;
        }
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM (");
        push_term_walks(&mut sql, terms, others, list, &Walk { after: None, order: BY_USER_NAME, limit: None, entries: Some(share) });
        sql.push(") m");
        let found: i64 = sql.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(Total::counted(found, !cut_short))
    }

    /// How many entries `term` has, counted up to `up_to` (the index alone).
    async fn term_entries(&self, term: &str, up_to: usize) -> StoreResult<usize> {
        let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM user_search_terms WHERE term = $1 LIMIT $2) e")
            .bind(term)
            .bind(up_to as i64)
            .fetch_one(&self.pool)
            .await?;
        Ok(entries as usize)
    }

    /// How many users there are with status `active` (None: all), from the kept totals.
    pub async fn user_total(&self, active: Option<bool>) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(USER_TOTAL).bind(active).fetch_one(&self.pool).await?)
    }
}

/// The users with status $1 (NULL: all): the kept totals and the changes not yet folded into
/// them (see the `user_totals` migration).
const USER_TOTAL: &str = "SELECT CAST(COALESCE((SELECT SUM(users) FROM user_totals WHERE $1 IS NULL OR active = $1), 0) \
     + COALESCE((SELECT SUM(delta) FROM user_count_changes WHERE $1 IS NULL OR active = $1), 0) AS BIGINT)";

/// A count that must look at each match (a user's status, the other searched words) looks at
/// this many at most; past them the list says "at least" what it found (counting all 41,545
/// users named Lovelace among 1,000,000 took 100-150 ms, against 2 ms for their first page).
const COUNT_ENTRIES: usize = 2000;

/// A count of one term's entries, from the index alone, goes this far (about 5 ms).
const COUNT_TERM_ENTRIES: usize = 100_000;

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
            &terms_insert("new.id", "$3", "$20", "new, ", "$19"),
        );
        let terms = serde_json::to_string(&terms_of(user)).expect("strings serialise");
        bind_fields(sqlx::query(&sql), user)
            .bind(user.created)
            .bind(user.version)
            .bind(terms)
            .bind(display_order(user))
            .execute(&mut *self.tx)
            .await?;
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
            // A rename moves the user in its workspaces' member lists too.
            sqlx::query("UPDATE access_grants SET user_name_key = $2 WHERE user_id = $1 AND user_name_key <> $2")
                .bind(&user.id)
                .bind(fold_key(&user.user_name))
                .execute(&mut *self.tx)
                .await?;
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
        sqlx::query(&terms_insert("$1", "$2", "$4", "", "$3"))
            .bind(&user.id)
            .bind(fold_key(&user.user_name))
            .bind(serde_json::to_string(&terms_of(user)).expect("strings serialise"))
            .bind(display_order(user))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Rebuilds every user's search terms if a migration asked for it (see `store_upkeep`), and
    /// says whether it did. Several instances starting at once rebuild once: the first holds the
    /// task's row until it is done, and the others then find it gone.
    pub async fn rebuild_search_terms(&mut self) -> StoreResult<bool> {
        let task = format!("SELECT task FROM store_upkeep WHERE task = $1{}", dialect::FOR_UPDATE);
        if sqlx::query_scalar::<_, String>(&task).bind(REBUILD_SEARCH_TERMS).fetch_optional(&mut *self.tx).await?.is_none() {
            return Ok(false);
        }
        // SQLite: the writer's page cache as large as a bulk load's for the rebuild, then back.
        let cache_before: Option<i64> = match dialect::LARGE_WRITE_CACHE_KIB {
            Some(kib) => {
                let before = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *self.tx).await?;
                sqlx::query(&format!("PRAGMA cache_size = -{kib}")).execute(&mut *self.tx).await?;
                Some(before)
            }
            None => None,
        };
        sqlx::query("DELETE FROM user_search_terms").execute(&mut *self.tx).await?;
        let mut after = String::new();
        loop {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT 1000");
            let users: Vec<UserRow> = sqlx::query_as(&sql).bind(&after).fetch_all(&mut *self.tx).await?;
            let Some(last) = users.last() else { break };
            after = last.id.clone();
            for user in users.into_iter().map(User::from) {
                // Folded by Rust as every write folds it, so the users' derived display order and
                // the terms' copy agree (older migrations folded some keys by SQL, or not at all).
                sqlx::query("UPDATE users SET display_name_key = $2 WHERE id = $1 AND display_name_key <> $2")
                    .bind(&user.id)
                    .bind(fold_key(&user.display_name))
                    .execute(&mut *self.tx)
                    .await?;
                self.index_user(&user).await?;
            }
        }
        sqlx::query("DELETE FROM store_upkeep WHERE task = $1").bind(REBUILD_SEARCH_TERMS).execute(&mut *self.tx).await?;
        if let Some(before) = cache_before {
            sqlx::query(&format!("PRAGMA cache_size = {before}")).execute(&mut *self.tx).await?;
        }
        Ok(true)
    }
}

/// The `store_upkeep` task a migration leaves when every user's search terms must be rebuilt.
const REBUILD_SEARCH_TERMS: &str = "rebuild_search_terms";

/// The insert of a user's search terms, one per element of the JSON text array bound at `terms`,
/// for the user `user_id` with `user_name_key` and `display_order` (read from `from`, which
/// ends with a comma when given).
fn terms_insert(user_id: &str, user_name_key: &str, display_order: &str, from: &str, terms: &str) -> String {
    format!(
        "INSERT INTO user_search_terms (term, user_name_key, display_order, user_id) \
         SELECT each.value, {user_name_key}, {display_order}, {user_id} FROM {from}{}",
        dialect::json_elements(terms)
    )
}

/// The user's place in the list sorted by name, kept with each of its search terms.
fn display_order(user: &User) -> String {
    name_position(&fold_key(&user.display_name), &user.id)
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
        if let Some((by, key)) = names_one_user(query.condition.as_ref()) {
            // At most one user: the total is whether it exists, on every page; the first page
            // (if it holds any) shows it.
            let found = self.user_with_access_by(by, &key).await?;
            let total = i64::from(found.is_some());
            return Ok((total, found.filter(|_| query.offset == 0 && query.limit > 0).into_iter().collect()));
        }
        let computed = format!(", {} AS workspaces", workspaces_of_u());
        let listing = Listing { table: "users", alias: "u", columns: USER_COLUMNS, computed: &computed, unique_key: "user_name_key", kept_total: Some(USER_TOTAL) };
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

    /// How many users there are and the latest change to any (see `page_anchors::UsersOrder`):
    /// the kept totals and one step down the index of changes.
    pub async fn users_order(&self) -> StoreResult<(i64, i64)> {
        let sql = format!("SELECT ({USER_TOTAL}), CAST(COALESCE((SELECT MAX(last_modified) FROM users), 0) AS BIGINT)");
        Ok(sqlx::query_as(&sql).bind(None::<bool>).fetch_one(&self.pool).await?)
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
