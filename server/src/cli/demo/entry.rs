//! When something in a story happened, and when the phone that recorded it synced.

/// When something happened, when the phone synced it, where, and what was written.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'t> {
    pub at: i64,
    pub synced: i64,
    pub place: Option<&'t str>,
    pub text: &'t str,
}

impl<'t> Entry<'t> {
    /// Written at `at` by a phone with a link: synced a minute later.
    pub fn at(at: i64, text: &'t str) -> Self {
        Self {
            at,
            synced: at + 60_000,
            place: None,
            text,
        }
    }

    /// The phone was offline and synced at `synced`.
    pub fn synced(mut self, synced: i64) -> Self {
        self.synced = synced;
        self
    }

    pub fn place(mut self, place: &'t str) -> Self {
        self.place = Some(place);
        self
    }
}
