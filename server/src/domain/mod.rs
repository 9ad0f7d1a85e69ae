//! The server's domain logic, between the routes and the engine/database.

pub mod access;
pub mod alert_access;
pub mod alerts;
pub mod audit;
pub mod audit_view;
pub mod audit_writes;
pub mod batch;
pub mod caseload;
pub mod cases;
pub mod enrolment;
pub mod enrolment_qr;
pub mod error;
pub mod exercises;
pub mod gdpr;
pub mod periodic;
pub mod projections;
pub mod record_logs;
pub mod scope;
pub mod server_write;
pub mod shared_views;
pub mod summary;
pub mod sync_access;
