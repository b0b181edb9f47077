//! What the benchmarks share: timing a piece of work, and summing up many timings.

#![allow(dead_code, reason = "each benchmark uses its own part of this module")]

use std::time::Instant;

/// The median of `runs` timings of `work`, in milliseconds, and its last result.
pub fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = Some(work());
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.expect("at least one run"))
}

/// The median, 95th percentile and maximum of `times` (nearest rank), or zeros when empty.
pub fn spread(times: &[f64]) -> (f64, f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    (rank(0.5), rank(0.95), sorted[sorted.len() - 1])
}
