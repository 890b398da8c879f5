//! What the backend test files share: a machine in a fake world (requests sent, downloads, saved
//! files, events, a clock), and the property-test driver of `never_wedged.rs` generalised to any
//! protocol.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

/// A machine (the export machine unless named) plus a fake world: what was sent, downloaded,
/// saved, aborted, told, and a clock.
pub struct World<M: SansIo = Machine> {
    pub m: M,
    pub now: f64,
    pub sent: Vec<(RequestId, HttpRequest)>,
    pub aborted: Vec<RequestId>,
    pub downloads: Vec<(String, String)>,
    pub saves: Vec<(Vec<u8>, &'static str, String)>,
    pub events: Vec<M::Event>,
}

/// The K12 cache configuration of the tests, as the pages write it: the homework export's start
/// and progress endpoints.
pub const K12_CONFIG: &str = r#"{
  "homework-export": {"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
  "homework-export-progress": {"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}
}"#;

/// K12 options text: [`K12_CONFIG`], the object `data`, then the `extra` fields (`,"a":1`).
pub fn k12_options(data: &str, extra: &str) -> String {
    ["{\"config\":", K12_CONFIG, ",\"data\":", data, extra, "}"].concat()
}

/// Parses options text; panics with the error (tests give valid options unless they say not).
pub fn options(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The field named by the error for `text`, which must not validate.
pub fn error_field(text: &str) -> String {
    match ExportSetup::from_json(&options(text), &[]) {
        Ok(_) => panic!("should not validate: {text}"),
        Err(e) => e.field,
    }
}

/// Fails unless each `(key, text)` of `expected` is a string field of `v`.
pub fn assert_texts(v: &Json, expected: &[(&str, &str)]) {
    for &(key, text) in expected {
        assert_eq!(v.get(key).and_then(Json::as_str), Some(text), "{key} of {v}");
    }
}

impl<M: SansIo> World<M> {
    /// `m` at time 0, nothing sent yet.
    pub fn of(m: M) -> World<M> {
        World {
            m,
            now: 0.0,
            sent: Vec::new(),
            aborted: Vec::new(),
            downloads: Vec::new(),
            saves: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn drain(&mut self) {
        while let Some(c) = self.m.poll_command() {
            match c {
                Command::Send { id, request } => self.sent.push((id, request)),
                Command::Abort { id } => self.aborted.push(id),
                Command::Download { url, filename } => self.downloads.push((url, filename)),
                Command::Save { bytes, mime, filename } => self.saves.push((bytes, mime, filename)),
            }
        }
        while let Some(e) = self.m.poll_event() {
            self.events.push(e);
        }
    }

    pub fn input(&mut self, input: M::Input) {
        self.m.handle(input, self.now);
        self.drain();
    }

    /// The last request sent.
    pub fn last(&self) -> &(RequestId, HttpRequest) {
        self.sent.last().expect("a request was sent")
    }

    pub fn last_url(&self) -> &str {
        &self.last().1.url
    }

    /// The last request's method and URL.
    pub fn last_call(&self) -> (Method, &str) {
        (self.last().1.method, self.last_url())
    }

    /// The last request's body as JSON.
    pub fn last_body(&self) -> Json {
        Json::parse(self.last().1.body.as_deref().expect("a body")).unwrap()
    }

    /// Answers the last request after `ms`.
    pub fn answer_after(&mut self, ms: f64, outcome: HttpOutcome) {
        self.now += ms;
        let id = self.last().0;
        self.input(M::answer(id, outcome));
    }

    /// Answers the last request after 20 ms.
    pub fn answer_with(&mut self, outcome: HttpOutcome) {
        self.answer_after(20.0, outcome);
    }

    /// Answers the last request with HTTP 200 and `body`.
    pub fn answer(&mut self, body: &str) {
        self.answer_with(HttpOutcome::ok(body));
    }

    /// Answers the last request with `status` and `body`.
    pub fn answer_status(&mut self, status: u16, body: &str) {
        self.answer_with(HttpOutcome::status(status, body));
    }

    /// Lets time pass until the machine's next timeout and fires it; returns the time waited.
    pub fn wait(&mut self) -> f64 {
        let at = self.m.poll_timeout().expect("something is scheduled");
        let waited = at - self.now;
        self.now = self.now.max(at);
        self.input(M::tick());
        waited
    }

    pub fn view(&self) -> &M::View {
        self.m.view()
    }
}

impl World {
    pub fn new(text: &str) -> World {
        World::of(Machine::from_options(&options(text), 42).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    /// A machine for `text` whose export was just clicked: the first request is in flight.
    pub fn clicked(text: &str) -> World {
        let mut w = Self::new(text);
        w.click();
        w
    }

    pub fn click(&mut self) {
        self.input(Input::Start);
    }

    pub fn status(&self) -> Status {
        self.m.view().status
    }

    pub fn failure(&self) -> Failure {
        self.m.view().failure.clone().expect("a failure")
    }

    /// Fails unless the export failed with `kind`; returns the failure.
    pub fn failed(&self, kind: FailKind) -> Failure {
        assert_eq!(self.status(), Status::Failed, "{:?}", self.view());
        let f = self.failure();
        assert_eq!(f.kind, kind, "{f:?}");
        assert_eq!(self.m.poll_timeout(), None, "nothing left scheduled");
        f
    }

    /// Fails unless the server ended the job (cancelled, not failed); returns how.
    pub fn cancelled(&self) -> Cancellation {
        assert_eq!(self.status(), Status::Cancelled, "{:?}", self.view());
        assert_eq!(self.view().failure, None, "not a failure");
        assert_eq!(self.m.poll_timeout(), None, "nothing left scheduled");
        self.view().cancellation.clone().expect("a cancellation")
    }

    /// Fails unless the export failed with `kind`, HTTP `status` and `detail`; returns the failure.
    pub fn failed_with(&self, kind: FailKind, status: u16, detail: &str) -> Failure {
        let f = self.failed(kind);
        assert_eq!((f.status, f.detail.as_deref()), (Some(status), Some(detail)));
        f
    }

    /// How many requests went to a URL starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.sent.iter().filter(|(_, r)| r.url.starts_with(prefix)).count()
    }

    /// Answers the last request with `outcome` `n + 1` times (waiting between), which exceeds the
    /// default retry limit of 3.
    pub fn keep_answering(&mut self, n: usize, outcome: HttpOutcome) {
        for i in 0..=n {
            self.answer_with(outcome.clone());
            if i < n {
                assert_eq!(self.status(), Status::Exporting, "still retrying after {i} answers");
                self.wait();
            }
        }
    }
}

/// Gives each of `bodies`, in a fresh export as `started` leaves it, as every answer to its
/// status request: each is retried (3 times) and then fails as a bad response.
pub fn each_is_retried_then_fails<B: Into<String>>(started: fn() -> World, bodies: impl IntoIterator<Item = B>) {
    for body in bodies {
        let mut w = started();
        w.wait();
        w.keep_answering(3, HttpOutcome::ok(body.into()));
        w.failed(FailKind::BadResponse);
    }
}

// ---- the never-wedged property -------------------------------------------------------------

/// The deadline the property tests give their machines.
pub const DEADLINE_MS: f64 = 60_000.0;

/// Arbitrary JSON, with the keys of the new protocols among the random ones.
pub fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<f64>().prop_map(Json::Num),
        (-5i64..200).prop_map(|n| Json::Num(n as f64)),
        ".{0,12}".prop_map(Json::Str),
        prop_oneof![
            Just("javascript:alert(1)"),
            Just("/files/x"),
            Just("http://h/f"),
            Just(""),
            Just("12"),
            Just("-1"),
            Just("ok"),
            Just("finish"),
            Just("pending"),
        ]
        .prop_map(|s| Json::Str(s.to_owned())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Arr),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("status".to_owned()),
                        Just("data".to_owned()),
                        Just("id".to_owned()),
                        Just("code".to_owned()),
                        "[a-z_]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(Json::Obj),
        ]
    })
}

/// Bodies: arbitrary bytes, arbitrary JSON, and `shaped` (the protocol's own shapes with
/// arbitrary values).
pub fn body(shaped: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => json().prop_map(|j| j.to_string()),
        4 => shaped,
    ]
}

/// Outcomes: answers of any status (mostly 200) with one of the `body` kinds, answers over their
/// size limit (no body), or no answer.
pub fn outcome(shaped: BoxedStrategy<String>) -> impl Strategy<Value = HttpOutcome> {
    let status = prop_oneof![
        8 => Just(200u16),
        2 => Just(201),
        1 => Just(204),
        1 => Just(302),
        1 => Just(400),
        1 => Just(401),
        1 => Just(403),
        1 => Just(404),
        1 => Just(408),
        1 => Just(429),
        1 => Just(500),
        1 => Just(502),
        1 => Just(503),
        1 => any::<u16>(),
    ];
    let retry_after = prop::option::of(prop_oneof![Just("1".to_owned()), Just("0".to_owned()), "[0-9a-z ,:]{0,12}"]);
    prop_oneof![
        10 => (status, retry_after, body(shaped))
            .prop_map(|(status, retry_after, body)| HttpOutcome::Answer { status, retry_after, body }),
        1 => Just(HttpOutcome::NetworkError("reset".into())),
        1 => Just(HttpOutcome::TooLarge),
    ]
}

#[derive(Clone, Debug)]
pub enum Act {
    /// Answer the request in flight after `delay` ms (or let a timer fire if none is).
    Answer(HttpOutcome, f64),
    /// Let the next timer fire, whatever it is.
    Wait,
    /// Leave the page.
    Cancel,
    /// Click again (ignored while exporting).
    Click,
    /// Deliver an answer for a request that is not in flight.
    Stale(HttpOutcome),
}

pub fn act(shaped: BoxedStrategy<String>, with_cancel: bool) -> impl Strategy<Value = Act> {
    prop_oneof![
        12 => (outcome(shaped.clone()), 0.0f64..8000.0).prop_map(|(o, d)| Act::Answer(o, d)),
        2 => Just(Act::Wait),
        1 => Just(Act::Cancel),
        2 => Just(Act::Click),
        1 => outcome(shaped).prop_map(Act::Stale),
    ]
    .prop_map(move |a| if matches!(a, Act::Cancel) && !with_cancel { Act::Wait } else { a })
}

/// Runs `acts` (cycling) against `m` after a click; checks the invariants after every input.
/// Returns the machine and the time the export ended.
pub fn run(mut m: Machine, acts: &[Act], start_again_after_cancel: bool) -> Result<(Machine, f64), TestCaseError> {
    let mut now = 0.0;
    let mut in_flight: Option<RequestId> = None;
    let mut last_pct: Option<u8> = None;
    let mut retired: Vec<RequestId> = Vec::new();
    m.handle(Input::Start, now);
    let mut steps = 0usize;
    for (i, a) in acts.iter().cycle().enumerate() {
        let a = if i >= acts.len() && !matches!(a, Act::Answer(..)) { &Act::Wait } else { a };
        steps += 1;
        prop_assert!(steps < 100_000, "did not end");
        while let Some(c) = m.poll_command() {
            match c {
                Command::Send { id, .. } => {
                    prop_assert!(in_flight.is_none(), "one request at a time");
                    in_flight = Some(id);
                }
                Command::Abort { id } => {
                    prop_assert_eq!(Some(id), in_flight, "aborts only what is in flight");
                    retired.push(id);
                    in_flight = None;
                }
                Command::Download { url, .. } => {
                    prop_assert!(safe_download(&url), "unsafe download {}", url);
                }
                Command::Save { bytes, filename, .. } => {
                    prop_assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "a built CSV starts with a BOM");
                    prop_assert!(!filename.contains(['/', '\\']), "{}", filename);
                }
            }
        }
        while m.poll_event().is_some() {}
        let v = m.view().clone();
        if let Some(p) = v.percent {
            prop_assert!(p <= 100);
            prop_assert!(p < 100 || v.status == Status::Done, "100% only with the file in hand");
        }
        if v.stalled_secs.is_some() {
            prop_assert!(
                v.status == Status::Exporting && v.eta_secs.is_none(),
                "stalled only while running, no estimate: {:?}",
                v
            );
        }
        if v.status == Status::Exporting {
            if let (Some(a), Some(b)) = (last_pct, v.percent) {
                prop_assert!(b >= a, "percent went back from {} to {}", a, b);
            }
            last_pct = v.percent.or(last_pct);
            prop_assert!(m.poll_timeout().is_some(), "a running export always has a timeout");
        } else {
            prop_assert_eq!(m.poll_timeout(), None, "nothing scheduled once ended");
            last_pct = None;
            if v.status == Status::Idle && start_again_after_cancel {
                m.handle(Input::Start, now);
                continue;
            }
            return Ok((m, now));
        }
        match a {
            Act::Answer(o, d) => {
                if let Some(id) = in_flight.take() {
                    let deadline = m.poll_timeout().unwrap_or(now);
                    now = (now + d).min(deadline);
                    if now >= deadline {
                        m.handle(Input::Timer, now);
                        in_flight = Some(id);
                        continue;
                    }
                    retired.push(id);
                    m.handle(Input::Response { id, outcome: o.clone() }, now);
                } else {
                    now = now.max(m.poll_timeout().unwrap_or(now));
                    m.handle(Input::Timer, now);
                }
            }
            Act::Wait => {
                now = now.max(m.poll_timeout().unwrap_or(now));
                m.handle(Input::Timer, now);
            }
            Act::Cancel => {
                m.handle(Input::Cancel, now);
                in_flight = None;
                while let Some(c) = m.poll_command() {
                    prop_assert!(matches!(c, Command::Abort { .. }), "only aborts after a cancel");
                }
                prop_assert_eq!(m.poll_timeout(), None, "cancel leaves nothing scheduled");
            }
            Act::Click => m.handle(Input::Start, now),
            Act::Stale(o) => {
                let id = retired.first().copied().unwrap_or(RequestId(u64::MAX));
                let before = m.view().clone();
                m.handle(Input::Response { id, outcome: o.clone() }, now);
                prop_assert_eq!(&before, m.view(), "a stale answer changes nothing");
                prop_assert!(m.poll_command().is_none());
            }
        }
    }
    unreachable!()
}

/// The never-wedged properties, by protocol name (its `protocol` option, `-` written `_`), each
/// protocol's tests in a module of that name.
///
/// - `never_wedged!(xlink: machine, answers)`: the export machine's two properties, on the same
///   options, 256 cases each: whatever the server answers (arbitrary bytes and JSON, the
///   protocol's own `answers`, any status, silence), an export ends (done or failed) by the
///   deadline; and cancels, clicks and stale answers keep the invariants of [`run`] along the way.
///   The long form names a machine for each property and the number of cases:
///   `never_wedged!(xlink: ends_by_the_deadline: m1, keeps_the_invariants: m2, answers: a, cases: n)`.
/// - `never_wedged!(history: xlink, minapp)`: the history machine's property of each protocol, 256
///   cases, from the calling file's `protocol(name)`, `acts(&protocol)` (a strategy) and
///   `run(&protocol, &acts)` (the property), as `history_never_wedged.rs` has them.
#[allow(unused_macros)] // not every test file has an export machine
macro_rules! never_wedged {
    (history: $($protocol:ident),+ $(,)?) => {
        $(
            mod $protocol {
                use proptest::prelude::*;

                proptest! {
                    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

                    #[test]
                    fn history_never_wedges(acts in super::acts(&super::protocol(stringify!($protocol)))) {
                        super::run(&super::protocol(stringify!($protocol)), &acts)?;
                    }
                }
            }
        )+
    };
    ($protocol:ident: $machine:expr, $answers:expr $(,)?) => {
        $crate::common::never_wedged! {
            $protocol:
            ends_by_the_deadline: $machine,
            keeps_the_invariants: $machine,
            answers: $answers,
            cases: 256,
        }
    };
    ($protocol:ident: ends_by_the_deadline: $ends:expr, keeps_the_invariants: $keeps:expr, answers: $answers:expr, cases: $cases:expr $(,)?) => {
        mod $protocol {
            use super::*;

            proptest::proptest! {
                #![proptest_config(proptest::prelude::ProptestConfig { cases: $cases, ..proptest::prelude::ProptestConfig::default() })]

                #[test]
                fn any_server_behaviour_ends_by_the_deadline(acts in proptest::collection::vec($crate::common::act($answers, false), 1..40)) {
                    let (m, ended_at) = $crate::common::run($ends, &acts, false)?;
                    let view = k12_export_core::SansIo::view(&m);
                    proptest::prop_assert!(matches!(view.status, k12_export_core::Status::Done | k12_export_core::Status::Failed | k12_export_core::Status::Cancelled), "{:?}", view);
                    proptest::prop_assert!(ended_at <= $crate::common::DEADLINE_MS, "ended at {} ms", ended_at);
                }

                #[test]
                fn cancels_clicks_and_stale_answers_keep_the_invariants(acts in proptest::collection::vec($crate::common::act($answers, true), 1..60)) {
                    let (m, _) = $crate::common::run($keeps, &acts, true)?;
                    let view = k12_export_core::SansIo::view(&m);
                    proptest::prop_assert!(matches!(view.status, k12_export_core::Status::Done | k12_export_core::Status::Failed | k12_export_core::Status::Cancelled));
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use never_wedged;

/// True unless `url` names a scheme other than http(s): as a browser reads it, the scheme is what
/// precedes the first `:` when that comes before any `/`, `?` or `#` and looks like a scheme
/// (a letter, then letters, digits, `+`, `-`, `.`); anything else is a URL relative to the page.
pub fn safe_download(url: &str) -> bool {
    let url = url.trim_matches(|c: char| c <= ' ').to_ascii_lowercase();
    let Some(i) = url.find([':', '/', '?', '#']).filter(|&i| url.as_bytes()[i] == b':') else { return true };
    let scheme = &url[..i];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    !is_scheme || url.starts_with("http://") || url.starts_with("https://")
}

/// A machine for `text` with the property tests' deadline and request timeout.
pub fn machine(text: &str) -> Machine {
    let with = text.trim_end().strip_suffix('}').expect("an options object");
    let text = format!(r#"{with},"timeoutMs":{DEADLINE_MS},"requestTimeoutMs":5000}}"#);
    Machine::from_options(&options(&text), 7).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One of `items`, as a JSON value.
pub fn one_of(items: &'static [&'static str]) -> BoxedStrategy<Json> {
    prop::sample::select(items).prop_map(|s| Json::parse(s).unwrap()).boxed()
}

/// A JSON value: arbitrary, or one of the protocol's meaningful `values`.
pub fn value(values: &'static [&'static str]) -> BoxedStrategy<Json> {
    prop_oneof![1 => json(), 2 => one_of(values)].boxed()
}

/// Writes an object with `members`.
pub fn object(members: Vec<(&str, Json)>) -> String {
    Json::Obj(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).to_string()
}
