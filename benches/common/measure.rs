//! Measuring helpers shared by the benchmarks (included with `#[path]` by `search.rs` and `ui.rs`): percentiles,
//! and the process's peak memory as Linux reports it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The `p` quantile (0–1) of the samples, nearest rank; NaN when there are none.
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() as f64 - 1.0) * p).round() as usize]
}

/// One line of `/proc/self/status`, in KB.
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident set size of this process, in MB (Linux `VmHWM`).
pub fn peak_rss_mb() -> f64 {
    status_kb("VmHWM:").map(|kb| kb as f64 / 1024.0).unwrap_or(f64::NAN)
}

/// The largest anonymous resident memory (`RssAnon`: without memory-mapped files such as the index, which the
/// kernel can drop and re-read) sampled so far, in KB.
static PEAK_ANON_KB: AtomicU64 = AtomicU64::new(0);

fn record_anon_sample() {
    if let Some(kb) = status_kb("RssAnon:") {
        PEAK_ANON_KB.fetch_max(kb, Ordering::Relaxed);
    }
}

/// The peak of anonymous memory seen by [`sample_memory`] (and now), in MB.
pub fn peak_anon_mb() -> f64 {
    record_anon_sample();
    PEAK_ANON_KB.load(Ordering::Relaxed) as f64 / 1024.0
}

/// Samples `RssAnon` every 10 ms for the life of the process (Linux keeps a peak only for the total).
pub fn sample_memory() {
    let _ = std::thread::Builder::new().name("memory-sampler".into()).spawn(|| {
        loop {
            record_anon_sample();
            std::thread::sleep(Duration::from_millis(10));
        }
    });
}
