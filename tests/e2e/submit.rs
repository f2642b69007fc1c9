//! End-to-end tests for `submit` (being written).
