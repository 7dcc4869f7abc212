use leptos::prelude::*;

use super::error::AppError;
use crate::domain::audit::AuditView;

/// The audit trail under the filters of the page's address query (see `AuditQuery`).
#[server(endpoint = "audit/page")]
pub async fn audit_page(query: String) -> Result<AuditView, AppError> {
    use super::ctx;
    use crate::domain::audit::AuditQuery;
    let result = async {
        let query: AuditQuery = ctx::page_query(&query)?;
        let filter = query.filter()?;
        ctx::with_actor(|services, actor| async move { services.audit_trail(&actor, filter, &query.tq, &query.cursor()).await }).await
    }
    .await;
    ctx::respond(result)
}
