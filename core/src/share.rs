//! One export across tabs, its pure part: which buttons would start the same job (a share key),
//! and the messages tabs exchange about it (the running export's [`View`] as JSON).
//!
//! The browser side (a Web Lock named by the key held by the tab that runs the job, a
//! `BroadcastChannel` carrying these messages) is the driver's. Only protocols whose start call
//! re-attaches to a running job are shared: a tab taking over from a closed one starts again and
//! must find the same job, not a second one. K12's start endpoint does (it reports on the job
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
    Some(format!("k12-export:{:016x}", fnv1a(text.as_bytes())))
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
            out.sort_by(|a, b| a.0.cmp(&b.0));
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

/// What tabs tell each other about the job of one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// "Who runs this job?": the tab running it answers with its view.
    Ask,
    /// The running job's view, sent by the tab running it at each change.
    View(View),
    /// The job ended (done or failed) with this view; following tabs show it and stop following.
    End(View),
}

impl Message {
    /// The message for `key` as text for the channel.
    pub fn encode(&self, key: &str) -> String {
        let (kind, view) = match self {
            Message::Ask => ("ask", None),
            Message::View(v) => ("view", Some(v)),
            Message::End(v) => ("end", Some(v)),
        };
        let mut members = vec![("key".to_owned(), Json::from(key)), ("type".to_owned(), Json::from(kind))];
        if let Some(v) = view {
            members.push(("view".to_owned(), view_to_json(v)));
        }
        let mut out = String::new();
        Json::Obj(members).write(&mut out);
        out
    }

    /// Reads a channel message about `key`; `None` for another key's or anything unreadable (a
    /// page of the same origin may post anything on the channel).
    pub fn decode(text: &str, key: &str) -> Option<Message> {
        let v = Json::parse(text).ok()?;
        if v.get("key")?.as_str()? != key {
            return None;
        }
        match v.get("type")?.as_str()? {
            "ask" => Some(Message::Ask),
            "view" => view_from_json(v.get("view")?).map(Message::View),
            "end" => view_from_json(v.get("view")?).map(Message::End),
            _ => None,
        }
    }
}

const STATUSES: [(Status, &str); 4] =
    [(Status::Idle, "idle"), (Status::Exporting, "exporting"), (Status::Done, "done"), (Status::Failed, "failed")];
const STAGES: [(Stage, &str); 3] =
    [(Stage::Starting, "starting"), (Stage::Running, "running"), (Stage::Generating, "generating")];
const KINDS: [(FailKind, &str); 8] = [
    (FailKind::Server, "server"),
    (FailKind::Http, "http"),
    (FailKind::Network, "network"),
    (FailKind::BadResponse, "bad-response"),
    (FailKind::UnsafeUrl, "unsafe-url"),
    (FailKind::TimedOut, "timed-out"),
    (FailKind::Rejected, "rejected"),
    (FailKind::Cancelled, "cancelled"),
];

fn name_of<T: PartialEq + Copy>(table: &[(T, &'static str)], v: T) -> &'static str {
    table.iter().find(|(t, _)| *t == v).map_or("", |(_, n)| n)
}

fn value_of<T: Copy>(table: &[(T, &'static str)], name: Option<&Json>) -> Option<T> {
    let name = name?.as_str()?;
    table.iter().find(|(_, n)| *n == name).map(|(t, _)| *t)
}

fn opt_text(s: Option<&String>) -> Json {
    s.map_or(Json::Null, |s| Json::from(s.as_str()))
}

/// A view as JSON, for another tab.
pub fn view_to_json(v: &View) -> Json {
    let failure = v.failure.as_ref().map_or(Json::Null, |f| {
        Json::Obj(vec![
            ("kind".into(), Json::from(name_of(&KINDS, f.kind))),
            ("status".into(), f.status.map_or(Json::Null, |s| Json::from(i64::from(s)))),
            ("detail".into(), opt_text(f.detail.as_ref())),
        ])
    });
    let download = v.download.as_ref().map_or(Json::Null, |d| {
        Json::Obj(vec![("url".into(), opt_text(d.url.as_ref())), ("filename".into(), Json::from(d.filename.as_str()))])
    });
    Json::Obj(vec![
        ("status".into(), Json::from(name_of(&STATUSES, v.status))),
        ("stage".into(), Json::from(name_of(&STAGES, v.stage))),
        ("filename".into(), Json::from(v.filename.as_str())),
        ("percent".into(), v.percent.map_or(Json::Null, |p| Json::from(i64::from(p)))),
        ("eta".into(), v.eta_secs.map_or(Json::Null, |s| Json::from(i64::from(s)))),
        ("retrying".into(), Json::from(v.retrying)),
        ("failure".into(), failure),
        ("download".into(), download),
    ])
}

/// A view from another tab; `None` when it is not one. Numbers out of range are refused, text is
/// kept as text (rendered as such, like the server's).
pub fn view_from_json(v: &Json) -> Option<View> {
    let int = |key: &str, max: i64| -> Option<Option<i64>> {
        match v.get(key) {
            None | Some(Json::Null) => Some(None),
            Some(n) => n.as_i64().filter(|n| (0..=max).contains(n)).map(Some),
        }
    };
    let text = |v: &Json, key: &str| -> Option<Option<String>> {
        match v.get(key) {
            None | Some(Json::Null) => Some(None),
            Some(Json::Str(s)) => Some(Some(s.clone())),
            Some(_) => None,
        }
    };
    let failure = match v.get("failure") {
        None | Some(Json::Null) => None,
        Some(f) => {
            let mut failure = Failure::new(value_of(&KINDS, f.get("kind"))?);
            failure.status = match f.get("status") {
                None | Some(Json::Null) => None,
                Some(s) => Some(u16::try_from(s.as_i64()?).ok()?),
            };
            failure.detail = text(f, "detail")?;
            Some(failure)
        }
    };
    let download = match v.get("download") {
        None | Some(Json::Null) => None,
        Some(d) => Some(Download { url: text(d, "url")?, filename: text(d, "filename")?.unwrap_or_default() }),
    };
    // Fields a later version adds to the view keep their defaults when an older tab sends one.
    #[allow(clippy::needless_update)]
    Some(View {
        status: value_of(&STATUSES, v.get("status"))?,
        stage: value_of(&STAGES, v.get("stage"))?,
        filename: text(v, "filename")?.unwrap_or_default(),
        percent: int("percent", 100)?.map(|p| p as u8),
        eta_secs: int("eta", i64::from(u32::MAX))?.map(|s| s as u32),
        retrying: matches!(v.get("retrying"), Some(Json::Bool(true))),
        failure,
        download,
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
