//! The catalogue of conformant variants: behaviour the docs allow that the double does not
//! show by default (no `ETag` header, another key order, other server-chosen values, the
//! other error envelope, small pages, throttling with either form of Retry-After, slow
//! answers, `Connection: close`, chunked bodies, ...). A conformance gate must pass every
//! one of them; `vouch selftest` measures that (its specificity), as the fault catalogue
//! measures what the suite catches. This file owns the names, what each variant means,
//! where the docs allow it, and the bending of a reply the wire-level variants do; the
//! responder asks [`Variants`] where a variant changes what it stores.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::double::api::{self, Api};
use crate::double::need::Need;
use crate::double::reply::{Body, Reply};
use crate::fixture::contract::Pointer;
use crate::fixture::vocabulary::States;
use crate::fixture::Suite;
use crate::profile::Profile;

/// One conformant variant of the double.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    NoEtagHeader,
    SharedCreateActive,
    CreateAlwaysActive,
    KeysReversed,
    KeysSorted,
    OtherOrganizationName,
    UppercaseIds,
    OtherEtagFormat,
    TimesMilliseconds,
    TimesOffset,
    CreateAnswers200,
    ExtraProperties,
    ExtraHeaders,
    OdataMediaType,
    CspErrorEnvelope,
    SmallPages,
    Throttled429Seconds,
    Unavailable503Date,
    SlowAnswers,
    ConnectionClose,
    ChunkedBodies,
}

/// Where the docs (or DESIGN.md's reading of them) allow a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// The docs say or show it.
    Documented(&'static str),
    /// The docs are silent; the team's conventions accept it.
    Assumed(&'static str),
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowance::Documented(source) => write!(f, "documented: {source}"),
            Allowance::Assumed(source) => write!(f, "assumed: {source}"),
        }
    }
}

impl Variant {
    pub const ALL: [Variant; 21] = [
        Variant::NoEtagHeader,
        Variant::SharedCreateActive,
        Variant::CreateAlwaysActive,
        Variant::KeysReversed,
        Variant::KeysSorted,
        Variant::OtherOrganizationName,
        Variant::UppercaseIds,
        Variant::OtherEtagFormat,
        Variant::TimesMilliseconds,
        Variant::TimesOffset,
        Variant::CreateAnswers200,
        Variant::ExtraProperties,
        Variant::ExtraHeaders,
        Variant::OdataMediaType,
        Variant::CspErrorEnvelope,
        Variant::SmallPages,
        Variant::Throttled429Seconds,
        Variant::Unavailable503Date,
        Variant::SlowAnswers,
        Variant::ConnectionClose,
        Variant::ChunkedBodies,
    ];

    /// The name used on the command line (`--variant NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Variant::NoEtagHeader => "no-etag-header",
            Variant::SharedCreateActive => "shared-create-active",
            Variant::CreateAlwaysActive => "create-always-active",
            Variant::KeysReversed => "keys-reversed",
            Variant::KeysSorted => "keys-sorted",
            Variant::OtherOrganizationName => "other-organization-name",
            Variant::UppercaseIds => "uppercase-ids",
            Variant::OtherEtagFormat => "other-etag-format",
            Variant::TimesMilliseconds => "times-milliseconds",
            Variant::TimesOffset => "times-offset",
            Variant::CreateAnswers200 => "create-answers-200",
            Variant::ExtraProperties => "extra-properties",
            Variant::ExtraHeaders => "extra-headers",
            Variant::OdataMediaType => "odata-media-type",
            Variant::CspErrorEnvelope => "csp-error-envelope",
            Variant::SmallPages => "small-pages",
            Variant::Throttled429Seconds => "throttled-429-seconds",
            Variant::Unavailable503Date => "unavailable-503-date",
            Variant::SlowAnswers => "slow-answers",
            Variant::ConnectionClose => "connection-close",
            Variant::ChunkedBodies => "chunked-bodies",
        }
    }

    /// What the variant does, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Variant::NoEtagHeader => "no response carries an ETag header; the eTag is in the body only",
            Variant::SharedCreateActive => {
                "a created resource of the documented create example's kind is stored as that example's response shows it (Active/Accepted)"
            }
            Variant::CreateAlwaysActive => {
                "every created resource is stored as the documented create response shows it (Active/Accepted), so New is never reached: scenarios that need New are inconclusive"
            }
            Variant::KeysReversed => "every JSON object's members come in reverse order",
            Variant::KeysSorted => "every JSON object's members come sorted by name",
            Variant::OtherOrganizationName => "the server names the organization differently",
            Variant::UppercaseIds => "ids and engagement ids are upper-case GUIDs",
            Variant::OtherEtagFormat => "eTags are other strong tags (\"0x8DC…\", as Azure storage writes them)",
            Variant::TimesMilliseconds => "times carry milliseconds (3 fractional digits), not 7",
            Variant::TimesOffset => "times end in +00:00 instead of Z",
            Variant::CreateAnswers200 => "create answers 200 without a Location header",
            Variant::ExtraProperties => {
                "resources and errors carry undocumented properties (@odata.etag, an extension object)"
            }
            Variant::ExtraHeaders => {
                "responses carry undocumented headers (request and correlation ids, OData-Version, Cache-Control)"
            }
            Variant::OdataMediaType => {
                "JSON is labelled application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"
            }
            Variant::CspErrorEnvelope => {
                "errors use the other documented envelope {code, description, data, source}"
            }
            Variant::SmallPages => "lists come in pages of 2 with @odata.nextLink, even without $top",
            Variant::Throttled429Seconds => {
                "every 20th of the first 100 requests is refused with 429 and Retry-After: 1 (seconds)"
            }
            Variant::Unavailable503Date => {
                "every 20th of the first 100 requests (from the 10th) is refused with 503 and Retry-After as an HTTP-date a second ahead"
            }
            Variant::SlowAnswers => "every response is held back 100 ms (well within the latency budget)",
            Variant::ConnectionClose => "every response says Connection: close",
            Variant::ChunkedBodies => "bodies are sent with Transfer-Encoding: chunked",
        }
    }

    /// Where the docs allow it, for a contract with `profile` (a profile cites its own
    /// API's pages; without one the allowance is the general reason).
    pub fn allowance(self, profile: Option<Profile>) -> Allowance {
        if let Some(cited) = crate::profile::allowance(profile, self) {
            return cited;
        }
        match self {
            Variant::NoEtagHeader => Allowance::Documented(
                "headers.md says an ETag header may be returned; the GET-by-id and PATCH examples show none",
            ),
            Variant::SharedCreateActive | Variant::CreateAlwaysActive => {
                Allowance::Assumed("DESIGN.md: the server may rewrite status on create")
            }
            Variant::KeysReversed | Variant::KeysSorted => {
                Allowance::Assumed("JSON objects are unordered (RFC 8259); DESIGN.md: key order is open")
            }
            Variant::OtherOrganizationName | Variant::UppercaseIds | Variant::OtherEtagFormat => {
                Allowance::Assumed(
                    "a server-assigned string has the form the server chooses unless a schema gives one",
                )
            }
            Variant::TimesMilliseconds | Variant::TimesOffset => {
                Allowance::Assumed("RFC 3339 allows any precision and +00:00 for UTC")
            }
            Variant::CreateAnswers200 => Allowance::Documented(
                "the Swagger says 200; DESIGN.md: 200 or 201 (+Location)",
            ),
            Variant::ExtraProperties | Variant::ExtraHeaders => Allowance::Assumed(
                "DESIGN.md: extra undocumented properties and headers are accepted",
            ),
            Variant::OdataMediaType => Allowance::Assumed(
                "OData JSON format 4.01 media-type parameters; DESIGN.md accepts them",
            ),
            Variant::CspErrorEnvelope => Allowance::Documented(
                "the API's pages link to the other envelope's error-codes.md (doc defect 51)",
            ),
            Variant::SmallPages => Allowance::Assumed(
                "OData JSON Format 4.01 §4.5.5: a client follows @odata.nextLink; the page size is the server's",
            ),
            Variant::Throttled429Seconds | Variant::Unavailable503Date => Allowance::Assumed(
                "RFC 9110 Retry-After (delay-seconds or HTTP-date); DESIGN.md: throttling is not a failure",
            ),
            Variant::SlowAnswers => Allowance::Assumed("within contract.yaml's latency budget"),
            Variant::ConnectionClose | Variant::ChunkedBodies => {
                Allowance::Assumed("RFC 9112: either is plain HTTP/1.1 framing")
            }
        }
    }

    /// Whether the variant makes clients wait (throttling, delays): a run against it
    /// mostly sleeps, so more of its scenarios can go at once.
    /// What the variant needs of a contract to apply (`need.rs`).
    pub fn needs(self) -> &'static [Need] {
        match self {
            Variant::NoEtagHeader => &[Need::EtagHeader],
            Variant::SharedCreateActive => &[Need::Profile, Need::CreateExample],
            Variant::CreateAlwaysActive => &[Need::CreateExample],
            Variant::OtherOrganizationName => &[Need::OtherAssigned],
            Variant::OtherEtagFormat => &[Need::Etag],
            Variant::TimesMilliseconds | Variant::TimesOffset => &[Need::Created],
            Variant::CspErrorEnvelope => &[Need::Profile],
            Variant::SmallPages => &[Need::List],
            Variant::CreateAnswers200 => &[Need::Answer("create", 200)],
            Variant::KeysReversed
            | Variant::KeysSorted
            | Variant::UppercaseIds
            | Variant::ExtraProperties
            | Variant::ExtraHeaders
            | Variant::OdataMediaType
            | Variant::Throttled429Seconds
            | Variant::Unavailable503Date
            | Variant::SlowAnswers
            | Variant::ConnectionClose
            | Variant::ChunkedBodies => &[],
        }
    }

    /// Why the variant does not apply to `contract`, or `None` when it does.
    pub fn inapplicable(self, contract: &crate::fixture::Contract) -> Option<Need> {
        crate::double::need::unmet(self.needs(), contract)
    }

    pub fn makes_clients_wait(self) -> bool {
        matches!(
            self,
            Variant::Throttled429Seconds | Variant::Unavailable503Date | Variant::SlowAnswers
        )
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown variant name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no variant named {name:?}; `vouch serve --list-variants` lists them")]
pub struct UnknownVariant {
    pub name: String,
}

impl FromStr for Variant {
    type Err = UnknownVariant;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Variant::ALL
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| UnknownVariant {
                name: name.to_owned(),
            })
    }
}

/// How the documented create example rewrites a resource's state: a created resource of
/// the example's kind (the profile's kind field, as the request has it) comes back in the
/// state its documented response shows.
#[derive(Debug, Clone, Default)]
pub struct CreateRewrite {
    pub kind: Option<(Pointer, Value)>,
    pub state: Option<(String, Option<String>)>,
}

impl CreateRewrite {
    /// Read from the suite's documented create example and its response.
    pub fn of(suite: &Suite) -> Self {
        let contract = &suite.contract;
        let Some(states) = &contract.states else {
            return Self::default();
        };
        let role = contract
            .operations
            .create
            .as_ref()
            .and_then(|o| o.request.as_deref());
        let request = suite
            .examples
            .iter()
            .find(|e| e.spec.schema.is_some() && e.spec.schema.as_deref() == role);
        let response = request.and_then(|r| {
            suite
                .examples
                .iter()
                .find(|e| e.spec.response_to.as_deref() == Some(r.spec.name.as_str()))
        });
        let json = |e: Option<&crate::fixture::LoadedExample>, p: &Pointer| {
            e.and_then(|e| e.json.as_ref())
                .and_then(|j| j.pointer(p.as_str()))
                .cloned()
        };
        let text = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_owned));
        let status = text(json(response, &states.status));
        let substatus = states
            .substatus
            .as_ref()
            .and_then(|p| text(json(response, p)));
        let kind = crate::profile::create_kind(contract.profile)
            .and_then(|p| Pointer::try_from(p.to_owned()).ok())
            .and_then(|p| json(request, &p).map(|v| (p, v)));
        Self {
            kind,
            state: status.map(|s| (s, substatus)),
        }
    }
}

/// How many of the first requests the throttling variants look at, and how often they
/// refuse one of them (so a run against them always ends).
const THROTTLE_WINDOW: u64 = 100;
const THROTTLE_EVERY: u64 = 20;
/// How long the slow-answers variant holds every response back.
const SLOW_ANSWER: Duration = Duration::from_millis(100);
/// The double's own name, where a contract assigns a constant name to the server.
const DOUBLE_NAME: &str = "vouch double";
/// The `OData` annotation of a resource's entity tag (extra-properties).
const ODATA_ETAG: &str = "@odata.etag";
/// The media type of the odata-media-type variant.
const ODATA_JSON: &str =
    "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";

/// The variants a double carries, with what they need at run time.
#[derive(Debug, Default)]
pub struct Variants {
    set: BTreeSet<Variant>,
    rewrite: CreateRewrite,
    requests: AtomicU64,
}

impl Variants {
    pub fn new(set: BTreeSet<Variant>, rewrite: CreateRewrite) -> Self {
        Self {
            set,
            rewrite,
            requests: AtomicU64::new(0),
        }
    }

    pub fn has(&self, variant: Variant) -> bool {
        self.set.contains(&variant)
    }

    pub fn set(&self) -> &BTreeSet<Variant> {
        &self.set
    }

    /// The state a create stores instead of the one sent, if a variant says so.
    pub fn created_state(
        &self,
        sent: &Map<String, Value>,
        states: &States,
    ) -> Option<(String, Option<String>)> {
        let state = self.rewrite.state.clone()?;
        if !states.moves.contains_key(&state.0) && !states.pairs.contains_key(&state.0) {
            return None;
        }
        if self.has(Variant::CreateAlwaysActive) {
            return Some(state);
        }
        let (pointer, kind) = self.rewrite.kind.as_ref()?;
        (self.has(Variant::SharedCreateActive) && api::get(sent, pointer) == Some(kind))
            .then_some(state)
    }

    /// A server-assigned id in the variant's format.
    pub fn id(&self, guid: String) -> String {
        if self.has(Variant::UppercaseIds) {
            guid.to_ascii_uppercase()
        } else {
            guid
        }
    }

    /// An entity tag (quoted) in the variant's format, from the double's opaque value.
    pub fn etag(&self, opaque: &str) -> String {
        if self.has(Variant::OtherEtagFormat) {
            let digits: String = opaque
                .chars()
                .filter(char::is_ascii_hexdigit)
                .take(15)
                .collect::<String>()
                .to_ascii_uppercase();
            format!("\"0x8{digits}\"")
        } else {
            format!("\"{opaque}\"")
        }
    }

    /// A time (`YYYY-MM-DDTHH:MM:SS.fffffffZ`) in the variant's form.
    pub fn time(&self, time: String) -> String {
        let mut time = time;
        if self.has(Variant::TimesMilliseconds) {
            if let Some(dot) = time.find('.') {
                let end = time.len().saturating_sub(1);
                if end > dot + 4 {
                    time.replace_range(dot + 4..end, "");
                }
            }
        }
        if self.has(Variant::TimesOffset) && time.ends_with('Z') {
            time.pop();
            time.push_str("+00:00");
        }
        time
    }

    /// The clock resolution the time variants need, in 100-ns ticks (so that two writes
    /// still get different times once shortened).
    pub fn time_resolution(&self) -> u64 {
        if self.has(Variant::TimesMilliseconds) {
            10_000
        } else {
            1
        }
    }

    /// A constant the server assigns: the double's own name (`vouch double`) is another
    /// with the other-organization-name variant.
    pub fn constant(&self, value: &Value) -> Value {
        if self.has(Variant::OtherOrganizationName) && value.as_str() == Some(DOUBLE_NAME) {
            "Contoso Services (Europe)".into()
        } else {
            value.clone()
        }
    }

    /// Adds the undocumented properties of the extra-properties variant to a resource.
    pub fn extend_resource(&self, body: &mut Map<String, Value>, api: &Api) {
        if self.has(Variant::ExtraProperties) {
            if let Some(etag) = &api.etag {
                if let Some(tag) = api::get(body, etag).cloned() {
                    body.entry(ODATA_ETAG).or_insert(tag);
                }
            }
            body.insert(
                "extensionData".into(),
                serde_json::json!({ "region": "emea", "tier": 2 }),
            );
        }
    }

    /// The status create answers with.
    pub fn create_status(&self, default: u16) -> u16 {
        if self.has(Variant::CreateAnswers200) {
            200
        } else {
            default
        }
    }

    /// Whether create answers with a Location header.
    pub fn create_location(&self) -> bool {
        !self.has(Variant::CreateAnswers200)
    }

    /// The largest page a list answers with.
    pub fn page_size(&self, default: usize) -> usize {
        if self.has(Variant::SmallPages) {
            default.min(2)
        } else {
            default
        }
    }

    /// A throttling answer for this request, if a throttling variant refuses it. Counts
    /// every request while one is on.
    pub fn refusal(&self, error: impl Fn(u16, &str, &str) -> Reply) -> Option<Reply> {
        let throttles = self.has(Variant::Throttled429Seconds);
        let unavailable = self.has(Variant::Unavailable503Date);
        if !throttles && !unavailable {
            return None;
        }
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if number > THROTTLE_WINDOW {
            return None;
        }
        if throttles && number % THROTTLE_EVERY == 0 {
            return Some(
                error(429, "serviceNotAvailable", "too many requests; retry later")
                    .header("Retry-After", "1"),
            );
        }
        if unavailable && number % THROTTLE_EVERY == THROTTLE_EVERY / 2 {
            return Some(
                error(
                    503,
                    "serviceNotAvailable",
                    "the service is busy; retry later",
                )
                .header("Retry-After", http_date_after(Duration::from_secs(1))),
            );
        }
        None
    }

    /// Bends a finished reply as the wire-level variants say.
    pub fn bend(&self, mut reply: Reply, api: &Api) -> Reply {
        if self.set.is_empty() {
            return reply;
        }
        if let Some(header) = api
            .etag_header
            .as_deref()
            .filter(|_| self.has(Variant::NoEtagHeader))
        {
            reply
                .headers
                .retain(|(name, _)| !name.eq_ignore_ascii_case(header));
        }
        if reply.status >= 400 && self.has(Variant::CspErrorEnvelope) {
            if let (Some(Body::Built(body)), Some(shape)) = (&reply.body, &api.errors) {
                reply.body = Some(Body::Built(csp_envelope(body, shape)));
            }
        }
        if reply.status >= 400 && self.has(Variant::ExtraProperties) {
            if let Some(Body::Built(Value::Object(body))) = &mut reply.body {
                body.insert("traceId".into(), "00-vouch-variant-01".into());
            }
        }
        let reorder = if self.has(Variant::KeysSorted) {
            Some(Order::Sorted)
        } else if self.has(Variant::KeysReversed) {
            Some(Order::Reversed)
        } else {
            None
        };
        if let Some(order) = reorder {
            reply.body = reply.body.map(|body| {
                let mut value = match body {
                    Body::Built(value) => value,
                    Body::Text(text) => serde_json::from_slice(&text).unwrap_or(Value::Null),
                    plain @ Body::Plain(_) => return plain,
                };
                reorder_keys(&mut value, order);
                Body::Built(value)
            });
        }
        if self.has(Variant::ExtraHeaders) {
            let number = self.requests.load(Ordering::Relaxed);
            reply = reply
                .header("x-ms-correlation-id", format!("vouch-variant-{number}"))
                .header("x-ms-request-id", "2f6d5c1e-0000-4000-8000-00000000abcd")
                .header("OData-Version", "4.0")
                .header("Cache-Control", "no-cache, no-store");
        }
        if self.has(Variant::OdataMediaType) && reply.body.is_some() {
            reply = reply.delivered(|d| d.content_type = Some(ODATA_JSON));
        }
        if self.has(Variant::ConnectionClose) {
            reply = reply.header("Connection", "close");
        }
        if self.has(Variant::ChunkedBodies) && reply.body.is_some() {
            reply = reply.header("Transfer-Encoding", "chunked");
        }
        if self.has(Variant::SlowAnswers) {
            reply = reply.delivered(|d| d.delay = Some(SLOW_ANSWER));
        }
        reply
    }
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Sorted,
    Reversed,
}

fn reorder_keys(value: &mut Value, order: Order) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            match order {
                Order::Sorted => entries.sort_by(|a, b| a.0.cmp(&b.0)),
                Order::Reversed => entries.reverse(),
            }
            for (key, mut item) in entries {
                reorder_keys(&mut item, order);
                map.insert(key, item);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| reorder_keys(i, order)),
        _ => {}
    }
}

/// The contract's error envelope as the other documented one (`{code, description}`).
fn csp_envelope(body: &Value, shape: &crate::fixture::vocabulary::ErrorShape) -> Value {
    let text = |p: &Pointer| {
        body.pointer(p.as_str())
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    serde_json::json!({
        "code": text(&shape.code),
        "description": text(&shape.message),
        "data": [],
        "source": "PartnerFD",
    })
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) `after` from now.
fn http_date_after(after: Duration) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + after;
    let seconds = i64::try_from(now.as_secs()).unwrap_or(0);
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
        || "Thu, 01 Jan 1970 00:00:01 GMT".to_owned(),
        |t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_unique_name_that_parses_back_and_an_allowance() {
        let mut names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
        for variant in Variant::ALL {
            assert_eq!(variant.name().parse::<Variant>(), Ok(variant));
            assert!(!variant.description().is_empty());
            for profile in std::iter::once(None).chain(Profile::ALL.map(Some)) {
                assert!(!variant.allowance(profile).to_string().is_empty());
            }
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Variant::ALL.len());
        assert!(Variant::ALL.len() >= 12);
    }

    #[test]
    fn an_unknown_name_is_refused_with_a_hint() {
        let err = "keys-shuffled".parse::<Variant>().unwrap_err();
        assert!(err.to_string().contains("--list-variants"));
    }

    #[test]
    fn times_are_shortened_to_milliseconds_and_given_an_offset() {
        let variants = Variants::new(
            [Variant::TimesMilliseconds, Variant::TimesOffset].into(),
            CreateRewrite::default(),
        );
        assert_eq!(
            variants.time("2026-01-01T00:00:01.1234567Z".into()),
            "2026-01-01T00:00:01.123+00:00"
        );
    }

    #[test]
    fn other_etags_are_strong_azure_style_tags() {
        let variants = Variants::new([Variant::OtherEtagFormat].into(), CreateRewrite::default());
        let tag = variants.etag("0123abcd-0000-0000-0000-00000000ffff");
        assert!(tag.starts_with("\"0x8") && tag.ends_with('"'), "{tag}");
        assert!(crate::model::ETag::parse(&tag).is_ok_and(|t| !t.is_weak()));
    }

    #[test]
    fn keys_are_sorted_or_reversed_at_every_depth() {
        let mut value = serde_json::json!({"b": 1, "a": {"d": 1, "c": 2}});
        reorder_keys(&mut value, Order::Sorted);
        assert_eq!(value.to_string(), r#"{"a":{"c":2,"d":1},"b":1}"#);
        reorder_keys(&mut value, Order::Reversed);
        assert_eq!(value.to_string(), r#"{"b":1,"a":{"d":1,"c":2}}"#);
    }

    #[test]
    fn the_throttling_variants_refuse_a_bounded_number_of_requests() {
        let variants = Variants::new(
            [Variant::Throttled429Seconds, Variant::Unavailable503Date].into(),
            CreateRewrite::default(),
        );
        let refused: Vec<u16> = (0..1000)
            .filter_map(|_| variants.refusal(|s, _, m| Reply::error(s, m.into())))
            .map(|r| r.status)
            .collect();
        assert_eq!(refused.iter().filter(|s| **s == 429).count(), 5);
        assert_eq!(refused.iter().filter(|s| **s == 503).count(), 5);
    }

    #[test]
    fn the_http_date_is_an_imf_fixdate() {
        let date = http_date_after(Duration::from_secs(1));
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    }
}
