//! Access control and data protection in the database: case assignments and shares, legal
//! holds, retention classes, enrolment codes, device revocation and remote wipe, erasure of a
//! case's rows, and the hash-chained audit trail.

pub mod assignments;
pub mod audit;
pub mod audit_key;
pub mod audit_verify;
pub mod devices;
pub mod enrolment;
pub mod erasure;
pub mod holds;
pub mod members;
pub mod retention;
pub mod scope;
pub mod share_versions;
pub mod shares;
