// Compiles [`Condition`]s to SQL. Every value is a bound parameter; the SQL text comes only
// from the fixed fragments below.

/// The SQL expression of a field. `u` is the user row, `w` the workspace (group) row, `e` an
/// e-mail or other-entitlement element, `gw` a granted workspace, `mu` a member user.
fn column(sql: &mut QueryBuilder<'_, Db>, field: &Field) {
    let text = match field {
        Field::UserId => "u.id",
        Field::UserName => "u.user_name_key",
        Field::ExternalId => "u.external_id",
        Field::DisplayName => "u.display_name_key",
        Field::GivenName => "u.given_name_key",
        Field::FamilyName => "u.family_name_key",
        Field::Active => "u.active",
        Field::Created => "u.created",
        Field::LastModified => "u.last_modified",
        Field::Extra(path) => {
            sql.push("lower(");
            dialect::push_json_text(sql, "u.extra", path);
            sql.push(")");
            return;
        }
        Field::EmailValue => return email_text(sql, "value"),
        Field::EmailType => return email_text(sql, "type"),
        Field::EmailPrimary => dialect::EMAIL_PRIMARY,
        Field::EmailDisplay => return email_text(sql, "display"),
        Field::WorkspaceId => "gw.id",
        Field::WorkspaceName => "gw.name_key",
        Field::WorkspaceKind => "'workspace'",
        Field::WorkspacePrimary => "FALSE",
        Field::GroupId => "w.id",
        Field::GroupName => "w.name_key",
        Field::GroupExternalId => "w.external_id",
        Field::GroupCreated => "w.created",
        Field::GroupLastModified => "w.last_modified",
        Field::MemberId => "m.user_id",
        Field::MemberUserName => "mu.user_name_key",
    };
    sql.push(text);
}

/// `lower(<key of the current e-mail element as text>)`.
fn email_text(sql: &mut QueryBuilder<'_, Db>, key: &str) {
    sql.push("lower(").push(dialect::email_element_text(key)).push(")");
}

/// The bound value for comparing `field`, converted to the column's form.
enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
}

fn value_for(field: &Field, literal: &Literal) -> Result<Value, QueryError> {
    match (field.kind(), literal) {
        (FieldKind::Text { folded }, Literal::Text(t)) => {
            Ok(Value::Text(if folded { fold_value(field, t) } else { t.clone() }))
        }
        (FieldKind::Text { .. }, Literal::Number(n)) => Ok(Value::Text(n.to_string())),
        (FieldKind::Text { .. }, Literal::Bool(b)) => Ok(Value::Text(b.to_string())),
        (FieldKind::Bool, Literal::Bool(b)) => Ok(Value::Bool(*b)),
        (FieldKind::Bool, Literal::Text(t)) if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") => {
            Ok(Value::Bool(t.eq_ignore_ascii_case("true")))
        }
        (FieldKind::Time, Literal::Text(t)) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|d| Value::Int(d.timestamp_millis()))
            .map_err(|_| QueryError(format!("{t} is not an RFC 3339 date-time"))),
        (kind, other) => Err(QueryError(format!("{other:?} cannot be compared with a {kind:?} attribute"))),
    }
}

/// Names are matched on their case-folded key columns (folded here, by the same rule, whatever
/// the letters); text inside JSON through the database's lower(), which the dialect matches.
fn fold_value(field: &Field, text: &str) -> String {
    match field {
        Field::UserName | Field::GroupName | Field::WorkspaceName | Field::MemberUserName | Field::DisplayName | Field::GivenName
        | Field::FamilyName => fold_key(text),
        _ => dialect::fold_like_lower(text),
    }
}

fn push_value(sql: &mut QueryBuilder<'_, Db>, value: &Value) {
    match value {
        Value::Text(t) => sql.push_bind(t.clone()),
        Value::Int(i) => sql.push_bind(*i),
        Value::Bool(b) => sql.push_bind(*b),
    };
}

fn compare(sql: &mut QueryBuilder<'_, Db>, field: &Field, op: Op, literal: &Literal) -> Result<(), QueryError> {
    if *literal == Literal::Null {
        return match op {
            Op::Eq => Ok(not_present(sql, field)),
            Op::Ne => Ok(present(sql, field)),
            _ => Err(QueryError("null can only be compared with eq or ne".into())),
        };
    }
    let value = value_for(field, literal)?;
    let is_text = matches!(value, Value::Text(_));
    if !is_text && matches!(op, Op::Co | Op::Sw | Op::Ew) {
        return Err(QueryError("co, sw and ew compare text only".into()));
    }
    if matches!(field.kind(), FieldKind::Bool) && !matches!(op, Op::Eq | Op::Ne) {
        return Err(QueryError("booleans compare with eq and ne only".into()));
    }
    sql.push("(");
    match op {
        Op::Eq | Op::Ne | Op::Gt | Op::Ge | Op::Lt | Op::Le => {
            column(sql, field);
            sql.push(match op {
                Op::Eq => " = ",
                Op::Ne => " IS DISTINCT FROM ",
                Op::Gt => " > ",
                Op::Ge => " >= ",
                Op::Lt => " < ",
                _ => " <= ",
            });
            push_value(sql, &value);
        }
        Op::Co => {
            sql.push(dialect::POSITION_FN).push("(");
            column(sql, field);
            sql.push(", ");
            push_value(sql, &value);
            sql.push(") > 0");
        }
        Op::Sw => {
            // A range on the column itself, so an index on it serves the prefix.
            let Value::Text(t) = &value else { unreachable!("checked above") };
            column(sql, field);
            sql.push(" >= ").push_bind(t.clone()).push(" AND ");
            column(sql, field);
            sql.push(" < ").push_bind(format!("{t}\u{10FFFF}"));
        }
        Op::Ew => {
            let Value::Text(t) = &value else { unreachable!("checked above") };
            let (function, length) = dialect::suffix_call(t.chars().count() as i32);
            sql.push(function).push("(");
            column(sql, field);
            sql.push(", ").push_bind(length).push(") = ").push_bind(t.clone());
        }
    }
    sql.push(")");
    Ok(())
}

/// A field has a value: text that is not empty, or any boolean or time (every stored e-mail has
/// its `primary`, true or false; a workspace entitlement has none).
fn present(sql: &mut QueryBuilder<'_, Db>, field: &Field) {
    sql.push("(");
    match field.kind() {
        _ if *field == Field::WorkspacePrimary => {
            sql.push("FALSE");
        }
        FieldKind::Text { .. } => {
            column(sql, field);
            sql.push(" IS NOT NULL AND ");
            column(sql, field);
            sql.push(" <> ''");
        }
        FieldKind::Bool | FieldKind::Time => {
            column(sql, field);
            sql.push(" IS NOT NULL");
        }
    }
    sql.push(")");
}

fn not_present(sql: &mut QueryBuilder<'_, Db>, field: &Field) {
    sql.push("NOT ");
    present(sql, field);
}

pub fn push_condition(sql: &mut QueryBuilder<'_, Db>, condition: &Condition) -> Result<(), QueryError> {
    match condition {
        Condition::Compare(field, op, literal) => compare(sql, field, *op, literal),
        Condition::Present(field) => Ok(present(sql, field)),
        Condition::And(all) => push_joined(sql, all.iter(), " AND "),
        Condition::Or(any) => {
            // Terms inside one collection share one EXISTS: some element meets A, or some meets
            // B, is some element meets (A or B). A list of ids then costs one subquery per row.
            let mut plain = Vec::new();
            let mut within: Vec<(Collection, Vec<&Condition>)> = Vec::new();
            for term in any {
                match term {
                    Condition::Within(collection, inner) => match within.iter_mut().find(|(c, _)| c == collection) {
                        Some((_, inners)) => inners.push(inner),
                        None => within.push((*collection, vec![inner])),
                    },
                    other => plain.push(other),
                }
            }
            sql.push("(");
            let mut first = true;
            let mut separate = |sql: &mut QueryBuilder<'_, Db>| {
                if !std::mem::take(&mut first) {
                    sql.push(" OR ");
                }
            };
            for term in plain {
                separate(sql);
                push_condition(sql, term)?;
            }
            for (collection, inners) in within {
                separate(sql);
                push_exists(sql, collection, |sql| push_joined(sql, inners.into_iter(), " OR "))?;
            }
            sql.push(")");
            Ok(())
        }
        Condition::Not(inner) => {
            sql.push("NOT ");
            push_condition(sql, inner)
        }
        Condition::Within(collection, inner) => push_exists(sql, *collection, |sql| push_condition(sql, inner)),
    }
}

fn push_joined<'c>(sql: &mut QueryBuilder<'_, Db>, terms: impl Iterator<Item = &'c Condition>, joiner: &str) -> Result<(), QueryError> {
    sql.push("(");
    for (i, term) in terms.enumerate() {
        if i > 0 {
            sql.push(joiner);
        }
        push_condition(sql, term)?;
    }
    sql.push(")");
    Ok(())
}

/// `EXISTS (...)` over the elements of a multi-valued attribute, `inner` applied to each.
fn push_exists(
    sql: &mut QueryBuilder<'_, Db>,
    collection: Collection,
    inner: impl FnOnce(&mut QueryBuilder<'_, Db>) -> Result<(), QueryError>,
) -> Result<(), QueryError> {
    sql.push(match collection {
        Collection::Emails => dialect::EXISTS_EMAIL,
        Collection::Entitlements => dialect::EXISTS_ENTITLEMENT,
        Collection::Workspaces | Collection::WorkspaceEntitlements => {
            "EXISTS (SELECT 1 FROM access_grants g JOIN workspaces gw ON gw.id = g.workspace_id WHERE g.user_id = u.id AND "
        }
        Collection::Members => "EXISTS (SELECT 1 FROM access_grants m JOIN users mu ON mu.id = m.user_id WHERE m.workspace_id = w.id AND ",
    });
    inner(sql)?;
    sql.push(")");
    Ok(())
}

fn push_where(sql: &mut QueryBuilder<'_, Db>, condition: Option<&Condition>) -> Result<(), QueryError> {
    if let Some(condition) = condition {
        sql.push(" WHERE ");
        push_condition(sql, condition)?;
    }
    Ok(())
}

/// ORDER BY the sort field, then the id so equal values keep a stable order across pages; with
/// no sort, by `unique_key`, whose index serves the page without sorting the table.
fn push_order(sql: &mut QueryBuilder<'_, Db>, sort: Option<&Sort>, id_column: &str, unique_key: &str) {
    sql.push(" ORDER BY ");
    match sort {
        Some(sort) => {
            column(sql, &sort.field);
            sql.push(if sort.descending { " DESC" } else { " ASC" });
            sql.push(format!(", {id_column}"));
        }
        None => {
            sql.push(unique_key);
        }
    }
}

/// Whether `condition` names one row by a key no two rows share (what an identity provider
/// asks before it creates a group: `displayName eq "..."`). Users named so never get here: they
/// are read as one row by `find_users` (see `names_one_user`).
fn names_one_row(condition: &Condition) -> bool {
    matches!(condition, Condition::Compare(Field::GroupId | Field::GroupName, Op::Eq, Literal::Text(_)))
}

/// The table a listing reads: `FROM {table} {alias}`, its columns (and `computed` ones, an
/// expression list as written), the unique key that orders it when the query names no sort,
/// and, where a kept total says how many rows the table holds without counting them, the query
/// that reads it (asked with NULL for its one parameter: counting 100,000 users for a SCIM
/// page's total took a millisecond, a third of a random page's time).
pub struct Listing<'a> {
    pub table: &'a str,
    pub alias: &'a str,
    pub columns: &'a str,
    pub computed: &'a str,
    pub unique_key: &'a str,
    pub kept_total: Option<&'a str>,
}

/// The rows meeting a query's condition, sorted and paged, with the total that meet it. The
/// page is read first: when it is the last one (fewer rows than asked, some or from the start),
/// the total follows from it and is not counted: so a lookup by a unique key (`userName eq`)
/// is one query.
///
/// `start` is the unique key of the row at a known position at or before the offset: a page
/// of the whole list in key order then starts there and walks only the rest of the way.
pub async fn find_page<R>(pool: &Pool, listing: &Listing<'_>, query: &ListQuery, start: Option<(&str, usize)>) -> StoreResult<(i64, Vec<R>)>
where
    R: for<'r> FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    let Listing { table, alias, columns, computed, unique_key, kept_total } = listing;
    let start = start.filter(|(_, position)| query.condition.is_none() && query.sort.is_none() && *position <= query.offset);
    let rows: Vec<R> = if query.limit == 0 {
        Vec::new()
    } else {
        let columns = columns.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ");
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {columns}{computed} FROM {table} {alias}"));
        push_where(&mut sql, query.condition.as_ref()).map_err(StoreError::Query)?;
        let mut skip = query.offset;
        if let Some((key, position)) = start {
            // The key as a subquery's value, not a bare parameter: SQLite (built with STAT4)
            // plans a range on a bare parameter by its value, so every new key threw the
            // prepared statement away and compiled it again, a twentieth of a page's time.
            // (PostgreSQL reads the subquery once, before the scan.)
            sql.push(format!(" WHERE {alias}.{unique_key} >= (SELECT ")).push_bind(key.to_string()).push(")");
            skip -= position;
        }
        push_order(&mut sql, query.sort.as_ref(), &format!("{alias}.id"), &format!("{alias}.{unique_key}"));
        sql.push(" LIMIT ").push_bind(query.limit as i64).push(" OFFSET ").push_bind(skip as i64);
        if query.condition.as_ref().is_some_and(names_one_row) {
            // At most one row can match: read as one, which SQLite's connection thread answers
            // with the row alone (a list is answered row by row, then with its end, and each
            // answer may wake this task again).
            sql.build_query_as().fetch_optional(pool).await?.into_iter().collect()
        } else {
            sql.build_query_as().fetch_all(pool).await?
        }
    };
    let last_page = rows.len() < query.limit && (!rows.is_empty() || query.offset == 0);
    if last_page {
        return Ok(((query.offset + rows.len()) as i64, rows));
    }
    if let (Some(kept), None) = (kept_total, &query.condition) {
        let total: i64 = sqlx::query_scalar(kept).bind(None::<bool>).fetch_one(pool).await?;
        return Ok((total, rows));
    }
    let mut count: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT COUNT(*) FROM {table} {alias}"));
    push_where(&mut count, query.condition.as_ref()).map_err(StoreError::Query)?;
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    Ok((total, rows))
}
