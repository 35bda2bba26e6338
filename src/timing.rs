//! Where a run's time goes, for benchmarks: an optional clock that the runner feeds, per
//! exchange, the time spent in transport (sending and receiving over HTTP), in schema
//! validation (the schema check), in the other checks, and in the rest (building the
//! request, parsing the response, captures, the record). Without one (the default) the
//! runner reads no clocks for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The stages of one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Transport,
    Schema,
    Checks,
    Other,
}

/// Totals fed by concurrent scenarios (relaxed atomics: only sums are read, at the end).
#[derive(Debug, Default)]
pub struct StageClock {
    exchanges: AtomicU64,
    transport: AtomicU64,
    schema: AtomicU64,
    checks: AtomicU64,
    other: AtomicU64,
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl StageClock {
    pub fn add(&self, stage: Stage, took: Duration) {
        let slot = match stage {
            Stage::Transport => &self.transport,
            Stage::Schema => &self.schema,
            Stage::Checks => &self.checks,
            Stage::Other => &self.other,
        };
        slot.fetch_add(nanos(took), Ordering::Relaxed);
    }

    /// Counts one exchange (a request that got a response).
    pub fn exchange(&self) {
        self.exchanges.fetch_add(1, Ordering::Relaxed);
    }

    /// The totals so far.
    pub fn times(&self) -> StageTimes {
        let read = |slot: &AtomicU64| Duration::from_nanos(slot.load(Ordering::Relaxed));
        StageTimes {
            exchanges: self.exchanges.load(Ordering::Relaxed),
            transport: read(&self.transport),
            schema: read(&self.schema),
            checks: read(&self.checks),
            other: read(&self.other),
        }
    }
}

/// Summed time per stage over `exchanges` exchanges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    pub exchanges: u64,
    pub transport: Duration,
    pub schema: Duration,
    pub checks: Duration,
    pub other: Duration,
}

impl StageTimes {
    /// The mean time per exchange in a stage.
    pub fn per_exchange(&self, stage: Stage) -> Duration {
        let total = match stage {
            Stage::Transport => self.transport,
            Stage::Schema => self.schema,
            Stage::Checks => self.checks,
            Stage::Other => self.other,
        };
        let count = u32::try_from(self.exchanges.max(1)).unwrap_or(u32::MAX);
        total / count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_exchange_times_are_the_stage_totals_divided_by_the_exchanges() {
        // Arrange
        let clock = StageClock::default();
        for _ in 0..4 {
            clock.exchange();
            clock.add(Stage::Transport, Duration::from_micros(100));
            clock.add(Stage::Schema, Duration::from_micros(20));
        }

        // Act
        let times = clock.times();

        // Assert
        assert_eq!(times.exchanges, 4);
        assert_eq!(
            times.per_exchange(Stage::Transport),
            Duration::from_micros(100)
        );
        assert_eq!(times.per_exchange(Stage::Schema), Duration::from_micros(20));
        assert_eq!(times.per_exchange(Stage::Checks), Duration::ZERO);
    }
}
