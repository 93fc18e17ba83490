//! The storage behaviour suite on PostgreSQL: a fresh database per test under `DUBAN_TEST_PG_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test
duban_store_tests::behaviour_suite!(duban_store_tests::postgres);
