//! What only Partner Center's referrals do: every referral carries a `links` object
//! (`self`, and `relatedReferrals`: the referrals of its engagement), and a PATCH may
//! send `dealValue` as the numeric string the docs show; the profile adds the derived
//! scenario that follows `relatedReferrals`. Walked only when the contract selects
//! `profile: partner-center-referrals`.

use serde_json::{json, Map, Value};

use crate::double::variant::{Allowance, Variant};
use crate::fixture::derive::{values, vars, Builder};
use crate::fixture::scenario::{Expect, RequestSpec, Scenario, Step};
use crate::fixture::small_map::SmallMap;
use crate::fixture::vocabulary::OperationKind;
use crate::profile::Site;

/// The suite vouch ships for this API (relative to the repository), run when none is named.
pub const BUNDLED_SUITE: &str = "fixtures/referrals";
/// What the bundled suite tests, as the help names it.
pub const BUNDLED_API: &str = "Partner Center Referrals API";

/// The member that carries the links.
const LINKS: &str = "links";
/// The engagement a referral belongs to.
const ENGAGEMENT: &str = "engagementId";
/// The field that tells a shared referral from another kind.
pub const KIND: &str = "/type";
/// The patch path of the deal value.
const DEAL_VALUE: &str = "/details/dealValue";

/// Adds the links of a created referral.
pub fn on_create(site: Site<'_>, body: &mut Map<String, Value>) {
    let engagement = body
        .get(ENGAGEMENT)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let path = if site.misspelled {
        // As the docs' own examples print it.
        site.collection.replacen("engagements", "engagments", 1)
    } else {
        site.collection.to_owned()
    };
    let (base, id) = (site.base, site.id);
    body.insert(
        LINKS.into(),
        serde_json::json!({
            "relatedReferrals": { "uri": format!("{base}{path}?$filter={ENGAGEMENT} eq '{engagement}'"), "method": "GET" },
            "self": { "uri": format!("{base}{path}/{id}"), "method": "GET" }
        }),
    );
}

/// The docs send dealValue as a numeric string ("10000"): it is stored as the number it
/// means.
pub fn before_patch(body: &mut Value) {
    let Value::Array(ops) = body else { return };
    for op in ops {
        if op.get("path").and_then(Value::as_str) != Some(DEAL_VALUE) {
            continue;
        }
        let Some(text) = op.get("value").and_then(Value::as_str) else {
            continue;
        };
        if let Ok(whole) = text.parse::<i64>() {
            op["value"] = whole.into();
        } else if let Some(number) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            op["value"] = Value::Number(number);
        }
    }
}

/// The derived scenario the profile adds: the `relatedReferrals` link of a created
/// referral lists its engagement's referrals only (two engagements, one referral each).
pub(crate) fn derived(builder: &Builder<'_>) -> Vec<Scenario> {
    let mut other = builder.create();
    other.name = Some("create-other".into());
    other.capture = vars(&[("other_id", "/id")]);
    vec![builder.scenario(
        "list: the relatedReferrals link lists the referrals of one engagement only".into(),
        &["derived", "list"],
        vec![
            builder.create(),
            other,
            Step {
                name: Some("related".into()),
                request: Some(RequestSpec {
                    method: builder.method(OperationKind::Get),
                    path: "{related}".into(),
                    headers: SmallMap::new(),
                    body: None,
                    content_type: None,
                }),
                expect: Expect {
                    response: Some("list".into()),
                    schema: Some("list".into()),
                    values: values(&[("/@odata.count", json!(1)), ("/value/0/id", json!("{id}"))]),
                    rule: Some("link-path".into()),
                    ..Expect::default()
                },
                ..Step::default()
            },
        ],
    )]
}

/// Where the Referrals pages allow a conformant variant (the others' allowance is the
/// general one).
pub fn allowance(variant: Variant) -> Option<Allowance> {
    match variant {
        Variant::SharedCreateActive | Variant::CreateAlwaysActive => Some(Allowance::Documented(
            "create-a-referral.md's example sends New/Pending and shows Active/Accepted; DESIGN.md: the server may rewrite status on create",
        )),
        Variant::OtherOrganizationName | Variant::UppercaseIds | Variant::OtherEtagFormat => {
            Some(Allowance::Documented(
                "referral-resources.md: server-assigned strings, no format given",
            ))
        }
        Variant::TimesMilliseconds | Variant::TimesOffset => Some(Allowance::Assumed(
            "referral-resources.md says date-time in UTC; RFC 3339 allows any precision and +00:00",
        )),
        Variant::SmallPages => Some(Allowance::Documented(
            "get-a-list-of-referrals.md: follow @odata.nextLink; the page size is the server's",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_referral_links_to_itself_and_its_engagement() {
        let mut body = Map::new();
        body.insert(ENGAGEMENT.into(), "e1".into());
        let site = Site {
            base: "http://h",
            collection: "/v1.0/engagements/referrals",
            id: "r1",
            misspelled: false,
        };
        on_create(site, &mut body);
        assert_eq!(
            body[LINKS]["self"]["uri"],
            "http://h/v1.0/engagements/referrals/r1"
        );
        assert!(body[LINKS]["relatedReferrals"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("engagementId eq 'e1'")));
    }

    #[test]
    fn a_numeric_deal_value_string_becomes_a_number() {
        let mut ops =
            serde_json::json!([{ "op": "replace", "path": DEAL_VALUE, "value": "10000" }]);
        before_patch(&mut ops);
        assert_eq!(ops[0]["value"], 10000);
    }
}
