//! Attachments: upload, dedupe and refusals, resumable uploads after a cut, downloads only
//! for readers of a referencing case (ranges, previews), encryption at rest, removal of
//! unreferenced blobs and key rotation. Each test runs on the local folder and on S3
//! (s3s-fs), on SQLite and on PostgreSQL.

mod download;
mod lifecycle;
mod resumable;
mod rotation;
pub(crate) mod samples;
mod support;
mod upload;
