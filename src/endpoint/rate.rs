//! The request rate limiter: one token bucket shared by every clone of a client, so
//! `--rate N` holds across all of a run's jobs. The bucket holds one token (no bursts):
//! requests leave at most one every 1/N seconds, in the order they asked.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A shared limit of `per_second` requests per second.
#[derive(Debug)]
pub struct Rate {
    interval: Duration,
    /// When the next request may leave.
    next: Mutex<Option<Instant>>,
}

impl Rate {
    /// A limit of `per_second` (above 0) requests per second; `None` for no limit.
    pub fn new(per_second: f64) -> Option<Self> {
        (per_second.is_finite() && per_second > 0.0).then(|| Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(None),
        })
    }

    /// The time between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits until this request may leave. The lock is held while waiting, so waiting
    /// requests leave in the order they came.
    pub async fn acquire(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let at = next.map_or(now, |n| n.max(now));
        if at > now {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(at + self.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rate_or_a_zero_rate_is_no_limit() {
        assert!(Rate::new(0.0).is_none());
        assert!(Rate::new(f64::NAN).is_none());
        assert_eq!(
            Rate::new(4.0).map(|r| r.interval()),
            Some(Duration::from_millis(250))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn requests_leave_one_interval_apart() {
        let rate = Rate::new(10.0).unwrap();
        let start = Instant::now();

        for _ in 0..5 {
            rate.acquire().await;
        }

        // The first leaves at once, the fifth four intervals later (virtual time).
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
