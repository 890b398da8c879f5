//! The registry: every backend the widget speaks, one folder each, and the one table that lists
//! them — the only place in the core that names them all.
//!
//! A backend's folder holds its request building and answer reading (an
//! [`Adapter`](crate::seam::Adapter)), its history source if it has a list of recent exports (a
//! [`HistorySource`](crate::seam::HistorySource)), the wire types the mock backend shares, and
//! the documentation of its options and of the decisions taken where its design document is
//! silent. Adding a backend is adding its folder and a row of [`PROTOCOLS`].
//!
//! | `protocol` | folder | backend | history |
//! |---|---|---|---|
//! | `"k12"` (default) | [`k12`] | the K12 `$export` cache: a start/URL endpoint and a progress endpoint | — |
//! | `"export-service"` | [`export_service`] | the export service: `POST /v1/export/http` or `/raw`, poll `/v1/export/detail` | `GET /v1/export/history` |
//! | `"xlink"` | [`xlink`] | XLink IoT cloud: `POST /v2/export_task`, poll, then a signed `auth_link` | `POST /v2/export_tasks` |
//! | `"minapp"` | [`minapp`] | MinApp: `POST /userve/v1.5/table/:id/export/`, poll the job | `GET …/table/:id/export/` |
//! | `"asset"` | [`asset`] | the asset system: snapshot the task list, `POST /api/export_task/{session}`, find the job, build the CSV here | `GET /api/async_task/{session}` |
//!
//! The four backends after K12 are behind the `backends` feature: without it the core is what a
//! K12 page needs.

#[cfg(feature = "backends")]
pub mod asset;
#[cfg(feature = "backends")]
pub mod export_service;
pub mod k12;
#[cfg(feature = "backends")]
pub mod minapp;
#[cfg(feature = "backends")]
pub mod xlink;

use crate::seam::{Builder, SourceBuilder};

/// One row of [`PROTOCOLS`]: a backend as the options name it.
#[derive(Clone, Copy)]
pub struct Protocol {
    /// The `options.protocol` value.
    pub name: &'static str,
    /// The option fields it adds to the common ones.
    pub keys: &'static [&'static str],
    /// Builds its adapter.
    pub build: Builder,
    /// Builds its history source; `None` when the backend has no list of recent exports.
    pub history: Option<SourceBuilder>,
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protocol").field("name", &self.name).field("keys", &self.keys).finish_non_exhaustive()
    }
}

/// The K12 protocol's row: the default, and the only one without the `backends` feature.
const K12_ROW: Protocol =
    Protocol { name: "k12", keys: k12::OPTION_KEYS, build: k12::K12::from_options, history: None };

/// Every backend the widget speaks.
#[cfg(not(feature = "backends"))]
pub const PROTOCOLS: &[Protocol] = &[K12_ROW];

/// Every backend the widget speaks.
#[cfg(feature = "backends")]
pub const PROTOCOLS: &[Protocol] = &[
    K12_ROW,
    Protocol {
        name: "export-service",
        keys: export_service::OPTION_KEYS,
        build: export_service::ExportService::from_options,
        history: Some(export_service::history::ExportServiceHistory::from_options),
    },
    Protocol {
        name: "xlink",
        keys: xlink::OPTION_KEYS,
        build: xlink::XLink::from_options,
        history: Some(xlink::history::XLinkHistory::from_options),
    },
    Protocol {
        name: "minapp",
        keys: minapp::OPTION_KEYS,
        build: minapp::MinApp::from_options,
        history: Some(minapp::history::MinAppHistory::from_options),
    },
    Protocol {
        name: "asset",
        keys: asset::OPTION_KEYS,
        build: asset::AssetSystem::from_options,
        history: Some(asset::history::AssetHistory::from_options),
    },
];

/// The row of `name`.
pub fn find(name: &str) -> Option<&'static Protocol> {
    PROTOCOLS.iter().find(|p| p.name == name)
}

/// The protocols `options.protocol` accepts, in the order of [`PROTOCOLS`].
pub fn protocols() -> Vec<&'static str> {
    PROTOCOLS.iter().map(|p| p.name).collect()
}

/// The protocols whose backends have a list of recent exports.
pub fn history_protocols() -> Vec<&'static str> {
    PROTOCOLS.iter().filter(|p| p.history.is_some()).map(|p| p.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_backend_is_listed_once() {
        #[cfg(feature = "backends")]
        assert_eq!(protocols(), ["k12", "export-service", "xlink", "minapp", "asset"]);
        #[cfg(not(feature = "backends"))]
        assert_eq!(protocols(), ["k12"]);
        let mut names = protocols();
        names.dedup();
        assert_eq!(names.len(), PROTOCOLS.len());
    }

    #[cfg(feature = "backends")]
    #[test]
    fn every_backend_but_k12_has_a_history() {
        assert_eq!(history_protocols(), ["export-service", "xlink", "minapp", "asset"]);
    }
}
