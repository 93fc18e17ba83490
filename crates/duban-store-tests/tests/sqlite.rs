//! The storage behaviour suite on SQLite: a fresh file per test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test
duban_store_tests::behaviour_suite!(duban_store_tests::sqlite);
