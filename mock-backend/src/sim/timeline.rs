//! A job's progress as a pure function of time: no timer runs per job, a request reads where the
//! job is when it asks.

/// Where `never-finishes` stalls, in percent.
pub const STALL_PERCENT: u64 = 63;

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
    /// Milliseconds since the job was created.
    pub fn elapsed(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.created_ms)
    }

    /// Rows done at `now_ms`.
    pub fn done(&self, now_ms: u64) -> u64 {
        let elapsed = self.elapsed(now_ms);
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
        let elapsed = self.elapsed(now_ms);
        match self.stop_rows {
            Some(stop) if done >= stop && (stop < self.rows || elapsed >= self.duration_ms) => Phase::Stopped { done },
            Some(_) => Phase::Running { done },
            None if elapsed >= self.duration_ms => Phase::Complete,
            None => Phase::Running { done },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
