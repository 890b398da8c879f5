//! The registry: every backend the mock serves, one module each, in one table — its name, its
//! scenarios, and its routes — and its jobs in one named store. The only place that names them all.
//!
//! A backend module holds its routes and its wire glue (its answers' shapes, its error codes, what
//! each scenario means for it); everything else comes from [`crate::sim`]. Adding a backend is its
//! module, a row of [`BACKENDS`] and a field of [`Stores`].

use std::sync::Mutex;

use axum::Router;

use crate::sim::job::JobStore;
use crate::sim::scenario::Scenario;
use crate::{lock, AppState, Config};

pub mod asset;
pub mod export_service;
pub mod k12;
pub mod minapp;
pub mod xlink;

/// One backend of the mock.
#[derive(Clone, Copy)]
pub struct Backend {
    /// Its name in `GET /__mock/scenarios?backend=` (the core's `protocol`).
    pub name: &'static str,
    /// The scenarios it plays.
    pub scenarios: &'static [Scenario],
    /// What each scenario does with it, in a line.
    pub describe: fn(Scenario) -> &'static str,
    /// Its routes.
    pub routes: fn() -> Router<AppState>,
}

/// Every backend the mock serves; the first is the default of `GET /__mock/scenarios`.
pub const BACKENDS: &[Backend] = &[
    Backend { name: "k12", scenarios: &k12::SCENARIOS, describe: k12::describe, routes: k12::routes },
    Backend {
        name: "export-service",
        scenarios: &export_service::SCENARIOS,
        describe: Scenario::description,
        routes: export_service::routes,
    },
    Backend { name: "xlink", scenarios: &xlink::SCENARIOS, describe: Scenario::description, routes: xlink::routes },
    Backend { name: "minapp", scenarios: &minapp::SCENARIOS, describe: Scenario::description, routes: minapp::routes },
    Backend { name: "asset", scenarios: &asset::SCENARIOS, describe: Scenario::description, routes: asset::routes },
];

/// The backend named `name`.
pub fn find(name: &str) -> Option<&'static Backend> {
    BACKENDS.iter().find(|b| b.name == name)
}

/// Every backend's jobs, kept per client and cleared by `POST /__mock/reset`.
#[derive(Debug)]
pub struct Stores {
    /// K12's export jobs and their writers.
    pub(crate) k12: Mutex<k12::Jobs>,
    /// The export service's jobs.
    pub(crate) export_service: Mutex<JobStore<export_service::Job>>,
    /// XLink's tasks.
    pub(crate) xlink: Mutex<JobStore<xlink::Job>>,
    /// MinApp's jobs.
    pub(crate) minapp: Mutex<JobStore<minapp::Job>>,
    /// The asset system's tasks.
    pub(crate) asset: Mutex<asset::Tasks>,
}

impl Stores {
    /// Empty stores.
    pub(crate) fn new(config: &Config) -> Stores {
        Stores {
            k12: Mutex::new(k12::Jobs::new(config.max_jobs)),
            export_service: Mutex::default(),
            xlink: Mutex::default(),
            minapp: Mutex::default(),
            asset: Mutex::default(),
        }
    }

    /// Stops and forgets the jobs of one client, or of all.
    pub fn clear(&self, client: Option<&str>, now_ms: u64) {
        lock(&self.k12).clear(client, now_ms);
        lock(&self.export_service).clear(client);
        lock(&self.xlink).clear(client);
        lock(&self.minapp).clear(client);
        lock(&self.asset).clear(client);
    }
}
