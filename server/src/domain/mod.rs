//! The server's domain logic, between the routes and the engine/database.

pub mod batch;
pub mod cases;
pub mod scope;
pub mod summary;
