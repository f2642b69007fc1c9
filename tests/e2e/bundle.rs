//! End-to-end tests for `bundle` (being written).
