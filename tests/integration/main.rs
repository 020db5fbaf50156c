//! End-to-end tests: one test binary, a module per subject.

mod cases;
mod cli;
mod corpus;
mod diff;
mod fixtures;
mod robustness;
mod scan;
