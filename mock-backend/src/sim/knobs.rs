//! The knobs of a request: which client it is, which scenario its job plays, and the scenario's
//! numbers — read from the query string, the same way for every backend.
//!
//! Every request of every backend reads the query string (for POST endpoints too: the widget sends
//! its own data in the body, and its `query` option adds the same parameters to every request):
//!
//! - `client` (default `anon`; else the `X-Client-Id` header): whose job it is, for recording and
//!   isolation.
//! - `scenario` (default `normal`): one of the backend's scenarios (an unsupported name is a 400
//!   listing the valid ones). It is fixed when the job is created; later requests follow the job's.
//! - `durationMs` (0–600000): how long the job runs; default per scenario (normal 4000, fast 1500,
//!   slow 15000, huge 5000).
//! - `failAt` (0–100, default 40): where `fail` fails, in percent of the rows.
//! - `startDelayMs` (0–60000, default 3000): the delay of `slow-start`.
//! - `seed` (default 1): the seed of `flaky`.
//! - `rows` (0–1000000): how many rows the job exports, where the backend has no fixed count.
//!
//! A backend reads its own extra parameters with [`query_pairs`] and [`number`].

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use crate::error::ApiError;
use crate::record::{self, touched};
use crate::sim::scenario::Scenario;
use crate::sim::timeline::{Timeline, STALL_PERCENT};

/// The default `failAt`.
pub const DEFAULT_FAIL_AT: u8 = 40;
/// The default `startDelayMs`.
pub const DEFAULT_START_DELAY_MS: u64 = 3_000;
/// The default `seed`.
pub const DEFAULT_SEED: u64 = 1;

/// The knobs of one request (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Knobs {
    /// Whose job.
    pub client: String,
    /// The scenario.
    pub scenario: Scenario,
    /// `durationMs`.
    pub duration_ms: Option<u64>,
    /// `failAt`.
    pub fail_at: Option<u8>,
    /// `startDelayMs`.
    pub start_delay_ms: Option<u64>,
    /// `seed`.
    pub seed: Option<u64>,
    /// `rows`.
    pub rows: Option<u64>,
}

impl Knobs {
    /// Reads the knobs from the query string and headers; `supported` are the backend's scenarios.
    pub fn parse(uri: &Uri, headers: &HeaderMap, supported: &[Scenario]) -> Result<Knobs, ApiError> {
        let pairs = query_pairs(uri)?;
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let client = record::client_hint(uri, headers).unwrap_or_else(|| record::DEFAULT_CLIENT.to_owned());
        if !record::valid_client(&client) {
            return Err(ApiError::BadRequest("client must be 1-64 characters of A-Z a-z 0-9 _ - . : @".to_owned()));
        }
        let scenario = match get("scenario") {
            None | Some("") => Scenario::Normal,
            Some(s) => Scenario::parse(s, supported)?,
        };
        Ok(Knobs {
            client,
            scenario,
            duration_ms: get("durationMs").map(|v| number("durationMs", v, 600_000u64)).transpose()?,
            fail_at: get("failAt").map(|v| number("failAt", v, 100u8)).transpose()?,
            start_delay_ms: get("startDelayMs").map(|v| number("startDelayMs", v, 60_000u64)).transpose()?,
            seed: get("seed").map(|v| number("seed", v, u64::MAX)).transpose()?,
            rows: get("rows").map(|v| number("rows", v, 1_000_000u64)).transpose()?,
        })
    }

    /// The job's duration.
    pub fn duration_ms(&self) -> u64 {
        self.duration_ms.unwrap_or_else(|| self.scenario.default_duration_ms())
    }

    /// Where `fail` fails, in percent.
    pub fn fail_at(&self) -> u8 {
        self.fail_at.unwrap_or(DEFAULT_FAIL_AT)
    }

    /// The delay of `slow-start`.
    pub fn start_delay_ms(&self) -> u64 {
        self.start_delay_ms.unwrap_or(DEFAULT_START_DELAY_MS)
    }

    /// The seed of `flaky`.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }

    /// Where a job of `rows` rows stops: at `failAt` under `fail`, at 63% under `never-finishes`.
    pub fn stop_rows(&self, rows: u64) -> Option<u64> {
        match self.scenario {
            Scenario::Fail => Some(rows * u64::from(self.fail_at()) / 100),
            Scenario::NeverFinishes => Some((rows * STALL_PERCENT).div_ceil(100)),
            _ => None,
        }
    }

    /// The timeline of a job of `rows` rows created at `now_ms` (after `empty`/`huge`).
    pub fn timeline(&self, now_ms: u64, rows: u64) -> Timeline {
        Timeline { created_ms: now_ms, duration_ms: self.duration_ms(), rows, stop_rows: self.stop_rows(rows) }
    }

    /// The backend's own refusal of this request (its 4xx, in its own format), recorded under the
    /// request's client.
    pub fn refuse(&self, answer: Response) -> ApiError {
        ApiError::Refused(Box::new(touched(answer, None, &self.client)))
    }

    /// Sleeps `startDelayMs` under `slow-start`.
    pub async fn slow_start(&self) {
        if self.scenario == Scenario::SlowStart {
            tokio::time::sleep(std::time::Duration::from_millis(self.start_delay_ms())).await;
        }
    }
}

/// A backend's scenarios: what [`Asked`] checks `?scenario=` against.
pub trait Plays {
    /// The scenarios, in the order `GET /__mock/scenarios` lists them.
    const SCENARIOS: &'static [Scenario];
}

/// Declares a backend's marker type for [`Asked`], playing its scenarios:
/// `plays!(XLink: SCENARIOS);`.
macro_rules! plays {
    ($marker:ident: $scenarios:path) => {
        /// This backend, for the knobs extractor.
        pub struct $marker;

        impl $crate::sim::knobs::Plays for $marker {
            const SCENARIOS: &'static [$crate::sim::scenario::Scenario] = &$scenarios;
        }
    };
}
pub(crate) use plays;

/// The knobs of a request to the backend `B`, as an extractor: a bad one is a 400.
pub struct Asked<B>(pub Knobs, pub PhantomData<B>);

impl<B: Plays, S: Send + Sync> FromRequestParts<S> for Asked<B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Asked<B>, ApiError> {
        Ok(Asked(Knobs::parse(&parts.uri, &parts.headers, B::SCENARIOS)?, PhantomData))
    }
}

/// The query string's pairs, as an extractor (400 when it does not parse).
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Params, ApiError> {
        Ok(Params(query_pairs(&parts.uri)?))
    }
}

/// The query string's pairs (400 when it does not parse).
pub fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|_| ApiError::BadRequest("the query string is not valid".to_owned()))
}

/// The query parameter `name` of `pairs`, if given.
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A whole number parameter from 0 to `max` (400 naming it otherwise).
pub fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    name: &str,
    value: &str,
    max: T,
) -> Result<T, ApiError> {
    value
        .parse::<T>()
        .ok()
        .filter(|v| *v <= max)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be an integer from 0 to {max}, not {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_numbers_are_rejected_with_their_name() {
        let err = number("failAt", "101", 100u8).unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(ref m) if m.contains("failAt")), "{err:?}");
        assert!(number("durationMs", "-1", 10u64).is_err());
        assert_eq!(number("durationMs", "7", 10u64).unwrap(), 7);
    }
}
