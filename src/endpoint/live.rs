//! The HTTP client every run uses (reqwest with rustls): bearer auth, a per-request
//! timeout, bounded retries that honour Retry-After on 429 and 503 within a total wait
//! cap, and a cap on response bodies. Transport failures are typed errors for the
//! scenario at hand; the run goes on.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Client, Method};

/// The cap on a response body (and on a scenario's body file): 4 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// How to reach a target. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct HttpConfig {
    /// The base URL, e.g. `https://api.partner.microsoft.com`.
    pub base: String,
    /// The bearer token (never printed, never recorded).
    pub token: Option<String>,
    /// The command the token came from: run again, once, on a 401 (`token.rs`).
    pub token_command: Option<String>,
    /// How long the token command may take.
    pub token_timeout: Duration,
    pub timeout: Duration,
    /// How many times a throttled request (429, 503) is retried.
    pub retries: u32,
    /// The most a request may wait in total for Retry-After.
    pub max_wait: Duration,
    /// Response bodies beyond this many bytes are cut.
    pub body_limit: usize,
    /// Whether methods that write (POST, PUT, PATCH, DELETE) may be sent at all; without
    /// it they are refused here, before the network (`guard.rs`).
    pub allow_writes: bool,
    /// The most requests per second across every clone of the client (`rate.rs`).
    pub rate: Option<f64>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("max_wait", &self.max_wait)
            .field("body_limit", &self.body_limit)
            .field(
                "token_command",
                &self.token_command.as_ref().map(|_| "[set]"),
            )
            .field("token_timeout", &self.token_timeout)
            .field("allow_writes", &self.allow_writes)
            .field("rate", &self.rate)
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            base: String::new(),
            token: None,
            token_command: None,
            token_timeout: Duration::from_secs(30),
            timeout: super::DEFAULT_TIMEOUT,
            retries: 3,
            max_wait: Duration::from_secs(30),
            body_limit: DEFAULT_BODY_LIMIT,
            allow_writes: false,
            rate: None,
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Received {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub attempts: u32,
    /// Time of the last attempt alone (waiting for Retry-After not counted).
    pub latency: Duration,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot reach {url}: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: no response within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url}: {message}")]
    Other { url: String, message: String },
    #[error("bad request for {url}: {message}")]
    Request { url: String, message: String },
    #[error(
        "{method} {url} refused: this run does not write (give --allow-mutations to allow it)"
    )]
    WriteRefused { method: String, url: String },
    #[error("{url} not sent: the target answered {status} to the last {count} requests")]
    GaveUp {
        url: String,
        status: u16,
        count: u32,
    },
}

/// The client.
#[derive(Clone)]
pub struct Http {
    client: Client,
    config: HttpConfig,
    rate: Option<std::sync::Arc<super::rate::Rate>>,
    streak: std::sync::Arc<super::streak::Streak>,
    /// The token in use (a 401 may refresh it once from `token_command`).
    token: std::sync::Arc<std::sync::RwLock<Option<String>>>,
    refreshed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Shows everything but the token in use: a `{:?}` of the client in a log or a panic
/// message must not carry it.
impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let has_token = self.token.read().is_ok_and(|token| token.is_some());
        f.debug_struct("Http")
            .field("config", &self.config)
            .field("rate", &self.rate.is_some())
            .field("token", &if has_token { "[redacted]" } else { "none" })
            .field(
                "refreshed",
                &self.refreshed.load(std::sync::atomic::Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

fn describe(error: &reqwest::Error) -> String {
    // The innermost cause says the most ("Connection refused (os error 111)").
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = cause.to_string();
        source = cause.source();
    }
    message
}

/// How long to wait from a Retry-After value: delay-seconds, or an HTTP-date (RFC 9110
/// §10.2.3; a date already past waits nothing). Absent or unreadable: 1 s.
fn retry_after(value: Option<&str>) -> Duration {
    let Some(value) = value.map(str::trim) else {
        return Duration::from_secs(1);
    };
    if let Ok(seconds) = value.parse::<u64>() {
        return Duration::from_secs(seconds);
    }
    match httpdate::parse_http_date(value) {
        Ok(when) => when
            .duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
        Err(_) => Duration::from_secs(1),
    }
}

impl Http {
    pub fn new(config: HttpConfig) -> Result<Self, TransportError> {
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .tcp_nodelay(true)
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| TransportError::Other {
                url: config.base.clone(),
                message: describe(&e),
            })?;
        let rate = config
            .rate
            .and_then(super::rate::Rate::new)
            .map(std::sync::Arc::new);
        Ok(Self {
            client,
            rate,
            streak: std::sync::Arc::default(),
            token: std::sync::Arc::new(std::sync::RwLock::new(config.token.clone())),
            refreshed: std::sync::Arc::default(),
            config,
        })
    }

    pub fn base(&self) -> &str {
        &self.config.base
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The failure status the target answered to too many requests in a row, once the
    /// client has stopped sending because of it (`streak.rs`).
    pub fn given_up(&self) -> Option<u16> {
        self.streak.given_up()
    }

    /// The bearer token in use now (after a refresh, the new one), for redaction.
    pub fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    /// On a 401, runs the token command again, once per client and its clones; whether
    /// there is a new token to retry with.
    async fn refresh(&self) -> bool {
        use std::sync::atomic::Ordering;
        let Some(command) = self.config.token_command.clone() else {
            return false;
        };
        if self.refreshed.swap(true, Ordering::SeqCst) {
            return false;
        }
        let limit = self.config.token_timeout;
        let fresh =
            tokio::task::spawn_blocking(move || super::token::from_command(&command, limit)).await;
        match fresh {
            Ok(Ok(token)) => {
                if let Ok(mut current) = self.token.write() {
                    *current = Some(token);
                }
                true
            }
            _ => false,
        }
    }

    /// Absolute URL for a path (an absolute URL is kept as it is).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.config.base.trim_end_matches('/'))
        }
    }

    /// Checks that the target answers at all (any status will do).
    pub async fn probe(&self, path: &str) -> Result<(), TransportError> {
        let request = SentRequest {
            method: "GET".into(),
            url: self.url(path),
            headers: Vec::new(),
            body: None,
        };
        self.send(&request).await.map(|_| ())
    }

    fn map_error(&self, url: &str, error: &reqwest::Error) -> TransportError {
        if error.is_timeout() {
            TransportError::Timeout {
                url: url.to_owned(),
                seconds: self.config.timeout.as_secs(),
            }
        } else if error.is_connect() {
            TransportError::Connect {
                url: url.to_owned(),
                message: describe(error),
            }
        } else if error.is_builder() {
            TransportError::Request {
                url: url.to_owned(),
                message: describe(error),
            }
        } else {
            TransportError::Other {
                url: url.to_owned(),
                message: describe(error),
            }
        }
    }

    /// Sends a request, retrying throttled answers as Retry-After says.
    pub async fn send(&self, request: &SentRequest) -> Result<Received, TransportError> {
        if !self.config.allow_writes && super::guard::writes(&request.method) {
            return Err(TransportError::WriteRefused {
                method: request.method.clone(),
                url: request.url.clone(),
            });
        }
        let method =
            Method::from_bytes(request.method.as_bytes()).map_err(|e| TransportError::Request {
                url: request.url.clone(),
                message: e.to_string(),
            })?;
        let mut waited = Duration::ZERO;
        let mut attempts = 0;
        loop {
            attempts += 1;
            if let Some(status) = self.streak.given_up() {
                return Err(TransportError::GaveUp {
                    url: request.url.clone(),
                    status,
                    count: super::streak::LIMIT,
                });
            }
            if let Some(rate) = &self.rate {
                rate.acquire().await;
            }
            let mut builder = self.client.request(method.clone(), &request.url);
            for (name, value) in &request.headers {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                    TransportError::Request {
                        url: request.url.clone(),
                        message: format!("header {name:?}: {e}"),
                    }
                })?;
                let value = HeaderValue::from_str(value).map_err(|e| TransportError::Request {
                    url: request.url.clone(),
                    message: format!("header {name}: {e}"),
                })?;
                builder = builder.header(name, value);
            }
            // A step that sends its own Authorization (a deliberately wrong token) replaces
            // the run's token; the run's token is never sent beside it.
            let own_authorization = request
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
            if let Some(token) = self.token().filter(|_| !own_authorization) {
                builder = builder.bearer_auth(token);
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            let started = Instant::now();
            let mut response = builder
                .send()
                .await
                .map_err(|e| self.map_error(&request.url, &e))?;
            let status = response.status().as_u16();
            if status == 401 && self.refresh().await {
                // The token expired: retry once with the new one.
                while let Ok(Some(_)) = response.chunk().await {}
                continue;
            }
            self.streak.record(status);
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            if matches!(status, 429 | 503) && attempts <= self.config.retries {
                let after = headers
                    .iter()
                    .find(|(n, _)| n == "retry-after")
                    .map(|(_, v)| v.as_str());
                let wait = retry_after(after);
                if waited + wait <= self.config.max_wait {
                    waited += wait;
                    // Drain the body so the connection can be reused.
                    while let Ok(Some(_)) = response.chunk().await {}
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let mut body = Vec::new();
            let mut truncated = false;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| self.map_error(&request.url, &e))?
            {
                if body.len() + chunk.len() > self.config.body_limit {
                    body.extend_from_slice(&chunk[..self.config.body_limit - body.len()]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            return Ok(Received {
                status,
                headers,
                body,
                truncated,
                attempts,
                latency: started.elapsed(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(Some("2")), Duration::from_secs(2));
        // A date in the past: no wait.
        assert_eq!(
            retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Duration::ZERO
        );
        // A date about 30 s ahead: about 30 s (the clock moves while we look).
        let ahead = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
        let wait = retry_after(Some(&ahead));
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(retry_after(Some("soon")), Duration::from_secs(1));
        assert_eq!(retry_after(None), Duration::from_secs(1));
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let config = HttpConfig {
            token: Some("s3cr3t-debug-token".into()),
            ..HttpConfig::default()
        };
        let http = Http::new(config.clone()).unwrap();

        for shown in [format!("{config:?}"), format!("{http:?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error_naming_the_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let http = Http::new(HttpConfig {
            base: format!("http://127.0.0.1:{port}"),
            ..HttpConfig::default()
        })
        .unwrap();

        let error = http.probe("/x").await.unwrap_err();

        assert!(matches!(error, TransportError::Connect { .. }), "{error}");
        assert!(
            error.to_string().contains(&format!("127.0.0.1:{port}/x")),
            "{error}"
        );
    }
}
