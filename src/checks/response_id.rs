//! The id of an answer: a success response to a request on one item of the collection
//! (`{path}/{id}`) that carries a resource describes that item, not another one.

use serde_json::Value;

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;

pub(super) struct ResponseId;

/// The item id a URL addresses, when it addresses one item of `collection`.
fn item_id<'u>(url: &'u str, collection: &str) -> Option<&'u str> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |start| &after_scheme[start..]);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.strip_prefix(collection)?
        .strip_prefix('/')
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

impl Check for ResponseId {
    fn name(&self) -> &'static str {
        "response-id"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        if !(200..300).contains(&cx.observed.status) {
            return Ok(());
        }
        let resource = &cx.suite.contract.resource;
        let Some(asked) = item_id(cx.observed.url, &resource.path) else {
            return Ok(());
        };
        let pointer = resource.id.as_str();
        let Some(answered) = cx
            .observed
            .json
            .and_then(|b| b.pointer(pointer))
            .and_then(Value::as_str)
        else {
            return Ok(());
        };
        if answered != asked {
            out.push(cx.finding(
                "response-id",
                Some(pointer),
                format!(
                    "{} {} answered with the resource {answered}",
                    cx.observed.method, asked
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::item_id;

    const COLLECTION: &str = "/v1.0/projects/items";

    #[test]
    fn an_item_url_yields_its_id_and_other_urls_none() {
        // Arrange
        let cases = [
            ("http://127.0.0.1:80/v1.0/projects/items/abc", Some("abc")),
            ("https://h/v1.0/projects/items/abc?x=1", Some("abc")),
            ("https://h/v1.0/projects/items/abc/", Some("abc")),
            ("https://h/v1.0/projects/items", None),
            ("https://h/v1.0/projects/items?$filter=x", None),
            ("https://h/v1.0/projects/items/a/b", None),
            ("https://h/v1.0/other/abc", None),
        ];
        for (url, wanted) in cases {
            // Act
            let got = item_id(url, COLLECTION);
            // Assert
            assert_eq!(got, wanted, "{url}");
        }
    }
}
