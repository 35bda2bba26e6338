//! Links: every link a success response carries (each `links.*.uri`, and a list's
//! `@odata.nextLink`) is an absolute URI that points at the resource's collection or one
//! item of it. The same rule `vouch lint` holds the documented examples to.

use reqwest::Url;

use crate::checks::{Check, CheckError, Context};
use crate::finding::Finding;
use crate::fixture::lint::{collect_links, path_problem, PathBase};

pub(super) struct Links;

impl Check for Links {
    fn name(&self) -> &'static str {
        "links"
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        if !(200..300).contains(&cx.observed.status) {
            return Ok(());
        }
        let Some(body) = cx.observed.json else {
            return Ok(());
        };
        let mut uris = Vec::new();
        collect_links(body, "", &mut uris);
        if uris.is_empty() {
            return Ok(());
        }
        let base = PathBase::resource(cx.suite);
        for (pointer, uri) in uris {
            match Url::parse(&uri) {
                Err(_) => out.push(cx.finding(
                    "link-path",
                    Some(&pointer),
                    format!("{uri:?} is not an absolute URI"),
                )),
                Ok(url) => {
                    if let Some(problem) = path_problem(url.path(), &base) {
                        out.push(cx.finding(
                            "link-path",
                            Some(&pointer),
                            format!("{uri:?}: {problem}"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
