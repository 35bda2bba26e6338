//! Concurrent writers: a step with `parallel: N` is sent as N identical requests started
//! together (a barrier releases them at once, each on its own connection), as two clients
//! that read the same version and write it back would. Of writers that send the same
//! If-Match, exactly one may win; every other must be refused as stale (rule
//! `concurrent-writers`). The winner's response is the step's response for the other
//! checks and the captures.

use std::sync::Arc;

use crate::endpoint::{Http, Received, SentRequest, TransportError};
use crate::finding::{Basis, Finding, Location};
use crate::fixture::contract::ExpectedResponse;
use crate::fixture::Suite;

/// The situation of contract.yaml `responses:` every losing writer must answer.
const LOSER_SITUATION: &str = "stale_if_match";
/// The rule a race breaks.
pub(super) const RULE: &str = "concurrent-writers";

/// The answers to `copies` identical requests sent at once.
#[derive(Debug)]
pub(super) struct Race {
    /// The winner's answer (the first success, else the first answer).
    pub winner: Received,
    /// Every answer's status, in the order the requests were started.
    pub statuses: Vec<u16>,
}

/// Sends `copies` copies of `request` at once.
pub(super) async fn send(
    http: &Http,
    request: &SentRequest,
    copies: usize,
) -> Result<Race, TransportError> {
    let copies = copies.max(1);
    let barrier = Arc::new(tokio::sync::Barrier::new(copies));
    let mut racers = tokio::task::JoinSet::new();
    for index in 0..copies {
        let (http, request, barrier) = (http.clone(), request.clone(), Arc::clone(&barrier));
        racers.spawn(async move {
            barrier.wait().await;
            (index, http.send(&request).await)
        });
    }
    let mut answers = Vec::with_capacity(copies);
    while let Some(joined) = racers.join_next().await {
        match joined {
            Ok(answer) => answers.push(answer),
            Err(error) => {
                return Err(TransportError::Other {
                    url: request.url.clone(),
                    message: format!("a concurrent request stopped: {error}"),
                })
            }
        }
    }
    answers.sort_by_key(|(index, _)| *index);
    let mut received = Vec::with_capacity(copies);
    for (_, answer) in answers {
        received.push(answer?);
    }
    let statuses: Vec<u16> = received.iter().map(|r| r.status).collect();
    let winner_at = statuses
        .iter()
        .position(|s| (200..300).contains(s))
        .unwrap_or(0);
    let winner = received.swap_remove(winner_at);
    Ok(Race { winner, statuses })
}

/// The finding of a race that did not end with exactly one winner and the rest refused
/// as stale.
pub(super) fn judge(suite: &Suite, statuses: &[u16], location: Location) -> Option<Finding> {
    let wins = statuses.iter().filter(|s| (200..300).contains(*s)).count();
    let stale = suite.contract.responses.get(LOSER_SITUATION);
    let misanswered: Vec<u16> = statuses
        .iter()
        .copied()
        .filter(|s| !(200..300).contains(s) && !stale.is_some_and(|r| r.accepts(*s)))
        .collect();
    if wins == 1 && misanswered.is_empty() {
        return None;
    }
    let expected = stale.map_or_else(|| "412".to_owned(), ExpectedResponse::describe);
    let shown: Vec<String> = statuses.iter().map(u16::to_string).collect();
    let basis = suite
        .contract
        .rules
        .get(RULE)
        .map_or(Basis::Assumed, |r| r.basis);
    Some(Finding {
        rule: RULE.into(),
        basis,
        location,
        message: format!(
            "{} writers sent the same If-Match at once and {wins} won (statuses {}); exactly one may win, the others must get {expected}",
            statuses.len(),
            shown.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite() -> Suite {
        Suite::load(&crate::profile::bundled_suite()).unwrap()
    }

    #[test]
    fn one_winner_and_stale_losers_is_no_finding_but_two_winners_is() {
        let suite = suite();
        let here = || Location::file("contract.yaml");
        assert!(judge(&suite, &[412, 200, 412], here()).is_none());
        let both = judge(&suite, &[200, 200, 412], here()).unwrap();
        assert_eq!(both.rule, RULE);
        assert!(both.message.contains("2 won"), "{}", both.message);
        assert!(judge(&suite, &[412, 412], here()).is_some());
        assert!(judge(&suite, &[200, 500], here()).is_some());
    }
}
