//! The server, driven through `app(state)` with `tower::ServiceExt::oneshot` (no socket): every
//! endpoint, both conventions, every scenario, downloads, CORS, recording and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::Cursor;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{eventually, sleep_ms, Mock, Reply, SansIo, HOST};
use mock_backend::backends::k12::SCENARIOS;
use mock_backend::data;
use mock_backend::sim::scenario::{flaky_fault, FlakyFault};
use serde_json::Value;

/// A fresh server with a K12 export of `path` (`{term}/{kind}`) started under `query`.
async fn started(path: &str, query: &str) -> Mock {
    let m = Mock::new();
    m.start(path, query).await;
    m
}

/// The K12 routes and the control routes, on the shared test server.
impl Mock {
    async fn start(&self, path: &str, query: &str) -> Value {
        let r = self.get(&format!("/j/org/{path}/export?{query}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    /// The progress endpoint's reply, whatever it is.
    async fn progress_reply(&self, path: &str, query: &str) -> Reply {
        self.get(&format!("/j/org/{path}/export/process?{query}")).await
    }

    async fn progress(&self, path: &str, query: &str) -> Value {
        let r = self.progress_reply(path, query).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    async fn jobs(&self, client: &str) -> Vec<Value> {
        self.get(&format!("/__mock/jobs?client={client}")).await.json()["jobs"].as_array().unwrap().clone()
    }

    /// Waits for the export's URL and downloads the file.
    async fn file(&self, path: &str, query: &str) -> Reply {
        let url = self.wait_for_url(path, query).await;
        self.download_own(&url).await
    }

    /// Polls the start endpoint until it gives a URL.
    async fn wait_for_url(&self, path: &str, query: &str) -> String {
        eventually(|| async { self.start(path, query).await["result"]["url"].as_str().map(str::to_owned) }).await
    }

    /// Waits until the client's latest job is in `state` (`ready`, `finishing`, `stalled`, ...).
    async fn wait_for_state(&self, client: &str, state: &str) -> Value {
        eventually(|| async {
            let job = self.jobs(client).await.last().unwrap_or_else(|| panic!("no job for {client}")).clone();
            (job["state"] == state).then_some(job)
        })
        .await
    }

    /// Downloads a URL of this server, which must be absolute, with our Host.
    async fn download_own(&self, url: &str) -> Reply {
        let path = url.strip_prefix(&format!("http://{HOST}")).unwrap_or_else(|| panic!("not ours: {url}"));
        self.get(path).await
    }

    fn data_files(&self) -> Vec<String> {
        match std::fs::read_dir(self.dir.path().join("data")) {
            Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn nums(p: &Value) -> (i64, i64) {
    let r = &p["result"];
    (r["loaded"].as_i64().unwrap_or_else(|| panic!("{p}")), r["total"].as_i64().unwrap_or_else(|| panic!("{p}")))
}

fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text_cells(row: &[Data]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

/// A small RFC 6266 / RFC 8187 parser: the disposition type and its parameters, `filename*`
/// decoded from `UTF-8''percent-encoding`.
fn parse_content_disposition(value: &str) -> (String, HashMap<String, String>) {
    let (kind, mut rest) = value.split_once(';').map_or((value, ""), |(k, r)| (k, r));
    let mut params = HashMap::new();
    loop {
        rest = rest.trim_start_matches([' ', ';']);
        if rest.is_empty() {
            break;
        }
        let (name, after) = rest.split_once('=').expect("parameter without '='");
        let name = name.trim().to_ascii_lowercase();
        let (raw, after) = if let Some(q) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => out.push(chars.next().expect("dangling escape").1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => out.push(c),
                }
            }
            (out, &q[end.expect("unterminated quoted-string")..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        let value = if name.ends_with('*') {
            let mut parts = raw.splitn(3, '\'');
            let charset = parts.next().unwrap();
            let _language = parts.next().expect("ext-value without language");
            let encoded = parts.next().expect("ext-value without value");
            assert!(charset.eq_ignore_ascii_case("UTF-8"), "charset {charset}");
            let bytes = encoded.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    assert!(bytes[i].is_ascii_graphic(), "raw byte {:#x} in ext-value", bytes[i]);
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).expect("filename* is not UTF-8")
        } else {
            raw
        };
        params.insert(name, value);
        rest = after;
    }
    (kind.trim().to_ascii_lowercase(), params)
}

// ---------------------------------------------------------------------------------------------
// Terms and the conventions

#[tokio::test]
async fn terms_lists_the_five_fixed_terms() {
    let m = Mock::new();
    let r = m.get("/j/org/terms").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["code"], 0);
    assert_eq!(v["message"], "");
    let terms: Vec<(i64, String, i64)> = v["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["termId"].as_i64().unwrap(), t["name"].as_str().unwrap().to_owned(), t["students"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        terms,
        vec![
            (1001, "2024春季班".into(), 48),
            (1002, "2024暑期集训".into(), 0),
            (1003, "2024秋季班".into(), 1200),
            (1004, "2025寒假班".into(), 100_000),
            (1005, "2025春季班".into(), 320),
        ]
    );
}

#[tokio::test]
async fn convention_a_counts_to_n_plus_one_and_the_url_comes_exactly_at_the_end() {
    let m = Mock::new();
    let q = "client=a&durationMs=400";
    let first = m.start("1001/homework", q).await;
    assert_eq!(first["code"], 0);
    assert_eq!(first["result"]["url"], Value::Null);
    assert_eq!(first["result"]["filename"], "K12作业统计-2024春季班.xlsx");
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let url = loop {
        let p1 = m.progress("1001/homework", q).await;
        let s = m.start("1001/homework", q).await;
        let p2 = m.progress("1001/homework", q).await;
        for p in [&p1, &p2] {
            assert_eq!(p["code"], 0);
            assert_eq!(p["result"]["extra"]["filename"], "K12作业统计-2024春季班.xlsx");
            seen.push(nums(p));
        }
        match s["result"]["url"].as_str() {
            // The URL exists exactly when loaded == total: done after, not done before.
            Some(url) => {
                assert_eq!(nums(&p2), (49, 49));
                break url.to_owned();
            }
            None => assert!(nums(&p1).0 < 49, "loaded == total but no URL: {p1}"),
        }
        assert!(Instant::now() < deadline);
        sleep_ms(15).await;
    };
    assert!(seen.iter().all(|&(_, total)| total == 49), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "loaded went back: {seen:?}");
    assert!(seen.iter().any(|&(l, _)| l > 0 && l < 48), "no intermediate progress: {seen:?}");
    assert!(url.starts_with(&format!("http://{HOST}/files/")), "{url}");
    // The URL was handed out: the next export is a fresh job.
    let again = m.start("1001/homework", q).await;
    assert_eq!(again["result"]["url"], Value::Null);
    let jobs = m.jobs("a").await;
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["state"], "delivered");
    assert_eq!(jobs[1]["state"], "running");
}

#[tokio::test]
async fn convention_a_empty_term_is_total_one_with_a_header_only_file() {
    let q = "client=e&durationMs=50";
    let m = started("1002/student", q).await;
    eventually(|| async {
        let (loaded, total) = nums(&m.progress("1002/student", q).await);
        assert_eq!(total, 1);
        if loaded != 1 {
            assert_eq!(loaded, 0);
        }
        (loaded == 1).then_some(())
    })
    .await;
    let s = m.start("1002/student", q).await;
    assert_eq!(s["result"]["filename"], "K12学生名单-2024暑期集训.xlsx");
    let url = s["result"]["url"].as_str().expect("a URL as soon as loaded == total").to_owned();
    let rows = sheet(&m.download_own(&url).await.body);
    assert_eq!(rows.len(), 1);
    assert_eq!(text_cells(&rows[0]), ["学号", "姓名", "班级", "手机"]);
}

#[tokio::test]
async fn convention_b_fakes_the_first_answer_counts_to_n_and_delays_the_url() {
    let q = "client=b&scheme=B&durationMs=300&urlDelayMs=400";
    let m = started("1001/test", q).await;
    let first = m.progress("1001/test", q).await;
    assert_eq!(nums(&first), (0, 1), "the made-up first answer");
    let mut seen = Vec::new();
    let mut null_urls_at_n = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let p = m.progress("1001/test", q).await;
        let (loaded, total) = nums(&p);
        assert_eq!(total, 48, "{p}");
        seen.push(loaded);
        let s = m.start("1001/test", q).await;
        if s["result"]["url"].is_string() {
            assert_eq!(loaded, 48, "URL before loaded == n");
            break;
        }
        if loaded == 48 {
            null_urls_at_n += 1;
        }
        assert!(Instant::now() < deadline);
        sleep_ms(20).await;
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen.iter().any(|&l| l > 0 && l < 48), "{seen:?}");
    // loaded == total == n for a while, without a URL: convention B's known wrinkle.
    assert!(null_urls_at_n >= 3, "{null_urls_at_n}");
    let job = &m.jobs("b").await[0];
    let (finished, delivered) = (job["finished"].as_u64().unwrap(), job["delivered"].as_u64().unwrap());
    assert!(delivered >= finished + 400, "URL {delivered} ms, file {finished} ms");
    assert_eq!(job["urlReady"].as_u64(), Some(finished + 400));
}

#[tokio::test]
async fn convention_b_empty_export_is_total_one_loaded_two_then_a_url_after_the_delay() {
    let q = "client=be&scheme=B&urlDelayMs=200";
    let m = started("1002/homework", q).await;
    assert_eq!(nums(&m.progress("1002/homework", q).await), (0, 1));
    let t0 = Instant::now();
    let mut url = None;
    while url.is_none() {
        assert_eq!(nums(&m.progress("1002/homework", q).await), (2, 1));
        url = m.start("1002/homework", q).await["result"]["url"].as_str().map(str::to_owned);
        assert!(t0.elapsed() < Duration::from_secs(5));
        sleep_ms(20).await;
    }
    let job = &m.jobs("be").await[0];
    assert!(job["delivered"].as_u64().unwrap() >= job["finished"].as_u64().unwrap() + 200);
    assert_eq!(sheet(&m.download_own(&url.unwrap()).await.body).len(), 1);
}

#[tokio::test]
async fn start_reports_on_the_running_job_and_other_settings_start_afresh() {
    let m = started("1003/homework", "client=r&durationMs=5000").await;
    m.start("1003/homework", "client=r&durationMs=5000").await;
    m.start("1003/test", "client=r&durationMs=5000").await;
    let jobs = m.jobs("r").await;
    assert_eq!(jobs.len(), 2, "one job per (client, term, kind)");
    assert_eq!(jobs[0]["requests"], 2);
    m.start("1003/homework", "client=r&durationMs=5000&scheme=B").await;
    let jobs = m.jobs("r").await;
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[0]["state"], "cancelled");
    assert_eq!(jobs[2]["scheme"], "B");
    // Other clients have their own jobs.
    m.start("1003/homework", "client=other&durationMs=5000").await;
    assert_eq!(m.jobs("r").await.len(), 3);
    assert_eq!(m.jobs("other").await.len(), 1);
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn progress_without_a_job_answers_a_nonzero_code() {
    let m = Mock::new();
    let p = m.progress("1001/homework", "client=nobody").await;
    assert_ne!(p["code"], 0);
    assert!(p["message"].as_str().unwrap().contains("导出任务"), "{p}");
    assert_eq!(p["result"], Value::Null);
}

// ---------------------------------------------------------------------------------------------
// Files

#[tokio::test]
async fn xlsx_reads_back_with_calamine_one_row_per_student() {
    let q = "client=x&durationMs=50";
    let m = started("1001/homework", q).await;
    let r = m.file("1001/homework", q).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let rows = sheet(&r.body);
    assert_eq!(rows.len(), 1 + 48, "header + 48 students");
    let header = text_cells(&rows[0]);
    assert_eq!(header[..3], ["学号", "姓名", "班级"]);
    assert_eq!(header[3], "作业1");
    assert_eq!(header[10], "作业8");
    assert_eq!(header[11], "平均分");
    let first = data::student(1001, 0);
    assert_eq!(rows[1][0].to_string(), "1001000001");
    assert_eq!(rows[1][1].to_string(), first.name);
    assert_eq!(rows[1][2].to_string(), "1班");
    assert_eq!(rows[48][0].to_string(), "1001000048");
    let score = |c: &Data| match c {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    assert_eq!(score(&rows[1][3]), f64::from(data::homework_score(1001, 0, 0)));
    let avg = score(&rows[1][11]);
    let sum: f64 = rows[1][3..11].iter().map(score).sum();
    assert!((avg - sum / 8.0).abs() <= 0.05, "{avg} vs {sum}");
}

#[tokio::test]
async fn test_and_student_exports_have_their_headers() {
    let m = Mock::new();
    for (kind, header, name) in [
        (
            "test",
            vec!["学号", "姓名", "班级", "阶段测试1", "阶段测试2", "阶段测试3", "阶段测试4", "总分"],
            "K12阶段测试统计-2025春季班.xlsx",
        ),
        ("student", vec!["学号", "姓名", "班级", "手机"], "K12学生名单-2025春季班.xlsx"),
    ] {
        let q = "client=k&durationMs=50";
        let path = format!("1005/{kind}");
        assert_eq!(m.start(&path, q).await["result"]["filename"], name);
        let rows = sheet(&m.file(&path, q).await.body);
        assert_eq!(rows.len(), 321, "{kind}");
        assert_eq!(text_cells(&rows[0]), header);
    }
}

#[tokio::test]
async fn csv_is_utf8_with_bom_and_a_csv_name() {
    let m = Mock::new();
    let q = "client=c&format=csv&durationMs=30";
    assert_eq!(m.start("1001/student", q).await["result"]["filename"], "K12学生名单-2024春季班.csv");
    let r = m.file("1001/student", q).await;
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = r.text();
    assert!(text.starts_with("\u{FEFF}学号,姓名,班级,手机\r\n"), "{text:.60}");
    assert_eq!(text.lines().count(), 49);
    let (_, params) = parse_content_disposition(r.header("content-disposition").unwrap());
    assert_eq!(params["filename*"], "K12学生名单-2024春季班.csv");
}

#[tokio::test]
async fn a_chinese_filename_round_trips_through_content_disposition() {
    let q = "client=cd&durationMs=20";
    let m = started("1003/test", q).await;
    let r = m.file("1003/test", q).await;
    let raw = r.header("content-disposition").unwrap();
    let (kind, params) = parse_content_disposition(raw);
    assert_eq!(kind, "attachment");
    assert_eq!(params["filename*"], "K12阶段测试统计-2024秋季班.xlsx");
    let fallback = &params["filename"];
    assert!(fallback.is_ascii() && fallback.ends_with(".xlsx") && fallback.starts_with("K12"), "{fallback}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // The download counts for the job's client.
    let reqs = m.requests("cd").await;
    let last = reqs.last().unwrap();
    assert!(last["path"].as_str().unwrap().starts_with("/files/"));
    assert_eq!(last["job"], m.jobs("cd").await[0]["id"]);
}

#[tokio::test]
async fn download_paths_cannot_leave_the_data_directory() {
    let m = Mock::with(|c| c.dist_dir = std::env::current_dir().unwrap());
    // A real file exists, so that a traversal that worked would show.
    let q = "client=t&durationMs=10";
    m.start("1001/homework", q).await;
    let url = m.wait_for_url("1001/homework", q).await;
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(m.download_own(&url).await.status, StatusCode::OK);
    let attempts = [
        "/files/..".to_owned(),
        "/files/../Cargo.toml".to_owned(),
        "/files/..%2fCargo.toml".to_owned(),
        "/files/%2e%2e%2f%2e%2e%2fCargo.toml".to_owned(),
        "/files/%2e%2e%2fdata%2f".to_owned() + &token + ".xlsx",
        "/files/%2fetc%2fpasswd".to_owned(),
        "/files//etc/passwd".to_owned(),
        "/files/..%5c..%5cCargo.toml".to_owned(),
        "/files/C:%5cWindows%5cwin.ini".to_owned(),
        format!("/files/{token}.xlsx"),
        format!("/files/{token}%00"),
        format!("/files/{}", token.to_uppercase()),
        format!("/files/{}", "0".repeat(32)),
        "/files/".to_owned(),
        "/%2e%2e/Cargo.toml".to_owned(),
        "/../Cargo.toml".to_owned(),
        "/..%5cCargo.toml".to_owned(),
    ];
    for a in &attempts {
        let r = m.get(a).await;
        assert!(r.status == StatusCode::NOT_FOUND || r.status == StatusCode::BAD_REQUEST, "{a}: {}", r.status);
        assert!(!r.text().contains("[package]"), "{a} leaked a file");
    }
    // The API prefix answers JSON, never a file.
    assert_eq!(m.get("/files/..%2fCargo.toml").await.json()["code"], 404);
}

#[tokio::test]
async fn files_expire_with_410_and_are_deleted() {
    let m = Mock::with(|c| c.expire_after = Duration::from_millis(800));
    let q = "client=ex&durationMs=10";
    m.start("1001/student", q).await;
    let url = m.wait_for_url("1001/student", q).await;
    assert_eq!(m.download_own(&url).await.status, StatusCode::OK);
    assert_eq!(m.data_files().len(), 1);
    sleep_ms(850).await;
    let r = m.download_own(&url).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json()["code"], 410);
    assert!(m.data_files().is_empty(), "{:?}", m.data_files());
    assert_eq!(m.download_own(&url).await.status, StatusCode::GONE, "still 410, not 404");

    // The periodic sweep deletes files nobody asked for again.
    m.start("1001/test", q).await;
    let url = m.wait_for_url("1001/test", q).await;
    assert_eq!(m.data_files().len(), 1);
    assert_eq!(m.state.sweep_expired(), 0);
    sleep_ms(850).await;
    assert_eq!(m.state.sweep_expired(), 1);
    assert!(m.data_files().is_empty());
    assert_eq!(m.download_own(&url).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn download_urls_follow_the_host_header_or_fall_back() {
    let m = Mock::new();
    let q = "client=h&durationMs=10";
    for (host, origin) in [
        ("localhost:9876", "http://localhost:9876/files/"),
        // Not a host name: the configured public host.
        ("evil.com/\"><script>", "http://127.0.0.1:8080/files/"),
    ] {
        m.start("1001/test", q).await;
        m.wait_for_state("h", "ready").await;
        let r = m
            .send(
                Request::get(format!("/j/org/1001/test/export?{q}"))
                    .header(header::HOST, host)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let url = r.json()["result"]["url"].as_str().unwrap_or_else(|| panic!("{}", r.text())).to_owned();
        assert!(url.starts_with(origin), "{host}: {url}");
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

#[tokio::test]
async fn every_scenario_is_listed_and_accepted() {
    let m = Mock::new();
    let list = m.get("/__mock/scenarios").await.json();
    let names: Vec<&str> = list["scenarios"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = SCENARIOS.iter().map(|s| s.name()).collect();
    assert_eq!(names, expected);
    assert_eq!(names.len(), 27);
    for s in list["scenarios"].as_array().unwrap() {
        assert!(s["description"].as_str().unwrap().len() > 10, "{s}");
    }
    for name in names {
        let r = m.get(&format!("/j/org/1001/homework/export?client=all-{name}&scenario={name}&startDelayMs=0")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
    }
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn huge_answer_is_read_no_further_than_the_limit_and_fails_the_export_at_once() {
    let m = Mock::new();
    let options = r#"{"config":{"e":{"url":"/j/org/{termId}/homework/export","rest":true},
        "e-progress":{"url":"/j/org/{termId}/homework/export/process","rest":true}},
        "data":{"termId":1001,"client":"huge-answer","scenario":"huge-answer"}}"#;
    let started = Instant::now();
    let (machine, handed) = m.drive(options, Duration::from_secs(10)).await;
    let failure = machine.view().failure.clone().expect("failed");
    assert_eq!(failure, k12_export_core::retry::too_large());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(handed.requests.len(), 2, "the start and one progress request, not asked again: {:?}", handed.requests);
    let job = &m.jobs("huge-answer").await[0];
    let sent = job["answerBytes"].as_u64().unwrap();
    let limit = u64::from(k12_export_core::http::ANSWER_LIMIT);
    assert!(sent > limit && sent < limit + 200_000, "read up to the limit and a piece more, not {sent} bytes");
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn scenario_speeds_and_sizes_are_the_documented_ones() {
    let m = Mock::new();
    for (scenario, duration, rows) in
        [("normal", 4000, 48), ("fast", 1500, 48), ("slow", 15000, 48), ("huge", 5000, 100_000), ("empty", 4000, 0)]
    {
        let client = format!("sp-{scenario}");
        m.start("1001/homework", &format!("client={client}&scenario={scenario}")).await;
        let job = &m.jobs(&client).await[0];
        assert_eq!(job["durationMs"], duration, "{scenario}");
        assert_eq!(job["total"], rows, "{scenario}");
        assert_eq!(job["scenario"], scenario);
    }
    // huge under convention A: total is 100,001 from the first answer and the writer advances.
    eventually(|| async {
        let p = m.progress("1001/homework", "client=sp-huge").await;
        let (loaded, total) = nums(&p);
        assert_eq!(total, 100_001);
        assert!(loaded < 100_000, "{p}");
        (loaded > 0).then_some(())
    })
    .await;
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
    assert!(m.jobs("sp-huge").await.is_empty());
}

#[tokio::test]
async fn empty_scenario_behaves_as_a_term_without_students() {
    let q = "client=es&scenario=empty";
    let m = started("1003/test", q).await;
    let url = m.wait_for_url("1003/test", q).await;
    assert_eq!(nums(&m.progress("1003/test", q).await), (1, 1));
    assert_eq!(sheet(&m.download_own(&url).await.body).len(), 1);
}

#[tokio::test]
async fn fail_stops_the_job_at_fail_at_with_code_minus_one() {
    let q = "client=f&scenario=fail&failAt=50&durationMs=200";
    let m = started("1001/homework", q).await;
    let failure = eventually(|| async {
        let p = m.progress("1001/homework", q).await;
        if p["code"] != 0 {
            return Some(p);
        }
        assert!(nums(&p).0 <= 24, "past failAt: {p}");
        None
    })
    .await;
    assert_eq!(failure["code"], -1);
    assert_eq!(failure["message"], "导出任务异常：数据库连接中断");
    assert_eq!(failure["result"], Value::Null);
    // It stays failed, and writes no file.
    assert_eq!(m.progress("1001/homework", q).await["code"], -1);
    let job = &m.jobs("f").await[0];
    assert_eq!(job["state"], "failed");
    assert_eq!(job["loaded"], 24);
    assert!(m.data_files().iter().all(|f| !f.ends_with(".xlsx")), "{:?}", m.data_files());
    // A failed job is not running: the next export is a new job.
    m.start("1001/homework", q).await;
    assert_eq!(m.jobs("f").await.len(), 2);
}

#[tokio::test]
async fn http_errors_once_and_always() {
    let m = Mock::new();
    for (scenario, status) in [("http500", 500), ("http502", 502)] {
        let once = format!("client={scenario}-once&scenario={scenario}-once&durationMs=2000");
        m.start("1001/homework", &once).await;
        let r = m.progress_reply("1001/homework", &once).await;
        assert_eq!(r.status.as_u16(), status);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text().contains(&format!("<h1>{status} ")), "{}", r.text());
        for _ in 0..2 {
            let r = m.progress_reply("1001/homework", &once).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.json()["code"], 0);
        }
        let always = format!("client={scenario}-always&scenario={scenario}-always&durationMs=2000");
        m.start("1001/homework", &always).await;
        for _ in 0..3 {
            let r = m.progress_reply("1001/homework", &always).await;
            assert_eq!(r.status.as_u16(), status);
        }
        // The start endpoint is not affected.
        assert_eq!(m.start("1001/homework", &always).await["code"], 0);
    }
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn rate_limited_answers_429_with_retry_after_twice() {
    let q = "client=rl&scenario=rate-limited&durationMs=1000";
    let m = started("1001/homework", q).await;
    for _ in 0..2 {
        let r = m.progress_reply("1001/homework", q).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.json()["code"], 429);
    }
    let r = m.progress_reply("1001/homework", q).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["result"]["total"], 49);
    assert_eq!(m.jobs("rl").await[0]["progressRequests"], 3);
}

/// A progress answer cut short: 200, said to be JSON, begun like one, and not JSON.
fn assert_cut_short(r: &Reply) {
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(serde_json::from_slice::<Value>(&r.body).is_err(), "{}", r.text());
    assert!(r.text().starts_with("{\"code\":0"), "{}", r.text());
}

#[tokio::test]
async fn malformed_json_always_and_once() {
    let q = "client=mj&scenario=malformed-json&durationMs=1000";
    let m = started("1001/homework", q).await;
    for _ in 0..3 {
        assert_cut_short(&m.progress_reply("1001/homework", q).await);
    }
    let q = "client=mo&scenario=malformed-once&durationMs=1000&scheme=B";
    m.start("1001/homework", q).await;
    assert_cut_short(&m.progress_reply("1001/homework", q).await);
    // The first well-formed answer is still convention B's made-up one.
    assert_eq!(nums(&m.progress("1001/homework", q).await), (0, 1));
    assert_eq!(nums(&m.progress("1001/homework", q).await).1, 48);
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn result_null_progress_still_ends_with_a_url() {
    let q = "client=rn&scenario=result-null&durationMs=100";
    let m = started("1001/homework", q).await;
    eventually(|| async {
        let p = m.progress("1001/homework", q).await;
        assert_eq!(p["code"], 0);
        assert!(p.as_object().unwrap().contains_key("result"));
        assert_eq!(p["result"], Value::Null);
        let url = m.start("1001/homework", q).await["result"]["url"].as_str().map(str::to_owned)?;
        assert_eq!(m.download_own(&url).await.status, StatusCode::OK);
        Some(())
    })
    .await;
}

#[tokio::test]
async fn string_numbers_come_as_json_strings() {
    let q = "client=sn&scenario=string-numbers&durationMs=50";
    let m = started("1001/homework", q).await;
    m.wait_for_state("sn", "ready").await;
    let p = m.progress("1001/homework", q).await;
    assert_eq!(p["code"], "0");
    assert_eq!(p["result"]["retCode"], "0");
    assert_eq!(p["result"]["loaded"], "49");
    assert_eq!(p["result"]["total"], "49");
    assert_eq!(p["result"]["extra"]["filename"], "K12作业统计-2024春季班.xlsx");
}

#[tokio::test]
async fn loaded_overshoots_total_at_the_end() {
    let q = "client=lo&scenario=loaded-over-total&durationMs=50";
    let m = started("1001/homework", q).await;
    m.wait_for_state("lo", "ready").await;
    assert_eq!(nums(&m.progress("1001/homework", q).await), (53, 49));
    assert!(m.start("1001/homework", q).await["result"]["url"].is_string());
}

#[tokio::test]
async fn url_never_completes_progress_but_never_gives_a_url() {
    let q = "client=un&scenario=url-never&durationMs=30";
    let m = started("1001/homework", q).await;
    m.wait_for_state("un", "finishing").await;
    for _ in 0..5 {
        assert_eq!(nums(&m.progress("1001/homework", q).await), (49, 49));
        assert_eq!(m.start("1001/homework", q).await["result"]["url"], Value::Null);
        sleep_ms(30).await;
    }
    let job = &m.jobs("un").await[0];
    assert_eq!(job["state"], "finishing");
    assert_eq!(m.jobs("un").await.len(), 1, "still the same job");
}

#[tokio::test]
async fn never_finishes_stalls_at_63_percent() {
    let q = "client=nf&scenario=never-finishes&durationMs=100";
    let m = started("1003/homework", q).await;
    m.wait_for_state("nf", "stalled").await;
    let (loaded, total) = nums(&m.progress("1003/homework", q).await);
    assert_eq!(total, 1201);
    assert_eq!(loaded, 756, "ceil(1200 × 63%)");
    sleep_ms(100).await;
    assert_eq!(nums(&m.progress("1003/homework", q).await), (756, 1201));
    assert_eq!(m.start("1003/homework", q).await["result"]["url"], Value::Null);
    assert_eq!(m.jobs("nf").await[0]["state"], "stalled");
}

#[tokio::test]
async fn javascript_url_is_handed_out_verbatim() {
    let q = "client=js&scenario=javascript-url&durationMs=10";
    let m = started("1001/homework", q).await;
    assert_eq!(m.wait_for_url("1001/homework", q).await, "javascript:alert(document.domain)");
}

#[tokio::test]
async fn link_scenarios_hand_out_a_path_a_link_to_another_origin_and_an_expired_one() {
    let other = format!("http://localhost:{}", HOST.rsplit_once(':').unwrap().1);
    let q = "client=rel&scenario=relative-url&durationMs=10";
    let m = started("1001/homework", q).await;
    let url = m.wait_for_url("1001/homework", q).await;
    assert!(url.starts_with("/files/"), "{url}");
    assert_eq!(m.get(&url).await.status, StatusCode::OK);

    // Another origin of this server (its other loopback name): the same file there.
    let q = "client=far&scenario=foreign-url&durationMs=10";
    m.start("1001/homework", q).await;
    let url = m.wait_for_url("1001/homework", q).await;
    let path = url.strip_prefix(&other).unwrap_or_else(|| panic!("not on {other}: {url}"));
    let file = m.get(path).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.header("content-disposition").unwrap().starts_with("attachment"));

    // An expired signed link there: 403 with an XML body, no attachment; recorded for its client.
    let q = "client=exp&scenario=expired-link&durationMs=10";
    m.start("1001/homework", q).await;
    let url = m.wait_for_url("1001/homework", q).await;
    let path = url.strip_prefix(&other).unwrap_or_else(|| panic!("not on {other}: {url}"));
    assert!(path.starts_with("/storage/") && path.contains("client=exp"), "{path}");
    let r = m.get(path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert!(r.header("content-disposition").is_none());
    assert!(r.text().contains("<Code>AccessDenied</Code>"), "{}", r.text());
    let log = m.get("/__mock/requests?client=exp").await.json();
    assert!(log["requests"].as_array().unwrap().iter().any(|r| r["path"].as_str().unwrap().starts_with("/storage/")));
}

#[tokio::test]
async fn hostile_filename_is_sent_as_is_in_json_and_sanitised_in_the_header() {
    let m = Mock::new();
    let q = "client=hf&scenario=hostile-filename&durationMs=10";
    let hostile = "../../<img src=x onerror=alert(1)>\u{0}报表.xlsx";
    assert_eq!(m.start("1001/homework", q).await["result"]["filename"], hostile);
    sleep_ms(100).await;
    let p = m.get("/j/org/1001/homework/export/process?client=hf").await;
    assert!(p.text().contains("\\u0000"), "NUL escaped in JSON: {}", p.text());
    assert_eq!(p.json()["result"]["extra"]["filename"], hostile);
    let r = m.file("1001/homework", q).await;
    assert_eq!(r.status, StatusCode::OK);
    let (kind, params) = parse_content_disposition(r.header("content-disposition").unwrap());
    assert_eq!(kind, "attachment");
    for name in [&params["filename"], &params["filename*"]] {
        assert!(!name.contains(['/', '\\', '\0', '"']), "{name:?}");
        assert!(!name.starts_with('.'), "{name:?}");
    }
    assert!(params["filename*"].ends_with("报表.xlsx"), "{:?}", params["filename*"]);
    assert!(params["filename"].is_ascii());
}

#[tokio::test]
async fn slow_start_delays_the_creating_call_only() {
    let m = Mock::new();
    let q = "client=ss&scenario=slow-start&startDelayMs=500&durationMs=2000";
    let t = Instant::now();
    let s = m.start("1001/homework", q).await;
    assert!(t.elapsed() >= Duration::from_millis(500), "{:?}", t.elapsed());
    assert_eq!(s["code"], 0);
    let t = Instant::now();
    m.start("1001/homework", q).await;
    assert!(t.elapsed() < Duration::from_millis(350), "{:?}", t.elapsed());
    // The request is recorded with its arrival time.
    let reqs = m.requests("ss").await;
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1]["t"].as_u64().unwrap() >= reqs[0]["t"].as_u64().unwrap() + 490);
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn flaky_fails_as_its_seed_predicts() {
    let q = "client=fl&scenario=flaky&seed=7&durationMs=3000";
    let m = started("1001/homework", q).await;
    let mut faults = 0;
    for i in 0..30 {
        let req = Request::get(format!("/j/org/1001/homework/export/process?{q}")).body(Body::empty()).unwrap();
        let got = m.send_raw(req).await;
        match flaky_fault(7, i) {
            None => assert_eq!(got.unwrap().json()["code"], 0, "request {i}"),
            Some(FlakyFault::BadGateway) => {
                faults += 1;
                assert_eq!(got.unwrap().status, StatusCode::BAD_GATEWAY, "request {i}");
            }
            Some(FlakyFault::Reset) => {
                faults += 1;
                let (status, error) = got.err().unwrap_or_else(|| panic!("request {i} should break off"));
                assert_eq!(status, StatusCode::OK);
                assert!(error.contains("reset"), "{error}");
            }
        }
    }
    assert!((3..=18).contains(&faults), "{faults} of 30");
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
}

#[tokio::test]
async fn code_error_start_fails_at_once_without_a_job() {
    let m = Mock::new();
    let s = m.start("1001/homework", "client=ce&scenario=code-error-start").await;
    assert_eq!(s["code"], -1);
    assert_eq!(s["message"], "导出失败：没有导出权限");
    assert_eq!(s["result"], Value::Null);
    assert!(m.jobs("ce").await.is_empty());
    assert_ne!(m.progress("1001/homework", "client=ce").await["code"], 0);
}

// ---------------------------------------------------------------------------------------------
// CORS, recording, bad input, static files

#[tokio::test]
async fn cors_preflight_for_loopback_origins_only() {
    let m = Mock::new();
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/j/org/1001/homework/export/process")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "x-client-id,access-token,content-type")
            .body(Body::empty())
            .unwrap()
    };
    for origin in ["http://127.0.0.1:5173", "http://localhost:38211", "http://[::1]:8000"] {
        let r = m.send(preflight(origin)).await;
        assert!(r.status.is_success(), "{origin}: {}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        let allowed = r.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
        for h in ["x-client-id", "access-token", "content-type"] {
            assert!(allowed.contains(h), "{allowed}");
        }
        assert!(r.header("access-control-allow-methods").unwrap().contains("GET"));
    }
    for origin in ["http://evil.example", "http://127.0.0.1.evil.example:80", "null"] {
        let r = m.send(preflight(origin)).await;
        assert_eq!(r.header("access-control-allow-origin"), None, "{origin}");
    }
    let simple =
        |origin: &str| Request::get("/j/org/terms").header(header::ORIGIN, origin).body(Body::empty()).unwrap();
    let r = m.send(simple("http://localhost:5173")).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:5173"));
    let exposed = r.header("access-control-expose-headers").unwrap().to_ascii_lowercase();
    assert!(exposed.contains("retry-after") && exposed.contains("content-disposition"), "{exposed}");
    let r = m.send(simple("https://evil.example")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("access-control-expose-headers"), None);
}

#[tokio::test]
async fn requests_are_recorded_per_client_with_time_and_job() {
    let m = started("1001/homework", "client=rec1&durationMs=1000").await;
    m.progress("1001/homework", "client=rec1").await;
    m.progress("1001/homework", "client=rec2").await;
    let r = m
        .send(
            Request::get("/j/org/1001/homework/export/process")
                .header("x-client-id", "rec1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["code"], 0, "the X-Client-Id header names the client");
    m.get("/j/org/9999/homework/export?client=rec1").await;
    let reqs = m.requests("rec1").await;
    assert_eq!(reqs.len(), 4);
    let job = m.jobs("rec1").await[0]["id"].clone();
    assert_eq!(reqs[0]["method"], "GET");
    assert_eq!(reqs[0]["path"], "/j/org/1001/homework/export");
    assert_eq!(reqs[0]["query"], "client=rec1&durationMs=1000");
    assert_eq!(reqs[0]["job"], job);
    assert_eq!(reqs[1]["path"], "/j/org/1001/homework/export/process");
    assert_eq!(reqs[1]["job"], job);
    assert_eq!(reqs[2]["query"], "");
    assert_eq!(reqs[3]["job"], Value::Null);
    assert_eq!(reqs[3]["status"], 404);
    assert!(reqs.windows(2).all(|w| w[0]["t"].as_u64() <= w[1]["t"].as_u64()));
    let other = m.requests("rec2").await;
    assert_eq!(other.len(), 1);
    assert_eq!(other[0]["job"], Value::Null);
    // Control routes are not recorded; all clients without a filter.
    assert_eq!(m.get("/__mock/requests").await.json()["requests"].as_array().unwrap().len(), 5);
    let jobs = m.jobs("rec1").await;
    assert_eq!(jobs[0]["requests"], 3);
    assert_eq!(jobs[0]["progressRequests"], 2);
    assert_eq!(jobs[0]["term"], 1001);
    assert_eq!(jobs[0]["kind"], "homework");
    assert_eq!(jobs[0]["scheme"], "A");
    assert!(jobs[0]["created"].is_u64() && jobs[0]["finished"].is_null());

    // Reset one client, then all.
    let r = m.send(Request::post("/__mock/reset?client=rec2").body(Body::empty()).unwrap()).await;
    assert_eq!(r.json()["ok"], true);
    assert!(m.requests("rec2").await.is_empty());
    assert_eq!(m.requests("rec1").await.len(), 4);
    m.send(Request::post("/__mock/reset").body(Body::empty()).unwrap()).await;
    assert!(m.requests("rec1").await.is_empty());
    assert!(m.jobs("rec1").await.is_empty());
    assert_ne!(m.progress("1001/homework", "client=rec1").await["code"], 0, "the job is gone");
}

#[tokio::test]
async fn the_recording_is_bounded() {
    let m = Mock::with(|c| c.max_recorded_requests = 5);
    for i in 0..8 {
        m.get(&format!("/j/org/terms?client=bound&i={i}")).await;
    }
    let reqs = m.requests("bound").await;
    assert_eq!(reqs.len(), 5);
    assert_eq!(reqs[0]["query"], "client=bound&i=3");
}

#[tokio::test]
async fn bad_input_gets_json_errors_with_the_right_status() {
    let m = Mock::new();
    let long = format!("/j/org/1001/homework/export?client=x&pad={}", "a".repeat(5000));
    let cases: Vec<(Method, String, u16, &str)> = vec![
        (Method::GET, "/j/org/9999/homework/export".into(), 404, "9999"),
        (Method::GET, "/j/org/9999/homework/export/process".into(), 404, "9999"),
        (Method::GET, "/j/org/abc/homework/export".into(), 400, "termId"),
        (Method::GET, "/j/org/-1/homework/export".into(), 400, "termId"),
        (Method::GET, "/j/org/0/test/export".into(), 400, "termId"),
        (Method::GET, "/j/org/99999999999999999999/test/export".into(), 400, "termId"),
        (Method::GET, "/j/org/1001/grades/export".into(), 404, "kind"),
        (Method::GET, "/j/org/1001/homework/export?scenario=explode".into(), 400, "http500-once"),
        (Method::GET, "/j/org/1001/homework/export/process?scenario=explode".into(), 400, "valid scenarios"),
        (Method::GET, "/j/org/1001/homework/export?scheme=C".into(), 400, "scheme"),
        (Method::GET, "/j/org/1001/homework/export?format=pdf".into(), 400, "format"),
        (Method::GET, "/j/org/1001/homework/export?durationMs=soon".into(), 400, "durationMs"),
        (Method::GET, "/j/org/1001/homework/export?failAt=101".into(), 400, "failAt"),
        (Method::GET, "/j/org/1001/homework/export?urlDelayMs=-5".into(), 400, "urlDelayMs"),
        (Method::GET, "/j/org/1001/homework/export?client=%3Cscript%3E".into(), 400, "client"),
        (Method::GET, "/j/org/1001/homework/export?client=%FF".into(), 400, ""),
        (Method::POST, "/j/org/1001/homework/export".into(), 405, "method"),
        (Method::DELETE, "/j/org/terms".into(), 405, "method"),
        (Method::GET, "/__mock/reset".into(), 405, "method"),
        (Method::GET, "/j/org/1001/nothing/here/at/all".into(), 404, "no route"),
        (Method::GET, "/__mock/nothing".into(), 404, "no route"),
        (Method::GET, long, 414, "too long"),
    ];
    for (method, uri, status, needle) in cases {
        let r = m.send(Request::builder().method(method.clone()).uri(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status.as_u16(), status, "{method} {uri:.80}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"), "{method} {uri:.80}");
        let v = r.json();
        assert_eq!(v["code"], status, "{uri:.80}");
        let message = v["message"].as_str().unwrap();
        assert!(message.contains(needle), "{uri:.80}: {message}");
    }
    let v = m.get("/j/org/1001/homework/export?scenario=nope").await.json();
    assert_eq!(v["valid"].as_array().unwrap().len(), SCENARIOS.len());
    assert!(m.jobs("anon").await.is_empty(), "bad requests create no job");
}

#[tokio::test]
async fn the_demo_is_served_from_dist_with_a_hint_when_missing() {
    let m = Mock::new();
    let r = m.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("not built"), "{}", r.text());

    let m = Mock::new();
    let dist = m.dir.path().join("dist");
    std::fs::create_dir_all(dist.join("examples/plain")).unwrap();
    std::fs::write(dist.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(dist.join("examples/plain/index.html"), "<h1>plain page</h1>").unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    assert_eq!(m.get("/").await.text(), "<h1>demo</h1>");
    assert_eq!(m.get("/examples/plain/").await.text(), "<h1>plain page</h1>");
    assert_eq!(m.get("/examples/plain/index.html").await.text(), "<h1>plain page</h1>");
    let js = m.get("/app.js").await;
    assert!(js.header("content-type").unwrap().contains("javascript"));
    assert_eq!(m.get("/missing.html").await.status, StatusCode::NOT_FOUND);
}
