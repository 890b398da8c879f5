//! Scenarios, chosen per job with `?scenario=`: what a job does and what goes wrong on the wire.
//!
//! One enum for every backend; each backend lists the scenarios it supports (`SCENARIOS` in its
//! module) and says in its docs how exactly it plays each. `GET /__mock/scenarios?backend=B`
//! renders a backend's list with [`catalogue`].

use serde::Serialize;

use crate::error::ApiError;

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
    /// No rows.
    Empty,
    /// Many rows (or the backend's refusal of them).
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
    /// Progress answers `result: null` (K12).
    ResultNull,
    /// Numbers as JSON strings (K12).
    StringNumbers,
    /// `loaded` overshoots `total` near the end (K12).
    LoadedOverTotal,
    /// Progress completes, the URL never comes (K12).
    UrlNever,
    /// The job stalls at 63% forever.
    NeverFinishes,
    /// The download URL is `javascript:`.
    JavascriptUrl,
    /// The download URL is a path, relative to the page.
    RelativeUrl,
    /// The download URL is on another origin.
    ForeignUrl,
    /// The download URL is an expired signed link on another origin: 403 with an XML body.
    ExpiredLink,
    /// The file name is hostile.
    HostileFilename,
    /// The creating request answers late.
    SlowStart,
    /// Status requests fail at random (seeded).
    Flaky,
    /// The start endpoint answers `code != 0` (K12).
    CodeErrorStart,
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
    /// Status answers of about 50 MB (K12).
    HugeAnswer,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 32] = {
        use Scenario::*;
        Scenario::join(&[
            &[Normal, Fast, Slow, Empty, Huge, Fail],
            &WIRE_FAULTS,
            &[ResultNull, StringNumbers, LoadedOverTotal, UrlNever, NeverFinishes, JavascriptUrl, HostileFilename],
            &[RelativeUrl, ForeignUrl, ExpiredLink],
            &[SlowStart, Flaky, CodeErrorStart, StartError, Cancelled, Expired, Partial, AlmostJson, HugeAnswer],
        ])
    };

    /// The list of the export service, XLink or MinApp: `own`, the [`WIRE_FAULTS`], then the faults
    /// the three share (`flaky`, a `javascript:` link, a hostile file name, a slow or refused
    /// creating request). `N` must be the total length.
    pub const fn with_link_faults<const N: usize>(own: &[Scenario]) -> [Scenario; N] {
        use Scenario::*;
        Scenario::join(&[own, &WIRE_FAULTS, &[Flaky, JavascriptUrl, HostileFilename, SlowStart, StartError]])
    }

    /// `parts` one after another: how a backend lists its scenarios around the [`WIRE_FAULTS`] every
    /// one plays. A `const fn`, so that the lists are constants; `N` must be the total length.
    pub const fn join<const N: usize>(parts: &[&[Scenario]]) -> [Scenario; N] {
        let mut out = [Scenario::Normal; N];
        let (mut n, mut p) = (0, 0);
        while p < parts.len() {
            let mut i = 0;
            while i < parts[p].len() {
                out[n] = parts[p][i];
                n += 1;
                i += 1;
            }
            p += 1;
        }
        assert!(n == N, "the parts do not add up to the list's length");
        out
    }

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
            Scenario::RelativeUrl => "relative-url",
            Scenario::ForeignUrl => "foreign-url",
            Scenario::ExpiredLink => "expired-link",
            Scenario::HostileFilename => "hostile-filename",
            Scenario::SlowStart => "slow-start",
            Scenario::Flaky => "flaky",
            Scenario::CodeErrorStart => "code-error-start",
            Scenario::StartError => "start-error",
            Scenario::Cancelled => "cancelled",
            Scenario::Expired => "expired",
            Scenario::Partial => "partial",
            Scenario::AlmostJson => "almost-json",
            Scenario::HugeAnswer => "huge-answer",
        }
    }

    /// One line saying what the scenario does (each backend's module says how exactly; K12 has
    /// its own lines, see `backends::k12::describe`).
    pub fn description(self) -> &'static str {
        match self {
            Scenario::Normal => "The job runs about 4 s (durationMs=4000).",
            Scenario::Fast => "The job runs about 1.5 s.",
            Scenario::Slow => "The job runs about 15 s.",
            Scenario::Empty => "No rows: a file with only the header.",
            Scenario::Huge => "A very large export (or the backend's refusal of one).",
            Scenario::Fail => "The job fails at failAt percent (default 40) with the backend's failure answer.",
            Scenario::Http500Once => "The job's first status request answers HTTP 500 (HTML); later ones work.",
            Scenario::Http500Always => "Every status request answers HTTP 500 (HTML).",
            Scenario::Http502Once => {
                "The job's first status request answers HTTP 502 (a gateway's HTML); later ones work."
            }
            Scenario::Http502Always => "Every status request answers HTTP 502.",
            Scenario::RateLimited => "The job's first two status requests answer 429 with Retry-After: 1.",
            Scenario::MalformedJson => "Every status answer is cut-off JSON.",
            Scenario::MalformedOnce => "The first status answer is cut-off JSON; later ones are fine.",
            Scenario::ResultNull => "Progress answers result: null throughout.",
            Scenario::StringNumbers => "Numbers come as JSON strings.",
            Scenario::LoadedOverTotal => "Once every row is written, the count overshoots the total.",
            Scenario::UrlNever => "Progress reaches 100% but the URL never comes.",
            Scenario::NeverFinishes => "The job never finishes (stalls at 63%).",
            Scenario::JavascriptUrl => "The download URL is javascript:alert(document.domain).",
            Scenario::RelativeUrl => "The download URL is a path (/files/…), relative to the page.",
            Scenario::ForeignUrl => "The download URL is on another origin (the file, as an attachment).",
            Scenario::ExpiredLink => {
                "The download URL is an expired signed storage link on another origin: it answers 403 with an XML body."
            }
            Scenario::HostileFilename => "The file name is ../../<img src=x onerror=alert(1)>\\u0000报表.",
            Scenario::SlowStart => "The creating request answers after startDelayMs (default 3000).",
            Scenario::Flaky => {
                "Status requests fail ~30% of the time (seeded by seed): HTTP 502 or a connection reset."
            }
            Scenario::CodeErrorStart | Scenario::StartError => {
                "The creating request answers the backend's error; no job."
            }
            Scenario::Cancelled => "The job ends cancelled (or invalid, or deleted) half-way.",
            Scenario::Expired => "The job completes, then reports itself expired.",
            Scenario::Partial => "Some rows fail: the job ends done with failures.",
            Scenario::AlmostJson => {
                "Answers are written like the design document's examples: bare words, trailing commas."
            }
            Scenario::HugeAnswer => "Every status answer is valid JSON of about 50 MB, streamed.",
        }
    }

    /// The job's duration when the request gives no `durationMs`.
    pub fn default_duration_ms(self) -> u64 {
        match self {
            Scenario::Fast => 1_500,
            Scenario::Slow => 15_000,
            Scenario::Huge => 5_000,
            _ => 4_000,
        }
    }

    /// Parses a name among `supported`; anything else is a 400 listing them.
    pub fn parse(name: &str, supported: &[Scenario]) -> Result<Scenario, ApiError> {
        supported.iter().copied().find(|s| s.name() == name).ok_or_else(|| ApiError::BadScenario {
            name: name.to_owned(),
            valid: supported.iter().map(|s| s.name()).collect(),
        })
    }
}

/// The faults every backend plays on its status requests, in the order they are listed (with
/// `flaky`, which each backend lists where it likes).
pub const WIRE_FAULTS: [Scenario; 7] = [
    Scenario::Http500Once,
    Scenario::Http500Always,
    Scenario::Http502Once,
    Scenario::Http502Always,
    Scenario::RateLimited,
    Scenario::MalformedJson,
    Scenario::MalformedOnce,
];

/// What a `flaky` status request suffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlakyFault {
    /// An HTTP 502 gateway page.
    BadGateway,
    /// Headers, then the connection drops mid-body.
    Reset,
}

/// The fate of the `index`-th (0-based) status request of a `flaky` job: `None` means it works.
/// A pure function of `(seed, index)`, so that tests can predict it.
pub fn flaky_fault(seed: u64, index: u64) -> Option<FlakyFault> {
    let h = crate::hash::mix(crate::hash::mix(seed ^ 0xF1A4) ^ index);
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

/// A backend's scenarios for `GET /__mock/scenarios`, described by `describe`.
pub fn catalogue(supported: &[Scenario], describe: fn(Scenario) -> &'static str) -> Vec<ScenarioInfo> {
    supported
        .iter()
        .map(|&s| ScenarioInfo {
            name: s.name(),
            description: describe(s),
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
            assert_eq!(Scenario::parse(s.name(), &Scenario::ALL).unwrap(), s);
        }
        let mut names: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Scenario::ALL.len());
        assert!(Scenario::parse("Normal", &Scenario::ALL).is_err());
    }

    #[test]
    fn scenarios_parse_among_the_supported_only() {
        assert_eq!(Scenario::parse("fail", &[Scenario::Normal, Scenario::Fail]).unwrap(), Scenario::Fail);
        let err = Scenario::parse("expired", &[Scenario::Normal]).unwrap_err();
        assert!(matches!(err, ApiError::BadScenario { ref valid, .. } if valid == &["normal"]));
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
