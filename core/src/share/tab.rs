//! One tab's part in a shared export, as a sans-IO machine: the [`Coordinator`].
//!
//! Its inputs are what the page hears — the user's clicks and cancels, the answers of the
//! browser's lock manager, messages on the site's channel, the page shown again or left, timer
//! ticks — and what this tab's own export machine shows. Its commands are what the page does:
//! ask for the job's lock (at once or queued), let a lock go, ask whether it is held, post a
//! message, start or stop this tab's own export. What the button shows is [`Coordinator::view`],
//! with the events of each change from [`Coordinator::update`].
//!
//! # Roles
//!
//! - **Alone**: not part of a running shared job. A click asks for the lock at once.
//! - **Asking**: a click asked for the lock. Granted: this tab leads. Refused: another tab runs
//!   the job, and this one follows it.
//! - **Leading**: this tab holds the lock and runs the job with its own machine; it posts the
//!   machine's view at every change and when asked, and its end (done, failed, cancelled) before
//!   it lets the lock go.
//! - **Following**: another tab runs the job; this one shows its views and waits in the lock's
//!   queue. Nothing heard for [`QUIET_MS`]: it asks; two asks unanswered for [`ASK_MS`] each: the
//!   tab running the job does not answer (frozen by a dialog, a stale copy of the script), and the
//!   follower stops following — exporting on its own when its user asked for the export, quietly
//!   otherwise. It also gives up at its own deadline.
//! - **Claiming**: the lock came to a follower: the running tab let it go. Unless its end arrives
//!   within [`CLAIM_GRACE_MS`] (the end is posted before the lock is let go, but the two travel
//!   apart), the follower takes the job over: its start re-attaches to the running job.
//! - **Solo**: this tab exports on its own, without the lock (the browser refused the lock
//!   request, or the tab holding it does not answer and this tab's user asked for the export).
//!
//! # What the channel is trusted with: nothing
//!
//! A message is read like a server's answer: its size, shape and key are checked, a view's
//! numbers must be in range, its filename is sanitised and its link must be a safe absolute
//! `http(s)` URL ([`crate::http::safe_download_url`]); anything else is ignored. No message is
//! ever a reason to start a job: only a click, or taking over a job this tab was following when
//! the lock comes to it (the lock, not a message, says the running tab is gone). A view that says
//! a job runs makes an idle tab follow only once the lock manager confirms the job's lock is held.
//! A cancel stops the job everywhere, and a tab that heard it never takes the job over.
//!
//! Each tab that leads the job names its run; messages carry it. Messages may arrive out of
//! order (a view posted before the end, heard after it): a view of a run that ended here is not
//! followed, and a cancel or an end of another run than the one shown is ignored.

use crate::error::{FailKind, Failure};
use crate::machine::{Event, Stage, Status, View};

use super::{follow_events, read_message, write_message, Kind, Message, Shown};

/// How long a follower granted the lock waits for the running tab's end before taking over.
pub const CLAIM_GRACE_MS: f64 = 150.0;

/// A follower that has heard nothing of the job for this long asks the running tab for its view.
/// A running tab in the background answers at once (messages are not throttled like timers).
pub const QUIET_MS: f64 = 10_000.0;

/// An ask unanswered for this long is one strike; two in a row and the running tab is taken as
/// gone (frozen by a dialog, or a copy of the script that does not answer).
pub const ASK_MS: f64 = 2_500.0;

/// Unanswered asks after which the running tab is taken as gone.
const STRIKES: u8 = 2;

/// Something that happened to this tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TabInput {
    /// The user clicked the button (or the page called `start()`).
    Click,
    /// The user pressed "取消导出" in this tab.
    Cancel,
    /// This tab's own export machine changed: what it shows and what happened.
    Own(View, Vec<Event>),
    /// The driver carried out [`TabCommand::Start`]; any [`TabInput::Own`] it caused came first.
    Started,
    /// The lock asked for with this ticket is held by this tab now.
    Granted(u32),
    /// The lock asked for at once with this ticket is held by another tab.
    Refused(u32),
    /// The lock request with this ticket failed (the browser refused it).
    LockFailed(u32),
    /// The answer to [`TabCommand::Query`] with this ticket: whether the job's lock is held.
    Held(u32, bool),
    /// A message heard on the channel, as it came (text).
    Message(String),
    /// The page is shown again (visible, or resumed after being frozen).
    Shown,
    /// The page is left (`pagehide`): everything stops; a click starts afresh.
    Leave,
    /// Time passed: the moment [`Coordinator::poll_timeout`] named has come (early is harmless).
    Timer,
}

/// Something for the page to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TabCommand {
    /// Ask for the job's lock: `wait` in its queue, or only if it is free at once. Answered with
    /// [`TabInput::Granted`], [`TabInput::Refused`] or [`TabInput::LockFailed`] and this ticket.
    Lock {
        /// Names this request in its answer and in [`TabCommand::Release`].
        ticket: u32,
        /// Wait in the queue (a follower) instead of asking only once (a click).
        wait: bool,
    },
    /// Let go of the lock held with this ticket, or leave the queue.
    Release(u32),
    /// Ask the lock manager whether the job's lock is held; answered with [`TabInput::Held`].
    Query(u32),
    /// Post this text on the channel.
    Post(String),
    /// Start this tab's own export machine.
    Start,
    /// Stop this tab's own export machine (cancelled here or by another tab).
    Stop,
}

#[derive(Clone, Debug, PartialEq)]
enum Role {
    Alone,
    /// A view said the job runs; the lock manager is asked whether it does.
    Checking {
        ticket: u32,
        view: View,
    },
    Asking {
        ticket: u32,
    },
    Leading {
        ticket: u32,
        starting: bool,
        cancelling: bool,
    },
    Following {
        ticket: u32,
        clicked: bool,
        heard_at: f64,
        asked_at: Option<f64>,
        strikes: u8,
        until: f64,
    },
    Claiming {
        ticket: u32,
        at: f64,
    },
    Solo,
    /// The page was left: nothing until a click.
    Left,
}

/// One tab's part in a shared export (see the [module](self)).
#[derive(Debug)]
pub struct Coordinator {
    key: String,
    role: Role,
    next_ticket: u32,
    /// How long a follower follows at most (the export's own deadline).
    deadline_ms: f64,
    /// This tab's own machine's last view.
    own: View,
    /// What the button shows instead of the own machine's view (following, asking, the end of a
    /// job another tab ran); `None`: the own machine's.
    shown: Option<View>,
    /// The view events are computed against (what the button last showed).
    reported: Shown,
    idle: View,
    /// The text of the last view posted, so that an unchanged view is not posted again.
    posted: String,
    /// The runs of the job this tab leads (one) or follows (each tab that took the job over
    /// names a new one; the last few): ends and cancels of other runs are not about it.
    runs_here: Vec<u64>,
    /// Runs that ended here (the last few): their late views are not followed.
    ended: Vec<u64>,
    /// When a cancel of the job was last pressed or heard here (until a click): this tab does not
    /// take the job over for an export's deadline after it (see [`Coordinator::handle`]).
    cancelled_at: Option<f64>,
    /// The time of the input being handled.
    now: f64,
    /// Names this tab's runs: a number from the driver (random), and a count.
    seed: u64,
    runs: u32,
    commands: Vec<TabCommand>,
    events: Vec<Event>,
    /// What the button shows changed.
    changed: bool,
    /// The own machine was started: what the button shows (busy) stays until it reports.
    awaiting_own: bool,
}

impl Coordinator {
    /// The coordinator of a button whose job has the share `key`; `idle` is its view when no
    /// export runs, `deadline_ms` its export's deadline (a follower's own deadline), `seed` a
    /// random number that names this tab's runs. Posts an ask, so that a job already running in
    /// another tab is shown at once.
    pub fn new(key: String, idle: View, deadline_ms: f64, seed: u64) -> Coordinator {
        let mut c = Coordinator {
            key,
            role: Role::Alone,
            next_ticket: 0,
            deadline_ms,
            own: idle.clone(),
            shown: None,
            reported: Shown::of(&idle),
            idle,
            posted: String::new(),
            runs_here: Vec::new(),
            cancelled_at: None,
            now: 0.0,
            ended: Vec::new(),
            seed,
            runs: 0,
            commands: Vec::new(),
            events: Vec::new(),
            changed: false,
            awaiting_own: false,
        };
        c.post(Kind::Ask, None);
        c
    }

    /// What the button shows.
    pub fn view(&self) -> &View {
        self.shown.as_ref().unwrap_or(&self.own)
    }

    /// True while another tab runs this button's job and this one follows it.
    pub fn following(&self) -> bool {
        matches!(self.role, Role::Following { .. } | Role::Claiming { .. })
    }

    /// True while this tab runs the shared job, holding its lock.
    pub fn leading(&self) -> bool {
        matches!(self.role, Role::Leading { .. })
    }

    /// What the page is to do now, in order.
    pub fn commands(&mut self) -> Vec<TabCommand> {
        std::mem::take(&mut self.commands)
    }

    /// What the button is to show and what happened, when either changed since the last call.
    pub fn update(&mut self) -> Option<(View, Vec<Event>)> {
        let changed = std::mem::take(&mut self.changed);
        (changed || !self.events.is_empty()).then(|| (self.view().clone(), std::mem::take(&mut self.events)))
    }

    /// When to feed [`TabInput::Timer`] next.
    pub fn poll_timeout(&self) -> Option<f64> {
        match self.role {
            Role::Following { heard_at, asked_at, until, .. } => {
                Some(asked_at.map_or(heard_at + QUIET_MS, |at| at + ASK_MS).min(until))
            }
            Role::Claiming { at, .. } => Some(at),
            _ => None,
        }
    }

    /// Feeds one input at `now_ms`.
    ///
    /// A tab that pressed or heard a cancel of the job does not take the job over, until its
    /// user clicks again or an export's deadline has passed (a job cancelled then cannot still
    /// run anywhere): the tab running it may not have heard the cancel yet (frozen by a dialog)
    /// and be closed before it does.
    pub fn handle(&mut self, input: TabInput, now_ms: f64) {
        let now = now_ms;
        self.now = now;
        match input {
            TabInput::Click => {
                self.cancelled_at = None;
                self.click();
            }
            TabInput::Cancel => self.cancel(),
            TabInput::Own(view, events) => self.own(view, events),
            TabInput::Started => {
                if let Role::Leading { ticket, starting: true, .. } = self.role {
                    // The machine did not start (its options are refused): nothing to share.
                    self.release(ticket);
                    self.role = Role::Alone;
                }
                if std::mem::take(&mut self.awaiting_own) {
                    self.show_own();
                }
            }
            TabInput::Granted(t) => self.granted(t, now),
            TabInput::Refused(t) => match self.role {
                Role::Asking { ticket } if ticket == t => self.follow(t, true, None, now),
                _ => {}
            },
            TabInput::LockFailed(t) => match self.role {
                Role::Asking { ticket } | Role::Following { ticket, clicked: true, .. } if ticket == t => {
                    self.solo();
                }
                Role::Following { ticket, .. } if ticket == t => self.quiet(),
                _ => {}
            },
            TabInput::Held(t, held) => {
                if let Role::Checking { ticket, view } = &self.role {
                    if *ticket == t {
                        let view = view.clone();
                        if held {
                            let ticket = self.ticket();
                            self.follow(ticket, false, Some(view), now);
                        } else {
                            self.role = Role::Alone;
                        }
                    }
                }
            }
            TabInput::Message(text) => self.message(&text, now),
            TabInput::Shown => match &mut self.role {
                Role::Following { asked_at: asked_at @ None, .. } => {
                    *asked_at = Some(now);
                    self.post(Kind::Ask, None);
                }
                // Back from a freeze in the middle of the grace: an end or a cancel posted
                // meanwhile is still on its way.
                Role::Claiming { at, .. } => *at = now + CLAIM_GRACE_MS,
                _ => {}
            },
            TabInput::Leave => {
                self.let_go();
                self.role = Role::Left;
                self.show_own();
            }
            TabInput::Timer => self.timer(now),
        }
    }

    fn ticket(&mut self) -> u32 {
        self.next_ticket = self.next_ticket.wrapping_add(1);
        self.next_ticket
    }

    fn release(&mut self, ticket: u32) {
        self.commands.push(TabCommand::Release(ticket));
    }

    /// Lets go of whatever the role holds (the lock or a place in its queue).
    fn let_go(&mut self) {
        match self.role {
            Role::Asking { ticket }
            | Role::Leading { ticket, .. }
            | Role::Following { ticket, .. }
            | Role::Claiming { ticket, .. } => self.release(ticket),
            _ => {}
        }
    }

    fn post(&mut self, kind: Kind, view: Option<&View>) {
        let run = self.runs_here.last().copied().unwrap_or(0);
        let text = write_message(&self.key, kind, run, view);
        self.commands.push(TabCommand::Post(text));
    }

    /// Notes a run of the job this tab follows.
    fn heard_run(&mut self, run: u64) {
        if run != 0 && !self.runs_here.contains(&run) {
            if self.runs_here.len() >= 4 {
                self.runs_here.remove(0);
            }
            self.runs_here.push(run);
        }
    }

    /// Remembers that the run shown here ended, so that its late views are not followed.
    fn end_run(&mut self) {
        for run in std::mem::take(&mut self.runs_here) {
            if self.ended.len() >= 8 {
                self.ended.remove(0);
            }
            self.ended.push(run);
        }
    }

    /// Shows `view` instead of the own machine's, with the events of the change.
    fn show(&mut self, view: View) {
        self.awaiting_own = false;
        self.events.extend(follow_events(self.reported, &view));
        self.reported = Shown::of(&view);
        self.shown = Some(view);
        self.changed = true;
    }

    /// Shows the own machine's view again.
    fn show_own(&mut self) {
        self.awaiting_own = false;
        self.shown = None;
        self.reported = Shown::of(&self.own);
        self.changed = true;
    }

    /// Back to idle after a job followed here ended quietly (the running tab is gone, or the
    /// page asked nothing of it).
    fn quiet(&mut self) {
        self.awaiting_own = false;
        self.let_go();
        self.role = Role::Alone;
        self.reported = Shown::of(&self.idle);
        self.shown = Some(self.idle.clone());
        self.changed = true;
    }

    /// Idle, saying the export was cancelled (here, or in another tab).
    fn cancelled(&mut self) {
        self.cancelled_at = Some(self.now);
        self.end_run();
        self.quiet();
        self.events.push(Event::Cancelled);
    }

    fn click(&mut self) {
        match self.role {
            Role::Alone | Role::Checking { .. } | Role::Left => {
                let ticket = self.ticket();
                self.role = Role::Asking { ticket };
                self.commands.push(TabCommand::Lock { ticket, wait: false });
                // Busy at once, as without sharing; the lock's answer decides whose export it is.
                self.shown = Some(View { status: Status::Exporting, ..self.idle.clone() });
                self.changed = true;
            }
            // Following a job this page was shown: its user now asks for it too.
            Role::Following { ref mut clicked, .. } => *clicked = true,
            _ => {}
        }
    }

    fn cancel(&mut self) {
        self.cancelled_at = Some(self.now);
        match &mut self.role {
            Role::Leading { cancelling, .. } => {
                *cancelling = true;
                self.commands.push(TabCommand::Stop);
            }
            Role::Solo => self.commands.push(TabCommand::Stop),
            Role::Following { .. } | Role::Claiming { .. } => {
                // One job, so one cancel: the running tab is asked to stop it, and this button is
                // free at once, whether it answers or not.
                // It names no run: a follower may have heard of several.
                self.commands.push(TabCommand::Post(write_message(&self.key, Kind::Cancel, 0, None)));
                self.cancelled();
            }
            Role::Asking { .. } => self.cancelled(),
            _ => {}
        }
    }

    fn granted(&mut self, t: u32, now: f64) {
        match self.role {
            Role::Asking { ticket } if ticket == t => self.lead(t),
            Role::Following { ticket, .. } if ticket == t => {
                // The running tab let the lock go: take over unless its end is on the way.
                self.role = Role::Claiming { ticket, at: now + CLAIM_GRACE_MS };
            }
            // A lock this tab no longer wants (it left the queue meanwhile): let it go at once.
            _ => self.release(t),
        }
    }

    fn lead(&mut self, ticket: u32) {
        let taking_over = matches!(self.role, Role::Claiming { .. });
        self.role = Role::Leading { ticket, starting: true, cancelling: false };
        self.posted.clear();
        self.runs = self.runs.wrapping_add(1);
        let n = self.seed ^ u64::from(self.runs).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // 16 hex digits by hand: the formatter's integer padding is not otherwise in the bundle.
        // A run is named by a number of 48 bits (exact in a JSON number), never 0 (unnamed).
        let run = (n & 0xffff_ffff_ffff).max(1);
        // A tab taking the job over keeps the runs it followed: a cancel of the job, heard late,
        // still names one of them.
        if !taking_over {
            self.runs_here.clear();
        }
        self.heard_run(run);
        self.start_own();
    }

    /// Starts this tab's machine: what the button shows comes from it as soon as it reports (the
    /// busy view shown meanwhile, never the idle one: no flash of idle, and the popover stays).
    fn start_own(&mut self) {
        self.own = self.idle.clone();
        self.awaiting_own = true;
        self.commands.push(TabCommand::Start);
    }

    fn solo(&mut self) {
        self.let_go();
        self.role = Role::Solo;
        self.start_own();
    }

    fn follow(&mut self, ticket: u32, clicked: bool, view: Option<View>, now: f64) {
        self.role = Role::Following {
            ticket,
            clicked,
            heard_at: now,
            asked_at: clicked.then_some(now),
            strikes: 0,
            until: now + self.deadline_ms + QUIET_MS,
        };
        self.commands.push(TabCommand::Lock { ticket, wait: true });
        if clicked {
            self.runs_here.clear();
            self.post(Kind::Ask, None);
        }
        let busy = View { status: Status::Exporting, stage: Stage::Starting, ..self.idle.clone() };
        self.show(view.unwrap_or(busy));
    }

    fn own(&mut self, view: View, events: Vec<Event>) {
        self.own = view.clone();
        if std::mem::take(&mut self.awaiting_own) {
            self.shown = None;
        }
        if self.shown.is_none() {
            self.reported = Shown::of(&view);
            self.events.extend(events);
            self.changed = true;
        }
        match self.role {
            Role::Leading { ticket, cancelling, .. } => {
                if view.status == Status::Exporting {
                    self.role = Role::Leading { ticket, starting: false, cancelling };
                    self.post_view(&view);
                    return;
                }
                // Over: the end goes out before the lock is let go, so that no follower takes a
                // finished or cancelled job over. Stopped otherwise (the page left, the button
                // gone): no end, and a follower takes the job over.
                let end = match view.status {
                    Status::Done | Status::Failed | Status::Cancelled => Some(view),
                    _ if cancelling => Some(View { status: Status::Cancelled, failure: None, ..self.idle.clone() }),
                    _ => None,
                };
                if let Some(end) = end {
                    self.post(Kind::End, Some(&end));
                }
                self.end_run();
                self.release(ticket);
                self.role = Role::Alone;
            }
            Role::Solo if view.status != Status::Exporting => self.role = Role::Alone,
            _ => {}
        }
    }

    fn post_view(&mut self, view: &View) {
        let run = self.runs_here.last().copied().unwrap_or(0);
        let text = write_message(&self.key, Kind::View, run, Some(view));
        if text != self.posted {
            self.posted = text.clone();
            self.commands.push(TabCommand::Post(text));
        }
    }

    fn message(&mut self, text: &str, now: f64) {
        let Some(Message { kind, run, view }) = read_message(text, &self.key) else { return };
        // A running view, unless it is of a run that ended here (heard late).
        let running = view.as_ref().is_some_and(|v| v.status == Status::Exporting) && !self.ended.contains(&run);
        // The end or cancel of a run that ended here already (heard late).
        let stale = run != 0 && self.ended.contains(&run);
        match (&mut self.role, kind) {
            (Role::Leading { .. }, Kind::Ask) => {
                self.posted.clear();
                let own = self.own.clone();
                if own.status == Status::Exporting {
                    self.post_view(&own);
                }
            }
            // Whichever run a cancel names (a follower may have heard of several): one job, so
            // one cancel.
            (Role::Leading { cancelling: cancelling @ false, .. }, Kind::Cancel) => {
                *cancelling = true;
                self.cancelled_at = Some(now);
                self.commands.push(TabCommand::Stop);
            }
            (Role::Alone, Kind::View) if running => {
                let ticket = self.ticket();
                self.role = Role::Checking { ticket, view: view.unwrap_or_default() };
                self.runs_here.clear();
                self.heard_run(run);
                self.commands.push(TabCommand::Query(ticket));
            }
            (Role::Checking { view: seen, .. }, Kind::View) if running => {
                *seen = view.unwrap_or_default();
                self.heard_run(run);
            }
            (Role::Following { heard_at, asked_at, strikes, .. }, Kind::View) if running => {
                (*heard_at, *asked_at, *strikes) = (now, None, 0);
                // A tab that took the job over names a new run.
                self.heard_run(run);
                self.show(view.unwrap_or_default());
            }
            (Role::Claiming { .. }, Kind::End | Kind::Cancel) => {
                // The lock came here, but the job is over: this tab does not take it over, and
                // says why before it lets the lock go, so that a tab queued behind it, which may
                // not have heard the end, does not take it over either.
                self.commands.push(TabCommand::Post(text.to_owned()));
                match view {
                    Some(v) if kind == Kind::End && !stale && matches!(v.status, Status::Done | Status::Failed) => {
                        self.end(v)
                    }
                    _ => self.cancelled(),
                }
            }
            // The end or cancel of a run that ended here already, heard again (late, or repeated
            // by a tab the lock came to): whatever this tab follows now, the lock's holder is not
            // a running job's; it stops following, quietly.
            (Role::Following { .. }, Kind::End | Kind::Cancel) if stale => self.quiet(),
            (Role::Following { .. }, Kind::End) => match view {
                Some(v) if v.status == Status::Cancelled && v.failure.is_none() => self.cancelled(),
                Some(v) if matches!(v.status, Status::Done | Status::Failed | Status::Cancelled) => self.end(v),
                _ => {}
            },
            (Role::Following { .. }, Kind::Cancel) => self.cancelled(),
            (Role::Checking { .. }, Kind::Cancel | Kind::End) => {
                self.end_run();
                self.role = Role::Alone;
            }
            _ => {}
        }
    }

    /// The job another tab ran ended: shown here as it ended there.
    fn end(&mut self, view: View) {
        self.end_run();
        self.let_go();
        self.role = Role::Alone;
        self.show(view);
    }

    fn timer(&mut self, now: f64) {
        match self.role {
            Role::Claiming { ticket, at } if now >= at => {
                if self.cancelled_at.is_some_and(|t| now < t + self.deadline_ms) {
                    // A job cancelled here: not taken over.
                    self.quiet();
                } else {
                    self.lead(ticket);
                }
            }
            Role::Following { clicked, heard_at, asked_at, strikes, until, .. } => {
                if now >= until {
                    // Its own deadline: the job did not end in time, as far as this tab can tell.
                    self.let_go();
                    self.role = Role::Alone;
                    let failed = View {
                        status: Status::Failed,
                        failure: Some(Failure::new(FailKind::TimedOut)),
                        ..self.view().clone()
                    };
                    self.show(failed);
                    return;
                }
                match asked_at {
                    Some(at) if now >= at + ASK_MS => {
                        if strikes + 1 >= STRIKES {
                            // The running tab does not answer.
                            if clicked {
                                self.solo();
                            } else {
                                self.quiet();
                            }
                        } else if let Role::Following { asked_at, strikes, .. } = &mut self.role {
                            (*asked_at, *strikes) = (Some(now), *strikes + 1);
                            self.post(Kind::Ask, None);
                        }
                    }
                    None if now >= heard_at + QUIET_MS => {
                        if let Role::Following { asked_at, .. } = &mut self.role {
                            *asked_at = Some(now);
                        }
                        self.post(Kind::Ask, None);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}
