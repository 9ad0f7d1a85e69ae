//! Enrolment: one-time codes made by a person, exchanged by a phone for a device token.

pub mod create_code;
pub mod redeem;
