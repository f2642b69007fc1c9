//! End-to-end tests for `export` (being written).
