//! The one error type of the server: every failure answers `{code, message}` JSON with the right
//! HTTP status, and internal details go to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a parameter is missing, malformed or out of range.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 400: `?scenario=` names no scenario this backend supports; the answer lists the valid ones.
    #[error("unknown scenario {name:?}")]
    BadScenario {
        /// The name given.
        name: String,
        /// The backend's scenarios.
        valid: Vec<&'static str>,
    },
    /// 404: no such term, route or file.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: the route exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 410: the file existed but has expired.
    #[error("gone: {0}")]
    Gone(String),
    /// 414: the query string is over the limit.
    #[error("query string too long")]
    UriTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A backend's own refusal (its 4xx, in its own format), made by the backend: sent as it is.
    #[error("refused by the backend")]
    Refused(Box<Response>),
    /// 500: something broke inside; the detail is logged, not sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadScenario { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::Refused(answer) => answer.status(),
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Refused(answer) = self {
            return *answer;
        }
        let status = self.status();
        let code = i64::from(status.as_u16());
        let body = match &self {
            ApiError::BadRequest(m) | ApiError::NotFound(m) | ApiError::Gone(m) => json!({"code": code, "message": m}),
            ApiError::BadScenario { name, valid } => json!({
                "code": code,
                "message": format!("unknown scenario {name:?}; valid scenarios: {}", valid.join(", ")),
                "valid": valid,
            }),
            ApiError::MethodNotAllowed => json!({"code": code, "message": "method not allowed"}),
            ApiError::UriTooLong { limit } => {
                json!({"code": code, "message": format!("query string too long (limit {limit} bytes)")})
            }
            ApiError::Refused(_) => json!({}),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                json!({"code": code, "message": "internal server error"})
            }
        };
        (status, Json(body)).into_response()
    }
}
