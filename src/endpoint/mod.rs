//! Where scenarios are sent: the embedded double (started on a loopback port) or a live
//! URL. Both are reached through the same HTTP client (`live.rs`), so the double is tested
//! exactly as a real service would be.

pub mod guard;
pub mod live;
pub mod pages;
pub mod rate;
pub mod streak;
pub mod token;

use std::time::Duration;

use crate::double::{Double, DoubleConfig, DoubleError};
use crate::fixture::Suite;
pub use live::{Http, HttpConfig, Received, SentRequest, TransportError};

/// Which kind of target a run goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Double,
    Live,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Double => "double",
            TargetKind::Live => "live",
        }
    }
}

/// A connected target. Holding it keeps an embedded double alive.
pub struct Target {
    pub kind: TargetKind,
    pub http: Http,
    double: Option<Double>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("kind", &self.kind)
            .field("base", &self.http.base())
            .finish_non_exhaustive()
    }
}

/// Why a target could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    Double(#[from] DoubleError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("{0}")]
    Config(String),
}

impl Target {
    /// Starts an embedded double for `suite` and connects to it. The double requires a
    /// bearer token, as the service does (one of its own unless the config names one), and
    /// the client sends it, so a scenario can check that a wrong one is refused.
    pub async fn double(
        suite: &Suite,
        mut config: DoubleConfig,
        http: HttpConfig,
    ) -> Result<Self, TargetError> {
        let token = config
            .token
            .get_or_insert_with(|| EMBEDDED_TOKEN.to_owned())
            .clone();
        let double = Double::start(suite, config).await?;
        // The embedded double is the run's own: it may be written.
        let http = Http::new(HttpConfig {
            base: double.uri(),
            allow_writes: true,
            token: Some(token),
            ..http
        })?;
        Ok(Self {
            kind: TargetKind::Double,
            http,
            double: Some(double),
        })
    }

    /// Connects to a live base URL, checking first that something answers there.
    pub async fn live(http: HttpConfig, probe_path: &str) -> Result<Self, TargetError> {
        let http = Http::new(http)?;
        http.probe(probe_path).await?;
        Ok(Self {
            kind: TargetKind::Live,
            http,
            double: None,
        })
    }

    /// The embedded double, when the target is one.
    pub fn embedded(&self) -> Option<&Double> {
        self.double.as_ref()
    }
}

/// The bearer token between vouch and its embedded double (not a secret: the double is
/// on loopback and lives as long as the run).
const EMBEDDED_TOKEN: &str = "vouch-embedded-double";

/// Defaults for a run's HTTP behaviour.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
