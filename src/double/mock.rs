//! The double on wiremock: the responder behind wiremock's `Respond` trait, mounted as the
//! one catch-all mock of a `MockServer` (request recording off). This is the double's
//! default server for the embedded double of `vouch run` (up to
//! `DoubleServer::WIREMOCK_MAX_SCENARIOS` scenarios) and the tests; `vouch serve` defaults
//! to the lean server. wiremock itself panics in its connection task when a client aborts
//! halfway through a body (the connection drops), which is one more reason a long-lived,
//! network-facing `vouch serve` is on the lean server.
//!
//! Implementation note: a wiremock mock keeps a copy of every request it matched, with no
//! way to turn that off, so its memory grows with the number of requests (about 3 KB per
//! write). For very long runs (the 10,000-scenario benchmark) the lean hyper server of
//! `server.rs` serves the same responder and remembers nothing; `DoubleServer` chooses.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use bytes::Bytes;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use crate::double::request::Request;
use crate::double::shared::Shared;

/// The wiremock responder over the double's shared state.
struct Responder {
    shared: Arc<Shared>,
}

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let limit = self.shared.body_limit.saturating_add(1);
        let kept = &request.body[..request.body.len().min(limit)];
        let request = Request {
            method: request.method.clone(),
            url: request.url.clone(),
            headers: request.headers.clone(),
            body: Bytes::copy_from_slice(kept),
            length: request.body.len(),
        };
        let shared = &self.shared;
        // A bug of the double answers 500 rather than taking wiremock's task down.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shared.handle(&request))) {
            Ok(reply) => reply.into_template(),
            Err(_) => {
                ResponseTemplate::new(500).set_body_string("the double failed on this request")
            }
        }
    }
}

/// Starts a wiremock server for `shared` on `listener`.
pub(crate) async fn start(listener: TcpListener, shared: Arc<Shared>) -> MockServer {
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(Responder { shared })
        .mount(&server)
        .await;
    server
}

/// The address a wiremock server listens on.
pub(crate) fn address(server: &MockServer) -> SocketAddr {
    *server.address()
}
