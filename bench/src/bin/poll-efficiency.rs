//! Polling efficiency: the real machine against a simulated K12 server, in simulated time.
//!
//! For a fixed set of jobs (2 s to 5 min, steady and bursty progress, conventions A and B) it
//! counts progress requests and measures the delay from "file ready on the server" to "download
//! started", for fixed 1 s polling (the old widget) and for the adaptive policy. Deterministic:
//! the same figures on every machine.

#![allow(clippy::print_stdout)] // a benchmark prints its table

use k12_export_core::json::Json;
use k12_export_core::{Command, HttpOutcome, Input, Machine, PollPolicy, SansIo, Settings, Status};

/// How `loaded` grows over a job.
#[derive(Clone, Copy)]
enum Shape {
    /// At a constant rate.
    Steady,
    /// In bursts: stalls, then jumps (e.g. a slow query, then fast writing).
    Bursty,
    /// Slow start, fast finish.
    Accelerating,
}

#[derive(Clone, Copy)]
enum Convention {
    A,
    B,
}

struct Job {
    duration_ms: f64,
    rows: f64,
    shape: Shape,
    convention: Convention,
}

const RTT_MS: f64 = 30.0;
const URL_DELAY_MS: f64 = 1500.0;

impl Job {
    /// Fraction of rows written at `t` (0..=1).
    fn fraction(&self, t: f64) -> f64 {
        let x = (t / self.duration_ms).clamp(0.0, 1.0);
        match self.shape {
            Shape::Steady => x,
            Shape::Accelerating => x * x,
            Shape::Bursty => {
                // Four bursts: each quarter waits 70% of its time, then writes its rows.
                let q = (x * 4.0).floor().min(3.0);
                let within = x * 4.0 - q;
                ((q + ((within - 0.7) / 0.3).clamp(0.0, 1.0)) / 4.0).min(1.0)
            }
        }
    }

    /// When the URL exists.
    fn ready_at(&self) -> f64 {
        match self.convention {
            Convention::A => self.duration_ms,
            Convention::B => self.duration_ms + URL_DELAY_MS,
        }
    }

    fn progress_body(&self, t: f64, first: bool) -> String {
        let n = self.rows;
        let done = (self.fraction(t) * n).floor();
        let (loaded, total) = match self.convention {
            Convention::A => (if t >= self.duration_ms { n + 1.0 } else { done }, n + 1.0),
            Convention::B if first => (0.0, 1.0),
            Convention::B => (done, n),
        };
        format!(
            r#"{{"code":0,"message":"","result":{{"retCode":0,"loaded":{loaded},"total":{total},"message":"","data":"","extra":{{}}}}}}"#
        )
    }

    fn url_body(&self, t: f64) -> String {
        if t >= self.ready_at() {
            r#"{"code":0,"message":"","result":{"url":"/files/x.xlsx","filename":"x.xlsx"}}"#.to_owned()
        } else {
            r#"{"code":0,"message":"","result":{"url":null,"filename":"x.xlsx"}}"#.to_owned()
        }
    }
}

struct Outcome {
    progress_requests: u32,
    requests: u32,
    delay_ms: f64,
}

fn run(job: &Job, policy: PollPolicy) -> Outcome {
    let options = Json::parse(
        r#"{"config":{"e":{"url":"/j/org/{termId}/homework/export","rest":true},"e-progress":{"url":"/j/org/{termId}/homework/export/process","rest":true}},
            "data":{"termId":1},"filename":"x","timeoutMs":3600000}"#,
    )
    .unwrap_or(Json::Null);
    let Ok(built) = k12_export_core::ExportSetup::from_json(&options, &[]) else {
        panic!("bench options are valid");
    };
    let settings = Settings { poll: policy, ..built.settings };
    let mut m = Machine::new(built.adapter, settings, built.filename);
    let mut now = 0.0;
    let (mut progress_requests, mut requests, mut first_progress) = (0u32, 0u32, true);
    m.handle(Input::Start, now);
    loop {
        let mut answered = false;
        while let Some(c) = m.poll_command() {
            match c {
                Command::Send { id, request } => {
                    requests += 1;
                    // The server reads its state halfway through the round trip.
                    let t = now + RTT_MS / 2.0;
                    let body = if request.url.contains("/process") {
                        progress_requests += 1;
                        let b = job.progress_body(t, first_progress);
                        first_progress = false;
                        b
                    } else {
                        job.url_body(t)
                    };
                    now += RTT_MS;
                    m.handle(Input::Response { id, outcome: HttpOutcome::ok(body) }, now);
                    answered = true;
                }
                Command::Download { .. } => {
                    return Outcome { progress_requests, requests, delay_ms: now - job.ready_at() };
                }
                Command::Abort { .. } | Command::Save { .. } => {}
            }
        }
        if m.view().status != Status::Exporting {
            panic!("the simulated export failed: {:?}", m.view().failure);
        }
        if !answered {
            now = m.poll_timeout().unwrap_or(now).max(now);
            m.handle(Input::Timer, now);
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let durations = [2_000.0, 5_000.0, 10_000.0, 30_000.0, 60_000.0, 120_000.0, 300_000.0];
    let mut jobs = Vec::new();
    for &d in &durations {
        for shape in [Shape::Steady, Shape::Bursty, Shape::Accelerating] {
            for convention in [Convention::A, Convention::B] {
                jobs.push(Job { duration_ms: d, rows: (d / 10.0).max(48.0), shape, convention });
            }
        }
    }
    let fixed = PollPolicy::Fixed { interval_ms: 1000.0 };
    let adaptive = PollPolicy::default();
    let label = |s: Shape| match s {
        Shape::Steady => "steady",
        Shape::Bursty => "bursty",
        Shape::Accelerating => "accelerating",
    };
    println!(
        "Polling efficiency: the real machine against a simulated K12 server ({} jobs, RTT {RTT_MS} ms)",
        jobs.len()
    );
    println!();
    println!("| job | conv. | fixed 1 s: progress req. | delay ms | adaptive: progress req. | delay ms |");
    println!("|---|---|---:|---:|---:|---:|");
    let (mut fr, mut ar, mut fd, mut ad, mut fa, mut aa) = (0u32, 0u32, Vec::new(), Vec::new(), 0u32, 0u32);
    for job in &jobs {
        let f = run(job, fixed);
        let a = run(job, adaptive);
        fr += f.progress_requests;
        ar += a.progress_requests;
        fa += f.requests;
        aa += a.requests;
        fd.push(f.delay_ms);
        ad.push(a.delay_ms);
        println!(
            "| {:>5.0} s {} | {} | {} | {:.0} | {} | {:.0} |",
            job.duration_ms / 1000.0,
            label(job.shape),
            match job.convention {
                Convention::A => "A",
                Convention::B => "B",
            },
            f.progress_requests,
            f.delay_ms,
            a.progress_requests,
            a.delay_ms
        );
    }
    println!();
    println!("| policy | progress requests | all requests | median ready→download | max ready→download |");
    println!("|---|---:|---:|---:|---:|");
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!("| fixed 1 s | {fr} | {fa} | {:.0} ms | {:.0} ms |", median(fd.clone()), max(&fd));
    println!("| adaptive | {ar} | {aa} | {:.0} ms | {:.0} ms |", median(ad.clone()), max(&ad));
    println!();
    println!(
        "adaptive / fixed: {:.0}% of the progress requests, {:.0}% of all requests (target ≤ 60%); median delay {:.0} ms (target < 300 ms)",
        100.0 * f64::from(ar) / f64::from(fr),
        100.0 * f64::from(aa) / f64::from(fa),
        median(ad)
    );
    if std::env::args().any(|a| a == "--variants") {
        println!();
        println!("| adaptive variant | progress requests | % of fixed | median delay | p90 delay | max delay |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (first_ms, floor_ms, cap_ms) in [
            (400.0, 200.0, 3000.0),
            (400.0, 200.0, 2000.0),
            (400.0, 150.0, 2500.0),
            (300.0, 150.0, 2000.0),
            (400.0, 200.0, 4000.0),
        ] {
            let p = PollPolicy::Adaptive { first_ms, floor_ms, cap_ms };
            let (mut r, mut d) = (0u32, Vec::new());
            for job in &jobs {
                let o = run(job, p);
                r += o.progress_requests;
                d.push(o.delay_ms);
            }
            let mut sorted = d.clone();
            sorted.sort_by(f64::total_cmp);
            let p90 = sorted[(sorted.len() * 9) / 10];
            println!(
                "| first {first_ms}, floor {floor_ms}, cap {cap_ms} | {r} | {:.0}% | {:.0} ms | {p90:.0} ms | {:.0} ms |",
                100.0 * f64::from(r) / f64::from(fr),
                median(d.clone()),
                max(&d)
            );
        }
    }
}
