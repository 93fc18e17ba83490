//! Ledgers (台账): the tasks of one document, meeting or list are kept under one.
//!
//! The port [`LedgerStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Ledger, NewLedger, Result};
use async_trait::async_trait;
use duban_domain::ids::LedgerId;
use jiff::Timestamp;

/// Ledgers (台账).
#[async_trait]
pub trait LedgerStore: Send + Sync {
    async fn create_ledger(&self, l: &NewLedger, at: Timestamp) -> Result<Ledger>;
    async fn get_ledger(&self, id: LedgerId) -> Result<Ledger>;
    async fn list_ledgers(&self) -> Result<Vec<Ledger>>;
}
