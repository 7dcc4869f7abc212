impl Backend {
    /// Up to `limit` users after `after_key` in user-name order (inactive ones only, if asked):
    /// exports walk the table in such slices, so memory stays flat however many users there are.
    pub async fn report_users(&self, after_key: &str, inactive_only: bool, limit: usize) -> StoreResult<Vec<ReportUserRow>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT user_name_key, id, user_name, external_id, given_name, family_name, email, active FROM users WHERE user_name_key > ",
        );
        q.push_bind(after_key.to_string());
        if inactive_only {
            q.push(" AND active = ").push_bind(false);
        }
        q.push(" ORDER BY user_name_key LIMIT ").push_bind(limit as i64);
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    /// These users (those that still exist), for rebuilding an earlier state.
    pub async fn report_users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<ReportUserRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT user_name_key, id, user_name, external_id, given_name, family_name, email, active FROM users WHERE id IN (",
        );
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(")");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    /// The grants of these users as one JSON array of `[user id, workspace id, granted at,
    /// granted by]` (one value instead of a row per grant: see `access_changes_since`).
    pub async fn grants_of(&self, user_ids: &[String]) -> StoreResult<String> {
        if user_ids.is_empty() {
            return Ok("[]".into());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {} FROM access_grants g WHERE g.user_id IN (",
            dialect::json_rows("g.user_id, g.workspace_id, g.granted_at, g.granted_by", "")
        ));
        let mut list = q.separated(", ");
        for id in user_ids {
            list.push_bind(id.clone());
        }
        q.push(")");
        Ok(q.build_query_scalar().fetch_one(&self.pool).await?)
    }

    /// Deactivation events up to `until`, oldest first, after the (at, event id) position
    /// `after`: a slice of one walk through the deactivation tag (user id, at, event id, by whom,
    /// through which door).
    pub async fn deactivations_until(&self, until: i64, after: (i64, i64), limit: usize) -> StoreResult<Vec<(String, i64, i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT e.target_id, d.at, d.event_id, e.actor_name, e.door FROM audit_tags d \
             JOIN audit_events e ON e.id = d.event_id \
             WHERE d.tag = $1 AND d.at <= $2 AND (d.at, d.event_id) > ($3, $4) AND e.target_kind = 'user' \
             ORDER BY d.at, d.event_id LIMIT $5",
        )
        .bind(action_tag(crate::domain::audit::actions::USER_DEACTIVATE))
        .bind(until)
        .bind(after.0)
        .bind(after.1)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?)
    }
}
