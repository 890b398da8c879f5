//! What the backends other than K12 share: their scenarios and request knobs, the transport faults
//! (the same HTML 5xx pages, 429s, cut-off JSON and connection resets as K12's), a job's timeline
//! (progress is a pure function of time), and writing a table to a real file.
//!
//! # Selecting a scenario
//!
//! Every request of these backends reads the query string (for POST endpoints too: the widget
//! sends its own data in the body, and its `query` option adds the same parameters to every
//! request):
//!
//! - `client` (default `anon`; else the `X-Client-Id` header): whose job it is, for recording and
//!   isolation.
//! - `scenario` (default `normal`): one of the backend's scenarios (an unsupported name is a 400
//!   listing the valid ones). It is fixed when the job is created; later requests follow the job's.
//! - `durationMs` (0–600000): how long the job runs; default normal 4000, fast 1500, slow 15000,
//!   huge 5000.
//! - `failAt` (0–100, default 40): where `fail` fails, in percent of the rows.
//! - `startDelayMs` (0–60000, default 3000): the delay of `slow-start`.
//! - `seed` (default 1): the seed of `flaky`.
//! - `rows` (0–1000000): how many rows the job exports, where the backend has no fixed count.
//!
//! A page passes them with the adapter's `query` option, e.g.
//! `"query": {"client": "e2e-7", "scenario": "fail", "durationMs": 500}`.

use std::path::{Path, PathBuf};

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use rust_xlsxwriter::{Format as XlsxFormat, Workbook};

use crate::data::Cell;
use crate::error::ApiError;
use crate::k12::{html_error, number, rate_limited, reset};
use crate::record;
use crate::scenario::{flaky_fault, FlakyFault};

/// A scenario of the backends other than K12. Each backend lists those it supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Fault {
    /// The default.
    #[default]
    Normal,
    /// A short job.
    Fast,
    /// A long job.
    Slow,
    /// No rows.
    Empty,
    /// Many rows.
    Huge,
    /// The job fails part-way.
    Fail,
    /// The first status request of the job answers HTTP 500.
    Http500Once,
    /// Every status request answers HTTP 500.
    Http500Always,
    /// The first status request of the job answers HTTP 502.
    Http502Once,
    /// Every status request answers HTTP 502.
    Http502Always,
    /// The first two status requests answer HTTP 429 with `Retry-After: 1`.
    RateLimited,
    /// Every status answer is cut-off JSON.
    MalformedJson,
    /// The first status answer is cut-off JSON.
    MalformedOnce,
    /// The job stalls at 63% forever.
    NeverFinishes,
    /// The download URL is `javascript:`.
    JavascriptUrl,
    /// The file name is hostile.
    HostileFilename,
    /// The creating request answers late.
    SlowStart,
    /// Status requests fail at random (seeded).
    Flaky,
    /// The creating request answers the backend's error.
    StartError,
    /// The job ends cancelled (or invalid).
    Cancelled,
    /// The job ends expired.
    Expired,
    /// Some rows fail; the job ends "done with failures".
    Partial,
    /// Answers written like the design document's examples: bare words and trailing commas.
    AlmostJson,
}

impl Fault {
    /// Every scenario, in the order the docs list them.
    pub const ALL: [Fault; 23] = [
        Fault::Normal,
        Fault::Fast,
        Fault::Slow,
        Fault::Empty,
        Fault::Huge,
        Fault::Fail,
        Fault::Http500Once,
        Fault::Http500Always,
        Fault::Http502Once,
        Fault::Http502Always,
        Fault::RateLimited,
        Fault::MalformedJson,
        Fault::MalformedOnce,
        Fault::NeverFinishes,
        Fault::JavascriptUrl,
        Fault::HostileFilename,
        Fault::SlowStart,
        Fault::Flaky,
        Fault::StartError,
        Fault::Cancelled,
        Fault::Expired,
        Fault::Partial,
        Fault::AlmostJson,
    ];

    /// The name used in `?scenario=`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Normal => "normal",
            Fault::Fast => "fast",
            Fault::Slow => "slow",
            Fault::Empty => "empty",
            Fault::Huge => "huge",
            Fault::Fail => "fail",
            Fault::Http500Once => "http500-once",
            Fault::Http500Always => "http500-always",
            Fault::Http502Once => "http502-once",
            Fault::Http502Always => "http502-always",
            Fault::RateLimited => "rate-limited",
            Fault::MalformedJson => "malformed-json",
            Fault::MalformedOnce => "malformed-once",
            Fault::NeverFinishes => "never-finishes",
            Fault::JavascriptUrl => "javascript-url",
            Fault::HostileFilename => "hostile-filename",
            Fault::SlowStart => "slow-start",
            Fault::Flaky => "flaky",
            Fault::StartError => "start-error",
            Fault::Cancelled => "cancelled",
            Fault::Expired => "expired",
            Fault::Partial => "partial",
            Fault::AlmostJson => "almost-json",
        }
    }

    /// One line saying what the scenario does (each backend's module says how exactly).
    pub fn description(self) -> &'static str {
        match self {
            Fault::Normal => "The job runs about 4 s (durationMs=4000).",
            Fault::Fast => "The job runs about 1.5 s.",
            Fault::Slow => "The job runs about 15 s.",
            Fault::Empty => "No rows: a file with only the header.",
            Fault::Huge => "A very large export (or the backend's refusal of one).",
            Fault::Fail => "The job fails at failAt percent (default 40) with the backend's failure answer.",
            Fault::Http500Once => "The job's first status request answers HTTP 500 (HTML); later ones work.",
            Fault::Http500Always => "Every status request answers HTTP 500 (HTML).",
            Fault::Http502Once => {
                "The job's first status request answers HTTP 502 (a gateway's HTML); later ones work."
            }
            Fault::Http502Always => "Every status request answers HTTP 502.",
            Fault::RateLimited => "The job's first two status requests answer 429 with Retry-After: 1.",
            Fault::MalformedJson => "Every status answer is cut-off JSON.",
            Fault::MalformedOnce => "The first status answer is cut-off JSON; later ones are fine.",
            Fault::NeverFinishes => "The job never finishes (stalls at 63%).",
            Fault::JavascriptUrl => "The download URL is javascript:alert(document.domain).",
            Fault::HostileFilename => "The file name is ../../<img src=x onerror=alert(1)>\\u0000报表.",
            Fault::SlowStart => "The creating request answers after startDelayMs (default 3000).",
            Fault::Flaky => "Status requests fail ~30% of the time (seeded by seed): HTTP 502 or a connection reset.",
            Fault::StartError => "The creating request answers the backend's error; no job.",
            Fault::Cancelled => "The job ends cancelled (or invalid, or deleted) half-way.",
            Fault::Expired => "The job completes, then reports itself expired.",
            Fault::Partial => "Some rows fail: the job ends done with failures.",
            Fault::AlmostJson => {
                "Answers are written like the design document's examples: bare words, trailing commas."
            }
        }
    }

    /// The job's duration when the request gives no `durationMs`.
    pub fn default_duration_ms(self) -> u64 {
        match self {
            Fault::Fast => 1_500,
            Fault::Slow => 15_000,
            Fault::Huge => 5_000,
            _ => 4_000,
        }
    }

    /// Parses a name among `supported`.
    pub fn parse(name: &str, supported: &[Fault]) -> Result<Fault, ApiError> {
        supported.iter().copied().find(|f| f.name() == name).ok_or_else(|| ApiError::BadScenario {
            name: name.to_owned(),
            valid: supported.iter().map(|f| f.name()).collect(),
        })
    }
}

/// The scenarios of each backend other than K12, by the name `GET /__mock/scenarios?backend=` takes.
pub const BACKENDS: &[(&str, &[Fault])] = &[
    ("export-service", crate::export_service::SCENARIOS),
    ("xlink", crate::xlink::SCENARIOS),
    ("minapp", crate::minapp::SCENARIOS),
    ("asset", crate::asset::SCENARIOS),
];

/// The `GET /__mock/scenarios?backend=NAME` entries of a backend (`None` for an unknown name).
pub fn catalogue(backend: &str) -> Option<Vec<crate::scenario::ScenarioInfo>> {
    let (_, faults) = BACKENDS.iter().find(|(name, _)| *name == backend)?;
    Some(
        faults
            .iter()
            .map(|f| crate::scenario::ScenarioInfo {
                name: f.name(),
                description: f.description(),
                default_duration_ms: f.default_duration_ms(),
            })
            .collect(),
    )
}

/// The default `failAt`.
pub const DEFAULT_FAIL_AT: u8 = 40;
/// The default `startDelayMs`.
pub const DEFAULT_START_DELAY_MS: u64 = 3_000;
/// Where `never-finishes` stalls, in percent.
pub const STALL_PERCENT: u64 = 63;
/// The hostile file name of `hostile-filename`, before its extension.
pub const HOSTILE_NAME: &str = crate::k12::HOSTILE_NAME;
/// The URL of `javascript-url`.
pub const JAVASCRIPT_URL: &str = crate::k12::JAVASCRIPT_URL;

/// The knobs of one request (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Knobs {
    /// Whose job.
    pub client: String,
    /// The scenario.
    pub fault: Fault,
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
    pub fn parse(uri: &Uri, headers: &HeaderMap, supported: &[Fault]) -> Result<Knobs, ApiError> {
        let pairs = query_pairs(uri)?;
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let client = record::client_hint(uri, headers).unwrap_or_else(|| record::DEFAULT_CLIENT.to_owned());
        if !record::valid_client(&client) {
            return Err(ApiError::BadRequest("client must be 1-64 characters of A-Z a-z 0-9 _ - . : @".to_owned()));
        }
        let fault = match get("scenario") {
            None | Some("") => Fault::Normal,
            Some(s) => Fault::parse(s, supported)?,
        };
        Ok(Knobs {
            client,
            fault,
            duration_ms: get("durationMs").map(|v| number("durationMs", v, 600_000u64)).transpose()?,
            fail_at: get("failAt").map(|v| number("failAt", v, 100u8)).transpose()?,
            start_delay_ms: get("startDelayMs").map(|v| number("startDelayMs", v, 60_000u64)).transpose()?,
            seed: get("seed").map(|v| number("seed", v, u64::MAX)).transpose()?,
            rows: get("rows").map(|v| number("rows", v, 1_000_000u64)).transpose()?,
        })
    }

    /// The job's duration.
    pub fn duration_ms(&self) -> u64 {
        self.duration_ms.unwrap_or_else(|| self.fault.default_duration_ms())
    }

    /// The delay of `slow-start`.
    pub fn start_delay_ms(&self) -> u64 {
        self.start_delay_ms.unwrap_or(DEFAULT_START_DELAY_MS)
    }

    /// The seed of `flaky`.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(1)
    }

    /// The timeline of a job of `rows` rows created at `now_ms` (after `empty`/`huge`).
    pub fn timeline(&self, now_ms: u64, rows: u64) -> Timeline {
        let stop_rows = match self.fault {
            Fault::Fail => Some(rows * u64::from(self.fail_at.unwrap_or(DEFAULT_FAIL_AT)) / 100),
            Fault::NeverFinishes => Some((rows * STALL_PERCENT).div_ceil(100)),
            _ => None,
        };
        Timeline { created_ms: now_ms, duration_ms: self.duration_ms(), rows, stop_rows }
    }

    /// Sleeps `startDelayMs` under `slow-start`.
    pub async fn slow_start(&self) {
        if self.fault == Fault::SlowStart {
            tokio::time::sleep(std::time::Duration::from_millis(self.start_delay_ms())).await;
        }
    }
}

/// The query string's pairs (400 when it does not parse).
pub fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|_| ApiError::BadRequest("the query string is not valid".to_owned()))
}

/// The transport fault of the `index`-th (0-based) status request of a job, if its scenario has one.
pub fn transport(fault: Fault, seed: u64, index: u64) -> Option<Response> {
    match fault {
        Fault::Http500Once if index == 0 => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Fault::Http500Always => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Fault::Http502Once if index == 0 => Some(html_error(StatusCode::BAD_GATEWAY)),
        Fault::Http502Always => Some(html_error(StatusCode::BAD_GATEWAY)),
        Fault::RateLimited if index < 2 => Some(rate_limited()),
        Fault::Flaky => match flaky_fault(seed, index) {
            Some(FlakyFault::BadGateway) => Some(html_error(StatusCode::BAD_GATEWAY)),
            Some(FlakyFault::Reset) => Some(reset()),
            None => None,
        },
        _ => None,
    }
}

/// Whether the `index`-th status answer of a job is cut short.
pub fn malformed(fault: Fault, index: u64) -> bool {
    fault == Fault::MalformedJson || (fault == Fault::MalformedOnce && index == 0)
}

/// Where a job is, as a pure function of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Created at, ms since server start.
    pub created_ms: u64,
    /// How long the rows take.
    pub duration_ms: u64,
    /// Rows to export.
    pub rows: u64,
    /// Where `fail` fails or `never-finishes` stalls.
    pub stop_rows: Option<u64>,
}

/// A timeline's state at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `done` rows of `rows` are exported.
    Running {
        /// Rows done.
        done: u64,
    },
    /// Every row is exported.
    Complete,
    /// The stop point is reached (`fail` or `never-finishes`).
    Stopped {
        /// Rows done.
        done: u64,
    },
}

impl Timeline {
    /// Rows done at `now_ms`.
    pub fn done(&self, now_ms: u64) -> u64 {
        let elapsed = now_ms.saturating_sub(self.created_ms);
        let done = if self.duration_ms == 0 || elapsed >= self.duration_ms {
            self.rows
        } else {
            u64::try_from(u128::from(self.rows) * u128::from(elapsed) / u128::from(self.duration_ms)).unwrap_or(0)
        };
        self.stop_rows.map_or(done, |s| done.min(s))
    }

    /// The phase at `now_ms`.
    pub fn phase(&self, now_ms: u64) -> Phase {
        let done = self.done(now_ms);
        let elapsed = now_ms.saturating_sub(self.created_ms);
        match self.stop_rows {
            Some(stop) if done >= stop && (stop < self.rows || elapsed >= self.duration_ms) => Phase::Stopped { done },
            Some(_) => Phase::Running { done },
            None if elapsed >= self.duration_ms => Phase::Complete,
            None => Phase::Running { done },
        }
    }
}

/// The file formats the backends write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// UTF-8 CSV with a BOM.
    Csv,
    /// A JSON array of objects.
    Json,
    /// An .xlsx workbook.
    Xlsx,
}

impl FileFormat {
    /// The extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Json => "application/json",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A table to write: field keys (for JSON), column titles (for CSV and XLSX), and rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Field names.
    pub keys: Vec<String>,
    /// Column titles.
    pub titles: Vec<String>,
    /// The rows, one cell per key.
    pub rows: Vec<Vec<Cell>>,
}

/// Writes `table` in `format` to a new file in `dir`; blocking. Returns its path.
pub fn write_table(dir: &Path, format: FileFormat, table: &Table) -> Result<PathBuf, ApiError> {
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(format!("writing a file: {e}"));
    std::fs::create_dir_all(dir).map_err(|e| internal(&e))?;
    let path = dir.join(format!("{}.{}", crate::files::new_token(), format.extension()));
    let bytes = match format {
        FileFormat::Csv => csv_bytes(table),
        FileFormat::Json => {
            let items: Vec<serde_json::Value> = table
                .rows
                .iter()
                .map(|row| {
                    let map = table.keys.iter().zip(row).map(|(k, c)| (k.clone(), cell_json(c))).collect();
                    serde_json::Value::Object(map)
                })
                .collect();
            serde_json::to_vec(&items).map_err(|e| internal(&e))?
        }
        FileFormat::Xlsx => xlsx_bytes(table, "Sheet1").map_err(|e| internal(&e))?,
    };
    std::fs::write(&path, bytes).map_err(|e| internal(&e))?;
    Ok(path)
}

fn cell_json(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Text(t) => serde_json::Value::String(t.clone()),
        Cell::Number(n) => serde_json::json!(n),
    }
}

/// The CSV of `table`: BOM, titles, rows, CRLF.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let field = |s: &str| {
        if s.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    out.push_str(&table.titles.iter().map(|t| field(t)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => field(t),
                Cell::Number(n) => n.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The .xlsx of `table`, one sheet named `sheet`, bold titles.
pub fn xlsx_bytes(table: &Table, sheet: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let bold = XlsxFormat::new().set_bold();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet)?;
    for (col, title) in table.titles.iter().enumerate() {
        ws.write_string_with_format(0, col_index(col)?, title, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        for (col, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) => ws.write_string(r, col_index(col)?, t)?,
                Cell::Number(n) => ws.write_number(r, col_index(col)?, *n)?,
            };
        }
    }
    workbook.save_to_buffer()
}

fn col_index(col: usize) -> Result<u16, rust_xlsxwriter::XlsxError> {
    u16::try_from(col).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)
}

/// Writes a table on the blocking pool and registers it for download; returns the token.
pub async fn publish(
    state: &crate::AppState,
    format: FileFormat,
    table: Table,
    filename: String,
    client: String,
    job: u64,
) -> Result<String, ApiError> {
    let dir = state.config().data_dir.clone();
    let path = tokio::task::spawn_blocking(move || write_table(&dir, format, &table))
        .await
        .map_err(|e| ApiError::Internal(format!("writer: {e}")))??;
    Ok(crate::files::register(state, path, &filename, format.mime(), &client, job))
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `secs` (since the epoch, UTC) shifted by `offset_hours`, as `YYYY-MM-DD`, `HH:MM:SS`.
fn civil(secs: i64, offset_hours: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let secs = secs + offset_hours * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    ((y, m, d), (rem / 3600, rem % 3600 / 60, rem % 60))
}

/// RFC 3339 in China time, as the documents show: `2021-09-06T17:24:34+08:00`.
pub fn rfc3339_cst(secs: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+08:00")
}

/// `2023-05-26 19:28:33` in China time.
pub fn datetime_cst(secs: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// `2023-05-27` in China time.
pub fn date_cst(secs: i64) -> String {
    let ((y, mo, d), _) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_time() {
        assert_eq!(rfc3339_cst(1_630_920_274), "2021-09-06T17:24:34+08:00");
        assert_eq!(datetime_cst(0), "1970-01-01 08:00:00");
        assert_eq!(date_cst(1_685_145_600), "2023-05-27");
    }

    #[test]
    fn timelines_run_stop_and_complete() {
        let t = Timeline { created_ms: 100, duration_ms: 1000, rows: 10, stop_rows: None };
        assert_eq!(t.phase(100), Phase::Running { done: 0 });
        assert_eq!(t.phase(600), Phase::Running { done: 5 });
        assert_eq!(t.phase(1100), Phase::Complete);
        let f = Timeline { stop_rows: Some(4), ..t };
        assert_eq!(f.phase(400), Phase::Running { done: 3 });
        assert_eq!(f.phase(600), Phase::Stopped { done: 4 });
        assert_eq!(f.phase(5000), Phase::Stopped { done: 4 });
        let empty = Timeline { rows: 0, ..t };
        assert_eq!(empty.phase(1100), Phase::Complete);
    }

    #[test]
    fn scenarios_parse_among_the_supported_only() {
        assert_eq!(Fault::parse("fail", &[Fault::Normal, Fault::Fail]).unwrap(), Fault::Fail);
        let err = Fault::parse("expired", &[Fault::Normal]).unwrap_err();
        assert!(matches!(err, ApiError::BadScenario { ref valid, .. } if valid == &["normal"]));
        let mut names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
    }
}
