//! Views derived from a case document: pure functions the server, the device SDK and the
//! coordinator pages share.

pub mod conflicts;
pub mod episode;
pub mod flow;
pub mod found;
pub mod missing_pack;
pub mod provenance;
pub mod timeline;

pub use conflicts::{profile_conflicts, ConflictingValue, FieldConflict};
pub use episode::{child_status, episode_view, ChildStatus, EpisodeView};
pub use missing_pack::{
    alert_pack, missing_pack, missing_pack_in, ItemStatus, MissingPack, PackItem, PackItemKind,
};
pub use provenance::{NoReceipts, Receipt, Receipts};
pub use timeline::{timeline, EntryKind, TimelineEntry};
