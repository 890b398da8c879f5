//! The `/__mock/...` routes: what tests and the demo page use to look inside the mock.
//!
//! ```text
//! GET  /__mock/scenarios            {scenarios:[{name, description, defaultDurationMs}]} (K12's)
//! GET  /__mock/scenarios?backend=B  the same for another backend of the registry (404 for others)
//! GET  /__mock/requests?client=X    {requests:[{t, client, method, path, query, job, status}]}
//! GET  /__mock/jobs?client=X        {jobs:[{id, client, term, kind, scenario, scheme, format, state, ...}]}
//! POST /__mock/reset?client=X       {ok:true}   clears recordings and jobs (of one client, or all)
//! ```

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::backends::{self, k12::JobInfo};
use crate::record::RequestRecord;
use crate::sim::scenario::{catalogue, ScenarioInfo};
use crate::{lock, AppState};

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
    let name = query.ok().and_then(|Query(f)| f.backend).filter(|b| !b.is_empty()).unwrap_or_else(|| "k12".to_owned());
    let backend = backends::find(&name).ok_or_else(|| {
        let names: Vec<&str> = backends::BACKENDS.iter().map(|b| b.name).collect();
        crate::ApiError::NotFound(format!("unknown backend {name:?}; use {}", names.join(", ")))
    })?;
    Ok(Json(Scenarios { scenarios: catalogue(backend.scenarios, backend.describe) }))
}

/// The `?client=` a control request is about (`None`: every client).
struct Client(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Client, Self::Rejection> {
        let client = Query::<ClientFilter>::try_from_uri(&parts.uri).ok().and_then(|Query(f)| f.client);
        Ok(Client(client.filter(|c| !c.is_empty())))
    }
}

async fn requests(State(state): State<AppState>, Client(client): Client) -> Json<Requests> {
    Json(Requests { requests: lock(state.recorder()).list(client.as_deref()) })
}

async fn jobs(State(state): State<AppState>, Client(client): Client) -> Json<Jobs> {
    let now = state.now_ms();
    Json(Jobs { jobs: lock(&state.stores().k12).info(client.as_deref(), now) })
}

async fn reset(State(state): State<AppState>, Client(client): Client) -> Json<Done> {
    let now = state.now_ms();
    state.stores().clear(client.as_deref(), now);
    lock(state.recorder()).clear(client.as_deref());
    tracing::info!(client = client.as_deref().unwrap_or("*"), "mock reset");
    Json(Done { ok: true })
}
