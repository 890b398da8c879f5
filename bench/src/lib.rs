//! Benchmarks of the async export button. `poll-efficiency` runs the real protocol machine against
//! a simulated K12 server in simulated time; the browser benchmarks live in `bench/*.mjs`.
