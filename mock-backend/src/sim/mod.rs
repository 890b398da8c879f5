//! The simulation vocabulary every backend of the mock speaks: [`scenario`]s and the [`knobs`] that
//! pick them, a job's [`timeline`], the [`job`] header and store, the [`wire`] faults, the file
//! [`writer`], and [`clock`] times as the backends write them. A backend module holds only its
//! routes and wire glue on top of these.

pub mod clock;
pub mod job;
pub mod knobs;
pub mod scenario;
pub mod timeline;
pub mod wire;
pub mod writer;
