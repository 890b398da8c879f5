//! Scenarios (chosen per request with `?scenario=`) and the two backend conventions (`?scheme=`).
//!
//! A scenario decides how many rows a job writes, how fast, and what goes wrong on the wire. The
//! behaviour lives in the K12 routes and the job runner; this module names the scenarios, documents
//! them (`GET /__mock/scenarios` renders [`Scenario::ALL`]), and holds the seeded coin of `flaky`.

use serde::Serialize;

/// One scenario. See [`Scenario::description`] for what each does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scenario {
    /// The default.
    #[default]
    Normal,
    /// A short job.
    Fast,
    /// A long job.
    Slow,
    /// No students.
    Empty,
    /// 100,000 students.
    Huge,
    /// The job fails part-way.
    Fail,
    /// The first progress request of the job answers HTTP 500.
    Http500Once,
    /// Every progress request answers HTTP 500.
    Http500Always,
    /// The first progress request of the job answers HTTP 502.
    Http502Once,
    /// Every progress request answers HTTP 502.
    Http502Always,
    /// The first two progress requests answer HTTP 429.
    RateLimited,
    /// Every progress answer is cut short.
    MalformedJson,
    /// The first progress answer is cut short.
    MalformedOnce,
    /// Progress answers `result: null`.
    ResultNull,
    /// Numbers as JSON strings.
    StringNumbers,
    /// `loaded` overshoots `total` near the end.
    LoadedOverTotal,
    /// Progress completes, the URL never comes.
    UrlNever,
    /// Progress stalls at 63%.
    NeverFinishes,
    /// The URL is a `javascript:` URL.
    JavascriptUrl,
    /// The file name is hostile.
    HostileFilename,
    /// The start endpoint answers late.
    SlowStart,
    /// Progress requests fail at random (seeded).
    Flaky,
    /// The start endpoint answers `code != 0`.
    CodeErrorStart,
}

impl Scenario {
    /// Every scenario, in the order the docs list them.
    pub const ALL: [Scenario; 23] = [
        Scenario::Normal,
        Scenario::Fast,
        Scenario::Slow,
        Scenario::Empty,
        Scenario::Huge,
        Scenario::Fail,
        Scenario::Http500Once,
        Scenario::Http500Always,
        Scenario::Http502Once,
        Scenario::Http502Always,
        Scenario::RateLimited,
        Scenario::MalformedJson,
        Scenario::MalformedOnce,
        Scenario::ResultNull,
        Scenario::StringNumbers,
        Scenario::LoadedOverTotal,
        Scenario::UrlNever,
        Scenario::NeverFinishes,
        Scenario::JavascriptUrl,
        Scenario::HostileFilename,
        Scenario::SlowStart,
        Scenario::Flaky,
        Scenario::CodeErrorStart,
    ];

    /// The name used in `?scenario=`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Normal => "normal",
            Scenario::Fast => "fast",
            Scenario::Slow => "slow",
            Scenario::Empty => "empty",
            Scenario::Huge => "huge",
            Scenario::Fail => "fail",
            Scenario::Http500Once => "http500-once",
            Scenario::Http500Always => "http500-always",
            Scenario::Http502Once => "http502-once",
            Scenario::Http502Always => "http502-always",
            Scenario::RateLimited => "rate-limited",
            Scenario::MalformedJson => "malformed-json",
            Scenario::MalformedOnce => "malformed-once",
            Scenario::ResultNull => "result-null",
            Scenario::StringNumbers => "string-numbers",
            Scenario::LoadedOverTotal => "loaded-over-total",
            Scenario::UrlNever => "url-never",
            Scenario::NeverFinishes => "never-finishes",
            Scenario::JavascriptUrl => "javascript-url",
            Scenario::HostileFilename => "hostile-filename",
            Scenario::SlowStart => "slow-start",
            Scenario::Flaky => "flaky",
            Scenario::CodeErrorStart => "code-error-start",
        }
    }

    /// One line saying what the scenario does.
    pub fn description(self) -> &'static str {
        match self {
            Scenario::Normal => "The term's real students, written in about 4 s (durationMs=4000).",
            Scenario::Fast => "The term's real students, written in about 1.5 s.",
            Scenario::Slow => "The term's real students, written in about 15 s.",
            Scenario::Empty => "As if the term had no students: a file with only the header row.",
            Scenario::Huge => "As if the term had 100,000 students; writes as fast as it can, but takes at least 5 s.",
            Scenario::Fail => {
                "At failAt percent (default 40) the job stops and progress answers code -1, \
                 \"导出任务异常：数据库连接中断\"."
            }
            Scenario::Http500Once => {
                "The job's first progress request answers HTTP 500 with an HTML page; later ones work."
            }
            Scenario::Http500Always => "Every progress request answers HTTP 500 with an HTML page.",
            Scenario::Http502Once => {
                "The job's first progress request answers HTTP 502 with a gateway's HTML page; later ones work."
            }
            Scenario::Http502Always => "Every progress request answers HTTP 502 with a gateway's HTML page.",
            Scenario::RateLimited => {
                "The job's first two progress requests answer HTTP 429 with Retry-After: 1 and a JSON body."
            }
            Scenario::MalformedJson => "Every progress answer is cut-off, invalid JSON.",
            Scenario::MalformedOnce => "The job's first progress answer is cut-off, invalid JSON; later ones are fine.",
            Scenario::ResultNull => {
                "Progress answers result: null throughout; the start endpoint still gives the URL when the file is done."
            }
            Scenario::StringNumbers => "code, retCode, loaded and total come as JSON strings (\"0\", \"12\").",
            Scenario::LoadedOverTotal => {
                "Once every row is written, loaded is reported as students + 5, over total."
            }
            Scenario::UrlNever => "Progress reaches 100% but the start endpoint never gives the URL.",
            Scenario::NeverFinishes => "Progress stalls at 63% forever.",
            Scenario::JavascriptUrl => "The URL, once ready, is javascript:alert(document.domain).",
            Scenario::HostileFilename => {
                "The file name is ../../<img src=x onerror=alert(1)>\\u0000报表.xlsx in the JSON; \
                 the download header carries a sanitised form."
            }
            Scenario::SlowStart => {
                "The start call that creates the job answers after startDelayMs (default 3000); later ones at once."
            }
            Scenario::Flaky => {
                "Each progress request fails ~30% of the time (seeded by seed, default 1): \
                 HTTP 502 or a connection reset mid-body."
            }
            Scenario::CodeErrorStart => {
                "The start endpoint answers code -1, \"导出失败：没有导出权限\", at once; no job is created."
            }
        }
    }

    /// Parses a `?scenario=` value.
    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|sc| sc.name() == s)
    }

    /// The job's target duration when the request does not give `durationMs`.
    pub fn default_duration_ms(self) -> u64 {
        match self {
            Scenario::Fast => 1_500,
            Scenario::Slow => 15_000,
            Scenario::Huge => 5_000,
            _ => 4_000,
        }
    }

    /// Every scenario's name, comma-separated, for error messages.
    pub fn names() -> String {
        Scenario::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
    }
}

/// The backend convention for `loaded` / `total`, from the design document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// `total = n + 1` from the first answer; the URL exists exactly when `loaded == total`; an empty
    /// export is `total 1` and still has a URL.
    #[default]
    A,
    /// A made-up first answer `total 1, loaded 0`; then `total = n`; the URL comes `urlDelayMs` after
    /// `loaded == total == n`; an empty export is `total 1, loaded 2`.
    B,
}

impl Scheme {
    /// Parses `A` or `B` (either case).
    pub fn parse(s: &str) -> Option<Scheme> {
        match s {
            "A" | "a" => Some(Scheme::A),
            "B" | "b" => Some(Scheme::B),
            _ => None,
        }
    }

    /// `"A"` or `"B"`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::A => "A",
            Scheme::B => "B",
        }
    }
}

/// What a `flaky` progress request suffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlakyFault {
    /// An HTTP 502 gateway page.
    BadGateway,
    /// Headers, then the connection drops mid-body.
    Reset,
}

/// The fate of the `index`-th (0-based) progress request of a `flaky` job: `None` means it works.
/// A pure function of `(seed, index)`, so that tests can predict it.
pub fn flaky_fault(seed: u64, index: u64) -> Option<FlakyFault> {
    let h = crate::data::mix(crate::data::mix(seed ^ 0xF1A4) ^ index);
    match h % 100 {
        0..=14 => Some(FlakyFault::BadGateway),
        15..=29 => Some(FlakyFault::Reset),
        _ => None,
    }
}

/// An entry of `GET /__mock/scenarios`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioInfo {
    /// The `?scenario=` value.
    pub name: &'static str,
    /// One line saying what it does.
    pub description: &'static str,
    /// The job's target duration when `durationMs` is not given.
    pub default_duration_ms: u64,
}

/// Every scenario, for `GET /__mock/scenarios`.
pub fn catalogue() -> Vec<ScenarioInfo> {
    Scenario::ALL
        .into_iter()
        .map(|s| ScenarioInfo {
            name: s.name(),
            description: s.description(),
            default_duration_ms: s.default_duration_ms(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.name()), Some(s));
        }
        let mut names: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Scenario::ALL.len());
        assert_eq!(Scenario::parse("Normal"), None);
    }

    #[test]
    fn flaky_fails_about_thirty_percent_with_both_faults() {
        let faults: Vec<_> = (0..1000).map(|i| flaky_fault(1, i)).collect();
        let failed = faults.iter().filter(|f| f.is_some()).count();
        assert!((240..=360).contains(&failed), "{failed}");
        assert!(faults.contains(&Some(FlakyFault::Reset)) && faults.contains(&Some(FlakyFault::BadGateway)));
        assert_eq!(faults, (0..1000).map(|i| flaky_fault(1, i)).collect::<Vec<_>>());
    }
}
