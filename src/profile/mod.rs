//! Named API profiles: behaviour that belongs to one API family and no other, which a
//! contract selects with `profile:`. The engine walks a profile's code only when the
//! contract names it; every other suite sees plain contract data.

use serde::{Deserialize, Serialize};

/// The profiles a contract may select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// Partner Center's referrals: a `links` object (self, related referrals by
    /// engagement) on every resource, and an engagement a second create may join.
    #[serde(rename = "partner-center-referrals")]
    PartnerCenterReferrals,
}
