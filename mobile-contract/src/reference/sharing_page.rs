//! The sections of `docs/case-document.md` about shares: the data categories (from
//! `sharing::CATEGORY_TABLE`) and the shared view document (from its schema).

use serde_json::Value;

use super::shape_tables::{entry_tables, key_table};
use crate::sharing::{AttachmentCover, CategoryCover, CATEGORY_TABLE, HEADER_FIELDS};

/// The shared view's entry types in the order the page presents them.
pub const VIEW_ENTRY_ORDER: &[&str] = &[
    "SharedCase",
    "SharedObservation",
    "SharedEpisode",
    "SharedEpisodeEvent",
    "SharedFact",
    "SharedRiskAssessment",
    "SharedAttachment",
    "SharedChecklist",
    "SharedChecklistStep",
    "SharedLegalBasis",
    "SharedReferral",
    "SharedRecord",
    "Contribution",
];

fn list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a category covers, in a table cell.
fn covers(c: &CategoryCover) -> String {
    let mut parts = vec![];
    let mut named = |what: &str, words: &[&str]| {
        if !words.is_empty() {
            parts.push(format!("{what}: {}", list(words)));
        }
    };
    named("profile", c.profile);
    named("logs", c.logs);
    named("observations", c.observation_kinds);
    named("episode details", c.episode_details);
    named("risk indicators", c.risk_indicators);
    match c.attachments {
        AttachmentCover::None => {}
        AttachmentCover::Images => parts.push("attachments: images".into()),
        AttachmentCover::Documents => parts.push("attachments: documents".into()),
    }
    if parts.is_empty() {
        return "nothing in shape v1".into();
    }
    parts.join("; ")
}

pub fn categories_section() -> String {
    let mut out = String::from(CATEGORIES);
    out.push_str("\n| category | special | covers | what |\n|---|---|---|---|\n");
    for c in CATEGORY_TABLE {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.category,
            if c.special { "yes" } else { "–" },
            covers(c),
            c.description
        ));
    }
    out.push_str(&format!(
        "\n{}",
        CATEGORY_RULES.replace("{HEADER}", &list(HEADER_FIELDS))
    ));
    out
}

pub fn view_section(view_schema: &Value) -> String {
    let mut out = String::from(VIEW);
    out.push_str("\n### Keys at the root of a shared view\n\n");
    out.push_str(&key_table(view_schema));
    out.push('\n');
    out.push_str(&entry_tables(view_schema, VIEW_ENTRY_ORDER));
    out
}

const CATEGORIES: &str = "## Data categories of a share

A coordinator shares a case with a partner organisation naming a legal basis, a purpose and \
data categories (`POST /v1/cases/{id}/shares`, `data_categories`). The partner never receives \
the case: the server derives for the share a [shared view](#the-shared-view-document) that \
holds only what the named categories cover, and keeps it current as the case changes. \
Special categories (GDPR Art. 9) need a stronger justification; the server records them \
separately on the share. The table is `sharing::CATEGORY_TABLE`; a test fails when a field \
of the case is covered by no category.
";

const CATEGORY_RULES: &str = "What the table does not show:

- The header of the case ({HEADER}) is never copied: the view's own header names the sharing \
organisation and the share, not the case id, site or jurisdiction.
- No entry of a view names who wrote it in the source organisation: `author`, `device`, a \
checklist step's `by` and an entry's `provenance` are left out. The partner learns which \
organisation shares, not which of its staff recorded what.
- Attachments: an `image/*` attachment goes with `photos`, every other one with `documents`; \
a scan tagged `sensitivity` `identity_document` is a document whatever its media type. An \
observation's `attachments` names only the hashes the view carries.
- Observations are carried by kind, whole (text and place).
- Episode details: a shared event keeps only the detail keys the shared categories cover; \
`case.facts` holds the newest non-blank value of each covered key across all events, with \
when it was observed, whether the episodes are shared or not.
- A risk indicator a category claims (the health ones) is answered in a shared assessment \
only when that category is shared too. The assessment's `advisory_level` and `level` are \
shown as recorded.
- A category name the table does not know covers nothing.
";

const VIEW: &str = "## The shared view document

One automerge document per share, of kind `shared_view` (`DocumentKind::SharedView`), \
described by [`shared-view.schema.json`](shared-view.schema.json) (generated like the case \
schema). Partner devices sync it like a case; they never hold the case itself. The server \
writes the header and `case` (`sharing::project`) and rewrites `case` when the source case \
changes; entries are sorted by time, then id. A partner device writes nothing but \
`contributions`, an append-only log: add a contribution at the end, complete, in one change, \
with your user id in `author` and your device id in `device`.

The server admits each contribution into the source case once it passes \
`sharing::check_contribution` (a kind of `sighting`, `located`, `note`; an id, a text; a \
coarse place, never coordinates or a plus code): a `sighting` or `note` becomes an \
observation of that kind, a `located` report a `located` event of the episode the server \
picks (the open one), its place in `details.found_place`, its text in `note`. The entry's id is \
`contrib-<view id>-<contribution id>`, so admitting it twice writes nothing new; its `author` \
and `device` are the contributor's, and its `provenance` names the partner organisation, \
user, device, view and contribution.
";
