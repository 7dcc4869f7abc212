use leptos::prelude::*;

use super::error::AppError;
use crate::domain::overview::Overview;

#[server(endpoint = "overview")]
pub async fn overview_figures() -> Result<Overview, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.overview(&actor).await }).await
}
