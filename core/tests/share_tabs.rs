//! The cross-tab coordinator in a simulated browser: several tabs of one site, each with a
//! [`Coordinator`] and a stand-in for its export machine, one lock manager (Web Locks: a holder
//! and a queue per name), one channel (every message reaches every other tab, each after its own
//! delay, so messages and lock grants arrive in any order), a server on which a start re-attaches
//! to the running job, and a virtual clock. Tabs are clicked, cancelled, closed, frozen (a dialog:
//! nothing runs, inputs wait), hidden (timers throttled to one wake-up a second), and hear junk,
//! forged and huge messages.
//!
//! The properties: every tab ends in a defined state within its deadline, whatever happened; no
//! message starts a job (only a click, or taking over a job the tab followed); a cancel ends the
//! job everywhere and no tab starts it again; a following tab's cancel frees its button at once;
//! one tab at most holds the lock; no unsafe link is ever shown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use k12_export_core::share::{
    read_message, tab::TabCommand, write_message, Coordinator, Kind, TabInput, ASK_MS, CLAIM_GRACE_MS, QUIET_MS,
};
use k12_export_core::{Download, Event, Stage, Status, View};
use proptest::prelude::*;

const KEY: &str = "k12-export:0123456789abcdef";
/// The export's deadline (a follower's own deadline too).
const DEADLINE_MS: f64 = 60_000.0;
/// Messages reach the other tabs within this (lock answers within 5 ms).
const MAX_LATENCY_MS: f64 = 50.0;
/// A start's first answer comes no sooner than this.
const MIN_REQUEST_MS: f64 = 60.0;

fn idle() -> View {
    View { filename: "K12作业统计-春.xlsx".into(), ..View::default() }
}

/// A stand-in for a tab's export machine: it runs from `Start` until the server's job is done,
/// the machine's deadline, or `Stop`.
#[derive(Clone, Debug, Default)]
struct Own {
    running: bool,
    started: f64,
    deadline: f64,
    view: View,
}

#[derive(Debug)]
struct Tab {
    c: Coordinator,
    alive: bool,
    frozen: bool,
    hidden: bool,
    own: Own,
    /// Inputs delivered to the tab, waiting while it is frozen.
    inbox: Vec<TabInput>,
    /// The user clicked since this tab's last cancel (a start here is asked for).
    asked: bool,
    /// Part of a job cancelled then (leading or following it): it must not start again without a
    /// click after it.
    in_cancelled_job: Option<(f64, f64)>,
    starts: Vec<f64>,
    downloads: usize,
    cancels_shown: usize,
}

/// Something scheduled in the world.
#[derive(Clone, Debug)]
enum Due {
    /// Deliver an input to a tab.
    Deliver(usize, TabInput),
}

#[derive(Debug, Default)]
struct Locks {
    holder: Option<(usize, u32)>,
    queue: Vec<(usize, u32)>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Job {
    done_at: f64,
}

struct World {
    now: f64,
    tabs: Vec<Tab>,
    locks: Locks,
    job: Option<Job>,
    jobs_created: usize,
    due: Vec<(f64, u64, Due)>,
    /// Clicks and cancels so far: orders them.
    inputs: u64,
    /// When the user last clicked, in any tab (in the order of clicks and cancels).
    last_click: f64,
    seq: u64,
    rng: u64,
    /// How long new jobs take on the server.
    job_ms: f64,
    log: Vec<String>,
}

impl World {
    fn new(tabs: usize, job_ms: f64, seed: u64) -> World {
        let mut w = World {
            now: 0.0,
            tabs: Vec::new(),
            locks: Locks::default(),
            job: None,
            jobs_created: 0,
            due: Vec::new(),
            inputs: 0,
            last_click: 0.0,
            seq: 0,
            rng: seed | 1,
            job_ms,
            log: Vec::new(),
        };
        for _ in 0..tabs {
            w.open_tab();
        }
        w
    }

    fn random(&mut self, below: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % below.max(1)
    }

    fn open_tab(&mut self) -> usize {
        let i = self.tabs.len();
        self.tabs.push(Tab {
            c: Coordinator::new(KEY.into(), idle(), DEADLINE_MS, i as u64 * 7919 + 1),
            alive: true,
            frozen: false,
            hidden: false,
            own: Own { view: idle(), ..Own::default() },
            inbox: Vec::new(),
            asked: false,
            in_cancelled_job: None,
            starts: Vec::new(),
            downloads: 0,
            cancels_shown: 0,
        });
        self.drain(i);
        i
    }

    fn schedule(&mut self, at: f64, due: Due) {
        self.seq += 1;
        self.due.push((at, self.seq, due));
    }

    /// Delivers `input` to tab `i` after a delay of up to `max_ms`.
    fn deliver(&mut self, i: usize, input: TabInput, max_ms: u64) {
        let at = self.now + self.random(max_ms + 1) as f64;
        self.schedule(at, Due::Deliver(i, input));
    }

    /// Feeds `input` to tab `i` now (or keeps it while the tab is frozen).
    fn input(&mut self, i: usize, input: TabInput) {
        let t = &mut self.tabs[i];
        if !t.alive {
            return;
        }
        if t.frozen {
            t.inbox.push(input);
            return;
        }
        if matches!(input, TabInput::Click) {
            t.asked = true;
            self.inputs += 1;
            self.last_click = self.inputs as f64;
        }
        if matches!(input, TabInput::Cancel) {
            t.asked = false;
        }
        let following = t.c.following();
        let shown = match &input {
            TabInput::Message(m) => format!("Message({:.60})", m),
            other => format!("{other:?}"),
        };
        self.log.push(format!("{:>8.0}   tab {i} <- {shown}", self.now));
        let t = &mut self.tabs[i];
        t.c.handle(input.clone(), self.now);
        if matches!(input, TabInput::Cancel) && following {
            assert_ne!(t.c.view().status, Status::Exporting, "a follower's cancel frees its own button at once");
        }
        self.drain(i);
    }

    /// Carries out what tab `i` asked for.
    fn drain(&mut self, i: usize) {
        let mut queue = self.tabs[i].c.commands();
        while !queue.is_empty() {
            let cmd = queue.remove(0);
            if !matches!(cmd, TabCommand::Post(_)) {
                self.log.push(format!("{:>8.0}   tab {i} -> {cmd:?}", self.now));
            }
            match cmd {
                TabCommand::Lock { ticket, wait } => {
                    if self.locks.holder.is_none() && self.locks.queue.is_empty() {
                        self.locks.holder = Some((i, ticket));
                        self.deliver(i, TabInput::Granted(ticket), 5);
                    } else if wait {
                        self.locks.queue.push((i, ticket));
                    } else {
                        self.deliver(i, TabInput::Refused(ticket), 5);
                    }
                }
                TabCommand::Release(ticket) => self.release(i, ticket),
                TabCommand::Query(ticket) => {
                    let held = self.locks.holder.is_some();
                    self.deliver(i, TabInput::Held(ticket, held), 5);
                }
                TabCommand::Post(text) => {
                    for j in 0..self.tabs.len() {
                        if j != i && self.tabs[j].alive {
                            self.deliver(j, TabInput::Message(text.clone()), MAX_LATENCY_MS as u64);
                        }
                    }
                }
                TabCommand::Start => {
                    let t = &self.tabs[i];
                    assert!(
                        t.asked || t.c.leading(),
                        "tab {i} started a job nobody asked for at {} ({:?})\n{}",
                        self.now,
                        t.c,
                        self.log.join("\n")
                    );
                    if self.after_cancel(i) {
                        // Only a takeover already under way when the cancel was pressed elsewhere
                        // (its grace ending before the cancel arrives): the cancel stops it as soon
                        // as it arrives, before the start can bring the file.
                        let (_, when) = t.in_cancelled_job.unwrap();
                        assert!(
                            self.now <= when + MAX_LATENCY_MS,
                            "tab {i} started the job cancelled at {when} again\n{}",
                            self.log.join("\n")
                        );
                    }
                    self.tabs[i].starts.push(self.now);
                    // The server: a start re-attaches to the running job, or creates one.
                    if self.job.is_none_or(|j| j.done_at <= self.now) {
                        let ms = self.job_ms;
                        self.job = Some(Job { done_at: self.now + ms });
                        self.jobs_created += 1;
                    }
                    let own = &mut self.tabs[i].own;
                    own.running = true;
                    own.started = self.now;
                    own.deadline = self.now + DEADLINE_MS;
                    own.view = View { status: Status::Exporting, stage: Stage::Running, percent: Some(0), ..idle() };
                    let v = own.view.clone();
                    self.tabs[i].c.handle(TabInput::Own(v, vec![Event::Started]), self.now);
                    self.tabs[i].c.handle(TabInput::Started, self.now);
                    queue.extend(self.tabs[i].c.commands());
                }
                TabCommand::Stop => {
                    let own = &mut self.tabs[i].own;
                    if own.running {
                        own.running = false;
                        own.view = idle();
                        self.tabs[i].c.handle(TabInput::Own(idle(), vec![Event::Cancelled]), self.now);
                        queue.extend(self.tabs[i].c.commands());
                    }
                }
            }
        }
        if let Some((_, events)) = self.tabs[i].c.update() {
            self.tabs[i].cancels_shown += events.iter().filter(|e| **e == Event::Cancelled).count();
        }
        self.check_shown(i);
    }

    fn check_shown(&self, i: usize) {
        if let Some(Download { url: Some(url), .. }) = &self.tabs[i].c.view().download {
            let u = url.trim().to_ascii_lowercase();
            assert!(u.starts_with("http://") || u.starts_with("https://"), "tab {i} shows the link {url}");
        }
    }

    fn release(&mut self, i: usize, ticket: u32) {
        if self.locks.holder == Some((i, ticket)) {
            self.locks.holder = None;
            self.grant_next();
        } else {
            self.locks.queue.retain(|e| *e != (i, ticket));
        }
    }

    fn grant_next(&mut self) {
        if self.locks.holder.is_none() && !self.locks.queue.is_empty() {
            let (j, ticket) = self.locks.queue.remove(0);
            self.locks.holder = Some((j, ticket));
            self.deliver(j, TabInput::Granted(ticket), 5);
        }
    }

    /// The tab's machine runs on: done when the server's job is, failed at its deadline.
    /// Tab `i` is part of a job the user cancelled, and no click (in any tab) asked for a job
    /// since. An export's deadline after the cancel, the cancelled job cannot run anywhere.
    fn after_cancel(&self, i: usize) -> bool {
        self.tabs[i].in_cancelled_job.is_some_and(|(at, when)| self.last_click < at && self.now < when + DEADLINE_MS)
    }

    fn step_own(&mut self, i: usize) {
        let t = &self.tabs[i];
        if !t.alive || t.frozen || !t.own.running {
            return;
        }
        // A start's first answer takes a request's time.
        let done_at = self.job.map_or(f64::INFINITY, |j| j.done_at).max(t.own.started + MIN_REQUEST_MS);
        let end = if done_at <= self.now {
            Some(View {
                status: Status::Done,
                percent: Some(100),
                download: Some(Download {
                    url: Some("https://files.example/f.xlsx".into()),
                    filename: "f.xlsx".into(),
                }),
                ..idle()
            })
        } else if self.now >= t.own.deadline {
            Some(View {
                status: Status::Failed,
                failure: Some(k12_export_core::Failure::new(k12_export_core::FailKind::TimedOut)),
                ..idle()
            })
        } else {
            None
        };
        if let Some(v) = end {
            if v.status == Status::Done && self.after_cancel(i) {
                // Only the job's end racing the cancel to the running tab.
                let (_, when) = self.tabs[i].in_cancelled_job.unwrap();
                assert!(
                    self.now <= when + MAX_LATENCY_MS,
                    "tab {i} downloaded the file of the job cancelled at {when}\n{}",
                    self.log.join("\n")
                );
            }
            let t = &mut self.tabs[i];
            t.own.running = false;
            t.own.view = v.clone();
            if v.status == Status::Done {
                t.downloads += 1;
            }
            t.c.handle(TabInput::Own(v, vec![]), self.now);
            self.drain(i);
        }
    }

    /// When tab `i` next wakes up by itself (its coordinator's timer, its machine's).
    fn wake_at(&self, i: usize) -> Option<f64> {
        let t = &self.tabs[i];
        if !t.alive || t.frozen {
            return None;
        }
        let own = t.own.running.then(|| {
            self.job.map_or(t.own.deadline, |j| j.done_at.max(t.own.started + MIN_REQUEST_MS).min(t.own.deadline))
        });
        let at = match (t.c.poll_timeout(), own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }?;
        let at = at.max(self.now);
        // A hidden tab's timers wake at most once a second.
        Some(if t.hidden { (at / 1000.0).ceil() * 1000.0 } else { at })
    }

    /// Runs the world until `until`.
    fn run_until(&mut self, until: f64) {
        loop {
            let mut next: Option<(f64, Option<usize>)> = None;
            for (at, _, _) in &self.due {
                if next.is_none_or(|(n, _)| *at < n) {
                    next = Some((*at, None));
                }
            }
            for i in 0..self.tabs.len() {
                if let Some(at) = self.wake_at(i) {
                    if next.is_none_or(|(n, _)| at < n) {
                        next = Some((at, Some(i)));
                    }
                }
            }
            let Some((at, who)) = next.filter(|(at, _)| *at <= until) else { break };
            self.now = self.now.max(at);
            match who {
                Some(i) => {
                    self.step_own(i);
                    if self.tabs[i].c.poll_timeout().is_some_and(|t| t <= self.now) {
                        self.input(i, TabInput::Timer);
                    }
                }
                None => {
                    let k = self
                        .due
                        .iter()
                        .enumerate()
                        .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.1 .1.cmp(&b.1 .1)))
                        .map(|(k, _)| k)
                        .unwrap();
                    let (_, _, due) = self.due.remove(k);
                    match due {
                        Due::Deliver(i, input) => self.input(i, input),
                    }
                }
            }
            self.check_one_leader();
        }
        self.now = self.now.max(until);
    }

    fn check_one_leader(&self) {
        let leaders = self.tabs.iter().filter(|t| t.alive && t.c.leading()).count();
        assert!(leaders <= 1, "{leaders} tabs lead at {}", self.now);
    }

    fn act(&mut self, a: &Act) {
        self.log.push(format!("{:>8.0} {a:?}", self.now));
        let n = self.tabs.len();
        match *a {
            Act::Click(i) => self.input(i % n, TabInput::Click),
            Act::Cancel(i) => {
                let i = i % n;
                let t = &self.tabs[i];
                // The user can cancel only what the button shows running.
                if t.alive && !t.frozen && t.c.view().status == Status::Exporting {
                    if t.c.following() || t.c.leading() {
                        // One job, so one cancel: whoever leads or follows it is done with it.
                        self.inputs += 1;
                        let now = (self.inputs as f64, self.now);
                        for t in self.tabs.iter_mut().filter(|t| t.alive && (t.c.following() || t.c.leading())) {
                            t.in_cancelled_job = Some(now);
                        }
                    }
                    self.input(i, TabInput::Cancel);
                }
            }
            Act::Close(i) => self.close(i % n),
            Act::Freeze(i) => self.tabs[i % n].frozen = true,
            Act::Thaw(i) => self.thaw(i % n),
            Act::Hide(i) => self.tabs[i % n].hidden = true,
            Act::Show(i) => {
                let i = i % n;
                self.tabs[i].hidden = false;
                self.input(i, TabInput::Shown);
            }
            Act::Open => {
                self.open_tab();
            }
            Act::Forge(ref m) => {
                let text = m.text();
                for j in 0..n {
                    self.deliver(j, TabInput::Message(text.clone()), MAX_LATENCY_MS as u64);
                }
            }
            Act::Wait(ms) => {
                let until = self.now + f64::from(ms);
                self.run_until(until);
            }
        }
    }

    fn close(&mut self, i: usize) {
        if !self.tabs[i].alive {
            return;
        }
        // The page is left: its machine stops, its coordinator hears it, and its locks go with it.
        let frozen = self.tabs[i].frozen;
        self.tabs[i].frozen = false;
        self.tabs[i].inbox.clear();
        if self.tabs[i].own.running {
            self.tabs[i].own.running = false;
            self.tabs[i].own.view = idle();
            self.tabs[i].c.handle(TabInput::Own(idle(), vec![Event::Cancelled]), self.now);
        }
        if !frozen {
            self.tabs[i].c.handle(TabInput::Leave, self.now);
            self.drain(i);
        }
        self.tabs[i].alive = false;
        if self.locks.holder.is_some_and(|(h, _)| h == i) {
            self.locks.holder = None;
        }
        self.locks.queue.retain(|(j, _)| *j != i);
        self.grant_next();
    }

    fn thaw(&mut self, i: usize) {
        if !self.tabs[i].frozen {
            return;
        }
        self.tabs[i].frozen = false;
        let inbox = std::mem::take(&mut self.tabs[i].inbox);
        for input in inbox {
            self.input(i, input);
        }
        self.input(i, TabInput::Shown);
    }

    /// Every live tab that runs: settled (nothing shown running, no lock, nothing scheduled).
    fn assert_settled(&self) {
        for (i, t) in self.tabs.iter().enumerate() {
            if !t.alive || t.frozen {
                continue;
            }
            assert!(
                t.c.view().status != Status::Exporting && !t.c.following() && t.c.poll_timeout().is_none(),
                "tab {i} is not settled at {}: {:?}\n{}",
                self.now,
                t.c,
                self.log.join("\n")
            );
        }
        for (j, _) in self.locks.queue.iter().chain(self.locks.holder.iter()) {
            assert!(!self.tabs[*j].alive || self.tabs[*j].frozen, "tab {j} still holds or waits for the lock");
        }
    }
}

/// A message from somewhere else on the site.
#[derive(Clone, Debug)]
enum Forged {
    Junk(String),
    Huge,
    OtherKey,
    Running(u8),
    EndDone(&'static str),
    Cancel,
    Ask,
    Bare(&'static str),
}

impl Forged {
    fn text(&self) -> String {
        let running = |p: u8| View { status: Status::Exporting, stage: Stage::Running, percent: Some(p), ..idle() };
        match self {
            Forged::Junk(s) => s.clone(),
            Forged::Huge => format!(r#"{{"key":"{KEY}","type":"view","view":[1,1,"{}",1]}}"#, "x".repeat(100_000)),
            Forged::OtherKey => write_message("k12-export:ffffffffffffffff", Kind::View, 77, Some(&running(5))),
            Forged::Running(p) => write_message(KEY, Kind::View, 77, Some(&running((*p).min(100)))),
            Forged::EndDone(url) => {
                let done = View {
                    status: Status::Done,
                    percent: Some(100),
                    download: Some(Download { url: Some((*url).into()), filename: "../../x.exe".into() }),
                    ..idle()
                };
                write_message(KEY, Kind::End, 0, Some(&done))
            }
            Forged::Cancel => write_message(KEY, Kind::Cancel, 0, None),
            Forged::Ask => write_message(KEY, Kind::Ask, 0, None),
            Forged::Bare(t) => format!(r#"{{"key":"{KEY}","type":"{t}","view":{{"status":1}}}}"#),
        }
    }
}

#[derive(Clone, Debug)]
enum Act {
    Click(usize),
    Cancel(usize),
    Close(usize),
    Freeze(usize),
    Thaw(usize),
    Hide(usize),
    Show(usize),
    Open,
    Forge(Forged),
    Wait(u32),
}

fn forged() -> impl Strategy<Value = Forged> {
    prop_oneof![
        ".{0,40}".prop_map(Forged::Junk),
        Just(Forged::Huge),
        Just(Forged::OtherKey),
        (0u8..=120).prop_map(Forged::Running),
        prop_oneof![
            Just("javascript:alert(1)"),
            Just(" JavaScript:alert(1)"),
            Just("data:text/html,x"),
            Just("/relative/f.xlsx"),
            Just("https://files.example/ok.xlsx"),
        ]
        .prop_map(Forged::EndDone),
        Just(Forged::Cancel),
        Just(Forged::Ask),
        prop_oneof![Just("view"), Just("end"), Just("nope")].prop_map(Forged::Bare),
    ]
}

fn act(with_forgeries: bool, with_cancels: bool) -> impl Strategy<Value = Act> {
    let tab = 0usize..4;
    prop_oneof![
        4 => tab.clone().prop_map(Act::Click),
        if with_cancels { 2 } else { 0 } => tab.clone().prop_map(Act::Cancel),
        1 => tab.clone().prop_map(Act::Close),
        1 => tab.clone().prop_map(Act::Freeze),
        1 => tab.clone().prop_map(Act::Thaw),
        1 => tab.clone().prop_map(Act::Hide),
        1 => tab.prop_map(Act::Show),
        1 => Just(Act::Open),
        if with_forgeries { 3 } else { 0 } => forged().prop_map(Act::Forge),
        6 => prop_oneof![0u32..200, 0u32..5_000, 0u32..40_000].prop_map(Act::Wait),
    ]
}

/// How long after the last act every running tab must have settled: a job's deadline, a
/// follower's deadline after it, asks and throttled timers.
const SETTLE_MS: f64 = 2.0 * (DEADLINE_MS + QUIET_MS) + 4.0 * ASK_MS + 10_000.0;

fn run(tabs: usize, job_ms: f64, seed: u64, acts: &[Act]) -> World {
    let mut w = World::new(tabs, job_ms, seed);
    for a in acts {
        w.act(a);
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever happens, every tab that still runs ends in a defined state: nothing shown
    /// running, no lock held or waited for, nothing scheduled. Frozen tabs stay frozen; then the
    /// same once every frozen tab is thawed: nothing stays wedged by a tab that was frozen.
    #[test]
    fn never_wedged(
        tabs in 1usize..4,
        job_ms in prop_oneof![100.0..2_000.0, 2_000.0..30_000.0, Just(1e12)],
        seed: u64,
        acts in prop::collection::vec(act(true, true), 0..40),
    ) {
        for thaw in [false, true] {
            let mut w = run(tabs, job_ms, seed, &acts);
            if thaw {
                for i in 0..w.tabs.len() {
                    w.thaw(i);
                }
            }
            let end = w.now + SETTLE_MS;
            w.run_until(end);
            w.assert_settled();
        }
    }

    /// Without a click, nothing starts, whatever the channel says.
    #[test]
    fn no_message_starts_a_job(
        tabs in 1usize..4,
        seed: u64,
        acts in prop::collection::vec(act(true, false).prop_filter("no clicks", |a| !matches!(a, Act::Click(_))), 0..60),
    ) {
        let mut w = run(tabs, 5_000.0, seed, &acts);
        let end = w.now + SETTLE_MS;
        w.run_until(end);
        prop_assert_eq!(w.tabs.iter().map(|t| t.starts.len()).sum::<usize>(), 0);
        prop_assert_eq!(w.jobs_created, 0);
    }
}

// ---- scenarios, each a story a user could tell ---------------------------------------------

/// Two tabs, the first clicked and leading, the second following it.
fn two_tabs_under_way(job_ms: f64) -> World {
    let mut w = World::new(2, job_ms, 7);
    w.act(&Act::Click(0));
    w.run_until(1_000.0);
    assert!(w.tabs[0].c.leading());
    w.act(&Act::Click(1));
    w.run_until(2_000.0);
    assert!(w.tabs[1].c.following(), "{:?}", w.tabs[1].c);
    w
}

#[test]
fn a_cancel_in_a_following_tab_is_not_undone_by_a_throttled_running_tab() {
    let mut w = two_tabs_under_way(60_000.0);
    w.act(&Act::Hide(0)); // the running tab in the background: its timers once a second
    w.run_until(3_300.0);
    w.act(&Act::Cancel(1));
    assert_eq!(w.tabs[1].c.view().status, Status::Idle);
    w.run_until(10_000.0);
    assert_eq!(w.tabs[0].starts.len(), 1);
    assert_eq!(w.tabs[1].starts.len(), 0, "the following tab did not start the cancelled job");
    assert!(!w.tabs[0].own.running, "the running tab stopped");
    assert_eq!(w.tabs[0].downloads + w.tabs[1].downloads, 0);
    w.assert_settled();
}

#[test]
fn a_frozen_running_tab_does_not_wedge_a_follower_and_its_cancel_frees_it() {
    let mut w = two_tabs_under_way(1e12);
    w.act(&Act::Freeze(0)); // an alert() in the running tab
    w.run_until(2_000.0 + QUIET_MS / 2.0);
    assert!(w.tabs[1].c.following());
    w.act(&Act::Cancel(1));
    assert_eq!(w.tabs[1].c.view().status, Status::Idle, "its cancel frees its button at once");
    assert!(!w.tabs[1].c.following());
}

#[test]
fn a_clicked_follower_of_a_frozen_tab_exports_on_its_own_after_two_unanswered_asks() {
    let mut w = two_tabs_under_way(30_000.0);
    w.act(&Act::Freeze(0));
    let frozen_at = w.now;
    w.run_until(frozen_at + QUIET_MS + 2.0 * ASK_MS + 1_000.0);
    assert_eq!(w.tabs[1].starts.len(), 1, "{:?}", w.tabs[1].c);
    assert_eq!(w.jobs_created, 1, "its start re-attached to the running job");
    w.run_until(frozen_at + 60_000.0);
    assert_eq!(w.tabs[1].downloads, 1);
    assert_eq!(w.tabs[1].c.view().status, Status::Done);
}

#[test]
fn a_passive_follower_of_a_frozen_tab_goes_idle_without_starting() {
    let mut w = World::new(2, 1e12, 3);
    w.act(&Act::Click(0));
    w.run_until(1_000.0);
    // The second tab is opened while the job runs: it shows it without being clicked.
    w.act(&Act::Open);
    w.run_until(1_500.0);
    assert!(w.tabs[2].c.following(), "{:?}", w.tabs[2].c);
    assert_eq!(w.tabs[2].c.view().status, Status::Exporting);
    w.act(&Act::Freeze(0));
    w.run_until(1_500.0 + QUIET_MS + 3.0 * ASK_MS);
    assert!(!w.tabs[2].c.following());
    assert_eq!(w.tabs[2].c.view().status, Status::Idle);
    assert!(w.tabs[2].starts.is_empty());
}

#[test]
fn a_forged_running_view_makes_no_tab_follow_or_start() {
    let mut w = World::new(2, 5_000.0, 11);
    w.act(&Act::Forge(Forged::Running(40)));
    w.run_until(200.0);
    for t in &w.tabs {
        assert!(!t.c.following());
        assert_eq!(t.c.view().status, Status::Idle);
    }
    w.run_until(SETTLE_MS);
    assert!(w.tabs.iter().all(|t| t.starts.is_empty()));
}

#[test]
fn a_forged_end_with_a_script_link_shows_no_link() {
    let mut w = two_tabs_under_way(1e12);
    let forged = Forged::EndDone("javascript:alert(document.cookie)").text();
    w.input(1, TabInput::Message(forged));
    let v = w.tabs[1].c.view();
    assert_eq!(v.status, Status::Done);
    assert_eq!(v.download, None, "no link from the channel that is not a safe absolute http(s) URL");
    let ok = Forged::EndDone("https://files.example/ok.xlsx").text();
    let d = read_message(&ok, KEY).unwrap().view.unwrap().download.unwrap();
    assert_eq!(d.url.as_deref(), Some("https://files.example/ok.xlsx"));
    assert_eq!(d.filename, "_.._x.exe", "the filename sanitised as a server's is");
}

#[test]
fn the_running_tab_closed_the_follower_takes_over_and_downloads() {
    let mut w = two_tabs_under_way(20_000.0);
    w.act(&Act::Close(0));
    w.run_until(2_000.0 + CLAIM_GRACE_MS + 100.0);
    assert!(w.tabs[1].c.leading());
    assert_eq!(w.tabs[1].starts.len(), 1);
    w.run_until(30_000.0);
    assert_eq!(w.tabs[1].downloads, 1);
    assert_eq!(w.jobs_created, 1);
}

#[test]
fn done_in_the_running_tab_is_shown_done_in_the_follower_without_a_second_download() {
    let mut w = two_tabs_under_way(5_000.0);
    w.run_until(8_000.0);
    assert_eq!(w.tabs[0].downloads, 1);
    assert_eq!(w.tabs[1].downloads, 0);
    assert_eq!(w.tabs[1].c.view().status, Status::Done);
    assert_eq!(w.tabs[1].starts.len(), 0);
    w.assert_settled();
}

#[test]
fn junk_is_ignored() {
    let mut w = two_tabs_under_way(1e12);
    let before = w.tabs[1].c.view().clone();
    for text in ["", "null", "[]", "{}", r#"{"key":1}"#, "\u{0}", &"[".repeat(10_000), &Forged::Huge.text()] {
        w.input(1, TabInput::Message(text.to_owned()));
        assert_eq!(w.tabs[1].c.view(), &before, "{text:.40}");
    }
    assert!(read_message(&Forged::Huge.text(), KEY).is_none());
}

#[test]
fn a_click_that_leads_shows_busy_until_the_machine_reports_never_idle_between() {
    let mut c = Coordinator::new(KEY.into(), idle(), DEADLINE_MS, 1);
    let _ = c.commands();
    let _ = c.update();
    c.handle(TabInput::Click, 0.0);
    assert_eq!(c.update().map(|(v, _)| v.status), Some(Status::Exporting), "busy at once");
    let Some(TabCommand::Lock { ticket, .. }) = c.commands().pop() else { panic!("a lock request") };
    c.handle(TabInput::Granted(ticket), 3.0);
    assert_eq!(c.commands(), vec![TabCommand::Start]);
    assert!(
        c.update().is_none_or(|(v, _)| v.status == Status::Exporting),
        "still busy, not idle, while the machine starts"
    );
    let running = View { status: Status::Exporting, stage: Stage::Starting, percent: Some(0), ..idle() };
    c.handle(TabInput::Own(running.clone(), vec![Event::Started, Event::Progress(Some(0))]), 3.0);
    c.handle(TabInput::Started, 3.0);
    let (v, events) = c.update().expect("the machine's view");
    assert_eq!(v, running);
    assert_eq!(events, vec![Event::Started, Event::Progress(Some(0))], "the machine's events, once");
}
