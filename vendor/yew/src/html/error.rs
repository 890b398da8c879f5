use thiserror::Error;

#[cfg(not(feature = "no_suspense"))]
use crate::suspense::Suspension;

/// Render Error.
#[derive(Error, Debug, Clone, PartialEq)]
pub enum RenderError {
    /// Component Rendering Suspended
    #[cfg(not(feature = "no_suspense"))]
    #[error("component rendering is suspended.")]
    Suspended(#[from] Suspension),
}

/// Render Result.
pub type RenderResult<T> = std::result::Result<T, RenderError>;
