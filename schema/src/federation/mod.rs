//! Federation between casesync servers: the outbox of messages for peers, what each peer
//! holds, the views peers sent here and their people's names (docs/cross-border.md).

pub mod heads;
pub mod outbox;
pub mod people;
pub mod views;
