//! End-to-end tests: the real server on 127.0.0.1:0, SQLite and PostgreSQL, devices syncing
//! through `POST /v1/sync`. One binary for every scenario (compiles once, shares helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_devices;
mod access_scope;
mod alerts;
mod audit_fanout;
mod audit_integrity;
mod audit_reads;
mod audit_trail;
mod authz_live;
mod authz_matrix;
mod authz_org;
mod authz_probes;
mod authz_world;
mod bad_input;
mod batch_sync;
mod blobs;
mod cases_api;
mod crash_recovery;
mod demo;
mod gdpr_erasure;
mod limits;
mod live;
mod live_js;
mod missing_pack;
mod outbox;
mod pages;
mod reference_docs;
mod refusals;
mod security;
mod tls;
