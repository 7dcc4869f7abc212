use leptos::prelude::*;

use super::error::AppError;
use crate::domain::provisioning::ProvisioningView;

/// The provisioning log under the filters of the page's address query (see `ProvisioningQuery`).
#[server(endpoint = "provisioning/page")]
pub async fn provisioning_page(query: String) -> Result<ProvisioningView, AppError> {
    use super::ctx;
    use crate::domain::provisioning::ProvisioningQuery;
    let result = async {
        let query: ProvisioningQuery = ctx::page_query(&query)?;
        let filter = query.filter()?;
        ctx::with_actor(|services, actor| async move { services.provisioning_log(&actor, &filter, &query.cursor()).await }).await
    }
    .await;
    ctx::respond(result)
}
