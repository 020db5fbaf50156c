//! End-to-end tests: one test binary, a module per subject.

mod corpus;
mod fixtures;
