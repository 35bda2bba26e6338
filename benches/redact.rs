//! Secret redaction on multi-megabyte text: megabytes per second through
//! `Redactor::redact_str` for a 3 MB body in the forms a hostile target answers with (no
//! secret at all, near misses everywhere, the token repeated raw, the token JSON-escaped),
//! and through `Redactor::json` for the same body parsed. Linear time shows as a rate that
//! does not fall with size; the 1 MB and 3 MB rows are printed side by side.
//!
//! Run with `cargo bench --bench redact`. It prints figures and asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed unwrap is a failed run
#![allow(clippy::cast_precision_loss)] // megabytes per second, to one decimal

use std::time::Instant;

use vouch::report::Redactor;

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaC1yZWRhY3Rpb24ifQ.c2lnbmF0dXJlLW9mLWEtYmVuY2gtdG9rZW4";

fn body(kind: &str, size: usize) -> String {
    let unit = match kind {
        "clean" => r#"{"name":"Contoso referral","status":"Active","note":"nothing secret here"},"#
            .to_owned(),
        "near-misses" => format!(r#""{}","#, &TOKEN[..19]),
        "token raw" => format!(r#"{{"echo":"Bearer {TOKEN}"}},"#),
        "token escaped" => {
            let escaped: String = TOKEN
                .chars()
                .map(|c| format!("\\u{:04x}", u32::from(c)))
                .collect::<Vec<_>>()
                .concat();
            format!(r#"{{"echo":"{escaped}"}},"#)
        }
        _ => unreachable!(),
    };
    let mut text = String::from("[");
    while text.len() < size {
        text.push_str(&unit);
    }
    text.push_str("null]");
    text
}

fn rate(bytes: usize, f: impl Fn()) -> f64 {
    // Best of 3.
    (0..3)
        .map(|_| {
            let started = Instant::now();
            f();
            bytes as f64 / 1e6 / started.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

fn main() {
    let redactor = Redactor::new(["X-Api-Key"], [TOKEN]);
    println!(
        "{:<15} {:>14} {:>14} {:>16}",
        "body", "text 1 MB", "text 3 MB", "parsed JSON 3 MB"
    );
    // What a run against the embedded double pays per body: no token known.
    let none = Redactor::default();
    let referral = body("clean", 3_000);
    let started = Instant::now();
    let rounds = 20_000;
    for _ in 0..rounds {
        std::hint::black_box(none.redact_str(std::hint::black_box(&referral)));
    }
    let each = started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    println!("a 3 KB body, no token known: {each:.2} µs each");
    for kind in ["clean", "near-misses", "token raw", "token escaped"] {
        let small = body(kind, 1_000_000);
        let large = body(kind, 3_000_000);
        let parsed: serde_json::Value = serde_json::from_str(&large).unwrap();
        let small_rate = rate(small.len(), || {
            std::hint::black_box(redactor.redact_str(&small));
        });
        let large_rate = rate(large.len(), || {
            std::hint::black_box(redactor.redact_str(&large));
        });
        let json_rate = rate(large.len(), || {
            let mut value = parsed.clone();
            redactor.json(&mut value);
            std::hint::black_box(value);
        });
        println!("{kind:<15} {small_rate:>9.1} MB/s {large_rate:>9.1} MB/s {json_rate:>11.1} MB/s");
    }
}
