//! OCR accuracy and speed over a page set rendered from known text: the table in BENCHMARKS.md, "OCR accuracy".
//!
//! Why a bench and not a test: the full A4 pages take seconds each and are not committed (about 10 MB); the
//! tests assert the floors on small pages instead. Make the pages, then run:
//!
//! ```text
//! python3 tests/ocr/make_pages.py --full target/ocr-pages
//! cargo bench --bench ocr [-- DIR] [-- --tesseract]
//! ```
//!
//! Without the full set it reads the small committed pages in tests/ocr/. `OCR_SHOW=1` prints what was read. With `--tesseract` (and `tesseract`
//! with `chi_sim` on PATH) the same pages go through Tesseract too, for comparison; Casebook itself never uses it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use casebook::ocr;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tesseract = args.iter().any(|a| a == "--tesseract");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CASEBOOK_OCR_PAGES").map(PathBuf::from))
        .unwrap_or_else(|| root.join("target/ocr-pages"));
    let dir = if dir.is_dir() {
        dir
    } else {
        eprintln!(
            "{} not found: reading the small pages in tests/ocr/ (make the full set with \
             `python3 tests/ocr/make_pages.py --full target/ocr-pages`)",
            dir.display()
        );
        root.join("tests/ocr")
    };
    let mut pages: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| ["png", "jpg", "tif", "bmp"].iter().any(|e| x == *e)))
        .filter_map(|p| std::fs::read_to_string(p.with_extension("txt")).ok().map(|t| (p, t)))
        .collect();
    pages.sort();

    let started = Instant::now();
    ocr::preload().expect("models load");
    println!("models loaded in {:.2} s; {} threads available", started.elapsed().as_secs_f64(), threads());
    println!();
    if tesseract {
        println!(
            "| page | characters | Casebook (PP-OCRv4, rten) | s/page | CPU s | Tesseract 5 chi_sim | s/page | CPU s |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    } else {
        println!("| page | characters | Casebook (PP-OCRv4, rten) | s/page | CPU s |");
        println!("|---|---:|---:|---:|---:|");
    }
    let mut totals = [0.0f64; 6];
    for (path, truth) in &pages {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let chars = truth.chars().filter(|c| !c.is_whitespace()).count();
        let (t, cpu) = (Instant::now(), cpu_seconds(false));
        let result = ocr::recognize_file(path);
        let seconds = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds(false) - cpu;
        let accuracy = match &result {
            Ok(page) => ocr::character_accuracy(&page.text, truth),
            Err(e) => {
                eprintln!("{name}: {e}");
                0.0
            }
        };
        if std::env::var_os("OCR_SHOW").is_some()
            && let Ok(page) = &result
        {
            eprintln!("--- {name}\n{}", page.text);
        }
        if tesseract {
            let (t_accuracy, t_seconds, t_cpu) = run_tesseract(path, truth);
            for (total, value) in totals.iter_mut().zip([accuracy, seconds, cpu, t_accuracy, t_seconds, t_cpu]) {
                *total += value;
            }
            println!(
                "| {name} | {chars} | {:.2} % | {seconds:.2} | {cpu:.2} | {:.2} % | {t_seconds:.2} | {t_cpu:.2} |",
                accuracy * 100.0,
                t_accuracy * 100.0
            );
        } else {
            for (total, value) in totals.iter_mut().zip([accuracy, seconds, cpu]) {
                *total += value;
            }
            println!("| {name} | {chars} | {:.2} % | {seconds:.2} | {cpu:.2} |", accuracy * 100.0);
        }
    }
    let n = pages.len().max(1) as f64;
    let [a, s, c, ta, ts, tc] = totals.map(|t| t / n);
    if tesseract {
        println!(
            "| **mean** | | **{:.2} %** | **{s:.2}** | **{c:.2}** | **{:.2} %** | **{ts:.2}** | **{tc:.2}** |",
            a * 100.0,
            ta * 100.0
        );
    } else {
        println!("| **mean** | | **{:.2} %** | **{s:.2}** | **{c:.2}** |", a * 100.0);
    }
}

/// CPU seconds used so far by this process (`children`: by its finished child processes), all threads; 0 where
/// not measured. On a machine shared with other builds this is steadier than wall time.
fn cpu_seconds(children: bool) -> f64 {
    #[cfg(unix)]
    {
        let who = if children { libc::RUSAGE_CHILDREN } else { libc::RUSAGE_SELF };
        // SAFETY: getrusage writes one rusage struct into the zeroed one we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(who, &mut usage) } != 0 {
            return 0.0;
        }
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(usage.ru_utime) + secs(usage.ru_stime)
    }
    #[cfg(not(unix))]
    {
        let _ = children;
        0.0
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Tesseract's accuracy, wall time and CPU time on one page (0 when it cannot run).
fn run_tesseract(path: &Path, truth: &str) -> (f64, f64, f64) {
    let (t, cpu) = (Instant::now(), cpu_seconds(true));
    let output = Command::new("tesseract").arg(path).arg("-").args(["-l", "chi_sim", "--psm", "3"]).output();
    let seconds = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds(true) - cpu;
    match output {
        Ok(out) if out.status.success() => {
            (ocr::character_accuracy(&String::from_utf8_lossy(&out.stdout), truth), seconds, cpu)
        }
        _ => {
            eprintln!("tesseract with chi_sim is not available");
            (0.0, 0.0, 0.0)
        }
    }
}
