//! Finished export files: random tokens, expiry, and `GET /files/{token}`.
//!
//! A download path never comes from the request: the token is only a key into the file store, which
//! holds the real path chosen by the server. Anything that is not a known token (`..`, encoded
//! slashes, absolute paths, backslashes) is a 404 before the disk is touched.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::ApiError;
use crate::record::Touched;
use crate::{lock, AppState};

/// Length of a download token: 32 lowercase hex digits (128 bits).
pub const TOKEN_LEN: usize = 32;

/// A new random download token.
///
/// Each call builds a fresh `RandomState`, whose SipHash keys come from the operating system's
/// randomness; hashing a counter under those secret keys gives values nobody can predict, without
/// another dependency. Good enough for a local mock, not a substitute for a CSPRNG.
pub fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let keys = RandomState::new();
    let a = keys.hash_one((n, nanos, 0u8));
    let b = keys.hash_one((n, nanos, 1u8));
    format!("{a:016x}{b:016x}")
}

/// Whether `s` has the shape of a token. Only a shape check: the token must also be in the store.
pub fn is_token(s: &str) -> bool {
    s.len() == TOKEN_LEN && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A finished file.
#[derive(Clone, Debug)]
pub(crate) struct StoredFile {
    pub path: PathBuf,
    pub filename: String,
    pub mime: &'static str,
    pub expires_ms: u64,
    pub client: String,
    pub job: u64,
    /// Expired and removed from disk; kept so that its token answers 410 rather than 404.
    pub deleted: bool,
}

/// Every file the server has written, by token, oldest first. Bounded: past `max` entries the
/// oldest is forgotten (and its file removed).
#[derive(Debug)]
pub(crate) struct FileStore {
    by_token: HashMap<String, StoredFile>,
    order: VecDeque<String>,
    max: usize,
}

impl FileStore {
    pub fn new(max: usize) -> FileStore {
        FileStore { by_token: HashMap::new(), order: VecDeque::new(), max: max.max(1) }
    }

    /// Adds a file; returns the paths of files pushed out, for the caller to remove.
    pub fn insert(&mut self, token: String, file: StoredFile) -> Vec<PathBuf> {
        let mut evicted = Vec::new();
        while self.order.len() >= self.max {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(f) = self.by_token.remove(&old) {
                if !f.deleted {
                    evicted.push(f.path);
                }
            }
        }
        self.order.push_back(token.clone());
        self.by_token.insert(token, file);
        evicted
    }

    /// Forgets one file; returns its path if it is still on disk.
    pub fn forget(&mut self, token: &str) -> Option<PathBuf> {
        self.order.retain(|t| t != token);
        self.by_token.remove(token).filter(|f| !f.deleted).map(|f| f.path)
    }

    /// Marks every file expired at `now_ms` as deleted; returns their paths to remove.
    pub fn expire(&mut self, now_ms: u64) -> Vec<PathBuf> {
        self.by_token
            .values_mut()
            .filter(|f| !f.deleted && now_ms >= f.expires_ms)
            .map(|f| {
                f.deleted = true;
                f.path.clone()
            })
            .collect()
    }

    /// Forgets every file; returns the paths still on disk.
    pub fn drain(&mut self) -> Vec<PathBuf> {
        self.order.clear();
        self.by_token.drain().filter(|(_, f)| !f.deleted).map(|(_, f)| f.path).collect()
    }
}

/// Removes files, logging (not failing on) errors: a file already gone is fine.
pub(crate) fn remove_files(paths: Vec<PathBuf>) {
    for path in paths {
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::debug!(path = %path.display(), "removed export file"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not remove export file"),
        }
    }
}

/// The file name offered for download: the export's name without control characters or path
/// separators, so that no client can be talked into writing outside its download folder.
pub fn download_filename(name: &str) -> String {
    let cleaned: String =
        name.chars().filter(|c| !c.is_control()).map(|c| if c == '/' || c == '\\' { '_' } else { c }).collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() {
        "export".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// The plain-ASCII `filename=` of Content-Disposition: printable ASCII kept, every run of anything
/// else (non-ASCII, quotes, backslashes, `%`) turned into one `_`.
pub fn ascii_fallback(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let keep = (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | '/')) || c == ' ';
        if keep {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// Percent-encodes UTF-8 for an RFC 8187 `ext-value`: everything but `attr-char` is `%XX`.
pub fn percent_encode_attr(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(b, b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        if attr_char {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266).
pub fn content_disposition(name: &str) -> String {
    let name = download_filename(name);
    format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii_fallback(&name), percent_encode_attr(&name))
}

/// `GET /files/{token}`, and `GET /storage/…` (the expired signed links of `expired-link`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/files/{token}", get(download))
        .route("/storage/{*path}", get(|| async { crate::sim::wire::expired_storage() }))
}

async fn download(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = token else { return Err(ApiError::NotFound("no such file".to_owned())) };
    serve(&state, &token, request).await
}

/// Registers a finished file under a new token; returns the token. The file expires after
/// [`Config::expire_after`](crate::Config::expire_after).
pub(crate) fn register(
    state: &AppState,
    path: PathBuf,
    filename: &str,
    mime: &'static str,
    client: &str,
    job: u64,
) -> String {
    let token = new_token();
    register_as(state, &token, path, filename, mime, client, job);
    token
}

/// Registers a finished file under `token` (made with [`new_token`]), as [`register`] does.
pub(crate) fn register_as(
    state: &AppState,
    token: &str,
    path: PathBuf,
    filename: &str,
    mime: &'static str,
    client: &str,
    job: u64,
) {
    let now = state.now_ms();
    let file = StoredFile {
        path,
        filename: filename.to_owned(),
        mime,
        expires_ms: now.saturating_add(state.config().expire_after.as_millis().try_into().unwrap_or(u64::MAX)),
        client: client.to_owned(),
        job,
        deleted: false,
    };
    let evicted = lock(state.files()).insert(token.to_owned(), file);
    remove_files(evicted);
}

/// Serves the file of `token` as an attachment: 404 for an unknown token, 410 once expired.
pub(crate) async fn serve(state: &AppState, token: &str, request: Request) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("no such file".to_owned());
    if !is_token(token) {
        return Err(not_found());
    }
    let now = state.now_ms();
    let (file, expired_path) = {
        let mut files = lock(state.files());
        let Some(file) = files.by_token.get_mut(token) else { return Err(not_found()) };
        let expired_path = if !file.deleted && now >= file.expires_ms {
            file.deleted = true;
            Some(file.path.clone())
        } else {
            None
        };
        (file.clone(), expired_path)
    };
    state.touch_job(file.job);
    let touched = Touched { job: Some(file.job), client: Some(file.client.clone()) };
    if file.deleted {
        if let Some(path) = expired_path {
            let _ = tokio::task::spawn_blocking(move || remove_files(vec![path])).await;
        }
        let mut response = ApiError::Gone("the file has expired; export again".to_owned()).into_response();
        response.extensions_mut().insert(touched);
        return Ok(response);
    }
    let served = ServeFile::new(&file.path).oneshot(request).await;
    let mut response = match served {
        Ok(r) if r.status() == StatusCode::NOT_FOUND => {
            tracing::warn!(path = %file.path.display(), "export file missing on disk");
            ApiError::Gone("the file is no longer available; export again".to_owned()).into_response()
        }
        Ok(r) => {
            let mut r = r.into_response();
            let headers = r.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.mime));
            match HeaderValue::from_str(&content_disposition(&file.filename)) {
                Ok(v) => {
                    headers.insert(header::CONTENT_DISPOSITION, v);
                }
                Err(e) => return Err(ApiError::Internal(format!("content-disposition: {e}"))),
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            r
        }
        Err(never) => match never {},
    };
    response.extensions_mut().insert(touched);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_well_formed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(is_token(&a) && is_token(&b), "{a} {b}");
        for bad in ["", "..", "../etc/passwd", &a.to_uppercase(), &a[1..], "/tmp/x", "a\\b"] {
            assert!(!is_token(bad), "{bad}");
        }
    }

    #[test]
    fn ascii_fallback_collapses_what_ascii_cannot_say() {
        assert_eq!(ascii_fallback("K12作业统计-2024春季班.xlsx"), "K12_-2024_.xlsx");
        assert_eq!(ascii_fallback("a\"b\\c%d.csv"), "a_b_c_d.csv");
    }

    #[test]
    fn hostile_names_lose_separators_and_controls() {
        let name = "../../<img src=x onerror=alert(1)>\u{0}报表.xlsx";
        let safe = download_filename(name);
        assert!(!safe.contains(['/', '\\', '\0']), "{safe}");
        assert!(safe.ends_with("报表.xlsx"));
        let cd = content_disposition(name);
        assert!(HeaderValue::from_str(&cd).is_ok(), "{cd}");
        assert_eq!(download_filename("\u{0}.."), "export");
    }

    #[test]
    fn attr_encoding_matches_rfc_8187() {
        assert_eq!(percent_encode_attr("€ rates"), "%E2%82%AC%20rates");
        assert_eq!(percent_encode_attr("a-b_c.d~"), "a-b_c.d~");
    }
}
