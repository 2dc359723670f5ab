//! Benchmarks of pygolang-rs against its peers; see `benches/peers.rs`.
//!
//! Run: `cargo bench -p golang-bench` (criterion prints one group per
//! workload, one function id per system). The workloads are those of
//! `WORKLOADS.md` (a to g2); peers are dev-dependencies of this crate only.
