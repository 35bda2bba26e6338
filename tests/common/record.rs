//! Run records built in code, as the runner would fill them: one passed, one failed (with
//! findings, exchanges and a snapshot diff), one skipped and one that vouch could not run.
//! The failed one still carries its bearer token, in the Authorization header and in a
//! request body, so that tests can prove redaction.

use vouch::outcome::{
    truncate, Exchange, Outcome, RecordedRequest, RecordedResponse, RunRecord, ScenarioOutcome,
    SnapshotDiff, StepOutcome, TargetInfo, Totals, RECORD_VERSION,
};
use vouch::{Basis, Finding, Location};

/// The bearer token the sample run used.
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.c2FtcGxl.dm91Y2gtdGVzdC10b2tlbg";

pub const PASSED: &str = "documented create returns the new referral";
pub const FAILED: &str = "documented PUT closes a new referral as Won";
pub const SKIPPED: &str = "PATCH without If-Match: last writer wins";
pub const ERROR: &str = "stale If-Match is refused with 412";

/// The message of the failed scenario's schema finding.
pub const SCHEMA_FINDING: &str =
    "\"Kazanıldı\" is not one of the substatuses of Closed (Won, Lost, Declined, Expired)";
/// The message of the failed scenario's eTag finding.
pub const ETAG_FINDING: &str = "the eTag did not change after a successful PUT";

const BASE: &str = "http://127.0.0.1:41234";
const PATH: &str = "/v1.0/engagements/referrals";
const ID: &str = "a1b2c3d4-0000-4000-8000-00000000beef";

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

fn request(method: &str, url: &str, body: Option<&str>) -> RecordedRequest {
    let mut headers = vec![
        header("Authorization", &format!("Bearer {TOKEN}")),
        header("Accept", "application/json"),
    ];
    if body.is_some() {
        headers.push(header("Content-Type", "application/json"));
    }
    RecordedRequest {
        method: method.to_owned(),
        url: url.to_owned(),
        headers,
        body: body.map(str::to_owned),
        body_truncated: false,
    }
}

fn response(status: u16, etag: &str, body: &str) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: vec![
            header("Content-Type", "application/json; charset=utf-8"),
            header("ETag", etag),
            header("Set-Cookie", "ARRAffinity=4c1f; Path=/; HttpOnly"),
        ],
        body: Some(body.to_owned()),
        body_truncated: false,
    }
}

fn referral(status: &str, substatus: &str, etag: &str, updated: &str) -> String {
    serde_json::json!({
        "id": ID,
        "engagementId": "e-77",
        "name": "Contoso cloud migration",
        "externalReferenceId": "CRM-1042",
        "status": status,
        "substatus": substatus,
        "type": "Independent",
        "qualification": "SalesQualified",
        "customerProfile": {"name": "Contoso", "address": {"country": "US"}},
        "createdDateTime": "2026-03-02T09:00:00Z",
        "updatedDateTime": updated,
        "eTag": etag,
    })
    .to_string()
}

fn create_step(line: usize) -> StepOutcome {
    let body = r#"{"name":"Contoso cloud migration","externalReferenceId":"CRM-1042","type":"Independent","qualification":"SalesQualified","customerProfile":{"name":"Contoso","address":{"country":"US"}}}"#;
    StepOutcome {
        name: "create".into(),
        line,
        exchange: Some(Box::new(Exchange {
            request: request("POST", &format!("{BASE}{PATH}"), Some(body)),
            response: Some(response(
                201,
                "\"1\"",
                &referral("New", "Received", "\"1\"", "2026-03-02T09:00:00Z"),
            )),
            attempts: 1,
            duration_ms: 14.2,
        })),
        findings: Vec::new(),
        snapshot: None,
        duration_ms: 15.0,
    }
}

fn passed() -> ScenarioOutcome {
    ScenarioOutcome {
        name: PASSED.into(),
        file: "fixtures/referrals/scenarios/create-documented.yaml".into(),
        derived: false,
        doc: Some("create-a-referral.md#request-example".into()),
        tags: vec!["documented".into()],
        outcome: Outcome::Passed,
        reason: None,
        duration_ms: 31.5,
        steps: vec![create_step(3)],
    }
}

fn failed() -> ScenarioOutcome {
    let file = "fixtures/referrals/scenarios/put-documented.yaml";
    let put_body = format!(
        r#"{{"id":"{ID}","name":"Contoso cloud migration","status":"Closed","substatus":"Won","details":{{"notes":"pasted by mistake: {TOKEN}"}},"eTag":"\"1\""}}"#
    );
    let mut put = request("PUT", &format!("{BASE}{PATH}/{ID}"), Some(&put_body));
    put.headers.push(header("If-Match", "\"1\""));
    let expected = "{\n  \"id\": \"[id]\",\n  \"status\": \"Closed\",\n  \"substatus\": \"Won\",\n  \"eTag\": \"[etag]\",\n  \"updatedDateTime\": \"[time]\"\n}\n";
    let actual = "{\n  \"id\": \"[id]\",\n  \"status\": \"Closed\",\n  \"substatus\": \"Kazanıldı\",\n  \"eTag\": \"[etag]\",\n  \"updatedDateTime\": \"[time]\"\n}\n";
    ScenarioOutcome {
        name: FAILED.into(),
        file: file.into(),
        derived: false,
        doc: Some("update-a-referral.md#request-example".into()),
        tags: vec!["documented".into(), "put".into()],
        outcome: Outcome::Failed,
        reason: None,
        duration_ms: 88.25,
        steps: vec![
            create_step(5),
            StepOutcome {
                name: "PUT the documented update".into(),
                line: 7,
                exchange: Some(Box::new(Exchange {
                    request: put,
                    response: Some(response(
                        200,
                        "\"1\"",
                        &referral("Closed", "Kazanıldı", "\"1\"", "2026-03-02T09:00:01Z"),
                    )),
                    attempts: 2,
                    duration_ms: 41.0,
                })),
                findings: vec![
                    Finding {
                        rule: "schema".into(),
                        basis: Basis::Documented,
                        location: Location::file(file)
                            .at(16, 7)
                            .step("2")
                            .pointer("/substatus"),
                        message: SCHEMA_FINDING.into(),
                    },
                    Finding {
                        rule: "etag-rotates".into(),
                        basis: Basis::Assumed,
                        location: Location::file(file).at(19, 7).step("2").pointer("/eTag"),
                        message: ETAG_FINDING.into(),
                    },
                ],
                snapshot: Some(Box::new(SnapshotDiff {
                    name: "documented-put-closes-a-new-referral-as-won__2".into(),
                    expected: expected.into(),
                    actual: actual.into(),
                })),
                duration_ms: 42.5,
            },
        ],
    }
}

fn skipped() -> ScenarioOutcome {
    ScenarioOutcome {
        name: SKIPPED.into(),
        file: "fixtures/referrals/contract.yaml".into(),
        derived: true,
        doc: None,
        tags: vec!["etag".into()],
        outcome: Outcome::Skipped,
        reason: Some("writes to a live target need --allow-mutations".into()),
        duration_ms: 0.0,
        steps: Vec::new(),
    }
}

fn error() -> ScenarioOutcome {
    let (body, truncated) = truncate(&"x".repeat(300), 64);
    let mut get = request("GET", &format!("{BASE}{PATH}/{ID}"), None);
    get.body = Some(body);
    get.body_truncated = truncated;
    ScenarioOutcome {
        name: ERROR.into(),
        file: "fixtures/referrals/contract.yaml".into(),
        derived: true,
        doc: Some("error-codes.md".into()),
        tags: Vec::new(),
        outcome: Outcome::Error,
        reason: Some(format!(
            "cannot reach {BASE}: connection refused (after 3 attempts)"
        )),
        duration_ms: 3004.0,
        steps: vec![StepOutcome {
            name: "GET with a stale If-Match".into(),
            line: 0,
            exchange: Some(Box::new(Exchange {
                request: get,
                response: None,
                attempts: 3,
                duration_ms: 3000.0,
            })),
            findings: Vec::new(),
            snapshot: None,
            duration_ms: 3001.0,
        }],
    }
}

/// Totals that agree with `scenarios`.
pub fn totals(scenarios: &[ScenarioOutcome]) -> Totals {
    let count = |outcome| scenarios.iter().filter(|s| s.outcome == outcome).count();
    Totals {
        passed: count(Outcome::Passed),
        failed: count(Outcome::Failed),
        skipped: count(Outcome::Skipped),
        errors: count(Outcome::Error),
        inconclusive: count(Outcome::Inconclusive),
    }
}

/// A record of `scenarios` against the double.
pub fn record_of(scenarios: Vec<ScenarioOutcome>) -> RunRecord {
    RunRecord {
        record_version: RECORD_VERSION,
        vouch_version: env!("CARGO_PKG_VERSION").into(),
        suite: "fixtures/referrals".into(),
        target: TargetInfo {
            kind: "double".into(),
            url: BASE.into(),
        },
        started: "2026-03-02T09:00:00.125Z".into(),
        duration_ms: 3127.5,
        totals: totals(&scenarios),
        scenarios,
    }
}

/// The sample run: passed, failed, skipped, error. Not redacted.
pub fn sample() -> RunRecord {
    record_of(vec![passed(), failed(), skipped(), error()])
}

/// Sets a scenario's outcome (and the totals) by name.
pub fn set_outcome(record: &mut RunRecord, name: &str, outcome: Outcome) {
    for scenario in &mut record.scenarios {
        if scenario.name == name {
            scenario.outcome = outcome;
        }
    }
    record.totals = totals(&record.scenarios);
}
