//! `vouch run --plan`: what a run would send, worked out from the scenarios and the
//! contract without touching the target: per scenario its requests by method and whether
//! it writes (and so whether it runs against this target), the totals by method, and the
//! read-only verification's bounds (list pages, GETs by id, filtered lists).

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::fixture::scenario::{Scenario, Step};
use crate::fixture::Suite;

/// What the run would be.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// `double` or the base URL.
    pub target: String,
    /// A live target (writes need `allow_mutations`).
    pub live: bool,
    pub allow_mutations: bool,
    pub filter: Option<String>,
    /// `--sample` (None: the contract's).
    pub sample: Option<usize>,
    /// Requests per second, when limited.
    pub rate: Option<f64>,
}

/// One scenario's share of the run.
#[derive(Debug, Clone)]
pub struct Planned {
    pub name: String,
    /// Method → requests.
    pub methods: BTreeMap<String, usize>,
    pub writes: bool,
    /// Whether it would run (a writing scenario against a live target without
    /// `--allow-mutations` is skipped).
    pub runs: bool,
}

/// The plan of a run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub options: PlanOptions,
    pub scenarios: Vec<Planned>,
    /// The read-only verification: (scenario names, the most resources, filter lists).
    pub verify: Vec<String>,
    pub sample: usize,
    pub filters: usize,
    /// What the API calls its resources (`resource.nouns`).
    pub nouns: String,
}

fn method(step: &Step) -> String {
    match (&step.create, &step.request) {
        (Some(_), _) => "POST".to_owned(),
        (None, Some(request)) => request.method.to_ascii_uppercase(),
        (None, None) => "?".to_owned(),
    }
}

impl Plan {
    pub fn of(suite: &Suite, scenarios: &[Scenario], options: &PlanOptions) -> Self {
        let planned = scenarios
            .iter()
            .map(|scenario| {
                let mut methods = BTreeMap::new();
                for step in scenario.steps.iter() {
                    *methods.entry(method(step)).or_insert(0) += 1;
                }
                let writes = scenario.steps.iter().any(Step::writes);
                Planned {
                    name: scenario.name.clone(),
                    methods,
                    writes,
                    runs: !(writes && options.live && !options.allow_mutations),
                }
            })
            .collect();
        let spec = suite.contract.verification.as_ref();
        let sample = options
            .sample
            .or(spec.map(|s| s.sample))
            .unwrap_or_default();
        let verify = if sample == 0 {
            Vec::new()
        } else {
            crate::verify::names(suite, options.filter.as_deref())
        };
        let filters = verify
            .iter()
            .filter(|n| n.starts_with(&crate::verify::filter_name("")))
            .count();
        Self {
            options: options.clone(),
            scenarios: planned,
            verify,
            sample,
            filters,
            nouns: suite.contract.resource.nouns(),
        }
    }

    /// Requests by method of the scenarios that would run.
    pub fn totals(&self) -> BTreeMap<String, usize> {
        let mut totals = BTreeMap::new();
        for planned in self.scenarios.iter().filter(|p| p.runs) {
            for (method, count) in &planned.methods {
                *totals.entry(method.clone()).or_insert(0) += count;
            }
        }
        totals
    }

    /// The most GETs the verification sends: one list page per resource at worst (a
    /// server picks its page size), a GET by id each, and one list per `$filter` shape.
    pub fn verify_requests(&self) -> usize {
        if self.verify.is_empty() {
            0
        } else {
            2 * self.sample + self.filters
        }
    }

    pub fn render(&self, out: &mut impl Write) -> io::Result<()> {
        let o = &self.options;
        writeln!(
            out,
            "vouch run --plan: nothing is sent. Target: {} ({})",
            o.target,
            if o.live { "live" } else { "embedded double" }
        )?;
        for planned in &self.scenarios {
            let methods: Vec<String> = planned
                .methods
                .iter()
                .map(|(m, n)| format!("{n} {m}"))
                .collect();
            let mark = match (planned.runs, planned.writes) {
                (false, _) => "SKIP ",
                (true, true) => "WRITE",
                (true, false) => "READ ",
            };
            writeln!(out, "{mark} {}  ({})", planned.name, methods.join(", "))?;
        }
        for name in &self.verify {
            writeln!(out, "READ  {name}  (GET only)")?;
        }
        let running = self.scenarios.iter().filter(|p| p.runs).count();
        let writing = self.scenarios.iter().filter(|p| p.runs && p.writes).count();
        let skipped = self.scenarios.len() - running;
        writeln!(
            out,
            "scenarios: {running} run ({writing} write), {skipped} skipped{}",
            if skipped > 0 {
                " (they write: give --allow-mutations)"
            } else {
                ""
            }
        )?;
        let totals = self.totals();
        let shown: Vec<String> = totals.iter().map(|(m, n)| format!("{n} {m}")).collect();
        writeln!(
            out,
            "requests of the scenarios: {} ({}), throttled ones retried on top",
            totals.values().sum::<usize>(),
            if shown.is_empty() {
                "none".to_owned()
            } else {
                shown.join(", ")
            }
        )?;
        if self.verify.is_empty() {
            writeln!(out, "read-only verification: off")?;
        } else {
            writeln!(
                out,
                "read-only verification: up to {} existing {}; at most {} GETs (list pages, one GET by id each, {} filtered lists)",
                self.sample,
                self.nouns,
                self.verify_requests(),
                self.filters
            )?;
        }
        let all = totals.values().sum::<usize>() + self.verify_requests();
        match o.rate {
            Some(rate) if rate > 0.0 => {
                #[allow(clippy::cast_precision_loss)]
                let seconds = all as f64 / rate;
                writeln!(
                    out,
                    "rate: at most {rate} requests/s: {all} requests take at least {seconds:.0} s"
                )
            }
            _ => writeln!(out, "rate: no limit"),
        }
    }
}
