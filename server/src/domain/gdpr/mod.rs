//! The rights of the child under GDPR as things the system does (DOMAIN.md, "Data
//! protection"): subject access export, erasure unless a legal hold applies, retention
//! classes with an expiry job. Shares and referrals carry their legal basis and data
//! categories (see `domain::access::shares` and the audit of referrals).

pub mod erase;
pub mod export;
pub mod export_html;
pub mod holds;
pub mod ledger;
pub mod retention;
