//! The double's clock and its source of ids and entity tags. In deterministic mode a seed
//! fixes every id and eTag, and time moves a fixed step per write, so two runs of the same
//! scenarios produce the same bodies; otherwise the clock follows the wall clock (never
//! going backwards) and the seed comes from it. Dates are chrono's calendar.

use std::time::{SystemTime, UNIX_EPOCH};

/// 100-nanosecond ticks since the Unix epoch (the docs print 7 fractional digits).
type Ticks = u64;

const TICKS_PER_SECOND: u64 = 10_000_000;
/// 2026-01-01T00:00:00Z, the start of deterministic time.
const DETERMINISTIC_START: Ticks = 1_767_225_600 * TICKS_PER_SECOND;

/// Time as the double reports it.
#[derive(Debug, Clone)]
pub struct Clock {
    now: Ticks,
    /// `Some(step)`: deterministic, moves `step` ticks per write.
    step: Option<Ticks>,
    /// Times are whole multiples of this many ticks (1 by default).
    resolution: Ticks,
}

fn wall() -> Ticks {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    since.as_secs() * TICKS_PER_SECOND + u64::from(since.subsec_nanos()) / 100
}

impl Clock {
    /// Starts at 2026-01-01T00:00:00Z and moves one second per write.
    pub fn deterministic() -> Self {
        Self {
            now: DETERMINISTIC_START,
            step: Some(TICKS_PER_SECOND),
            resolution: 1,
        }
    }

    /// Follows the wall clock, strictly increasing per write.
    pub fn wall() -> Self {
        Self {
            now: wall(),
            step: None,
            resolution: 1,
        }
    }

    /// Keeps times at whole multiples of `ticks` (still strictly increasing per write),
    /// for a server that reports less precision.
    #[must_use]
    pub fn with_resolution(mut self, ticks: Ticks) -> Self {
        self.resolution = ticks.max(1);
        self
    }

    /// The time of a new write: strictly later than the previous one.
    pub fn tick(&mut self) -> String {
        self.now = match self.step {
            Some(step) => self.now + step,
            None => wall().max(self.now + 1),
        }
        .div_ceil(self.resolution)
            * self.resolution;
        format_utc(self.now)
    }

    /// A time `days` after the current one (a field assigned days after the create).
    pub fn days_later(&self, days: u64) -> String {
        format_utc(self.now + days * 86_400 * TICKS_PER_SECOND)
    }
}

/// Formats ticks as `YYYY-MM-DDTHH:MM:SS.fffffffZ` (the calendar is chrono's).
fn format_utc(ticks: Ticks) -> String {
    let seconds = i64::try_from(ticks / TICKS_PER_SECOND).unwrap_or(i64::MAX);
    let fraction = ticks % TICKS_PER_SECOND;
    let time = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    format!("{}.{fraction:07}Z", time.format("%Y-%m-%dT%H:%M:%S"))
}

/// A small deterministic generator (`SplitMix64`) for ids and entity tags.
#[derive(Debug, Clone)]
pub struct Ids {
    state: u64,
}

impl Ids {
    pub fn seeded(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Seeded from the wall clock: different on every start.
    pub fn unseeded() -> Self {
        Self {
            state: wall() ^ u64::from(std::process::id()).rotate_left(32),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A GUID-shaped id (version 4 layout), like the service's.
    pub fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// An opaque id of 28 URL-safe letters and digits (as some services make theirs).
    pub fn token(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::with_capacity(28);
        let mut bits = self.next();
        for i in 0..28 {
            if i % 10 == 0 && i > 0 {
                bits = self.next();
            }
            out.push(char::from(
                ALPHABET[usize::try_from(bits & 63).unwrap_or(0)],
            ));
            bits >>= 6;
        }
        out
    }

    /// An opaque entity-tag value shaped like the documented ones (without quotes).
    pub fn etag(&mut self) -> String {
        let a = self.next();
        format!(
            "{:08x}-0000-0000-0000-{:012x}",
            a >> 32,
            a & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_time_starts_in_2026_and_moves_a_second_per_write() {
        let mut clock = Clock::deterministic();
        assert_eq!(clock.tick(), "2026-01-01T00:00:01.0000000Z");
        assert_eq!(clock.tick(), "2026-01-01T00:00:02.0000000Z");
        assert_eq!(clock.days_later(14), "2026-01-15T00:00:02.0000000Z");
    }

    #[test]
    fn wall_time_never_repeats_or_goes_back() {
        let mut clock = Clock::wall();
        let times: Vec<String> = (0..1000).map(|_| clock.tick()).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn dates_are_correct_across_leap_years() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00.0000000Z");
        // 2024-02-29T12:34:56.5Z
        assert_eq!(
            format_utc(1_709_210_096 * TICKS_PER_SECOND + 5_000_000),
            "2024-02-29T12:34:56.5000000Z"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let mut a = Ids::seeded(7);
        let mut b = Ids::seeded(7);
        assert_eq!(a.guid(), b.guid());
        assert_eq!(a.etag(), b.etag());
        assert_ne!(Ids::seeded(8).guid(), Ids::seeded(7).guid());
    }

    #[test]
    fn ids_are_guid_shaped() {
        let id = Ids::seeded(1).guid();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12], "{id}");
    }
}
