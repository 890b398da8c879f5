//! One export across tabs, its pure part: which buttons would start the same job (a share key),
//! the running export's [`View`] as JSON for the other tabs, and what a following tab reports.
//!
//! The browser side (a Web Lock named by the key held by the tab that runs the job, a
//! `BroadcastChannel` carrying `{"key":…,"type":"ask"|"view"|"end"|"cancel","view":…}` messages)
//! is the driver's. Only protocols whose start call re-attaches to a running job are shared: a tab
//! taking over from a closed one starts again and must find the same job, not a second one. K12's start endpoint does (it reports on the job
//! running for the term instead of creating one); the other backends create a job per call, so
//! they are not shared.

use crate::backends;
use crate::codec::json::Json;
use crate::error::{FailKind, Failure};
use crate::machine::{Download, Event, Stage, Status, View};

/// Protocols whose start call re-attaches to the running job, so a tab may take one over.
pub const REATTACHING: &[&str] = &["k12"];

/// The widget option that turns sharing off (`"share": false`).
pub const OPTION: &str = "share";

/// The share key of a button with these options (the host's options with `data` merged in):
/// equal for buttons that would start the same job — same protocol, endpoints and data — and
/// `None` when the export is not shared (`"share": false`, a protocol that cannot re-attach,
/// options that are not an object). Widget fields (label, language, …), the filename template and
/// timing settings do not change the job and are not part of it.
pub fn key(options: &Json) -> Option<String> {
    if !matches!(options, Json::Obj(_)) || matches!(options.get(OPTION), Some(Json::Bool(false))) {
        return None;
    }
    let name = match options.get("protocol") {
        None | Some(Json::Null) => "k12",
        Some(Json::Str(s)) => s.as_str(),
        Some(_) => return None,
    };
    if !REATTACHING.contains(&name) {
        return None;
    }
    let protocol = backends::find(name)?;
    let mut job: Vec<(String, Json)> = vec![("protocol".into(), Json::from(name))];
    for k in protocol.keys.iter().copied().chain(["data"]) {
        if let Some(v) = options.get(k).filter(|v| !v.is_null()) {
            job.push((k.to_owned(), v.clone()));
        }
    }
    let mut text = String::new();
    canonical(&Json::Obj(job)).write(&mut text);
    let hash = fnv1a(text.as_bytes());
    let mut name = String::from("k12-export:");
    // 16 hex digits by hand: the formatter's integer padding is not otherwise in the bundle.
    name.extend((0..16).rev().map(|i| char::from(b"0123456789abcdef"[(hash >> (i * 4)) as usize & 15])));
    Some(name)
}

/// `v` with every object's members deduplicated (the last wins, as lookups do) and sorted by key.
fn canonical(v: &Json) -> Json {
    match v {
        Json::Obj(members) => {
            let mut out: Vec<(String, Json)> = Vec::with_capacity(members.len());
            for (k, v) in members {
                out.retain(|(o, _)| o != k);
                out.push((k.clone(), canonical(v)));
            }
            // An insertion sort: objects of options are small, and the standard sorts are big.
            for i in 1..out.len() {
                let mut j = i;
                while j > 0 && out[j - 1].0 > out[j].0 {
                    out.swap(j - 1, j);
                    j -= 1;
                }
            }
            Json::Obj(out)
        }
        Json::Arr(items) => Json::Arr(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// 64-bit FNV-1a: a short, stable lock name (not a secret; tabs of one origin only).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

const STATUSES: [Status; 5] = [Status::Idle, Status::Exporting, Status::Done, Status::Failed, Status::Cancelled];
const STAGES: [Stage; 3] = [Stage::Starting, Stage::Running, Stage::Generating];
const KINDS: [FailKind; 8] = FailKind::ALL;

fn index_of<T: PartialEq>(table: &[T], v: &T) -> Json {
    Json::from(table.iter().position(|t| t == v).unwrap_or(0) as i64)
}

fn int(v: Option<u32>) -> Json {
    v.map_or(Json::Null, |n| Json::from(i64::from(n)))
}

fn text(s: Option<&str>) -> Json {
    s.map_or(Json::Null, Json::from)
}

/// A view as JSON, for another tab: one array of its fields, in order (compact, and the same
/// for every version that has these fields; fields added later go at its end).
pub fn view_to_json(v: &View) -> Json {
    let f = v.failure.as_ref();
    let d = v.download.as_ref();
    Json::Arr(vec![
        index_of(&STATUSES, &v.status),
        index_of(&STAGES, &v.stage),
        Json::from(v.filename.as_str()),
        int(v.percent.map(u32::from)),
        int(v.eta_secs),
        Json::from(v.retrying),
        f.map_or(Json::Null, |f| index_of(&KINDS, &f.kind)),
        int(f.and_then(|f| f.status).map(u32::from)),
        text(f.and_then(|f| f.detail.as_deref())),
        Json::from(d.is_some()),
        text(d.and_then(|d| d.url.as_deref())),
        text(d.map(|d| d.filename.as_str())),
        int(v.stalled_secs),
    ])
}

/// A view from another tab; `None` when it is not one. Numbers out of range are refused, text is
/// kept as text (rendered as such, like the server's).
pub fn view_from_json(v: &Json) -> Option<View> {
    let Json::Arr(a) = v else { return None };
    let at = |i: usize| a.get(i).unwrap_or(&Json::Null);
    let pick = |i: usize, len: usize| at(i).as_i64().and_then(|n| usize::try_from(n).ok()).filter(|n| *n < len);
    // Absent is `Some(None)`; present and wrong is `None`.
    let int = |i: usize, max: u32| match at(i) {
        Json::Null => Some(None),
        n => n.as_i64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= max).map(Some),
    };
    let text = |i: usize| match at(i) {
        Json::Null => Some(None),
        Json::Str(s) => Some(Some(s.clone())),
        _ => None,
    };
    let failure = match at(6) {
        Json::Null => None,
        _ => Some(Failure {
            kind: KINDS[pick(6, KINDS.len())?],
            status: int(7, u32::from(u16::MAX))?.map(|s| s as u16),
            detail: text(8)?,
        }),
    };
    let download = match at(9) {
        Json::Bool(true) => Some(Download { url: text(10)?, filename: text(11)?.unwrap_or_default() }),
        _ => None,
    };
    // Fields a later version adds to the view keep their defaults when an older tab sends one.
    #[allow(clippy::needless_update)]
    Some(View {
        status: STATUSES[pick(0, STATUSES.len())?],
        stage: STAGES[pick(1, STAGES.len())?],
        filename: text(2)?.unwrap_or_default(),
        percent: int(3, 100)?.map(|p| p as u8),
        eta_secs: int(4, u32::MAX)?,
        retrying: matches!(at(5), Json::Bool(true)),
        failure,
        download,
        stalled_secs: int(12, u32::MAX)?,
        ..View::default()
    })
}

/// What a following tab tells its owner when the shown view goes from `prev` to `next`: the
/// export began, the percent changed, it failed. Never `Done`: the file is downloaded in the tab
/// that runs the job, not here.
pub fn follow_events(prev: &View, next: &View) -> Vec<Event> {
    let mut events = Vec::new();
    let began = next.status == Status::Exporting && prev.status != Status::Exporting;
    if began {
        events.push(Event::Started);
    }
    if next.status == Status::Exporting && (began || next.percent != prev.percent) {
        events.push(Event::Progress(next.percent));
    }
    if let (Status::Failed, Some(f)) = (next.status, &next.failure) {
        if prev.status != Status::Failed {
            events.push(Event::Failed(f.clone()));
        }
    }
    events
}
