//! One export across tabs: which buttons would start the same job (a share key), the messages
//! the tabs of a site exchange about it, and each tab's part as a sans-IO machine
//! ([`Coordinator`], in [`tab`]).
//!
//! The browser side is the driver's, and only that: a Web Lock named by the key, held by the tab
//! that runs the job, and one `BroadcastChannel` per page ([`CHANNEL`]) carrying
//! `{"key":…,"type":"ask"|"view"|"end"|"cancel","view":[…]}` messages. Only protocols whose start
//! call re-attaches to a running job are shared: a tab taking over from a closed one starts again
//! and must find the same job, not a second one. K12's start endpoint does (it reports on the job
//! running for the term instead of creating one); the other backends create a job per call, so
//! they are not shared.

pub mod tab;

pub use tab::{Coordinator, TabCommand, TabInput, ASK_MS, CLAIM_GRACE_MS, QUIET_MS};

use crate::backends;
use crate::codec::json::{write_string, Json};
use crate::error::{Cancellation, FailKind, Failure};
use crate::http::{safe_download_url, sanitize_filename};
use crate::machine::{Download, Event, Stage, Status, View};

/// The channel every button of a site talks on (its messages carry their job's key).
pub const CHANNEL: &str = "k12-export";

/// A message longer than this is not read (a view with a long signed link is a few KB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// What a message says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// "Which tab runs this job? Send its view."
    Ask,
    /// The running tab's view (the job runs).
    View,
    /// The job ended: done, failed or cancelled (its last view).
    End,
    /// "Cancel this job" (pressed in a following tab).
    Cancel,
}

const KINDS_BY_NAME: [(Kind, &str); 4] =
    [(Kind::Ask, "ask"), (Kind::View, "view"), (Kind::End, "end"), (Kind::Cancel, "cancel")];

impl Kind {
    /// Its name on the channel.
    pub fn name(self) -> &'static str {
        KINDS_BY_NAME.iter().find(|(k, _)| *k == self).map_or("", |(_, n)| n)
    }
}

/// A message about a job, as read from the channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What it says.
    pub kind: Kind,
    /// Which run of the job it is about: each tab that leads the job names its run with a number
    /// (0 when the sender did not say).
    pub run: u64,
    /// The view it carries (checked: see [`read_message`]).
    pub view: Option<View>,
}

/// Runs are named by numbers below this (exact in a JSON number).
const MAX_RUN: i64 = 1 << 48;

/// The text of a message about `key`.
pub fn write_message(key: &str, kind: Kind, run: u64, view: Option<&View>) -> String {
    let mut out = String::from("{\"key\":");
    write_string(key, &mut out);
    out.push_str(",\"type\":\"");
    out.push_str(kind.name());
    out.push_str("\",\"run\":");
    crate::small_std::push_uint(&mut out, run);
    if let Some(v) = view {
        out.push_str(",\"view\":");
        view_to_json(v).write(&mut out);
    }
    out.push('}');
    out
}

/// A message about `key` read as a server's answer is: `None` unless it is one (too long, not
/// JSON, another key, an unknown type, a run that is not a number of 48 bits, a view that is not
/// one). A view's filename is sanitised and its link kept only when it is a safe absolute
/// `http(s)` URL.
pub fn read_message(text: &str, key: &str) -> Option<Message> {
    if text.len() > MAX_MESSAGE_BYTES {
        return None;
    }
    let m = Json::parse(text).ok()?;
    if m.get("key")?.as_str()? != key {
        return None;
    }
    let name = m.get("type")?.as_str()?;
    let kind = KINDS_BY_NAME.iter().find(|(_, n)| *n == name)?.0;
    let run = match m.get("run") {
        None | Some(Json::Null) => 0,
        Some(n) => n.as_i64().filter(|n| (0..MAX_RUN).contains(n))? as u64,
    };
    let view = match m.get("view") {
        None | Some(Json::Null) => None,
        Some(v) => Some(checked(view_from_json(v)?)),
    };
    Some(Message { kind, run, view })
}

/// `v` with what it carries from another page made safe as a server's answer is.
fn checked(mut v: View) -> View {
    v.filename = sanitize_filename(&v.filename).unwrap_or_default();
    if let Some(f) = &mut v.failure {
        *f = Failure { detail: None, ..f.clone() }.detail(f.detail.as_deref());
    }
    if let Some(c) = &mut v.cancellation {
        *c = Cancellation::new(c.detail.as_deref());
    }
    v.download = v.download.and_then(|d| {
        let url = d.url.as_deref().and_then(safe_download_url).filter(|u| is_absolute_http(u))?;
        Some(Download { url: Some(url), filename: sanitize_filename(&d.filename).unwrap_or_default() })
    });
    v
}

/// `http://…` or `https://…` (any case).
fn is_absolute_http(url: &str) -> bool {
    let lower: String = url.chars().take(8).collect::<String>().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

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
const KINDS: [FailKind; 7] = FailKind::ALL;

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
        // The failure's words, or the server's when it ended the job (status cancelled).
        text(f.and_then(|f| f.detail.as_deref()).or(v.cancellation.as_ref().and_then(|c| c.detail.as_deref()))),
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
    let status = STATUSES[pick(0, STATUSES.len())?];
    let words = text(8)?;
    let (failure, cancellation) = match at(6) {
        Json::Null => (None, (status == Status::Cancelled).then_some(Cancellation { detail: words })),
        _ => {
            let kind = KINDS[pick(6, KINDS.len())?];
            (Some(Failure { kind, status: int(7, u32::from(u16::MAX))?.map(|s| s as u16), detail: words }), None)
        }
    };
    let download = match at(9) {
        Json::Bool(true) => Some(Download { url: text(10)?, filename: text(11)?.unwrap_or_default() }),
        _ => None,
    };
    // Fields a later version adds to the view keep their defaults when an older tab sends one.
    #[allow(clippy::needless_update)]
    Some(View {
        status,
        stage: STAGES[pick(1, STAGES.len())?],
        filename: text(2)?.unwrap_or_default(),
        percent: int(3, 100)?.map(|p| p as u8),
        eta_secs: int(4, u32::MAX)?,
        retrying: matches!(at(5), Json::Bool(true)),
        failure,
        download,
        stalled_secs: int(12, u32::MAX)?,
        cancellation,
        ..View::default()
    })
}

/// What of a shown view its events depend on: its status and percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Shown {
    /// The view's status.
    pub status: Status,
    /// The view's percent.
    pub percent: Option<u8>,
}

impl Shown {
    /// What events of `v` depend on.
    pub fn of(v: &View) -> Shown {
        Shown { status: v.status, percent: v.percent }
    }
}

/// What a following tab tells its owner when the shown view goes from `prev` to `next`: the
/// export began, the percent changed, it failed. Never `Done`: the file is downloaded in the tab
/// that runs the job, not here.
pub fn follow_events(prev: Shown, next: &View) -> Vec<Event> {
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
