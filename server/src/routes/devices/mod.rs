//! Device administration for org admins and coordinators.

pub mod list;
pub mod revoke;
pub mod wipe;
