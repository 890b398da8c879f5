//! When to ask for progress again: the polling policy, and the progress-rate estimate behind the
//! popover's "约 12 秒".

use crate::small_std::clamp;

/// How progress is polled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PollPolicy {
    /// Every `interval_ms`, as the old widget did. Kept as the baseline the adaptive policy is
    /// measured against.
    Fixed {
        /// The interval.
        interval_ms: f64,
    },
    /// Poll soon after the start, then estimate completion from the observed rate of progress and
    /// ask near the expected finish, bounded between `floor_ms` and `cap_ms`. Without a rate
    /// (no numbers yet, or a stall) the interval grows geometrically from `first_ms` to `cap_ms`.
    Adaptive {
        /// The first poll after the start answer.
        first_ms: f64,
        /// The shortest interval.
        floor_ms: f64,
        /// The longest interval.
        cap_ms: f64,
    },
}

impl Default for PollPolicy {
    fn default() -> PollPolicy {
        PollPolicy::Adaptive { first_ms: 400.0, floor_ms: 150.0, cap_ms: 2500.0 }
    }
}

/// Past this, rate samples are forgotten: bursts average out, but a changed pace shows through.
const WINDOW_MS: f64 = 20_000.0;

/// Progress observations of one export, turned into a rate and a next-poll delay.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    /// `(time, fraction)`, oldest first (a few dozen at most).
    samples: Vec<(f64, f64)>,
    last_delay: Option<f64>,
    started_ms: f64,
}

impl Tracker {
    /// A tracker for an export whose job started at `t_ms` (progress 0 then).
    pub fn new(t_ms: f64) -> Tracker {
        Tracker { samples: vec![(t_ms, 0.0)], last_delay: None, started_ms: t_ms }
    }

    /// Records that `fraction` (0..1) of the work was done at `t_ms`.
    pub fn observe(&mut self, t_ms: f64, fraction: f64) {
        let fraction = if fraction.is_finite() { clamp(fraction, 0.0, 1.0) } else { return };
        // A fraction that goes backwards (a backend's total grew) restarts the estimate.
        if self.samples.last().is_some_and(|&(_, f)| fraction < f) {
            self.samples.clear();
        }
        self.samples.push((t_ms, fraction));
        while self.samples.len() > 2 && self.samples.first().is_some_and(|&(t, _)| t_ms - t > WINDOW_MS) {
            self.samples.remove(0);
        }
    }

    /// Fraction per millisecond, if progress moved: the faster of the average over the window
    /// and the latest interval, so that a job that speeds up (or writes in bursts) is not
    /// polled late, while one that stalls keeps its average.
    pub fn rate(&self) -> Option<f64> {
        let slope = |(t0, f0): (f64, f64), (t1, f1): (f64, f64)| {
            let (df, dt) = (f1 - f0, t1 - t0);
            (df > 0.0 && dt > 0.0).then_some(df / dt)
        };
        let last = *self.samples.last()?;
        let window = slope(*self.samples.first()?, last);
        let n = self.samples.len();
        let recent = if n >= 2 { slope(self.samples[n - 2], last) } else { None };
        match (window, recent) {
            (Some(w), Some(r)) => Some(w.max(r)),
            (w, r) => w.or(r),
        }
    }

    /// Estimated milliseconds left at `now_ms`, if there is a rate.
    pub fn eta_ms(&self, now_ms: f64) -> Option<f64> {
        let rate = self.rate()?;
        let &(t, f) = self.samples.last()?;
        Some(((1.0 - f) / rate - (now_ms - t)).max(0.0))
    }

    /// The delay before the next progress poll.
    pub fn next_delay(&mut self, policy: PollPolicy, now_ms: f64) -> f64 {
        let delay = match policy {
            PollPolicy::Fixed { interval_ms } => interval_ms,
            PollPolicy::Adaptive { first_ms, floor_ms, cap_ms } => {
                // Early estimates are rough: never wait longer than the job has run so far, so
                // the interval at most doubles while the picture forms.
                let cap = cap_ms.min((now_ms - self.started_ms).max(floor_ms));
                match (self.eta_ms(now_ms), self.last_delay) {
                    // Aim a little after the expected finish, so that the poll finds it done.
                    (Some(eta), _) => clamp(eta * 1.05 + 60.0, floor_ms, cap),
                    (None, None) => first_ms,
                    (None, Some(last)) => clamp(last * 1.6, floor_ms, cap),
                }
            }
        };
        let delay = if delay.is_finite() { delay.max(0.0) } else { 1000.0 };
        self.last_delay = Some(delay);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADAPTIVE: PollPolicy = PollPolicy::Adaptive { first_ms: 400.0, floor_ms: 200.0, cap_ms: 3000.0 };

    #[test]
    fn first_poll_comes_soon_then_backs_off_without_numbers() {
        let mut t = Tracker::new(0.0);
        assert_eq!(t.next_delay(ADAPTIVE, 0.0), 400.0);
        assert_eq!(t.next_delay(ADAPTIVE, 1000.0), 640.0);
        let mut last = 0.0;
        for _ in 0..20 {
            last = t.next_delay(ADAPTIVE, 60_000.0);
        }
        assert_eq!(last, 3000.0);
    }

    #[test]
    fn early_waits_never_exceed_the_time_the_job_has_run() {
        let mut t = Tracker::new(0.0);
        t.observe(400.0, 0.01); // looks like a 40 s job, but it is only 0.4 s old
        assert_eq!(t.next_delay(ADAPTIVE, 400.0), 400.0);
    }

    #[test]
    fn steady_progress_schedules_the_poll_near_the_expected_finish() {
        let mut t = Tracker::new(0.0);
        t.observe(4000.0, 0.8); // 0.2 per second: 1 s left
        let d = t.next_delay(ADAPTIVE, 4000.0);
        assert!((1000.0..1200.0).contains(&d), "{d}");
        assert!((t.eta_ms(4000.0).unwrap() - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn a_job_that_speeds_up_is_judged_by_its_latest_pace() {
        let mut t = Tracker::new(0.0);
        t.observe(8000.0, 0.2);
        t.observe(9000.0, 0.5); // 0.3 per second lately, 0.055 on average
        let eta = t.eta_ms(9000.0).unwrap();
        assert!((eta - 5000.0 / 3.0).abs() < 1.0, "{eta}");
    }

    #[test]
    fn delays_are_bounded_by_floor_and_cap() {
        let mut t = Tracker::new(0.0);
        t.observe(1000.0, 0.999);
        assert_eq!(t.next_delay(ADAPTIVE, 1000.0), 200.0);
        let mut t = Tracker::new(0.0);
        t.observe(10_000.0, 0.01);
        assert_eq!(t.next_delay(ADAPTIVE, 10_000.0), 3000.0);
    }

    #[test]
    fn fixed_policy_is_fixed() {
        let mut t = Tracker::new(0.0);
        t.observe(500.0, 0.5);
        assert_eq!(t.next_delay(PollPolicy::Fixed { interval_ms: 1000.0 }, 500.0), 1000.0);
    }

    #[test]
    fn backwards_progress_restarts_the_estimate() {
        let mut t = Tracker::new(0.0);
        t.observe(1000.0, 0.5);
        t.observe(2000.0, 0.1);
        assert_eq!(t.rate(), None);
        t.observe(3000.0, 0.2);
        assert!((t.rate().unwrap() - 0.0001).abs() < 1e-12);
    }
}
