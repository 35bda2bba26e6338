//! The double answers the documented list queries as the docs mean them: every `$filter`
//! example of get-a-list-of-referrals.md gets 200 with exactly the referrals it matches
//! (one test per example), and `$orderby` (two keys), `$top`, `$skip`, `$select` and
//! `$count` page coherently through `@odata.nextLink`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use vouch::double::{Double, DoubleConfig};
use vouch::Suite;

const PATH: &str = "/v1.0/engagements/referrals";

/// The referrals every test lists: two of the docs' kind created through the API
/// (outgoing), and incoming ones seeded as a partner would receive them.
struct World {
    double: Double,
    client: Client,
    /// Name → id.
    ids: Vec<(&'static str, String)>,
}

fn referral(name: &str, fields: &Value) -> Value {
    let mut body = json!({
        "name": name,
        "engagementId": "65edc0b5-3485-41b7-a17e-dfa9ef4706e2",
        "status": "New",
        "substatus": "Pending",
        "type": "Independent",
        "qualification": "None",
        "direction": "Outgoing",
        "createdDateTime": "2020-09-01T00:00:00Z",
        "updatedDateTime": "2020-09-01T00:00:00Z",
        "customerProfile": { "name": "Contoso", "address": { "country": "DE" } },
        "details": { "dealValue": 100 },
        "team": [{ "email": "sue.smith@contoso.com" }]
    });
    merge(&mut body, fields);
    body
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (key, value) in p {
                merge(t.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

impl World {
    async fn new() -> Self {
        let suite =
            Suite::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/referrals"))
                .unwrap();
        let double = Double::start(&suite, DoubleConfig::default())
            .await
            .unwrap();
        let rows: [(&str, Value); 6] = [
            (
                "new-qualified",
                json!({"qualification": "SalesQualified", "createdDateTime": "2020-09-02T00:00:00Z", "details": {"dealValue": 300}}),
            ),
            (
                "incoming-us",
                json!({"direction": "Incoming", "customerProfile": {"address": {"country": "US"}}, "createdDateTime": "2020-09-03T00:00:00Z", "details": {"dealValue": 300}}),
            ),
            (
                "incoming-shared",
                json!({"direction": "Incoming", "type": "Shared", "substatus": "Received", "createdDateTime": "2020-09-04T00:00:00Z"}),
            ),
            (
                "incoming-pending",
                json!({"direction": "Incoming", "createdDateTime": "2020-09-05T00:00:00Z", "details": {"dealValue": 200}}),
            ),
            (
                "active-shared-r2d2",
                json!({"status": "Active", "substatus": "Accepted", "type": "Shared", "team": [{"email": "x@contoso.com"}, {"email": "r2d2@contoso.com"}], "createdDateTime": "2020-09-06T00:00:00Z"}),
            ),
            (
                "active-shared-other",
                json!({"status": "Active", "substatus": "Accepted", "type": "Shared", "engagementId": "00000000-0000-0000-0000-000000000001", "createdDateTime": "2020-09-07T00:00:00Z", "details": {"dealValue": 200}}),
            ),
        ];
        let ids = rows
            .into_iter()
            .map(|(name, fields)| (name, double.seed(referral(name, &fields)).unwrap()))
            .collect();
        Self {
            double,
            client: Client::new(),
            ids,
        }
    }

    fn id(&self, name: &str) -> String {
        self.ids.iter().find(|(n, _)| *n == name).unwrap().1.clone()
    }

    async fn get(&self, url: &str) -> (StatusCode, Value) {
        let response = self.client.get(url).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// Lists with `query` (raw, as the docs write it) and follows every nextLink: the
    /// names of the referrals in order, and the pages.
    async fn list(&self, query: &str) -> (Vec<String>, Vec<Value>) {
        let mut next = Some(format!("{}{PATH}?{query}", self.double.uri()));
        let (mut names, mut pages) = (Vec::new(), Vec::new());
        while let Some(url) = next.take() {
            let (status, page) = self.get(&url).await;
            assert_eq!(status, StatusCode::OK, "{url}: {page}");
            for item in page["value"].as_array().unwrap() {
                names.push(item["name"].as_str().unwrap_or("(no name)").to_owned());
            }
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            pages.push(page);
            assert!(pages.len() < 20, "nextLink does not end");
        }
        (names, pages)
    }
}

async fn filtered(filter: &str) -> Vec<String> {
    let world = World::new().await;
    let (mut names, _) = world.list(&format!("$filter={filter}")).await;
    names.sort();
    names
}

// ---- every documented $filter example ---------------------------------------------------

#[tokio::test]
async fn documented_filter_on_engagement_id() {
    let names = filtered("engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'").await;
    assert_eq!(
        names,
        [
            "active-shared-r2d2",
            "incoming-pending",
            "incoming-shared",
            "incoming-us",
            "new-qualified"
        ]
    );
}

#[tokio::test]
async fn documented_filter_on_status_and_qualification() {
    let names = filtered("status eq 'New' and qualification eq 'SalesQualified'").await;
    assert_eq!(names, ["new-qualified"]);
}

#[tokio::test]
async fn documented_filter_on_a_nested_country_and_direction() {
    let names =
        filtered("customerProfile/address/country eq 'US' and direction eq 'Incoming'").await;
    assert_eq!(names, ["incoming-us"]);
}

#[tokio::test]
async fn documented_filter_on_type_and_direction_in_parentheses() {
    let names = filtered("(type eq 'Shared' and direction eq 'Incoming')").await;
    assert_eq!(names, ["incoming-shared"]);
}

#[tokio::test]
async fn documented_filter_on_direction_and_substatus_in_parentheses() {
    let names = filtered("(direction eq 'Incoming' and substatus eq 'Pending')").await;
    assert_eq!(names, ["incoming-pending", "incoming-us"]);
}

#[tokio::test]
async fn documented_filter_with_a_team_email_lambda() {
    let names = filtered(
        "status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'r2d2@contoso.com')",
    )
    .await;
    assert_eq!(names, ["active-shared-r2d2"]);
}

#[tokio::test]
async fn every_documented_list_request_is_answered_200() {
    // Arrange: the docs' four raw requests, as the suite holds them.
    let suite =
        Suite::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/referrals")).unwrap();
    let world = World::new().await;
    for n in 1..=4 {
        let name = format!("get-a-list-of-referrals.request-{n}");
        let raw = &suite.example(&name).unwrap().raw_text;
        let line = raw.lines().next().unwrap().trim();
        let target = line
            .strip_prefix("GET ")
            .unwrap()
            .rsplit_once(" HTTP/")
            .unwrap()
            .0;
        let query = target.split_once('?').unwrap().1;

        // Act
        let (names, _) = world.list(query).await;

        // Assert: what each one asks for, newest first.
        let expected: &[&str] = match n {
            1 => &[
                "active-shared-other",
                "active-shared-r2d2",
                "incoming-pending",
                "incoming-shared",
                "incoming-us",
                "new-qualified",
            ],
            2 => &["incoming-shared"],
            3 => &["incoming-pending", "incoming-us"],
            _ => &["active-shared-r2d2"],
        };
        assert_eq!(names, expected, "{name}: {query}");
    }
}

// ---- the other query options, coherent with paging ------------------------------------

#[tokio::test]
async fn orderby_with_two_keys_pages_in_that_order_through_next_link() {
    let world = World::new().await;
    let (names, pages) = world
        .list("$orderby=details/dealValue desc,createdDateTime asc&$top=4")
        .await;
    assert_eq!(
        names,
        [
            "new-qualified",
            "incoming-us",
            "incoming-pending",
            "active-shared-other",
            "incoming-shared",
            "active-shared-r2d2"
        ]
    );
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p["@odata.count"] == 6));
}

#[tokio::test]
async fn skip_and_top_page_the_rest_without_gaps_or_repeats() {
    let world = World::new().await;
    let (all, _) = world.list("$orderby=createdDateTime asc").await;
    let (skipped, pages) = world
        .list("$orderby=createdDateTime asc&$skip=2&$top=1")
        .await;
    assert_eq!(skipped, all[2..]);
    assert_eq!(pages.len(), 4);
}

#[tokio::test]
async fn select_keeps_the_chosen_members_and_always_the_etag_on_every_page() {
    let world = World::new().await;
    let (_, pages) = world
        .list("$select=name,customerProfile/address/country&$top=2&$orderby=createdDateTime asc")
        .await;
    assert_eq!(pages.len(), 3);
    for page in &pages {
        for item in page["value"].as_array().unwrap() {
            let mut keys: Vec<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(keys, ["customerProfile", "eTag", "id", "name"], "{item}");
            assert_eq!(item["customerProfile"].as_object().unwrap().len(), 1);
            assert!(item["customerProfile"]["address"]["country"].is_string());
        }
    }
}

#[tokio::test]
async fn count_is_the_whole_filtered_set_and_false_leaves_it_out() {
    let world = World::new().await;
    let (_, pages) = world
        .list("$filter=type eq 'Shared'&$top=1&$count=true")
        .await;
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|p| p["@odata.count"] == 3));
    let (_, pages) = world.list("$filter=type eq 'Shared'&$count=false").await;
    assert!(pages[0].get("@odata.count").is_none());
}

#[tokio::test]
async fn an_option_the_contract_does_not_allow_is_refused_not_ignored() {
    let world = World::new().await;
    for query in [
        "$expand=team",
        "$search=contoso",
        "colour=red",
        "$top=2&$top=3",
        "$orderby=team",
    ] {
        let (status, body) = world
            .get(&format!("{}{PATH}?{query}", world.double.uri()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body["error"]["message"].is_string(), "{query}: {body}");
    }
}

#[tokio::test]
async fn a_seeded_referral_is_got_by_its_id() {
    let world = World::new().await;
    let id = world.id("incoming-us");
    let (status, body) = world
        .get(&format!("{}{PATH}/{id}", world.double.uri()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["direction"], "Incoming");
}
