//! Attachments in the database: which blobs are stored (with their wrapped data keys), which
//! cases reference them, and the progress of resumable uploads. The bytes themselves live
//! in object storage (see the server's `blobs` module).

pub mod references;
pub mod stored;
pub mod uploads;

pub use stored::{BlobRow, Recorded};
pub use uploads::{Appended, PartRow, UploadRow};
