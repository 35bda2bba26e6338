//! Giving up politely: when the target answers the same failure to many requests in a row
//! (401 or 403: the token is wrong or expired; a 5xx: the service is down), the rest of
//! the run would only repeat it. After `LIMIT` in a row the client sends nothing more and
//! every later request fails at once with the reason, which the command line says once
//! (exit 2: vouch could not run against this target).

use std::sync::Mutex;

/// How many identical failures in a row end the run.
pub const LIMIT: u32 = 20;

/// Whether a status is a failure that says nothing about the request itself.
fn counts(status: u16) -> bool {
    matches!(status, 401 | 403 | 407) || (500..600).contains(&status)
}

/// The current run of identical failures, shared by every clone of a client.
#[derive(Debug, Default)]
pub struct Streak {
    state: Mutex<(u16, u32)>,
}

impl Streak {
    /// Notes an answer: the same failure again lengthens the streak, anything else ends it.
    pub fn record(&self, status: u16) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.1 >= LIMIT {
            return; // given up: stays so
        }
        *state = if !counts(status) {
            (0, 0)
        } else if state.0 == status {
            (status, state.1 + 1)
        } else {
            (status, 1)
        };
    }

    /// The status answered `LIMIT` times in a row, once the client has given up.
    pub fn given_up(&self) -> Option<u16> {
        let state = self.state.lock().ok()?;
        (state.1 >= LIMIT).then_some(state.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_401s_in_a_row_give_up_and_a_success_in_between_does_not() {
        let streak = Streak::default();
        for _ in 0..LIMIT - 1 {
            streak.record(401);
        }
        streak.record(200);
        for _ in 0..LIMIT - 1 {
            streak.record(401);
        }
        assert_eq!(streak.given_up(), None);

        streak.record(401);

        assert_eq!(streak.given_up(), Some(401));
        streak.record(200);
        assert_eq!(streak.given_up(), Some(401), "once given up, it stays so");
    }

    #[test]
    fn refusals_of_a_request_never_count() {
        let streak = Streak::default();
        for status in [400, 404, 409, 412, 428].iter().cycle().take(100) {
            streak.record(*status);
        }
        assert_eq!(streak.given_up(), None);
    }
}
