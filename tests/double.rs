//! The stateful double against every rule of its contract, driven over HTTP with a plain
//! client: create, get, list (filter, paging, relatedReferrals), PUT (If-Match, schema,
//! links, id, transitions, read-only fields, round trip), PATCH (ops, Prefer, If-Match),
//! other methods, auth, bad input, concurrency, and `vouch serve` as a process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::type_complexity
)] // tests: a failed unwrap is a failed test; tables of cases are long

mod common;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use vouch::double::{Double, DoubleConfig, Fault};
use vouch::Suite;

const PATH: &str = "/v1.0/engagements/referrals";

use common::{documented, suite};

struct World {
    suite: Suite,
    double: Double,
    client: Client,
}

impl World {
    async fn new() -> Self {
        Self::with(DoubleConfig::default()).await
    }

    async fn with(config: DoubleConfig) -> Self {
        let suite = suite();
        let double = Double::start(&suite, config).await.unwrap();
        Self {
            suite,
            double,
            client: Client::new(),
        }
    }

    fn url(&self, tail: &str) -> String {
        format!("{}{PATH}{tail}", self.double.uri())
    }

    async fn send(
        &self,
        method: Method,
        tail: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(tail));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        request.send().await.unwrap()
    }

    /// Creates the documented referral and returns it as created.
    async fn create(&self) -> Value {
        let body = documented(&self.suite, "create-a-referral.request");
        let response = self.send(Method::POST, "", &[], Some(&body)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    async fn get(&self, id: &str) -> Value {
        let response = self.send(Method::GET, &format!("/{id}"), &[], None).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// The documented PUT body aimed at `current` (ids from it, links stripped).
    fn put_body(&self, current: &Value) -> Value {
        let mut body = documented(&self.suite, "update-a-referral.request");
        body["id"] = current["id"].clone();
        body["engagementId"] = current["engagementId"].clone();
        body["eTag"] = current["eTag"].clone();
        body
    }

    async fn put(&self, current: &Value, body: &Value, if_match: Option<&str>) -> Response {
        let id = current["id"].as_str().unwrap();
        let headers: Vec<(&str, &str)> =
            if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
        self.send(Method::PUT, &format!("/{id}"), &headers, Some(body))
            .await
    }

    async fn patch(&self, id: &str, ops: &Value, headers: &[(&str, &str)]) -> Response {
        self.send(Method::PATCH, &format!("/{id}"), headers, Some(ops))
            .await
    }
}

fn with_query(url: &str, key: &str, value: &str) -> reqwest::Url {
    let mut url = reqwest::Url::parse(url).unwrap();
    url.query_pairs_mut().append_pair(key, value);
    url
}

fn etag(v: &Value) -> &str {
    v["eTag"].as_str().unwrap()
}

async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap().to_owned()
}

// ---- create and get ----------------------------------------------------------------

#[tokio::test]
async fn create_assigns_server_fields_and_returns_an_etag_header() {
    // Arrange
    let world = World::new().await;
    let body = documented(&world.suite, "create-a-referral.request");

    // Act
    let response = world.send(Method::POST, "", &[], Some(&body)).await;

    // Assert
    assert_eq!(response.status(), StatusCode::CREATED);
    let header = response
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let created: Value = response.json().await.unwrap();
    for field in [
        "id",
        "engagementId",
        "organizationId",
        "organizationName",
        "createdDateTime",
        "updatedDateTime",
        "expirationDateTime",
        "eTag",
        "links",
    ] {
        assert!(created.get(field).is_some(), "{field} assigned");
    }
    assert_eq!(header, etag(&created));
    assert!(world
        .suite
        .schemas
        .validate("referral", &created)
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn create_keeps_a_sent_engagement_id_for_the_second_half_of_a_shared_referral() {
    let world = World::new().await;
    let first = world.create().await;
    let mut second = documented(&world.suite, "create-a-referral.request");
    second["engagementId"] = first["engagementId"].clone();

    let created: Value = world
        .send(Method::POST, "", &[], Some(&second))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(created["engagementId"], first["engagementId"]);
    assert_ne!(created["id"], first["id"]);
}

#[tokio::test]
async fn create_without_a_required_field_is_refused_with_400() {
    let world = World::new().await;
    for field in ["type", "customerProfile", "consent", "details"] {
        let mut body = documented(&world.suite, "create-a-referral.request");
        body.as_object_mut().unwrap().remove(field);
        let response = world.send(Method::POST, "", &[], Some(&body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
    }
    assert_eq!(world.double.resource_count(), 0);
}

#[tokio::test]
async fn get_returns_the_stored_referral_with_its_etag_header() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();

    let response = world.send(Method::GET, &format!("/{id}"), &[], None).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("etag").unwrap().to_str().unwrap(),
        etag(&created)
    );
    assert_eq!(response.json::<Value>().await.unwrap(), created);
}

#[tokio::test]
async fn get_of_an_unknown_id_is_404_with_a_documented_error_body() {
    let world = World::new().await;

    let response = world.send(Method::GET, "/no-such-id", &[], None).await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert!(
        world
            .suite
            .schemas
            .validate("error", &body)
            .unwrap()
            .is_empty(),
        "{body}"
    );
    assert_eq!(body["error"]["code"], "itemNotFound");
}

// ---- list ----------------------------------------------------------------------------

#[tokio::test]
async fn the_related_referrals_link_works_against_the_double() {
    // Arrange: two referrals in one engagement, one in another.
    let world = World::new().await;
    let first = world.create().await;
    let mut second = documented(&world.suite, "create-a-referral.request");
    second["engagementId"] = first["engagementId"].clone();
    world.send(Method::POST, "", &[], Some(&second)).await;
    world.create().await;

    // Act
    let link = first["links"]["relatedReferrals"]["uri"].as_str().unwrap();
    let listed: Value = world
        .client
        .get(link)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Assert
    assert_eq!(listed["@odata.count"], 2);
    assert!(listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["engagementId"] == first["engagementId"]));
    assert!(world
        .suite
        .schemas
        .validate("list", &listed)
        .unwrap()
        .is_empty());
    let self_link = first["links"]["self"]["uri"].as_str().unwrap();
    assert_eq!(
        world.client.get(self_link).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn list_filters_on_status_and_type_joined_by_and() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    world.create().await;
    world
        .patch(id, &json!([{"op": "replace", "path": "/status", "value": "Active"}, {"op": "replace", "path": "/substatus", "value": "Accepted"}]), &[])
        .await;

    let listed: Value = world
        .client
        .get(with_query(
            &world.url(""),
            "$filter",
            "(status eq 'Active' and type eq 'Shared')",
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(listed["@odata.count"], 1);
    assert_eq!(listed["value"][0]["id"], created["id"]);
}

#[tokio::test]
async fn list_pages_through_next_link_with_top() {
    // Arrange
    let world = World::new().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(world.create().await["id"].clone());
    }

    // Act: follow nextLink until it is gone.
    let mut seen = Vec::new();
    let mut next = Some(format!("{}?$top=2", world.url("")));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let page: Value = world
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["@odata.count"], 5);
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].clone()),
        );
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }

    // Assert
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn a_filter_the_double_cannot_read_is_refused_not_ignored() {
    let world = World::new().await;
    for (filter, named) in [
        ("colour eq 'red'", "\"colour\" is not a property"),
        ("status eq New", "\"New\" is not a property"),
        ("status eq", "found the end (at character offset 9)"),
        ("status eq 'New' qualification", "at character offset 16"),
    ] {
        let response = world
            .client
            .get(with_query(&world.url(""), "$filter", filter))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{filter}");
        let body: Value = response.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{filter}: {body}");
    }
}

// ---- PUT -----------------------------------------------------------------------------

#[tokio::test]
async fn put_with_the_current_etag_stores_rotates_and_returns_the_whole_resource() {
    // Arrange
    let world = World::new().await;
    let created = world.create().await;
    let body = world.put_body(&created);

    // Act
    let response = world.put(&created, &body, Some(etag(&created))).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let header = response
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let updated: Value = response.json().await.unwrap();
    assert_ne!(etag(&updated), etag(&created), "the eTag rotates");
    assert_eq!(header, etag(&updated));
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["createdDateTime"], created["createdDateTime"]);
    assert!(updated["updatedDateTime"].as_str() > created["updatedDateTime"].as_str());
    assert_eq!(updated["status"], "Closed");
    assert_eq!(updated["substatus"], "Won");
    assert!(updated.get("links").is_some(), "the response carries links");
    for field in [
        "statusReason",
        "qualification",
        "type",
        "target",
        "customerProfile",
        "consent",
        "details",
        "team",
        "inviteContext",
    ] {
        assert_eq!(updated[field], body[field], "{field} round-trips");
    }
    assert_eq!(
        world.get(created["id"].as_str().unwrap()).await,
        updated,
        "GET agrees with the write"
    );
}

#[tokio::test]
async fn put_without_if_match_is_refused_with_428() {
    let world = World::new().await;
    let created = world.create().await;

    let response = world.put(&created, &world.put_body(&created), None).await;

    assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(
        world.get(created["id"].as_str().unwrap()).await,
        created,
        "nothing changed"
    );
}

#[tokio::test]
async fn put_with_a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let world = World::new().await;
    let created = world.create().await;
    let first = world
        .put(&created, &world.put_body(&created), Some(etag(&created)))
        .await
        .json::<Value>()
        .await
        .unwrap();

    let response = world
        .put(&created, &world.put_body(&created), Some(etag(&created)))
        .await;

    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(response).await, "preconditionFailed");
    assert_eq!(world.get(created["id"].as_str().unwrap()).await, first);
}

#[tokio::test]
async fn put_with_if_match_star_matches_any_version() {
    let world = World::new().await;
    let created = world.create().await;

    let response = world
        .put(&created, &world.put_body(&created), Some("*"))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn put_with_links_in_the_body_is_refused_with_400() {
    let world = World::new().await;
    let created = world.create().await;
    let mut body = world.put_body(&created);
    body["links"] = created["links"].clone();

    let response = world.put(&created, &body, Some(etag(&created))).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn put_whose_body_id_differs_from_the_path_is_refused_with_400() {
    let world = World::new().await;
    let created = world.create().await;
    let mut body = world.put_body(&created);
    body["id"] = json!("49d90c72-3326-4f61-aacc-2cb57970448c");

    let response = world.put(&created, &body, Some(etag(&created))).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_status_move_and_pair_is_judged_by_the_contract_table() {
    // Arrange: the table as the contract states it.
    let world = World::new().await;
    let table = world.suite.contract.transitions().unwrap();
    let statuses = ["New", "Active", "Closed"];
    let substatuses = [
        "None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired",
    ];
    for from in statuses {
        for to in statuses {
            for sub in substatuses {
                // Arrange: a referral at `from` with its first allowed substatus.
                let created = world.create().await;
                let id = created["id"].as_str().unwrap().to_owned();
                let from_sub = table.first_sub(from).unwrap();
                let mut current = created.clone();
                if from != "New" {
                    // Walk there through allowed moves (New -> Active -> Closed).
                    for (status, substatus) in [("Active", "Accepted"), ("Closed", from_sub)]
                        .iter()
                        .take(if from == "Active" { 1 } else { 2 })
                    {
                        let mut body = world.put_body(&current);
                        body["status"] = json!(status);
                        body["substatus"] = json!(substatus);
                        current = world
                            .put(&current, &body, Some(etag(&current)))
                            .await
                            .json()
                            .await
                            .unwrap();
                    }
                }
                assert_eq!(current["status"], from);
                assert_eq!(current["substatus"], from_sub);

                // Act
                let mut body = world.put_body(&current);
                body["status"] = json!(to);
                body["substatus"] = json!(sub);
                let response = world.put(&current, &body, Some(etag(&current))).await;

                // Assert
                let allowed = table.check(from, to, Some(sub)).is_ok();
                let status = response.status();
                if allowed {
                    assert_eq!(status, StatusCode::OK, "{from} -> ({to}, {sub})");
                } else {
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{from} -> ({to}, {sub})");
                    assert_eq!(
                        world.get(&id).await,
                        current,
                        "a refused move changes nothing"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn read_only_fields_sent_in_a_put_are_kept_from_the_stored_resource() {
    let world = World::new().await;
    let created = world.create().await;
    let mut body = world.put_body(&created);
    body["createdDateTime"] = json!("1999-01-01T00:00:00Z");
    body["organizationId"] = json!("someone-else");

    let updated: Value = world
        .put(&created, &body, Some(etag(&created)))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(updated["createdDateTime"], created["createdDateTime"]);
    assert_eq!(updated["organizationId"], created["organizationId"]);
}

#[tokio::test]
async fn fifty_concurrent_puts_with_the_same_if_match_have_exactly_one_winner() {
    // Arrange
    let world = World::new().await;
    let created = world.create().await;
    let bodies: Vec<Value> = (0..50)
        .map(|i| {
            let mut body = world.put_body(&created);
            body["statusReason"] = json!(format!("writer {i}"));
            body
        })
        .collect();

    // Act: fifty writers at once, each on its own task.
    let mut tasks = tokio::task::JoinSet::new();
    let url = world.url(&format!("/{}", created["id"].as_str().unwrap()));
    for (index, body) in bodies.into_iter().enumerate() {
        let (client, url, tag) = (world.client.clone(), url.clone(), etag(&created).to_owned());
        tasks.spawn(async move {
            let response = client
                .put(url)
                .header("Content-Type", "application/json")
                .header("If-Match", tag)
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = response.status();
            (index, status, response.json::<Value>().await.unwrap())
        });
    }
    let results = tasks.join_all().await;

    // Assert
    let winners: Vec<&(usize, StatusCode, Value)> = results
        .iter()
        .filter(|(_, s, _)| *s == StatusCode::OK)
        .collect();
    let refused = results
        .iter()
        .filter(|(_, s, _)| *s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!(winners.len(), 1);
    assert_eq!(refused, 49);
    let (index, _, winner) = winners[0];
    let stored = world.get(created["id"].as_str().unwrap()).await;
    assert_eq!(&stored, winner);
    assert_eq!(stored["statusReason"], format!("writer {index}"));
}

// ---- PATCH ---------------------------------------------------------------------------

#[tokio::test]
async fn patch_without_prefer_answers_204_with_the_new_etag() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    let ops = documented(&world.suite, "patch-a-referral.request-2");

    let response = world.patch(id, &ops, &[]).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let header = response
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let stored = world.get(id).await;
    assert_eq!(header, etag(&stored));
    assert_eq!(
        stored["details"]["dealValue"], 10000,
        "the documented string value is stored as a number"
    );
    assert_eq!(stored["details"]["notes"], "Lorem ipsum dolor sit amet.");
}

#[tokio::test]
async fn patch_with_prefer_return_representation_answers_200_with_the_referral() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    let ops = documented(&world.suite, "patch-a-referral.request-1");

    let response = world
        .patch(id, &ops, &[("Prefer", "return=representation")])
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["team"].as_array().unwrap().last().unwrap()["email"],
        "jane.doe@contoso.com"
    );
    assert_eq!(body, world.get(id).await);
}

#[tokio::test]
async fn patch_if_match_is_optional_but_enforced_when_sent() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    let ops = json!([{"op": "replace", "path": "/details/notes", "value": "first"}]);

    assert_eq!(
        world.patch(id, &ops, &[]).await.status(),
        StatusCode::NO_CONTENT,
        "no If-Match: last writer wins"
    );
    let stale = world.patch(id, &ops, &[("If-Match", etag(&created))]).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let current = world.get(id).await;
    assert_eq!(
        world
            .patch(id, &ops, &[("If-Match", etag(&current))])
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn patch_operations_other_than_add_and_replace_are_refused_with_400() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    for op in ["remove", "move", "copy", "test"] {
        let ops = json!([{"op": op, "path": "/details/notes", "from": "/name", "value": "x"}]);
        assert_eq!(
            world.patch(id, &ops, &[]).await.status(),
            StatusCode::BAD_REQUEST,
            "{op}"
        );
    }
    assert_eq!(world.get(id).await, created);
}

#[tokio::test]
async fn patch_enforces_the_transition_table() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    let close = documented(&world.suite, "patch-a-referral.request-3");
    assert_eq!(
        world.patch(id, &close, &[]).await.status(),
        StatusCode::NO_CONTENT,
        "New -> Closed/Won is allowed"
    );
    let closed = world.get(id).await;

    let reopen = json!([{"op": "replace", "path": "/status", "value": "Active"}, {"op": "replace", "path": "/substatus", "value": "Accepted"}]);
    let response = world.patch(id, &reopen, &[]).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(world.get(id).await, closed);
}

#[tokio::test]
async fn patch_of_a_read_only_field_is_refused() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    let ops = json!([{"op": "replace", "path": "/engagementId", "value": "other"}]);

    assert_eq!(
        world.patch(id, &ops, &[]).await.status(),
        StatusCode::BAD_REQUEST
    );
}

// ---- methods, auth, bad input ----------------------------------------------------------

#[tokio::test]
async fn other_methods_are_405_with_an_allow_header() {
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap();
    for (method, tail) in [
        (Method::DELETE, format!("/{id}")),
        (Method::POST, format!("/{id}")),
        (Method::PUT, String::new()),
        (Method::DELETE, String::new()),
    ] {
        let response = world.send(method.clone(), &tail, &[], None).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {tail}"
        );
        assert!(response.headers().get("allow").is_some());
    }
}

#[tokio::test]
async fn with_a_token_a_missing_or_wrong_bearer_is_401() {
    let world = World::with(DoubleConfig {
        token: Some("s3cret".into()),
        ..DoubleConfig::default()
    })
    .await;

    let missing = world.send(Method::GET, "", &[], None).await;
    let wrong = world
        .send(Method::GET, "", &[("Authorization", "Bearer nope")], None)
        .await;
    let right = world
        .send(Method::GET, "", &[("Authorization", "Bearer s3cret")], None)
        .await;

    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(right.status(), StatusCode::OK);
    assert!(
        !wrong.text().await.unwrap().contains("s3cret"),
        "the token is never echoed"
    );
}

#[tokio::test]
async fn bad_input_never_gets_a_5xx() {
    // Arrange
    let world = World::new().await;
    let created = world.create().await;
    let id = created["id"].as_str().unwrap().to_owned();
    let item = format!("/{id}");
    let etag_header = etag(&created).to_owned();
    let cases: Vec<(Method, String, Vec<(&str, &str)>, Vec<u8>, u16)> = vec![
        (
            Method::POST,
            String::new(),
            vec![("Content-Type", "application/json")],
            b"{not json".to_vec(),
            400,
        ),
        (
            Method::POST,
            String::new(),
            vec![("Content-Type", "application/json")],
            b"[1, 2]".to_vec(),
            400,
        ),
        (
            Method::POST,
            String::new(),
            vec![("Content-Type", "application/json")],
            b"\"a string\"".to_vec(),
            400,
        ),
        (
            Method::POST,
            String::new(),
            vec![("Content-Type", "text/plain")],
            b"{}".to_vec(),
            415,
        ),
        (Method::POST, String::new(), vec![], b"{}".to_vec(), 415),
        (
            Method::POST,
            String::new(),
            vec![("Content-Type", "application/json")],
            vec![0xff, 0xfe, 0x00],
            400,
        ),
        (
            Method::PUT,
            item.clone(),
            vec![
                ("Content-Type", "application/json"),
                ("If-Match", &etag_header),
            ],
            b"{\"id\": 1".to_vec(),
            400,
        ),
        (
            Method::PUT,
            item.clone(),
            vec![
                ("Content-Type", "application/json"),
                ("If-Match", "not-a-tag"),
            ],
            b"{}".to_vec(),
            400,
        ),
        (
            Method::PATCH,
            item.clone(),
            vec![("Content-Type", "application/json")],
            b"{\"op\": \"replace\"}".to_vec(),
            400,
        ),
        (
            Method::PATCH,
            item.clone(),
            vec![("Content-Type", "application/json")],
            b"[]".to_vec(),
            400,
        ),
        (
            Method::GET,
            "/%00%ff\u{7}".to_owned(),
            vec![],
            Vec::new(),
            404,
        ),
        (
            Method::PUT,
            "/unknown-id".to_owned(),
            vec![("Content-Type", "application/json"), ("If-Match", "*")],
            b"{}".to_vec(),
            404,
        ),
    ];
    for (method, tail, headers, body, expected) in cases {
        // Act
        let mut request = world
            .client
            .request(method.clone(), world.url(&tail))
            .body(body.clone());
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();

        // Assert
        assert_eq!(
            response.status().as_u16(),
            expected,
            "{method} {tail} {:?}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(
        world.get(&id).await,
        created,
        "no bad request changed the referral"
    );
}

#[tokio::test]
async fn a_20_mb_body_is_refused_with_413() {
    let world = World::new().await;
    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(20 * 1024 * 1024));

    let response = world
        .client
        .post(world.url(""))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unicode_and_control_characters_in_strings_round_trip() {
    let world = World::new().await;
    let mut body = documented(&world.suite, "create-a-referral.request");
    let name = "Zoë 日本 \u{1F600} tab\tnul\u{0} bell\u{7} \u{202E}rtl";
    body["name"] = json!(name);

    let response = world.send(Method::POST, "", &[], Some(&body)).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["name"], name);
    assert_eq!(
        world.get(created["id"].as_str().unwrap()).await["name"],
        name
    );
}

// ---- determinism and faults -----------------------------------------------------------

#[tokio::test]
async fn the_same_seed_gives_the_same_bodies() {
    let a = World::with(DoubleConfig {
        seed: Some(42),
        ..DoubleConfig::default()
    })
    .await;
    let b = World::with(DoubleConfig {
        seed: Some(42),
        ..DoubleConfig::default()
    })
    .await;

    let mut first = a.create().await;
    let mut second = b.create().await;
    // Links carry each double's own address.
    first.as_object_mut().unwrap().remove("links");
    second.as_object_mut().unwrap().remove("links");

    assert_eq!(first, second);
}

#[tokio::test]
async fn the_stale_if_match_fault_accepts_a_stale_write() {
    let world = World::with(DoubleConfig::default().with_fault(Fault::StaleIfMatchAccepted)).await;
    let created = world.create().await;
    world
        .put(&created, &world.put_body(&created), Some(etag(&created)))
        .await;

    let response = world
        .put(&created, &world.put_body(&created), Some(etag(&created)))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_read_only_fields_stored_fault_lets_a_put_overwrite_the_organization_id() {
    // Arrange
    let world = World::with(DoubleConfig::default().with_fault(Fault::ReadOnlyFieldsStored)).await;
    let created = world.create().await;
    let mut body = world.put_body(&created);
    body["organizationId"] = json!("someone-else");
    body["createdDateTime"] = json!("1999-01-01T00:00:00Z");

    // Act
    let updated: Value = world
        .put(&created, &body, Some(etag(&created)))
        .await
        .json()
        .await
        .unwrap();

    // Assert: organizationId is taken from the client; createdDateTime (its own fault) is not.
    assert_eq!(updated["organizationId"], "someone-else");
    assert_eq!(updated["createdDateTime"], created["createdDateTime"]);
    let id = created["id"].as_str().unwrap();
    assert_eq!(world.get(id).await["organizationId"], "someone-else");
}

#[tokio::test]
async fn the_create_drops_requirements_fault_stores_no_details_requirements() {
    // Arrange
    let world =
        World::with(DoubleConfig::default().with_fault(Fault::CreateDropsRequirements)).await;
    let sent = documented(&world.suite, "create-a-referral.request");
    assert!(sent["details"]["requirements"].is_object());

    // Act
    let created = world.create().await;

    // Assert
    assert!(created["details"].get("requirements").is_none());
    assert_eq!(created["details"]["notes"], sent["details"]["notes"]);
    let id = created["id"].as_str().unwrap();
    assert!(world.get(id).await["details"].get("requirements").is_none());
}

#[tokio::test]
async fn the_links_misspelled_fault_points_links_at_engagments() {
    // Arrange
    let world = World::with(DoubleConfig::default().with_fault(Fault::LinksMisspelled)).await;

    // Act
    let created = world.create().await;

    // Assert
    let own = created["links"]["self"]["uri"].as_str().unwrap();
    let related = created["links"]["relatedReferrals"]["uri"]
        .as_str()
        .unwrap();
    assert!(own.contains("/v1.0/engagments/referrals/"), "{own}");
    assert!(related.contains("/v1.0/engagments/referrals?"), "{related}");
}

#[tokio::test]
async fn the_throttled_fault_answers_429_with_retry_after() {
    let world = World::with(DoubleConfig::default().with_fault(Fault::Throttled)).await;
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let response = world.send(Method::GET, "", &[], None).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(response.headers().get("retry-after").unwrap(), "1");
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
}

// ---- vouch serve as a process -----------------------------------------------------------

#[test]
fn vouch_serve_binds_prints_its_address_serves_http_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    // Arrange
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["serve", "--seed", "7", "--token", "t0ken"])
        .current_dir(common::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line
        .trim()
        .strip_prefix("vouch double listening on http://")
        .unwrap()
        .to_owned();

    // Act: a plain HTTP/1.1 request over TCP.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(stream, "GET {PATH} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer t0ken\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let exit = child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();

    // Assert
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"@odata.count\":0"), "{answer}");
    assert!(status.success());
    assert!(exit.success(), "clean shutdown: {exit:?}");
    assert!(rest.contains("stopped"));
    assert!(
        !line.contains("t0ken") && !rest.contains("t0ken"),
        "the token is never printed"
    );
}

#[test]
fn vouch_serve_refuses_an_unknown_fault_with_exit_2() {
    let output = common::vouch(&["serve", "--fault", "no-such-fault"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("no fault named"));
}

#[tokio::test]
async fn stored_resources_are_packed_small_and_answered_exactly_as_stored() {
    // Arrange: resources in varied states, as a long run leaves them.
    let world = World::with(DoubleConfig {
        preload: 200,
        ..DoubleConfig::default()
    })
    .await;

    // Act
    let (packed, text) = world.double.stored_sizes();
    let ids = world.double.ids();

    // Assert: packed against the documented examples, a resource takes under a quarter of
    // its text; and each one reads back as the double holds it.
    assert_eq!(ids.len(), 200);
    assert!(
        packed * 4 < text,
        "packed {packed} bytes for {text} bytes of text"
    );
    for id in ids.iter().step_by(20) {
        let response = world
            .client
            .get(world.url(&format!("/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(Some(body), world.double.stored(id));
    }
}
