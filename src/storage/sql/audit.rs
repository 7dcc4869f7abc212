impl Tx {
    /// Appends an event and files it under its tags (see the audit_trail migration).
    pub async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<()> {
        // The event and its tags in one round trip to the connection's thread: one wait fewer
        // under the write lock.
        let sql = dialect::insert_then(
            "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, door, action, target_kind, \
             target_id, target_name, before_json, after_json, request_id, batch_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            "audit_events",
            &format!(
                "INSERT INTO audit_tags (tag, at, event_id) SELECT each.value, $1, new.id FROM new, {} \
                 WHERE true ON CONFLICT DO NOTHING",
                dialect::json_elements("$14")
            ),
        );
        sqlx::query(&sql)
            .bind(event.at)
            .bind(event.actor_kind)
            .bind(&event.actor_id)
            .bind(&event.actor_name)
            .bind(event.door)
            .bind(&event.action)
            .bind(event.target_kind)
            .bind(&event.target_id)
            .bind(&event.target_name)
            .bind(event.before.as_ref().map(|v| v.to_string()))
            .bind(event.after.as_ref().map(|v| v.to_string()))
            .bind(&event.request_id)
            .bind(&event.batch_id)
            .bind(serde_json::to_string(&event.tags).expect("strings serialise"))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Appends many events at once (bulk loads). The insert hands back each event's id with its
    /// request id, which must be the event's own; its tags are then filed under that id (a join
    /// on the request id instead went quadratic on PostgreSQL, whose planner sees the table as
    /// empty until the load commits).
    pub async fn append_audit_batch(&mut self, events: &[AuditEvent]) -> StoreResult<()> {
        for chunk in events.chunks(EVENTS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, door, action, target_kind, \
                 target_id, target_name, before_json, after_json, request_id) ",
            );
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(e.at)
                    .push_bind(e.actor_kind)
                    .push_bind(e.actor_id.clone())
                    .push_bind(e.actor_name.clone())
                    .push_bind(e.door)
                    .push_bind(e.action.clone())
                    .push_bind(e.target_kind)
                    .push_bind(e.target_id.clone())
                    .push_bind(e.target_name.clone())
                    .push_bind(e.before.as_ref().map(|v| v.to_string()))
                    .push_bind(e.after.as_ref().map(|v| v.to_string()))
                    .push_bind(e.request_id.clone());
            });
            insert.push(" RETURNING id, request_id");
            let ids: HashMap<String, i64> =
                insert.build_query_as::<(i64, String)>().fetch_all(&mut *self.tx).await?.into_iter().map(|(id, r)| (r, id)).collect();
            let tags: Vec<(&str, i64, i64)> = chunk
                .iter()
                .filter_map(|e| ids.get(&e.request_id).map(|id| (e, *id)))
                .flat_map(|(e, id)| e.tags.iter().map(move |t| (t.as_str(), e.at, id)))
                .collect();
            for tags in tags.chunks(TAGS_PER_STATEMENT) {
                let mut insert = QueryBuilder::<Db>::new("INSERT INTO audit_tags (tag, at, event_id) ");
                insert.push_values(tags, |mut row, (tag, at, id)| {
                    row.push_bind(tag.to_string()).push_bind(*at).push_bind(*id);
                });
                insert.push(" ON CONFLICT DO NOTHING");
                insert.build().execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }
}

/// Events per bulk insert: twelve parameters each.
const EVENTS_PER_STATEMENT: usize = 400;

/// Rows per tag insert: three parameters each, well below either backend's parameter limit.
const TAGS_PER_STATEMENT: usize = 1000;

impl Backend {
    /// One page of the audit trail, newest first (`Cursor::After` an event: older ones;
    /// `Before`: newer ones, still returned newest first). A subject or action filter is read
    /// from its tag range; otherwise the events' own time index (or actor / door index) serves.
    pub async fn audit_page(&self, filter: &AuditFilter, cursor: &Cursor, limit: usize) -> StoreResult<Vec<AuditRecord>> {
        let tags: Vec<String> =
            filter.subject.iter().cloned().chain(filter.action.iter().map(|a| action_tag(a))).collect();
        let mut q = QueryBuilder::<Db>::new("SELECT e.* FROM ");
        let (at, id) = match tags.first() {
            Some(tag) => {
                q.push("audit_tags t JOIN audit_events e ON e.id = t.event_id WHERE t.tag = ").push_bind(tag.clone());
                ("t.at", "t.event_id")
            }
            // The console's trail shows a batch as its one start event (which opens to the rest);
            // the partial index of events outside batches serves that view.
            None if filter.collapse_batches => {
                q.push("audit_events e WHERE e.batch_id IS NULL");
                ("e.at", "e.id")
            }
            None => {
                q.push("audit_events e WHERE 1 = 1");
                ("e.at", "e.id")
            }
        };
        if let Some(tag) = tags.get(1) {
            q.push(" AND EXISTS (SELECT 1 FROM audit_tags x WHERE x.tag = ")
                .push_bind(tag.clone())
                .push(" AND x.at = e.at AND x.event_id = e.id)");
        }
        if let Some(actor) = &filter.actor {
            q.push(" AND e.actor_id = ").push_bind(actor.clone());
        }
        if let Some(door) = &filter.door {
            q.push(" AND e.door = ").push_bind(door.clone());
        }
        if let Some(from) = filter.from {
            q.push(format!(" AND {at} >= ")).push_bind(from);
        }
        if let Some(to) = filter.to {
            q.push(format!(" AND {at} < ")).push_bind(to);
        }
        let newer = matches!(cursor, Cursor::Before(_));
        if let Cursor::After(key) | Cursor::Before(key) = cursor {
            let (key_at, key_id) = parse_time_key(key)?;
            q.push(format!(" AND ({at}, {id}) {} (", if newer { ">" } else { "<" }))
                .push_bind(key_at)
                .push(", ")
                .push_bind(key_id)
                .push(")");
        }
        let order = if newer { "ASC" } else { "DESC" };
        q.push(format!(" ORDER BY {at} {order}, {id} {order} LIMIT ")).push_bind(limit as i64);
        let mut rows: Vec<AuditRecord> = q.build_query_as().fetch_all(&self.pool).await?;
        if newer {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Changes to users and workspaces after `after` (a time key; None: from `since`), newest
    /// first, with only what undoing them needs: the other columns come back empty, which
    /// costs no allocation (a point-in-time report reads hundreds of thousands of these).
    ///
    /// As one JSON array of `[id, at, action, target_kind, target_id, before, after]`, the
    /// states inlined: one value per slice instead of a row per event, since decoding rows
    /// (a copy of every value) was most of the time of reading a million events.
    pub async fn access_changes_since(&self, since: i64, before: Option<&str>, limit: usize) -> StoreResult<String> {
        let values = format!("e.id, e.at, e.action, e.target_kind, e.target_id, {}, {}", dialect::json_value("e.before_json"), dialect::json_value("e.after_json"));
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {} FROM (SELECT id, at, action, target_kind, target_id, before_json, after_json FROM audit_events WHERE at >= ",
            dialect::json_rows(&values, " ORDER BY e.at DESC, e.id DESC")
        ));
        q.push_bind(since).push(" AND target_kind IN ('user', 'workspace')");
        if let Some(key) = before {
            let (key_at, key_id) = parse_time_key(key)?;
            q.push(" AND (at, id) < (").push_bind(key_at).push(", ").push_bind(key_id).push(")");
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit as i64).push(") e");
        Ok(q.build_query_scalar().fetch_one(&self.pool).await?)
    }

    /// The events one request caused, oldest first.
    pub async fn audit_of_request(&self, request_id: &str) -> StoreResult<Vec<AuditRecord>> {
        Ok(sqlx::query_as("SELECT * FROM audit_events WHERE request_id = $1 ORDER BY id LIMIT 2000")
            .bind(request_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The newest events whose target is this thing, newest first.
    pub async fn audit_of(&self, target_kind: &str, target_id: &str, limit: usize) -> StoreResult<Vec<AuditRecord>> {
        Ok(sqlx::query_as(
            "SELECT e.* FROM audit_tags t JOIN audit_events e ON e.id = t.event_id \
             WHERE t.tag = $1 AND e.target_kind = $2 AND e.target_id = $3 \
             ORDER BY t.at DESC, t.event_id DESC LIMIT $4",
        )
        .bind(subject_tag(target_kind, target_id))
        .bind(target_kind)
        .bind(target_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn count_audit_events(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&self.pool).await?)
    }

    pub async fn count_audit_events_since(&self, since: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE at >= $1")
            .bind(since)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Every event, oldest first (tests and small stores only).
    pub async fn audit_events_all(&self) -> StoreResult<Vec<AuditRecord>> {
        Ok(sqlx::query_as("SELECT * FROM audit_events ORDER BY id").fetch_all(&self.pool).await?)
    }
}
