//! Time: the last attempt of a request (waits for Retry-After excluded) must come back
//! within the contract's latency budget.

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct Latency;

impl Check for Latency {
    fn name(&self) -> &'static str {
        "latency"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let Some(budget) = cx.suite.contract.latency_budget_ms else {
            return Ok(());
        };
        let took = cx.observed.latency.as_millis();
        if took > u128::from(budget) {
            out.push(cx.finding(
                "latency",
                None,
                format!("the response took {took} ms; the budget is {budget} ms"),
            ));
        }
        Ok(())
    }
}
