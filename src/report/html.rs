//! The HTML report: one self-contained page (inline styles, no script, no font or image
//! from anywhere, and a Content-Security-Policy that forbids loading any) that a person
//! opens from a CI artefact. An overview with the totals and a filter by outcome (pure
//! CSS), then each scenario, failing ones first and expanded: its findings, each step's
//! exchange (request and response, bodies pretty-printed when they are JSON) and, when a
//! snapshot differs, the stored and received snapshots side by side.

use std::fmt::Write as _;
use std::io::Write;

use similar::{DiffTag, TextDiff};

use super::{human_duration, Render, ReportError};
use crate::outcome::{Exchange, Outcome, RunRecord, ScenarioOutcome, SnapshotDiff, StepOutcome};

/// The HTML report format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl Render for Html {
    fn render(&self, record: &RunRecord, out: &mut impl Write) -> Result<(), ReportError> {
        out.write_all(page(record).as_bytes())?;
        Ok(())
    }
}

/// Nothing may be fetched: styles are inline, and there is no script at all.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'";

/// Lines of unchanged context kept around each change of a snapshot diff.
const DIFF_CONTEXT: usize = 3;

const STYLE: &str = r#"
:root { --bg:#fff; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --panel:#f6f8fa;
  --passed:#1a7f37; --failed:#cf222e; --error:#9a6700; --skipped:#59636e; --inconclusive:#8250df;
  --del:#ffebe9; --ins:#dafbe1; --del-strong:#ffcecb; --ins-strong:#aceebb; }
@media (prefers-color-scheme: dark) {
  :root { --bg:#0d1117; --fg:#e6edf3; --muted:#9198a1; --line:#3d444d; --panel:#151b23;
    --passed:#3fb950; --failed:#f85149; --error:#d29922; --skipped:#9198a1; --inconclusive:#a371f7;
    --del:#3c1618; --ins:#12261e; --del-strong:#67060c; --ins-strong:#1a4a2a; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; }
h2 { font-size: 17px; margin: 28px 0 8px; }
h4 { font-size: 14px; margin: 0; }
h5 { font-size: 12px; margin: 8px 0 4px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
code, pre, .mono { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; padding: 8px 10px; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 480px;
  overflow: auto; }
.meta { color: var(--muted); margin: 0 0 16px; }
.verdict { font-size: 13px; padding: 2px 10px; border-radius: 12px; color: #fff; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.card { border: 1px solid var(--line); border-left: 6px solid; border-radius: 6px;
  padding: 8px 16px; min-width: 120px; }
.card b { display: block; font-size: 24px; }
.card.passed, .badge.passed, .verdict.passed { border-color: var(--passed); }
.card.failed, .badge.failed, .verdict.failed { border-color: var(--failed); }
.card.error, .badge.error, .verdict.error { border-color: var(--error); }
.card.skipped, .badge.skipped { border-color: var(--skipped); }
.card.inconclusive, .badge.inconclusive { border-color: var(--inconclusive); }
.verdict.passed { background: var(--passed); } .verdict.failed { background: var(--failed); }
.verdict.error { background: var(--error); }
.badge { display: inline-block; min-width: 62px; text-align: center; font-size: 12px;
  font-weight: 600; padding: 0 8px; border: 1px solid; border-radius: 12px; }
.badge.passed { color: var(--passed); } .badge.failed { color: var(--failed); }
.badge.error { color: var(--error); } .badge.skipped { color: var(--skipped); }
.badge.inconclusive { color: var(--inconclusive); }
.filter { display: flex; gap: 6px; margin: 8px 0 12px; align-items: center; }
.filter input { position: absolute; opacity: 0; pointer-events: none; }
.filter label { cursor: pointer; padding: 3px 12px; border: 1px solid var(--line);
  border-radius: 16px; user-select: none; }
.filter input:checked + label { background: var(--fg); color: var(--bg); border-color: var(--fg); }
.filter input:focus-visible + label { outline: 2px solid var(--failed); }
body:has(#show-failed:checked) [data-outcome]:not([data-outcome="failed"]),
body:has(#show-error:checked) [data-outcome]:not([data-outcome="error"]),
body:has(#show-skipped:checked) [data-outcome]:not([data-outcome="skipped"]),
body:has(#show-inconclusive:checked) [data-outcome]:not([data-outcome="inconclusive"]),
body:has(#show-passed:checked) [data-outcome]:not([data-outcome="passed"]) { display: none; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.overview a { color: inherit; }
details.scenario { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0;
  background: var(--bg); }
details.scenario[data-outcome="failed"] { border-left: 6px solid var(--failed); }
details.scenario[data-outcome="error"] { border-left: 6px solid var(--error); }
details.scenario > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px;
  align-items: baseline; flex-wrap: wrap; }
details.scenario > summary .name { font-weight: 600; }
.file, .time { color: var(--muted); }
.scenario-body { padding: 0 16px 14px; }
.reason { padding: 6px 10px; border-radius: 6px; background: var(--panel); }
table.findings td.message { width: 50%; }
table.findings td.rule { white-space: nowrap; }
.basis { font-size: 11px; padding: 0 6px; border-radius: 10px; border: 1px solid var(--line); }
.basis.assumed { border-style: dashed; }
ol.steps { padding-left: 22px; margin: 12px 0 0; }
ol.steps > li { margin: 10px 0; }
li.step.flagged::marker { color: var(--failed); font-weight: 700; }
.step-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
details.exchange > summary { cursor: pointer; margin: 4px 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
.status { font-weight: 600; }
.status.s2 { color: var(--passed); } .status.s4, .status.s5 { color: var(--failed); }
table.sbs { table-layout: fixed; border: 1px solid var(--line); }
table.sbs td { border: 0; padding: 0 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
table.sbs col.ln { width: 48px; }
table.sbs td.ln { text-align: right; color: var(--muted); user-select: none; }
table.sbs td.del { background: var(--del); } table.sbs td.ins { background: var(--ins); }
table.sbs td.ln.del { background: var(--del-strong); } table.sbs td.ln.ins { background: var(--ins-strong); }
table.sbs tr.gap td { background: var(--panel); color: var(--muted); text-align: center; }
table.sbs th { border-bottom: 1px solid var(--line); }
.note { color: var(--muted); font-style: italic; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"#;

/// Text made safe for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The order a person reads outcomes in: what needs attention first.
fn rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Failed => 0,
        Outcome::Error => 1,
        Outcome::Inconclusive => 2,
        Outcome::Skipped => 3,
        Outcome::Passed => 4,
    }
}

fn page(record: &RunRecord) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let verdict = match record.exit_code() {
        0 => ("passed", "conformant"),
        1 => ("failed", "findings"),
        _ => ("error", "vouch could not run everything"),
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>vouch: {} ({})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&record.summary_line()),
        escape(&record.suite)
    );
    let _ = writeln!(
        html,
        "<header>\n<h1>vouch report <span class=\"verdict {}\">{}</span></h1>",
        verdict.0, verdict.1
    );
    let _ = writeln!(
        html,
        "<p class=\"meta\">Suite <b>{}</b> against the <b>{}</b> target <code>{}</code> · \
         started {} · took {} · vouch {} · run record v{}</p>",
        escape(&record.suite),
        escape(&record.target.kind),
        escape(&record.target.url),
        escape(&record.started),
        human_duration(record.duration_ms),
        escape(&record.vouch_version),
        record.record_version
    );
    let totals = record.totals;
    let counts = [
        (Outcome::Failed, totals.failed),
        (Outcome::Error, totals.errors),
        (Outcome::Inconclusive, totals.inconclusive),
        (Outcome::Skipped, totals.skipped),
        (Outcome::Passed, totals.passed),
    ];
    html.push_str("<div class=\"cards\">\n");
    for (outcome, count) in counts {
        let _ = writeln!(
            html,
            "<div class=\"card {0}\"><b>{count}</b>{0}</div>",
            outcome.as_str()
        );
    }
    html.push_str("</div>\n</header>\n");

    filter(&mut html, record);

    let mut scenarios: Vec<(usize, &ScenarioOutcome)> =
        record.scenarios.iter().enumerate().collect();
    scenarios.sort_by_key(|(index, s)| (rank(s.outcome), *index));

    overview(&mut html, &scenarios);
    html.push_str("<main>\n<h2>Scenarios</h2>\n");
    for (index, scenario) in &scenarios {
        scenario_section(&mut html, *index, scenario);
    }
    let _ = writeln!(
        html,
        "</main>\n<footer>Header values of credentials are redacted; bodies longer than the \
         run's cap end with a truncation marker. Findings marked <span class=\"basis assumed\">\
         assumed</span> check a convention where the API's documentation is silent.</footer>\n\
         </body>\n</html>"
    );
    html
}

fn filter(html: &mut String, record: &RunRecord) {
    let totals = record.totals;
    html.push_str("<nav class=\"filter\" aria-label=\"Show scenarios by outcome\">Show:\n");
    let _ = writeln!(
        html,
        "<input type=\"radio\" name=\"show\" id=\"show-all\" checked>\
         <label for=\"show-all\">all ({})</label>",
        record.scenarios.len()
    );
    for (outcome, count) in [
        (Outcome::Failed, totals.failed),
        (Outcome::Error, totals.errors),
        (Outcome::Inconclusive, totals.inconclusive),
        (Outcome::Skipped, totals.skipped),
        (Outcome::Passed, totals.passed),
    ] {
        let _ = writeln!(
            html,
            "<input type=\"radio\" name=\"show\" id=\"show-{0}\">\
             <label for=\"show-{0}\">{0} ({count})</label>",
            outcome.as_str()
        );
    }
    html.push_str("</nav>\n");
}

fn overview(html: &mut String, scenarios: &[(usize, &ScenarioOutcome)]) {
    html.push_str(
        "<section class=\"overview\">\n<table>\n<thead><tr><th>outcome</th><th>scenario</th>\
         <th>file</th><th class=\"num\">findings</th><th class=\"num\">time</th></tr></thead>\n<tbody>\n",
    );
    for (index, scenario) in scenarios {
        let outcome = scenario.outcome.as_str();
        let _ = writeln!(
            html,
            "<tr data-outcome=\"{outcome}\"><td><span class=\"badge {outcome}\">{outcome}</span></td>\
             <td><a href=\"#scenario-{index}\">{}</a></td><td class=\"file\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&scenario.name),
            escape(&scenario.file),
            scenario.findings().count(),
            human_duration(scenario.duration_ms)
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn scenario_section(html: &mut String, index: usize, scenario: &ScenarioOutcome) {
    let outcome = scenario.outcome.as_str();
    let open = if matches!(scenario.outcome, Outcome::Failed | Outcome::Error) {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        html,
        "<details class=\"scenario\" data-outcome=\"{outcome}\" id=\"scenario-{index}\"{open}>\n\
         <summary><span class=\"badge {outcome}\">{outcome}</span>\
         <span class=\"name\">{}</span><span class=\"file\">{}{}</span>\
         <span class=\"time\">{}</span></summary>\n<div class=\"scenario-body\">",
        escape(&scenario.name),
        escape(&scenario.file),
        if scenario.derived { " (derived)" } else { "" },
        human_duration(scenario.duration_ms)
    );
    if let Some(doc) = &scenario.doc {
        let _ = writeln!(html, "<p class=\"file\">Documented in {}</p>", escape(doc));
    }
    if let Some(reason) = &scenario.reason {
        let label = match scenario.outcome {
            Outcome::Error => "vouch could not run this scenario: ",
            Outcome::Skipped => "Skipped: ",
            Outcome::Inconclusive => "Inconclusive (not a failure): ",
            _ => "",
        };
        let _ = writeln!(html, "<p class=\"reason\">{label}{}</p>", escape(reason));
    }
    let findings: Vec<_> = scenario.findings().collect();
    if !findings.is_empty() {
        let _ = writeln!(
            html,
            "<h5>Findings ({})</h5>\n<table class=\"findings\">\n<thead><tr><th>rule</th>\
             <th>basis</th><th>where</th><th>finding</th></tr></thead>\n<tbody>",
            findings.len()
        );
        for finding in findings {
            let _ = writeln!(
                html,
                "<tr class=\"finding\"><td class=\"mono rule\">{rule}</td>\
                 <td><span class=\"basis {basis}\">{basis}</span></td>\
                 <td class=\"mono\">{location}</td><td class=\"message\">{message}</td></tr>",
                rule = escape(&finding.rule),
                basis = finding.basis,
                location = escape(&finding.location.to_string()),
                message = escape(&finding.message)
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if !scenario.steps.is_empty() {
        html.push_str("<h5>Steps</h5>\n<ol class=\"steps\">\n");
        for step in &scenario.steps {
            step_item(html, step);
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</div>\n</details>\n");
}

fn step_item(html: &mut String, step: &StepOutcome) {
    let flagged = !step.findings.is_empty() || step.snapshot.is_some();
    let _ = write!(
        html,
        "<li class=\"step{}\"><div class=\"step-head\"><h4>{}</h4><span class=\"time\">",
        if flagged { " flagged" } else { "" },
        escape(&step.name)
    );
    if step.line > 0 {
        let _ = write!(html, "line {} · ", step.line);
    }
    let _ = writeln!(
        html,
        "{}{}</span></div>",
        human_duration(step.duration_ms),
        match step.findings.len() {
            0 => String::new(),
            1 => " · 1 finding".to_owned(),
            n => format!(" · {n} findings"),
        }
    );
    if let Some(exchange) = &step.exchange {
        exchange_block(html, exchange, flagged);
    }
    if let Some(snapshot) = &step.snapshot {
        side_by_side(html, snapshot);
    }
    html.push_str("</li>\n");
}

fn exchange_block(html: &mut String, exchange: &Exchange, open: bool) {
    let request = &exchange.request;
    let _ = write!(
        html,
        "<details class=\"exchange\"{}><summary><span class=\"mono\">{} {}</span> → ",
        if open { " open" } else { "" },
        escape(&request.method),
        escape(&request.url)
    );
    match &exchange.response {
        Some(response) => {
            let _ = write!(
                html,
                "<span class=\"status s{}\">{}</span>",
                response.status / 100,
                response.status
            );
        }
        None => html.push_str("<span class=\"status s5\">no response</span>"),
    }
    let _ = write!(
        html,
        " <span class=\"time\">{}",
        human_duration(exchange.duration_ms)
    );
    if exchange.attempts > 1 {
        let _ = write!(html, ", {} attempts", exchange.attempts);
    }
    html.push_str("</span></summary>\n<div class=\"pair\">\n<div>\n<h5>Request</h5>\n");
    message(
        html,
        &format!("{} {}", request.method, request.url),
        &request.headers,
        request.body.as_deref(),
        request.body_truncated,
    );
    html.push_str("</div>\n<div>\n");
    match &exchange.response {
        Some(response) => {
            let _ = writeln!(html, "<h5>Response {}</h5>", response.status);
            message(
                html,
                &format!("HTTP {}", response.status),
                &response.headers,
                response.body.as_deref(),
                response.body_truncated,
            );
        }
        None => {
            html.push_str("<h5>Response</h5>\n<p class=\"note\">No response was received.</p>\n");
        }
    }
    html.push_str("</div>\n</div>\n</details>\n");
}

fn message(
    html: &mut String,
    first_line: &str,
    headers: &[(String, String)],
    body: Option<&str>,
    truncated: bool,
) {
    let mut head = String::from(first_line);
    for (name, value) in headers {
        let _ = write!(head, "\n{name}: {value}");
    }
    let _ = writeln!(html, "<pre class=\"headers\">{}</pre>", escape(&head));
    match body {
        Some(body) if !body.is_empty() => {
            let shown = if truncated {
                None
            } else {
                serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .and_then(|value| serde_json::to_string_pretty(&value).ok())
            };
            let _ = writeln!(
                html,
                "<pre class=\"body\">{}</pre>",
                escape(shown.as_deref().unwrap_or(body))
            );
            if truncated {
                html.push_str(
                    "<p class=\"note\">The body was truncated when it was recorded.</p>\n",
                );
            }
        }
        _ => html.push_str("<p class=\"note\">No body.</p>\n"),
    }
}

/// The stored and received snapshots in two columns, changed lines paired and marked.
fn side_by_side(html: &mut String, snapshot: &SnapshotDiff) {
    let _ = writeln!(html, "<h5>Snapshot {} differs</h5>", escape(&snapshot.name));
    if snapshot.expected.is_empty() {
        html.push_str(
            "<p class=\"note\">There was no stored snapshot; this is what was received.</p>\n",
        );
    }
    html.push_str(
        "<table class=\"sbs\"><colgroup><col class=\"ln\"><col><col class=\"ln\"><col></colgroup>\
         <thead><tr><th colspan=\"2\">stored snapshot</th>\
         <th colspan=\"2\">received</th></tr></thead>\n<tbody>\n",
    );
    let diff = TextDiff::from_lines(&snapshot.expected, &snapshot.actual);
    let old = diff.old_slices();
    let new = diff.new_slices();
    let cell = |lines: &[&str], index: Option<usize>, class: &str| match index
        .and_then(|i| lines.get(i).map(|line| (i, line)))
    {
        Some((i, line)) => format!(
            "<td class=\"ln {class}\">{}</td><td class=\"{class}\">{}</td>",
            i + 1,
            escape(line.trim_end_matches(['\n', '\r']))
        ),
        None => "<td class=\"ln\"></td><td></td>".to_owned(),
    };
    for (group_index, group) in diff.grouped_ops(DIFF_CONTEXT).iter().enumerate() {
        if group_index > 0 {
            html.push_str("<tr class=\"gap\"><td colspan=\"4\">⋯</td></tr>\n");
        }
        for op in group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let (left_class, right_class) = match tag {
                DiffTag::Equal => ("", ""),
                _ => ("del", "ins"),
            };
            for k in 0..old_range.len().max(new_range.len()) {
                let left = (k < old_range.len()).then(|| old_range.start + k);
                let right = (k < new_range.len()).then(|| new_range.start + k);
                let _ = writeln!(
                    html,
                    "<tr>{}{}</tr>",
                    cell(old, left, left_class),
                    cell(new, right, right_class)
                );
            }
        }
    }
    html.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_untrusted_text_is_escaped() {
        assert_eq!(
            escape("<img src=x onerror='a'> & \"b\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt; &amp; &quot;b&quot;"
        );
    }

    #[test]
    fn changed_snapshot_lines_sit_side_by_side() {
        let mut html = String::new();
        let snapshot = SnapshotDiff {
            name: "put__2".into(),
            expected: "{\n  \"status\": \"New\"\n}\n".into(),
            actual: "{\n  \"status\": \"Closed\"\n}\n".into(),
        };

        side_by_side(&mut html, &snapshot);

        assert!(html.contains(
            "<td class=\"ln del\">2</td><td class=\"del\">  &quot;status&quot;: &quot;New&quot;</td>\
             <td class=\"ln ins\">2</td><td class=\"ins\">  &quot;status&quot;: &quot;Closed&quot;</td>"
        ), "{html}");
    }
}
