//! Following a list to its end: from the first page, every next link (the contract's
//! `list.next_link`) is requested as given (opaque: never rebuilt from `$skip` or `$top`),
//! with the step's headers, until a page has none or the page limit is reached. What the
//! list checks judge.

use serde_json::Value;

use crate::endpoint::live::{Http, SentRequest};
use crate::fixture::vocabulary::ListShape;

/// The most pages a list step follows.
pub const MAX_PAGES: usize = 50;

/// Every item of every page of one list, in order.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub items: Vec<Value>,
    /// Pages read (the first one included).
    pub pages: usize,
    /// The first page carried a next link.
    pub first_had_next: bool,
    /// Why the walk stopped before the end: a page limit, an error status, a body that
    /// is not a list, or a transport error.
    pub stopped: Option<String>,
}

/// Walks the list whose first page is `first`, sending `headers` with each request.
pub async fn follow(
    http: &Http,
    shape: &ListShape,
    first: &Value,
    headers: &[(String, String)],
) -> Listed {
    let next_link = |page: &Value| -> Option<String> {
        page.pointer(shape.next_link.as_str())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let items = |page: &Value| -> Option<Vec<Value>> {
        page.pointer(shape.items.as_str())
            .and_then(Value::as_array)
            .cloned()
    };
    let mut listed = Listed {
        pages: 1,
        first_had_next: next_link(first).is_some(),
        ..Listed::default()
    };
    let Some(first_items) = items(first) else {
        listed.stopped = Some(format!("the first page has no array at {}", shape.items));
        return listed;
    };
    listed.items.extend(first_items);
    let mut next = next_link(first);
    while let Some(url) = next.take() {
        if listed.pages >= MAX_PAGES {
            listed.stopped = Some(format!(
                "still a next link ({}) after {MAX_PAGES} pages",
                shape.next_link
            ));
            break;
        }
        let request = SentRequest {
            method: "GET".into(),
            url: http.url(&url),
            headers: headers.to_vec(),
            body: None,
        };
        let received = match http.send(&request).await {
            Ok(received) => received,
            Err(error) => {
                listed.stopped = Some(format!("page {}: {error}", listed.pages + 1));
                break;
            }
        };
        listed.pages += 1;
        if !(200..300).contains(&received.status) {
            listed.stopped = Some(format!(
                "page {} ({url}) answered {}",
                listed.pages, received.status
            ));
            break;
        }
        let page: Value = serde_json::from_slice(&received.body).unwrap_or(Value::Null);
        let Some(page_items) = items(&page) else {
            listed.stopped = Some(format!("page {} ({url}) is not a list", listed.pages));
            break;
        };
        listed.items.extend(page_items);
        next = next_link(&page);
    }
    listed
}
