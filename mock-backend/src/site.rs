//! The built demo (`--dist`), served on the same origin as the API, and the JSON 404 of the API.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::ApiError;
use crate::AppState;

/// The page `/` shows when the demo has not been built.
const NOT_BUILT: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mock-backend</title></head>\n\
<body>\n<h1>The demo is not built</h1>\n<p>The mock backend is running, but it found no <code>index.html</code> in its \
<code>--dist</code> directory. Build the demo into <code>dist/</code> (or pass <code>--dist DIR</code>) and reload.</p>\n\
<p>The API works regardless: try <a href=\"/j/org/terms\">/j/org/terms</a> or \
<a href=\"/__mock/scenarios\">/__mock/scenarios</a>.</p>\n</body></html>\n";

fn is_api(path: &str) -> bool {
    crate::is_api_path(path) || path.starts_with("/__mock/") || path == "/__mock"
}

/// Everything no route matched: a JSON 404 under the API prefixes, else a file of the demo.
pub(crate) async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if is_api(path) {
        return ApiError::NotFound(format!("no route for {path}")).into_response();
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return ApiError::MethodNotAllowed.into_response();
    }
    let dist = &state.config().dist_dir;
    if path == "/" && !dist.join("index.html").is_file() {
        return Html(NOT_BUILT).into_response();
    }
    let cache = if is_content_hashed(path) { IMMUTABLE } else { REVALIDATE };
    // The build writes a .br and a .gz beside every text and wasm file; ServeDir picks the one the
    // client accepts.
    match ServeDir::new(dist).precompressed_br().precompressed_gzip().oneshot(request).await {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => {
            (StatusCode::NOT_FOUND, Html("<!doctype html><title>404</title><p>Not found.</p>\n")).into_response()
        }
        Ok(response) => {
            let mut response = response.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            response
        }
        Err(never) => match never {},
    }
}

/// Files whose name carries a hash of their content never change: cached for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Every other file (pages, the loader at its stable address): revalidated on each use.
const REVALIDATE: &str = "no-cache";

/// Whether the file's name ends in `-` and 16 hex digits before its extension (and an optional
/// `_bg`), as the demo's build names its scripts, styles and wasm.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_cached_for_good() {
        assert!(is_content_hashed("/demo-3f2a9c1b7d4e5f60.js"));
        assert!(is_content_hashed("/demo-3f2a9c1b7d4e5f60_bg.wasm"));
        assert!(is_content_hashed("/demo-00112233aabbccdd.css"));
        assert!(!is_content_hashed("/embed/k12-export.js"));
        assert!(!is_content_hashed("/embed/runtime_k12_bg.wasm"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/x-3f2a9c1b7d4e5f6.js"), "15 digits");
        assert!(!is_content_hashed("/x-3f2a9c1b7d4e5g60.js"), "not hex");
    }
}
