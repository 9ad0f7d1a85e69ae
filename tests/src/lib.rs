//! casesync-tests: the helpers of the end-to-end tests. A [`server::TestServer`] runs the
//! real application on 127.0.0.1:0 against a fresh SQLite or PostgreSQL database
//! ([`db::TestDb`]); [`device::Device`] is a reference field-app client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod db;
pub mod device;
pub mod fixtures;
pub mod js;
pub mod live;
pub mod logs;
pub mod process;
pub mod server;
