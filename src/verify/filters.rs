//! Each `$filter` shape of the contract, built from values seen in the data: the first
//! listed resource that has a string at every hole gives the values, the filtered list's
//! first page is a runner step, and every resource it returns must match the expression
//! (`filter-matches`, with the shape's own basis). A shape no listed resource can fill is
//! skipped, saying so; so is one that names a field the contract does not list as
//! filterable.

use std::time::Instant;

use serde_json::Value;

use super::{query, Run};
use crate::fixture::verification::FilterShape;
use crate::outcome::ScenarioOutcome;

pub(super) async fn filter(
    run: &Run<'_>,
    shape: &FilterShape,
    name: &str,
    entries: &[Value],
) -> ScenarioOutcome {
    let started = Instant::now();
    let resource = &run.suite.contract.resource;
    let holes = shape.holes();
    let unfilterable: Vec<&str> = holes
        .iter()
        .copied()
        .filter(|h| {
            let field = h.split('/').next().unwrap_or_default();
            !resource.filterable.iter().any(|f| f == field)
        })
        .collect();
    if !unfilterable.is_empty() {
        return run.skipped(
            name,
            format!(
                "{} not in resource.filterable of contract.yaml",
                unfilterable.join(", ")
            ),
        );
    }
    let values_of = |entry: &Value| -> Option<Vec<(String, String)>> {
        holes
            .iter()
            .map(|h| {
                entry
                    .pointer(&FilterShape::pointer(h))
                    .and_then(Value::as_str)
                    .map(|v| ((*h).to_owned(), v.to_owned()))
            })
            .collect()
    };
    let Some(values) = entries.iter().find_map(values_of) else {
        return run.skipped(
            name,
            format!(
                "no listed {} has a value for {}",
                resource.noun(),
                holes.join(", ")
            ),
        );
    };
    let expression = shape.fill(&values);
    let path = format!("{}?$filter={}", resource.path, query::encode(&expression));
    let scenario = run.scenario(name);
    let label = "filtered".to_owned();
    let (mut step, body) = match run
        .get(&scenario, label.clone(), path, "list", "list")
        .await
    {
        Ok(got) => got,
        Err(message) => return run.outcome(name, Vec::new(), Some(message), started),
    };
    let items = body
        .as_ref()
        .and_then(|b| b.pointer(run.spec.items.as_str()))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let id_pointer = resource.id.as_str();
    for (index, item) in items.iter().enumerate() {
        let id = item
            .pointer(id_pointer)
            .and_then(Value::as_str)
            .unwrap_or("(no id)");
        for (hole, wanted) in &values {
            let pointer = FilterShape::pointer(hole);
            let got = item.pointer(&pointer);
            if got.and_then(Value::as_str) != Some(wanted.as_str()) {
                let shown = got.map_or_else(|| "nothing".to_owned(), ToString::to_string);
                step.findings.push(run.finding_with(
                    "filter-matches",
                    shape.basis,
                    &label,
                    &format!("{}/{index}{pointer}", run.spec.items),
                    format!(
                        "$filter={expression} returned {} {id} with {hole} {shown}",
                        resource.noun()
                    ),
                ));
            }
        }
    }
    run.outcome(name, vec![step], None, started)
}
