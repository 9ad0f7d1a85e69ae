//! What the server's OpenAPI description needs from the contract (feature `openapi`, off for
//! a phone app): schemas of the types whose JSON form serde writes by hand, and the case and
//! shared view documents as their generated JSON Schemas (`docs/*.schema.json`, kept current
//! by this crate's tests). Those files say more than a derive could (vocabularies,
//! append-only logs, `const` kinds), so the server embeds them rather than deriving again.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Ref, Schema, Type};
use utoipa::openapi::RefOr;

use crate::DocumentId;

/// Component name of the case document (`GET /v1/cases/{id}`'s `case`, the export's).
pub const CASE_DOCUMENT: &str = "CaseDocument";
/// Component name of a shared view (`GET /v1/shared-views/{id}`).
pub const SHARED_VIEW_DOCUMENT: &str = "SharedViewDocument";

/// The case document's JSON Schema (shape v1), as checked in.
pub const CASE_DOCUMENT_SCHEMA: &str = include_str!("../docs/case-document.schema.json");
/// The shared view's JSON Schema, as checked in.
pub const SHARED_VIEW_SCHEMA: &str = include_str!("../docs/shared-view.schema.json");

/// A `$ref` to the case document component (the server adds the component itself).
pub fn case_document_ref() -> RefOr<Schema> {
    let mut case = Ref::from_schema_name(CASE_DOCUMENT);
    case.description = "The case document as JSON (mobile-contract/docs/case-document.md)".into();
    case.into()
}

/// Automerge changes on the wire: `DocumentId`'s sibling in hand-written serde
/// (`wire::bytes::list`). CBOR carries byte strings, JSON base64 text; a schema describes the
/// JSON form and says so.
pub fn raw_changes() -> ArrayBuilder {
    ArrayBuilder::new().items(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_encoding("base64")
            .description(Some(
                "The raw bytes of one automerge change (`Change::raw_bytes`, \
                 `Automerge.getChanges`): base64 text in JSON, a byte string in CBOR",
            )),
    )
}

impl utoipa::PartialSchema for DocumentId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An automerge-repo document id: base58check of 16 bytes. Where the server \
                 reads one (a path, a batch entry) its `automerge:` URL is accepted too",
            ))
            .examples(["2Ux1k8Lw3XeWb9YvJbA7qzZ1v4pS"])
            .into()
    }
}

impl utoipa::ToSchema for DocumentId {}
