//! casesync-server: the process.
//!
//! HTTP routes (batch sync, cases API), authentication of devices, background workers and
//! configuration around the sync engine ([`casesync_sync`]) and the database
//! ([`casesync_schema`]). Requests come from field devices and coordinators; documents go to
//! SQLite or PostgreSQL, and changes out to devices.

pub mod audit;
pub mod auth;
pub mod blobs;
pub mod body;
pub mod bridge;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod fail_point;
pub mod federation;
pub mod feed;
pub mod limits;
pub mod observe;
pub mod pipeline;
pub mod request_guard;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod web;
pub mod ws;

pub use config::Config;
pub use startup::Application;
