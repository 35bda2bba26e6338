//! The list pages: the collection is listed from its first page, following
//! `@odata.nextLink` opaquely (never rebuilt from `$skip`), until the sample is full or
//! the last page. Each page is a runner step (status, schema, pairs and links of every
//! entry); on top, no resource may appear twice across the pages (`list-unique`), and
//! `@odata.count` must be the page's item count (the docs' examples) or the total that
//! matches (OData): either is accepted, anything else is flagged (`list-count`).

use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;

use super::{Run, LISTING};
use crate::outcome::{ScenarioOutcome, StepOutcome};

/// What the listing saw.
pub(super) struct Listed {
    /// The entries, in list order, at most the sample, each resource once.
    pub entries: Vec<Value>,
    pub outcome: ScenarioOutcome,
}

/// One page's figures, for the count rule.
struct Page {
    step: usize,
    items: usize,
    count: Option<u64>,
    /// Distinct resources listed up to and including this page.
    so_far: usize,
}

pub(super) async fn list(run: &Run<'_>, sample: usize) -> Listed {
    let started = Instant::now();
    let scenario = run.scenario(LISTING);
    let spec = run.spec;
    let id_pointer = run.suite.contract.resource.id.as_str();
    let mut steps: Vec<StepOutcome> = Vec::new();
    let mut entries = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut links: HashSet<String> = HashSet::new();
    let mut pages: Vec<Page> = Vec::new();
    let mut error = None;
    let mut reached_end = false;
    let mut next = Some(run.suite.contract.resource.path.clone());
    while let Some(path) = next.take() {
        let label = format!("page-{}", steps.len() + 1);
        let (mut step, body) = match run
            .get(&scenario, label.clone(), path, "list", "list")
            .await
        {
            Ok(got) => got,
            Err(message) => {
                error = Some(message);
                break;
            }
        };
        let Some(body) = body else {
            steps.push(step);
            break;
        };
        let items = body
            .pointer(spec.items.as_str())
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut fresh = 0;
        for (index, item) in items.iter().enumerate() {
            let Some(id) = item.pointer(id_pointer).and_then(Value::as_str) else {
                continue; // the schema check names a missing id
            };
            if seen.insert(id.to_owned()) {
                fresh += 1;
                if entries.len() < sample {
                    entries.push(item.clone());
                }
            } else {
                step.findings.push(run.finding(
                    "list-unique",
                    &label,
                    &format!("{}/{index}{id_pointer}", spec.items),
                    format!(
                        "{} {id} was already listed on an earlier page",
                        run.suite.contract.resource.noun()
                    ),
                ));
            }
        }
        pages.push(Page {
            step: steps.len(),
            items: items.len(),
            count: body.pointer(spec.count.as_str()).and_then(Value::as_u64),
            so_far: seen.len(),
        });
        next = body
            .pointer(spec.next_link.as_str())
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(link) = &next {
            if !same_origin(link, run.target.http.base()) {
                // The token goes only where the run was pointed.
                step.findings.push(run.finding(
                    "link-path",
                    &label,
                    spec.next_link.as_str(),
                    format!(
                        "{link:?} leaves the target {}: not followed",
                        run.target.http.base()
                    ),
                ));
                next = None;
            } else if !links.insert(link.clone()) || (fresh == 0 && !items.is_empty()) {
                step.findings.push(run.finding(
                    "list-unique",
                    &label,
                    spec.next_link.as_str(),
                    format!("{link:?} leads back to pages already listed"),
                ));
                next = None;
            } else if items.is_empty() {
                // An empty page with a next link: paging that brings nothing.
                next = None;
            }
        } else {
            reached_end = true;
        }
        steps.push(step);
        if entries.len() >= sample {
            break;
        }
    }
    judge_counts(run, &pages, reached_end, seen.len(), &mut steps);
    Listed {
        entries,
        outcome: run.outcome(LISTING, steps, error, started),
    }
}

/// Whether `link` is relative or has the scheme, host and port of `base`.
fn same_origin(link: &str, base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(link) else {
        return !link.contains("://");
    };
    reqwest::Url::parse(base).is_ok_and(|b| {
        b.scheme() == url.scheme()
            && b.host_str() == url.host_str()
            && b.port_or_known_default() == url.port_or_known_default()
    })
}

/// `list-count`: each page's count is its item count or the total. The total is known
/// when the listing reached the last page; before that, a count below what has been
/// listed is the only one that is surely neither.
fn judge_counts(
    run: &Run<'_>,
    pages: &[Page],
    reached_end: bool,
    total: usize,
    steps: &mut [StepOutcome],
) {
    for page in pages {
        let Some(count) = page.count else { continue };
        let Ok(count) = usize::try_from(count) else {
            continue;
        };
        let fits = count == page.items
            || if reached_end {
                count == total
            } else {
                count >= page.so_far
            };
        if fits {
            continue;
        }
        let whole = if reached_end {
            format!("the {total} that match")
        } else {
            format!("at least the {} listed so far", page.so_far)
        };
        if let Some(step) = steps.get_mut(page.step) {
            let label = step.name.clone();
            step.findings.push(run.finding(
                "list-count",
                &label,
                run.spec.count.as_str(),
                format!(
                    "@odata.count is {count}: neither the page's {} items nor {whole}",
                    page.items
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_link_is_followed_only_on_the_target_itself() {
        let base = "https://api.example.com";
        assert!(same_origin(
            "https://api.example.com/v1.0/items?$skiptoken=2",
            base
        ));
        assert!(same_origin("/v1.0/items?$skiptoken=2", base));
        assert!(!same_origin(
            "http://api.example.com/v1.0/others?$skiptoken=2",
            base
        ));
        assert!(!same_origin("https://elsewhere.example/v1.0/items", base));
    }
}
