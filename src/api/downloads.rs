//! The console's file downloads (server only). Plain GET routes rather than server functions,
//! since a report streams as a file; authorised the same way, from the session.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::ctx::{app_error, page_query, working_actor};
use super::error::AppError;
use crate::domain::audit::{AuditFilter, AuditQuery};
use crate::domain::reports::{Report, ReportQuery};
use crate::service::{ReportOptions, Services};

/// `GET /reports/<report>.csv`, the audit report with the audit page's query.
pub async fn report_file(State(services): State<Services>, session: Session, Path(file): Path<String>, RawQuery(query): RawQuery) -> Response {
    match start(&services, &session, &file, query.as_deref().unwrap_or("")).await {
        Ok(response) => response,
        Err(err) => refusal(err),
    }
}

async fn start(services: &Services, session: &Session, file: &str, query: &str) -> Result<Response, AppError> {
    let report = file.strip_suffix(".csv").and_then(Report::parse).ok_or_else(|| AppError::NotFound("There is no such report.".into()))?;
    let actor = working_actor(services, session).await?;
    let options = match report {
        Report::Audit => {
            let query: AuditQuery = page_query(query)?;
            ReportOptions { filter: query.filter()?, target_name: query.tq, as_of: None }
        }
        _ => {
            let query: ReportQuery = page_query(query)?;
            let (from, to) = query.range()?;
            ReportOptions { filter: AuditFilter { from, to, ..Default::default() }, target_name: String::new(), as_of: query.as_of(services.now_ms())? }
        }
    };
    let file = services.export_report(&actor, report, options).await.map_err(app_error)?;
    use futures::StreamExt;
    let body = futures::stream::unfold(file.chunks, |mut chunks| async move {
        // An error cuts the download short, so a partial file is never taken for a whole one.
        let chunk = chunks.recv().await?.map_err(|e| std::io::Error::other(e.to_string()));
        Some((chunk, chunks))
    })
    // The compression layer polls once more after the end, which a bare unfold may not take.
    .fuse();
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn refusal(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CACHE_CONTROL, "no-store")], err.to_string()).into_response()
}
