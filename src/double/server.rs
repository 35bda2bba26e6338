//! The double's HTTP/1.1 server (hyper), on a thread of its own with a single-threaded
//! runtime, so a double works from any caller (a test's runtime, a blocking thread). Each
//! request is read whole (a body past the double's limit is drained, not kept), answered
//! by the double's handlers (`route.rs`) and forgotten: the double remembers nothing but its store. A
//! connection that sends no request head for 10 s (idle keep-alive included) is closed, a
//! body that stalls for 30 s gets 408, and a client that goes away mid-body is let go.
//! (A
//! general-purpose mock server keeps a copy of every request it matched, which grows
//! without bound over a long run or a long `vouch serve`.)

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use reqwest::Url;
use tokio::sync::watch;

use crate::double::request::Request;
use crate::double::shared::Shared;

/// How long a connection may take to send a request head, idle keep-alive included.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request may take to send its body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server; dropping it stops it.
#[derive(Debug)]
pub(crate) struct Server {
    address: SocketAddr,
    _stop: watch::Sender<()>,
}

impl Server {
    /// Serves `shared` on `listener` (already bound and listening).
    pub(crate) fn start(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
    ) -> std::io::Result<Self> {
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (stop, stopped) = watch::channel(());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name(format!("vouch-double-{}", address.port()))
            .spawn(move || runtime.block_on(serve(listener, shared, stopped)))?;
        Ok(Self {
            address,
            _stop: stop,
        })
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors or the like: give the system a moment, then go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        stream.set_nodelay(true).ok();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(Arc::clone(&shared), request));
            // A client that goes away mid-request is its own business; one that sends no
            // request head within the timeout (idle keep-alive included) is closed.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, mut incoming) = request.into_parts();
    let mut body = BytesMut::new();
    let mut length = 0usize;
    let keep = shared.body_limit.saturating_add(1);
    let reading = async {
        while let Some(frame) = incoming.frame().await {
            let Ok(frame) = frame else {
                // The client went away mid-body: nobody is left to answer.
                return false;
            };
            if let Ok(data) = frame.into_data() {
                length += data.len();
                if body.len() < keep {
                    let room = keep - body.len();
                    body.extend_from_slice(&data[..data.len().min(room)]);
                }
            }
        }
        true
    };
    match tokio::time::timeout(BODY_READ_TIMEOUT, reading).await {
        Ok(true) => {}
        Ok(false) => return Ok(plain(400, "the request body ended early")),
        Err(_) => return Ok(plain(408, "the request body did not arrive in time")),
    }
    let target = if parts.uri.authority().is_some() {
        parts.uri.to_string()
    } else {
        format!("http://localhost{}", parts.uri)
    };
    let Ok(url) = Url::parse(&target) else {
        return Ok(plain(400, "the request target is not a valid URI"));
    };
    let request = Request {
        method: parts.method,
        url,
        headers: parts.headers,
        body: body.freeze(),
        length,
    };
    // A bug of the double's answers one request with 500 rather than dropping the
    // connection (the panic is still printed, so it is seen).
    let handled =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shared.handle(&request)));
    let Ok(reply) = handled else {
        return Ok(plain(500, "the double failed on this request"));
    };
    let (response, delay) = reply.into_response();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    Ok(response)
}

fn plain(status: u16, message: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(message.to_owned())));
    if let Ok(code) = hyper::StatusCode::from_u16(status) {
        *response.status_mut() = code;
    }
    response
}
