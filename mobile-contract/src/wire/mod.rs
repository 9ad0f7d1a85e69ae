//! Wire types of the HTTP APIs. The WebSocket speaks automerge-repo's own protocol (see the
//! sync crate).

pub mod access;
pub mod batch;
pub mod blobs;
pub mod bytes;
pub mod cases;

pub use access::*;
pub use batch::*;
pub use blobs::*;
pub use cases::*;
