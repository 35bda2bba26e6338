//! Prints how long a snapshot's redaction takes on a 3 MB string (issue 12: it must cost
//! milliseconds): `cargo bench --bench snapshot`. Best, median and worst of 7 rounds, for
//! the string alone and for a whole body carrying it (canonical form, contract rules and
//! the secrets redactor). Asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a failed unwrap is a failed run

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vouch::checks::snapshot::{redact_text, snapshot_text};
use vouch::report::Redactor;
use vouch::Suite;

fn rounds(mut work: impl FnMut()) -> (Duration, Duration, Duration) {
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[3], times[6])
}

fn main() {
    let suite = Suite::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/referrals"))
        .expect("the bundled suite loads");
    let rules = &suite.contract.snapshot;
    // 3 MB: a GUID every 100 bytes, multi-byte characters between.
    let unit = format!("4111fffc-f9ee-4d53-bba6-569135228642{}", "é".repeat(32));
    let text = unit.repeat(30_000);
    let body = serde_json::json!({
        "id": "4111fffc-f9ee-4d53-bba6-569135228642",
        "details": {"notes": text},
        "links": {"self": {"uri": "http://127.0.0.1:4000/v1.0/engagements/referrals/4111fffc-f9ee-4d53-bba6-569135228642"}}
    });
    let redactor = Redactor::new(std::iter::empty::<&str>(), ["a-secret-token-of-the-run"]);
    let show = |label: &str, (best, median, worst): (Duration, Duration, Duration)| {
        println!(
            "{label:<48} {:>8.1} ms (median {:.1}, worst {:.1})",
            best.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    };
    show(
        "redact_text, 3 MB string (GUIDs, times, base)",
        rounds(|| {
            std::hint::black_box(redact_text(&text, rules, "http://127.0.0.1:4000"));
        }),
    );
    show(
        "snapshot_text, a body carrying the 3 MB string",
        rounds(|| {
            std::hint::black_box(snapshot_text(
                Some(&body),
                "",
                rules,
                "http://127.0.0.1:4000",
                &redactor,
            ));
        }),
    );
}
