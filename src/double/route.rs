//! The double's front door: every request passes the variants' refusals, the fault hook
//! `on_request`, the bearer token and the body limit, then goes to the handler of the
//! operation the contract declares for its method and path (`api.rs`). A path with no
//! operation is 404; a method the path does not have is 405 with an `Allow` of those it
//! has.

use crate::double::api::{Routed, ID_VARIABLE};
use crate::double::reply::Reply;
use crate::double::request::Request;
use crate::double::shared::Shared;
use crate::fixture::vocabulary::OperationKind;

impl Shared {
    /// The answer to `request`, bent as the double's variants and faults say.
    pub fn handle(&self, request: &Request) -> Reply {
        let reply = match self
            .variants
            .refusal(|status, code, message| self.error(status, code, message))
        {
            Some(refusal) => self.variants.bend(refusal, &self.api),
            None => self.variants.bend(self.route(request), &self.api),
        };
        self.hooks.on_wire(&self.api, reply)
    }

    fn route(&self, request: &Request) -> Reply {
        if self.hooks.on_request(&mut self.lock()) {
            return self
                .error(429, "serviceNotAvailable", "too many requests; retry later")
                .header("Retry-After", "1");
        }
        if let Some(token) = &self.token {
            let sent = request
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "));
            if !self.hooks.token_accepted(sent, token) {
                return self
                    .error(
                        self.expected("unauthenticated", 401),
                        "unauthenticated",
                        "a valid bearer token is required",
                    )
                    .header("WWW-Authenticate", "Bearer");
            }
        }
        if request.length > self.body_limit {
            return self.error(
                self.expected("body_too_large", 413),
                "invalidRequest",
                format!(
                    "the body is {} bytes; the limit is {}",
                    request.length, self.body_limit
                ),
            );
        }
        let path = request.url.path();
        let (route, variables) = match self.api.route(request.method.as_str(), path) {
            Routed::Found { route, variables } => (route, variables),
            Routed::NotAllowed(allowed) => return self.not_allowed(&allowed.join(", ")),
            Routed::NotFound => {
                return self.error(404, "itemNotFound", format!("no resource at {path}"))
            }
        };
        let id = variables
            .iter()
            .find(|(name, _)| name == ID_VARIABLE)
            .map_or("", |(_, value)| value.as_str());
        match route.kind {
            OperationKind::Create => self.create(request),
            OperationKind::Get => self.get(id),
            OperationKind::List => self.list(request, &route.operation, &variables),
            OperationKind::Put => self.put(request, id),
            OperationKind::Patch => self.patch(request, id),
            OperationKind::Delete => self.delete(request, id),
        }
    }

    fn not_allowed(&self, allow: &str) -> Reply {
        self.error(
            self.expected("method_not_allowed", 405),
            "invalidRequest",
            format!("method not allowed here; allowed: {allow}"),
        )
        .header("Allow", allow)
    }
}
