//! The landing page: counts and the health of every identity provider at a glance.

use super::{Actor, ServiceResult, Services};
use crate::domain::overview::Overview;

const DAY_MS: i64 = 24 * 3600 * 1000;

impl Services {
    pub async fn overview(&self, _actor: &Actor) -> ServiceResult<Overview> {
        let active_users = self.store.user_total(Some(true)).await?;
        let inactive_users = self.store.user_total(Some(false)).await?;
        let errors = self.credential_errors_today().await?;
        let credentials = self.store.list_credentials().await?;
        let live_credentials = credentials.iter().filter(|c| c.revoked.is_none()).count() as i64;
        let mut failing_credentials: Vec<(String, String, i64)> = credentials
            .into_iter()
            .filter_map(|c| errors.get(&c.id).map(|n| (c.id, c.name, *n)))
            .collect();
        failing_credentials.sort_by_key(|(_, _, n)| std::cmp::Reverse(*n));
        Ok(Overview {
            active_users,
            inactive_users,
            workspaces: self.store.count_workspaces().await?,
            live_credentials,
            failing_credentials,
            last_scim_request: self.last_scim_request().await?,
            changes_24h: self.store.count_audit_events_since(self.now() - DAY_MS).await?,
        })
    }
}
