//! The double obeys whatever contract a suite holds, read from its vocabulary: here the
//! second bundled suite (a resource with no PUT and no states, a merge-patch PATCH and a
//! DELETE that require If-Match, weak entity tags compared weakly, a list scoped by a
//! parent's id). Each test starts its own double on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use vouch::double::{Double, DoubleConfig, Fault};
use vouch::Suite;

const TASKS: &str = "/v1.0/planner/tasks";

fn suite() -> Suite {
    Suite::load(&common::root().join("fixtures/planner-tasks")).unwrap()
}

/// A double of the second suite and a client of it.
struct World {
    double: Double,
    client: Client,
}

impl World {
    async fn with(config: DoubleConfig) -> Self {
        Self {
            double: Double::start(&suite(), config).await.unwrap(),
            client: Client::new(),
        }
    }

    async fn new() -> Self {
        Self::with(DoubleConfig::default()).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.double.uri()));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    /// Creates a task in `plan`; returns its id and tag.
    async fn create(&self, plan: &str) -> (String, String) {
        let body = json!({ "planId": plan, "bucketId": "b1", "title": "a task" });
        let (status, _, task) = self.send(Method::POST, TASKS, &[], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        (
            task["id"].as_str().unwrap().to_owned(),
            task["@odata.etag"].as_str().unwrap().to_owned(),
        )
    }
}

#[tokio::test]
async fn a_created_task_carries_a_weak_tag_and_what_the_server_assigns() {
    // Arrange
    let world = World::new().await;

    // Act
    let (id, etag) = world.create("p1").await;
    let (status, headers, task) = world
        .send(Method::GET, &format!("{TASKS}/{id}"), &[], None)
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(headers["etag"].to_str().unwrap(), etag);
    assert_eq!(task["checklistItemCount"], 0);
    assert!(task["createdDateTime"].is_string());
    assert!(task.get("status").is_none(), "no states: {task}");
}

#[tokio::test]
async fn a_merge_patch_with_the_weak_tag_answers_204_and_with_prefer_200() {
    // Arrange
    let world = World::new().await;
    let (id, etag) = world.create("p1").await;
    let path = format!("{TASKS}/{id}");

    // Act
    let (minimal, headers, _) = world
        .send(
            Method::PATCH,
            &path,
            &[("If-Match", &etag)],
            Some(json!({ "title": "renamed" })),
        )
        .await;
    let rotated = headers["etag"].to_str().unwrap().to_owned();
    let (full, _, task) = world
        .send(
            Method::PATCH,
            &path,
            &[("If-Match", &rotated), ("Prefer", "return=representation")],
            Some(json!({ "percentComplete": 50 })),
        )
        .await;

    // Assert
    assert_eq!(minimal, StatusCode::NO_CONTENT);
    assert_ne!(rotated, etag);
    assert_eq!(full, StatusCode::OK);
    assert_eq!(task["title"], "renamed");
    assert_eq!(task["percentComplete"], 50);
}

#[tokio::test]
async fn a_patch_without_if_match_or_with_a_stale_one_is_refused() {
    // Arrange
    let world = World::new().await;
    let (id, etag) = world.create("p1").await;
    let path = format!("{TASKS}/{id}");
    let body = || Some(json!({ "title": "x" }));
    world
        .send(Method::PATCH, &path, &[("If-Match", &etag)], body())
        .await;

    // Act
    let (missing, _, _) = world.send(Method::PATCH, &path, &[], body()).await;
    let (stale, _, error) = world
        .send(Method::PATCH, &path, &[("If-Match", &etag)], body())
        .await;

    // Assert
    assert_eq!(missing, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
    assert!(
        error["error"]["code"].is_string(),
        "the error envelope: {error}"
    );
}

#[tokio::test]
async fn delete_needs_the_current_tag_and_then_the_task_is_gone() {
    // Arrange
    let world = World::new().await;
    let (id, etag) = world.create("p1").await;
    let path = format!("{TASKS}/{id}");

    // Act
    let (stale, _, _) = world
        .send(Method::DELETE, &path, &[("If-Match", "W/\"other\"")], None)
        .await;
    let (deleted, _, _) = world
        .send(Method::DELETE, &path, &[("If-Match", &etag)], None)
        .await;
    let (after, _, _) = world.send(Method::GET, &path, &[], None).await;

    // Assert
    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_eq!(after, StatusCode::NOT_FOUND);
    assert_eq!(world.double.resource_count(), 0);
}

#[tokio::test]
async fn a_plans_list_holds_only_its_own_tasks() {
    // Arrange
    let world = World::new().await;
    let (mine, _) = world.create("p1").await;
    world.create("p2").await;

    // Act
    let (status, _, list) = world
        .send(Method::GET, "/v1.0/planner/plans/p1/tasks", &[], None)
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [mine.as_str()]);
}

#[tokio::test]
async fn a_method_the_contract_does_not_declare_is_405_with_the_declared_ones() {
    // Arrange
    let world = World::new().await;
    let (id, _) = world.create("p1").await;

    // Act
    let (collection, headers, _) = world.send(Method::GET, TASKS, &[], None).await;
    let (item, item_headers, _) = world
        .send(Method::PUT, &format!("{TASKS}/{id}"), &[], Some(json!({})))
        .await;

    // Assert
    assert_eq!(collection, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    assert_eq!(item, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(item_headers["allow"], "GET, PATCH, DELETE");
}

#[tokio::test]
async fn the_delete_faults_ignore_the_tag_or_keep_the_task() {
    // Arrange
    let ignores =
        World::with(DoubleConfig::default().with_fault(Fault::DeleteIgnoresIfMatch)).await;
    let keeps = World::with(DoubleConfig::default().with_fault(Fault::DeleteLeavesItem)).await;
    let (a, _) = ignores.create("p1").await;
    let (b, etag) = keeps.create("p1").await;

    // Act
    let (stale, _, _) = ignores
        .send(
            Method::DELETE,
            &format!("{TASKS}/{a}"),
            &[("If-Match", "W/\"x\"")],
            None,
        )
        .await;
    let (deleted, _, _) = keeps
        .send(
            Method::DELETE,
            &format!("{TASKS}/{b}"),
            &[("If-Match", &etag)],
            None,
        )
        .await;
    let (after, _, _) = keeps
        .send(Method::GET, &format!("{TASKS}/{b}"), &[], None)
        .await;

    // Assert
    assert_eq!(stale, StatusCode::NO_CONTENT);
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_eq!(after, StatusCode::OK);
}

#[tokio::test]
async fn the_weak_if_match_refused_fault_refuses_the_tag_the_server_issued() {
    // Arrange
    let world = World::with(DoubleConfig::default().with_fault(Fault::WeakIfMatchRefused)).await;
    let (id, etag) = world.create("p1").await;

    // Act
    let (status, _, _) = world
        .send(
            Method::PATCH,
            &format!("{TASKS}/{id}"),
            &[("If-Match", &etag)],
            Some(json!({ "title": "x" })),
        )
        .await;

    // Assert
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
}

#[test]
fn faults_that_need_what_the_contract_lacks_do_not_apply() {
    // Arrange
    let suite = suite();

    // Act
    let inapplicable: Vec<&str> = Fault::ALL
        .into_iter()
        .filter(|f| f.inapplicable(&suite.contract).is_some())
        .map(Fault::name)
        .collect();

    // Assert: no PUT, no states, no JSON Patch, no strong comparison, no profile.
    for name in [
        "stale-if-match-accepted",
        "closed-to-active-accepted",
        "pair-outside-table-accepted",
        "unsupported-patch-op-accepted",
        "weak-if-match-accepted",
        "links-misspelled",
    ] {
        assert!(inapplicable.contains(&name), "{name}: {inapplicable:?}");
    }
    for name in [
        "delete-ignores-if-match",
        "delete-leaves-item",
        "weak-if-match-refused",
        "patch-stale-if-match-accepted",
    ] {
        assert!(!inapplicable.contains(&name), "{name} applies");
    }
}

#[tokio::test]
async fn a_schema_the_double_cannot_find_is_vouchs_error_not_the_apis() {
    // Arrange: the get operation names a schema the suite does not have.
    let scratch = common::ScratchSuite::new();
    let contract = scratch.read("fixtures/referrals/contract.yaml");
    let broken = contract.replacen(
        "  get:\n    method: GET\n    response: referral\n",
        "  get:\n    method: GET\n    response: no-such-schema\n",
        1,
    );
    assert_ne!(broken, contract, "the contract's get operation moved");
    scratch.write("fixtures/referrals/contract.yaml", &broken);

    // Act
    let loaded = Suite::load(&scratch.suite());
    let started = match &loaded {
        Ok(suite) => Some(Double::start(suite, DoubleConfig::default()).await),
        Err(_) => None,
    };

    // Assert: refused when the suite loads, or when the double starts; never served.
    match started {
        None => assert!(loaded.is_err()),
        Some(Err(error)) => {
            let text = format!("{error}: {}", std::error::Error::source(&error).unwrap());
            assert!(text.contains("get") && text.contains("no-such-schema"), "{text}");
        }
        Some(Ok(_)) => panic!("a double started on a contract naming a missing schema"),
    }
}
