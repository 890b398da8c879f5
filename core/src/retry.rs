//! The one retry and timeout policy of both machines: which answers are worth another try, how
//! long to wait before it (capped, jittered exponential backoff, or the server's `Retry-After`),
//! how many failures in a row are tolerated, and how long a request may take.
//!
//! The export [`Machine`](crate::machine::Machine) and the history panel's
//! [`HistoryMachine`](crate::history::HistoryMachine) both retry the statuses that [`is_transient`]
//! (and every outcome without an answer), wait as [`retry_wait`] and [`RetryPolicy::next_wait`]
//! say, time requests out with [`timed_out`], and fail at once on an answer over its size limit
//! with [`too_large`], so that a 502 or a runaway answer means the same to both.

use crate::error::{FailKind, Failure};

/// Timeouts and retries, the same for every request of a machine.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// A request without an answer this long is aborted and counts as a network failure.
    pub request_timeout_ms: f64,
    /// Consecutive transient failures tolerated; one more is a failure.
    pub max_retries: u32,
    /// First backoff delay.
    pub backoff_base_ms: f64,
    /// Longest backoff delay.
    pub backoff_cap_ms: f64,
    /// Longest `Retry-After` honoured.
    pub retry_after_cap_ms: f64,
    /// Seed for backoff jitter.
    pub seed: u64,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            request_timeout_ms: 30_000.0,
            max_retries: 3,
            backoff_base_ms: 500.0,
            backoff_cap_ms: 8_000.0,
            retry_after_cap_ms: 60_000.0,
            seed: 0x5EED,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next try after the `failures`th transient failure in a row (counting
    /// this one), or `None` when that is one failure too many. `retry_after_ms` is the server's
    /// wish (see [`retry_wait`]), honoured up to [`RetryPolicy::retry_after_cap_ms`]; without one the
    /// wait is the jittered backoff.
    pub fn next_wait(&self, failures: u32, retry_after_ms: Option<f64>, rng: &mut Rng) -> Option<f64> {
        if failures > self.max_retries {
            return None;
        }
        Some(match retry_after_ms {
            Some(ms) => ms.min(self.retry_after_cap_ms),
            None => backoff_ms(failures, self.backoff_base_ms, self.backoff_cap_ms, rng),
        })
    }
}

/// Answers worth another try whatever the backend: 5xx, 408, 429.
pub fn is_transient(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

/// The failure of a request that got no answer within [`RetryPolicy::request_timeout_ms`].
pub fn timed_out() -> Failure {
    Failure::new(FailKind::Network).detail(Some("request timed out"))
}

/// The failure of an answer over its request's size limit
/// ([`HttpOutcome::TooLarge`](crate::http::HttpOutcome::TooLarge)): an unreadable answer, not
/// retried, whatever its status (the same request would bring the same bytes back; see [the
/// size limits](crate::http#size-limits)).
pub fn too_large() -> Failure {
    Failure { kind: FailKind::BadResponse, status: None, detail: Some(TOO_LARGE.to_owned()) }
}

/// The detail of [`too_large`]'s failure, which tells it from other unreadable answers (for
/// developers: the toast gives the reason of every unreadable answer).
pub const TOO_LARGE: &str = "the answer is over its size limit";

/// How long a 429 or 503 asks to wait (its `Retry-After`), if it says.
pub fn retry_wait(status: u16, retry_after: Option<&str>) -> Option<f64> {
    if status == 429 || status == 503 {
        retry_after_ms(retry_after)
    } else {
        None
    }
}

/// Reads `Retry-After` as delay-seconds. HTTP-dates need a wall clock the core does not have; they
/// fall back to the normal backoff.
pub fn retry_after_ms(header: Option<&str>) -> Option<f64> {
    let v = header?.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > 9 {
        return None;
    }
    v.parse::<u32>().ok().map(|s| f64::from(s) * 1000.0)
}

/// Exponential backoff with equal jitter: the `n`th consecutive failure (from 1) waits between half
/// and all of `min(cap, base × 2^(n−1))`.
pub fn backoff_ms(n: u32, base_ms: f64, cap_ms: f64, rng: &mut Rng) -> f64 {
    let full = (base_ms * 2f64.powi(n.saturating_sub(1).min(30) as i32)).min(cap_ms);
    full / 2.0 + rng.unit() * full / 2.0
}

/// A small deterministic generator (SplitMix64) for jitter: seeded by the driver, so tests replay.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_only() {
        assert_eq!(retry_after_ms(Some("3")), Some(3000.0));
        assert_eq!(retry_after_ms(Some(" 0 ")), Some(0.0));
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after_ms(Some("-1")), None);
        assert_eq!(retry_after_ms(Some("99999999999")), None);
        assert_eq!(retry_after_ms(None), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let mut rng = Rng::new(7);
        for n in 1..=10 {
            let full = (500.0 * 2f64.powi(n as i32 - 1)).min(8000.0);
            let d = backoff_ms(n, 500.0, 8000.0, &mut rng);
            assert!(d >= full / 2.0 && d <= full, "n={n} d={d}");
        }
        let a: Vec<f64> = (0..5).map(|_| Rng::new(1).unit()).collect();
        assert!(a.iter().all(|&x| x == a[0]), "same seed, same jitter");
        let mut r = Rng::new(1);
        let b: Vec<f64> = (0..100).map(|_| r.unit()).collect();
        assert!(b.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert!(b.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn transient_statuses_are_retried_and_the_rest_read() {
        for status in [408, 429, 500, 502, 503, 599] {
            assert!(is_transient(status), "{status}");
        }
        for status in [200, 201, 302, 400, 401, 404] {
            assert!(!is_transient(status), "{status}");
        }
        assert_eq!(retry_wait(429, Some("2")), Some(2000.0));
        assert_eq!(retry_wait(503, Some("1")), Some(1000.0));
        assert_eq!(retry_wait(500, Some("1")), None);
    }

    #[test]
    fn failures_past_the_limit_end_the_retries() {
        let policy = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
        let mut rng = Rng::new(1);
        assert!(policy.next_wait(1, None, &mut rng).is_some_and(|w| (250.0..=500.0).contains(&w)));
        assert_eq!(policy.next_wait(2, Some(90_000.0), &mut rng), Some(60_000.0));
        assert_eq!(policy.next_wait(3, None, &mut rng), None);
    }
}
