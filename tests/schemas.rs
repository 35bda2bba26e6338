//! The schemas of schemas/ against the documented examples and against bodies that the
//! docs rule out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use serde_json::{json, Value};
use vouch::Suite;

use common::{documented, suite};

fn violations(suite: &Suite, schema: &str, body: &Value) -> Vec<String> {
    suite
        .schemas
        .validate(schema, body)
        .unwrap()
        .into_iter()
        .map(|v| format!("{} {}", v.pointer, v.message))
        .collect()
}

#[test]
fn every_documented_example_matches_its_schema_after_the_recorded_repairs() {
    // Arrange
    let suite = suite();

    // Act
    let mut checked = 0;
    let mut failures = Vec::new();
    for example in &suite.examples {
        let (Some(schema), Some(body)) = (&example.spec.schema, &example.json) else {
            continue;
        };
        checked += 1;
        for violation in violations(&suite, schema, body) {
            failures.push(format!("{}: {violation}", example.spec.name));
        }
    }

    // Assert
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(checked, 10, "every example with a body was checked");
}

#[test]
fn a_referral_with_an_unknown_status_is_rejected_at_its_pointer() {
    let suite = suite();
    let mut referral = documented(&suite, "update-a-referral.response");
    referral["status"] = json!("Open");

    let found = violations(&suite, "referral", &referral);

    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("/status "), "{found:?}");
}

#[test]
fn a_referral_with_an_unknown_substatus_is_rejected() {
    let suite = suite();
    let mut referral = documented(&suite, "create-a-referral.response");
    referral["substatus"] = json!("Kazanıldı");

    assert!(violations(&suite, "referral", &referral)
        .iter()
        .any(|v| v.starts_with("/substatus ")));
}

#[test]
fn a_referral_without_an_etag_is_rejected() {
    let suite = suite();
    let mut referral = documented(&suite, "update-a-referral.response");
    referral.as_object_mut().unwrap().remove("eTag");

    let found = violations(&suite, "referral", &referral);

    assert!(
        found
            .iter()
            .any(|v| v.contains("\"eTag\" is a required property")),
        "{found:?}"
    );
}

#[test]
fn an_etag_without_its_quotes_is_rejected() {
    let suite = suite();
    let mut referral = documented(&suite, "update-a-referral.response");
    referral["eTag"] = json!("2500ec5a-0000-0000-0000-5bf4967d0000");

    assert!(violations(&suite, "referral", &referral)
        .iter()
        .any(|v| v.starts_with("/eTag ")));
}

#[test]
fn a_put_body_that_carries_links_is_rejected() {
    let suite = suite();
    let mut body = documented(&suite, "update-a-referral.request");
    body["links"] = documented(&suite, "update-a-referral.response")["links"].clone();

    let found = violations(&suite, "put", &body);

    assert!(found.iter().any(|v| v.starts_with("/links ")), "{found:?}");
}

#[test]
fn a_put_body_may_carry_the_read_only_fields_the_example_sends() {
    let suite = suite();
    let body = documented(&suite, "update-a-referral.request");
    for field in [
        "id",
        "engagementId",
        "createdDateTime",
        "updatedDateTime",
        "eTag",
    ] {
        assert!(
            body.get(field).is_some(),
            "the documented PUT sends {field}"
        );
    }
    assert!(violations(&suite, "put", &body).is_empty());
}

#[test]
fn a_create_body_without_its_required_fields_is_rejected() {
    let suite = suite();
    for field in ["type", "customerProfile", "consent", "details"] {
        let mut body = documented(&suite, "create-a-referral.request");
        body.as_object_mut().unwrap().remove(field);
        let found = violations(&suite, "create", &body);
        assert!(
            found
                .iter()
                .any(|v| v.contains(&format!("\"{field}\" is a required property"))),
            "{field}: {found:?}"
        );
    }
}

#[test]
fn a_misspelt_consent_flag_is_rejected() {
    let suite = suite();
    let mut body = documented(&suite, "create-a-referral.request");
    body["consent"] = json!({"consentToShareInfoWithOthers": true, "consentToContact": true});

    assert!(violations(&suite, "create", &body)
        .iter()
        .any(|v| v.starts_with("/consent ")));
}

#[test]
fn customer_profile_ids_may_be_an_array_or_an_object() {
    let suite = suite();
    for ids in [
        json!([]),
        json!({}),
        json!([{"id": "123", "profileType": "Duns"}]),
    ] {
        let mut body = documented(&suite, "create-a-referral.request");
        body["customerProfile"]["ids"] = ids.clone();
        assert!(violations(&suite, "create", &body).is_empty(), "{ids}");
    }
    let mut body = documented(&suite, "create-a-referral.request");
    body["customerProfile"]["ids"] = json!("123");
    assert!(!violations(&suite, "create", &body).is_empty());
}

#[test]
fn a_json_patch_allows_only_add_and_replace() {
    let suite = suite();
    for op in ["remove", "move", "copy", "test"] {
        let patch = json!([{"op": op, "path": "/details/notes", "value": "x", "from": "/name"}]);
        assert!(
            !violations(&suite, "patch", &patch).is_empty(),
            "{op} must be rejected"
        );
    }
    let patch = json!([{"op": "replace", "path": "/details/notes", "value": "x"}, {"op": "add", "path": "/team/-", "value": {}}]);
    assert!(violations(&suite, "patch", &patch).is_empty());
}

#[test]
fn deal_value_is_a_number_in_a_referral_but_may_be_a_numeric_string_in_a_patch() {
    let suite = suite();
    let mut referral = documented(&suite, "update-a-referral.response");
    referral["details"]["dealValue"] = json!("10000");
    assert!(violations(&suite, "referral", &referral)
        .iter()
        .any(|v| v.starts_with("/details/dealValue ")));

    let patch = json!([{"op": "replace", "path": "/details/dealValue", "value": "10000"}]);
    assert!(violations(&suite, "patch", &patch).is_empty());
    let patch = json!([{"op": "replace", "path": "/details/dealValue", "value": "ten thousand"}]);
    assert!(!violations(&suite, "patch", &patch).is_empty());
}

#[test]
fn a_patch_of_a_status_checks_the_enum() {
    let suite = suite();
    let patch = json!([{"op": "replace", "path": "/status", "value": "Won"}]);
    assert!(!violations(&suite, "patch", &patch).is_empty());
}

#[test]
fn both_documented_error_envelopes_are_errors_and_other_shapes_are_not() {
    let suite = suite();
    let partner_api = json!({"error": {"code": "preconditionFailed", "message": "eTag mismatch", "target": "referral", "innerError": {"code": "resourceModified"}}});
    let partner_center = json!({"code": 2055, "description": "Etag is no longer valid", "data": [], "source": "PartnerCenter"});
    assert!(violations(&suite, "error", &partner_api).is_empty());
    assert!(violations(&suite, "error", &partner_center).is_empty());
    for other in [
        json!({"message": "oops"}),
        json!("oops"),
        json!({"error": "oops"}),
    ] {
        assert!(!violations(&suite, "error", &other).is_empty(), "{other}");
    }
}

#[test]
fn a_list_envelope_needs_its_value_array() {
    let suite = suite();
    assert!(!violations(&suite, "list", &json!({"@odata.count": 0})).is_empty());
    assert!(violations(&suite, "list", &json!({"@odata.count": 0, "value": []})).is_empty());
    assert!(!violations(&suite, "list", &json!({"@odata.count": -1, "value": []})).is_empty());
}

#[test]
fn undeclared_members_are_named_even_where_the_schema_tolerates_them() {
    // Arrange: the documented PUT body with an unknown top-level member (tolerated) and an
    // unknown member inside the customer's address (refused).
    let suite = suite();
    let mut body = documented(&suite, "update-a-referral.request");
    body["colour"] = json!("red");
    body["customerProfile"]["address"]["planet"] = json!("Earth");

    // Act
    let undeclared = suite.schemas.undeclared("put", &body).unwrap();

    // Assert
    assert_eq!(undeclared, ["/customerProfile/address/planet", "/colour"]);
    assert!(
        suite
            .schemas
            .undeclared("put", &documented(&suite, "update-a-referral.request"))
            .unwrap()
            .is_empty(),
        "every member of the documented body is declared"
    );
}

#[test]
fn a_sales_stage_outside_the_swagger_enum_is_rejected() {
    let suite = suite();
    let mut referral = documented(&suite, "update-a-referral.response");
    referral["salesStage"] = json!("Propose");
    assert!(violations(&suite, "referral", &referral).is_empty());
    referral["salesStage"] = json!("Negotiate");
    assert!(violations(&suite, "referral", &referral)
        .iter()
        .any(|v| v.starts_with("/salesStage ")));
}
