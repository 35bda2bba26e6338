//! Named API profiles: behaviour that belongs to one API family and no other, which a
//! contract selects with `profile:`. The engine walks a profile's code only when the
//! contract names it; every other suite sees plain contract data.

pub mod referrals;

/// The suite vouch ships and runs when none is named, and the API it tests: a profile's.
pub use referrals::{BUNDLED_API, BUNDLED_SUITE};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::double::variant::{Allowance, Variant};
use crate::fixture::derive::Builder;
use crate::fixture::scenario::Scenario;

/// The bundled suite's folder in this repository, for the tests that hold the engine to a
/// real contract.
#[cfg(test)]
pub(crate) fn bundled_suite() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BUNDLED_SUITE)
}

/// The profiles a contract may select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// Partner Center's referrals: a `links` object (self, related referrals by
    /// engagement) on every resource, and an engagement a second create may join.
    #[serde(rename = "partner-center-referrals")]
    PartnerCenterReferrals,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 1] = [Profile::PartnerCenterReferrals];

    /// The name a contract selects it by.
    pub fn name(self) -> &'static str {
        match self {
            Profile::PartnerCenterReferrals => "partner-center-referrals",
        }
    }
}

/// Where a created resource lives, for a profile that links to it.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// The server's own address, as the client used it.
    pub base: &'a str,
    /// The collection path.
    pub collection: &'a str,
    /// The created resource's id.
    pub id: &'a str,
    /// Whether the links are to be misspelled (a fault's).
    pub misspelled: bool,
}

/// A created resource, before it is stored, as the profile adds to it.
pub fn on_create(profile: Option<Profile>, site: Site<'_>, body: &mut Map<String, Value>) {
    match profile {
        Some(Profile::PartnerCenterReferrals) => referrals::on_create(site, body),
        None => {}
    }
}

/// The field whose value tells kinds of created resource apart, as a pointer (the
/// variants that rewrite a create's state by kind read it).
pub fn create_kind(profile: Option<Profile>) -> Option<&'static str> {
    match profile {
        Some(Profile::PartnerCenterReferrals) => Some(referrals::KIND),
        None => None,
    }
}

/// A patch body, before it is applied, as the profile reads it.
pub fn before_patch(profile: Option<Profile>, body: &mut Value) {
    match profile {
        Some(Profile::PartnerCenterReferrals) => referrals::before_patch(body),
        None => {}
    }
}

/// The derived scenarios a profile adds to the contract's (after them).
pub(crate) fn derived(profile: Option<Profile>, builder: &Builder<'_>) -> Vec<Scenario> {
    match profile {
        Some(Profile::PartnerCenterReferrals) => referrals::derived(builder),
        None => Vec::new(),
    }
}

/// Where the profile's API's pages allow a conformant variant, when they say more than the
/// general reason.
pub fn allowance(profile: Option<Profile>, variant: Variant) -> Option<Allowance> {
    match profile {
        Some(Profile::PartnerCenterReferrals) => referrals::allowance(variant),
        None => None,
    }
}
