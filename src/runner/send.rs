//! Sending a step's request: once, or as `parallel: N` racing copies (see
//! `concurrent.rs`), with the transport time given to the stage clock; and, for a list
//! step, following the list to its end through the contract's next link.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::endpoint::pages::Listed;
use crate::endpoint::{Received, SentRequest, Target};
use crate::fixture::scenario::Step;
use crate::runner::concurrent;
use crate::runner::step::StepError;
use crate::timing::{Stage, StageClock};

/// What came back for a step.
pub(super) struct Sent {
    pub received: Received,
    /// Every copy's status, when the step raced copies of its request.
    pub race: Option<Vec<u16>>,
    /// The time on the wire (measured only with a stage clock).
    pub transport: Duration,
}

/// Sends `request` as `step` says (once, or racing copies).
pub(super) async fn send(
    target: &Target,
    step: &Step,
    label: &str,
    request: &SentRequest,
    clock: Option<&StageClock>,
) -> Result<Sent, StepError> {
    let sending = clock.map(|_| Instant::now());
    let transport_error = |source| StepError::Transport {
        step: label.to_owned(),
        source,
    };
    let (received, race) = match step.parallel {
        Some(copies) if copies > 1 => {
            let race = concurrent::send(&target.http, request, copies)
                .await
                .map_err(transport_error)?;
            (race.winner, Some(race.statuses))
        }
        _ => (
            target.http.send(request).await.map_err(transport_error)?,
            None,
        ),
    };
    let mut transport = Duration::ZERO;
    if let (Some(clock), Some(sending)) = (clock, sending) {
        transport = sending.elapsed();
        clock.add(Stage::Transport, transport);
        clock.exchange();
    }
    Ok(Sent {
        received,
        race,
        transport,
    })
}

/// A list step (`expect.list`) reads the whole list from its successful first page.
pub(super) async fn list(
    target: &Target,
    suite: &crate::fixture::Suite,
    step: &Step,
    status: u16,
    first: Option<&Value>,
    headers: &[(String, String)],
) -> Option<Listed> {
    let shape = suite.contract.list.as_ref()?;
    match (&step.expect.list, first) {
        (Some(_), Some(first)) if (200..300).contains(&status) => {
            Some(crate::endpoint::pages::follow(&target.http, shape, first, headers).await)
        }
        _ => None,
    }
}
