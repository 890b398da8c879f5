//! The built demo (`--dist`), served on the same origin as the API, and the JSON 404 of the API.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
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
    match ServeDir::new(dist).oneshot(request).await {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => {
            (StatusCode::NOT_FOUND, Html("<!doctype html><title>404</title><p>Not found.</p>\n")).into_response()
        }
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}
