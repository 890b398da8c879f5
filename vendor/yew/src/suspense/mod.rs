//! This module provides suspense support.

#[cfg(not(feature = "no_suspense"))]
mod component;
mod hooks;
mod suspension;

#[cfg(any(feature = "csr", feature = "ssr"))]
#[cfg(not(feature = "no_suspense"))]
pub(crate) use component::BaseSuspense;
#[cfg(not(feature = "no_suspense"))]
pub use component::{Suspense, SuspenseProps};
pub use hooks::*;
pub use suspension::{Suspension, SuspensionHandle, SuspensionResult};
