//! Exchange bundles between offices (issue 5). Being written.
