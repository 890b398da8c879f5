//! The `/__mock/...` routes: what tests and the demo page use to look inside the mock.
//!
//! ```text
//! GET  /__mock/scenarios            {scenarios:[{name, description, defaultDurationMs}]} (K12's)
//! GET  /__mock/scenarios?backend=B  the same for export-service, xlink, minapp or asset (404 for others)
//! GET  /__mock/requests?client=X    {requests:[{t, client, method, path, query, job, status}]}
//! GET  /__mock/jobs?client=X        {jobs:[{id, client, term, kind, scenario, scheme, format, state, ...}]}
//! POST /__mock/reset?client=X       {ok:true}   clears recordings and jobs (of one client, or all)
//! ```

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::jobs::JobInfo;
use crate::record::RequestRecord;
use crate::scenario::ScenarioInfo;
use crate::{lock, scenario, AppState};

#[derive(Serialize)]
struct Scenarios {
    scenarios: Vec<ScenarioInfo>,
}

#[derive(Serialize)]
struct Requests {
    requests: Vec<RequestRecord>,
}

#[derive(Serialize)]
struct Jobs {
    jobs: Vec<JobInfo>,
}

#[derive(Serialize)]
struct Done {
    ok: bool,
}

#[derive(Debug, Deserialize)]
struct ClientFilter {
    client: Option<String>,
}

/// The control routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/__mock/scenarios", get(scenarios))
        .route("/__mock/requests", get(requests))
        .route("/__mock/jobs", get(jobs))
        .route("/__mock/reset", post(reset))
}

#[derive(Debug, Deserialize)]
struct BackendFilter {
    backend: Option<String>,
}

async fn scenarios(
    query: Result<Query<BackendFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Scenarios>, crate::ApiError> {
    match query.ok().and_then(|Query(f)| f.backend).filter(|b| !b.is_empty() && b != "k12") {
        None => Ok(Json(Scenarios { scenarios: scenario::catalogue() })),
        Some(b) => crate::faults::catalogue(&b).map(|scenarios| Json(Scenarios { scenarios })).ok_or_else(|| {
            crate::ApiError::NotFound(format!("unknown backend {b:?}; use k12, export-service, xlink, minapp or asset"))
        }),
    }
}

fn filter(query: Result<Query<ClientFilter>, axum::extract::rejection::QueryRejection>) -> Option<String> {
    query.ok().and_then(|Query(f)| f.client).filter(|c| !c.is_empty())
}

async fn requests(
    State(state): State<AppState>,
    query: Result<Query<ClientFilter>, axum::extract::rejection::QueryRejection>,
) -> Json<Requests> {
    let client = filter(query);
    Json(Requests { requests: lock(&state.inner.record).list(client.as_deref()) })
}

async fn jobs(
    State(state): State<AppState>,
    query: Result<Query<ClientFilter>, axum::extract::rejection::QueryRejection>,
) -> Json<Jobs> {
    let client = filter(query);
    let now = state.now_ms();
    Json(Jobs { jobs: lock(&state.inner.jobs).info(client.as_deref(), now) })
}

async fn reset(
    State(state): State<AppState>,
    query: Result<Query<ClientFilter>, axum::extract::rejection::QueryRejection>,
) -> Json<Done> {
    let client = filter(query);
    let now = state.now_ms();
    lock(&state.inner.jobs).clear(client.as_deref(), now);
    state.clear_stores(client.as_deref());
    lock(&state.inner.record).clear(client.as_deref());
    tracing::info!(client = client.as_deref().unwrap_or("*"), "mock reset");
    Json(Done { ok: true })
}
