//! Writes the 100,000-student export once, as fast as it can, and prints the time taken, the
//! file's size and the peak memory (VmHWM from /proc/self/status) before and after.
//!
//! ```text
//! cargo run --release -p mock-backend --bin bench-export -- [--kind homework|test|student]
//!                                                           [--format xlsx|csv] [--rows N] [--keep]
//! ```
#![allow(clippy::print_stdout)] // printing the figures is this program's whole job

use std::process::ExitCode;
use std::time::Instant;

use mock_backend::backends::k12::{write_export, ExportSpec};
use mock_backend::data::{self, Kind};
use mock_backend::sim::writer::{FileFormat, Flow, Written};

/// A line of /proc/self/status (`VmHWM`, `VmRSS`), in kB; `None` off Linux.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()
}

fn mib(kb: Option<u64>) -> String {
    kb.map_or_else(|| "n/a".to_owned(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0))
}

fn main() -> ExitCode {
    let mut kind = Kind::Homework;
    let mut format = FileFormat::Xlsx;
    let mut rows = data::HUGE_STUDENTS;
    let mut keep = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "--kind" => args.next().and_then(|k| Kind::from_segment(&k)).map(|k| kind = k).is_some(),
            "--format" => args.next().and_then(|f| FileFormat::parse(&f)).map(|f| format = f).is_some(),
            "--rows" => args.next().and_then(|r| r.parse().ok()).map(|r| rows = r).is_some(),
            "--keep" => {
                keep = true;
                true
            }
            _ => false,
        };
        if !ok {
            println!("usage: bench-export [--kind homework|test|student] [--format xlsx|csv] [--rows N] [--keep]");
            return ExitCode::from(2);
        }
    }

    let dir = std::env::temp_dir().join(format!("mock-backend-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        println!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let path = dir.join(format!("bench.{}", format.extension()));
    let spec = ExportSpec { term_id: 1004, kind, rows, format };

    let hwm_before = status_kb("VmHWM");
    let started = Instant::now();
    let result = write_export(&path, &dir, &spec, |_| Flow::Continue);
    let elapsed = started.elapsed();
    let hwm_after = status_kb("VmHWM");
    let rss_after = status_kb("VmRSS");

    let code = match result {
        Ok(Written::Complete) => {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            println!("export:         {} rows of {} as {}", rows, kind.segment(), format.extension());
            println!(
                "time:           {:.3} s ({:.0} rows/s)",
                elapsed.as_secs_f64(),
                rows as f64 / elapsed.as_secs_f64()
            );
            println!("file size:      {} bytes ({:.2} MiB)", size, size as f64 / (1024.0 * 1024.0));
            println!("VmHWM before:   {}", mib(hwm_before));
            println!("VmHWM after:    {}", mib(hwm_after));
            println!("VmRSS after:    {}", mib(rss_after));
            if keep {
                println!("kept:           {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Ok(Written::Stopped) => {
            println!("the export stopped early");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("export failed: {e}");
            ExitCode::FAILURE
        }
    };
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    code
}
