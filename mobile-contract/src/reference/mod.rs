//! The generated references for developers, and the tests that keep them true: the case
//! document (`mobile-contract/docs/case-document.schema.json` and `case-document.md`, which
//! also describes shares), the shared view (`docs/shared-view.schema.json`), the alert
//! document (`docs/alert-document.schema.json`) and the
//! error-code table of `docs/wire-protocol.md`. A test fails when a committed file differs
//! from what the code says; `UPDATE_DOCS=1 cargo test -p casesync-contract reference`
//! rewrites them.

mod alert_schema;
mod case_page;
mod error_codes;
mod schema;
mod shape_tables;
mod sharing_page;

use std::path::{Path, PathBuf};

/// Marks the generated part of a hand-written page.
const BEGIN_ERRORS: &str = "<!-- BEGIN error-codes: generated from ErrorCode by mobile-contract/src/reference (UPDATE_DOCS=1 cargo test -p casesync-contract reference) -->\n";
const END_ERRORS: &str = "<!-- END error-codes -->";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1")
}

/// Compares a committed file with what the code generates, or rewrites it under UPDATE_DOCS=1.
fn check_file(path: &Path, generated: &str) {
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed == generated {
        return;
    }
    if updating() {
        std::fs::write(path, generated).unwrap();
        return;
    }
    let line = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .map_or(
            committed.lines().count().min(generated.lines().count()),
            |i| i,
        )
        + 1;
    panic!(
        "{} is out of date with the code (first difference at line {line}); run \
         UPDATE_DOCS=1 cargo test -p casesync-contract reference, then review and commit it",
        path.display()
    );
}

fn schema_text(schema: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap();
    text.push('\n');
    text
}

#[test]
fn case_document_schema_is_current() {
    check_file(
        &crate_dir().join("docs/case-document.schema.json"),
        &schema_text(&schema::case_document_schema()),
    );
}

#[test]
fn alert_document_schema_is_current() {
    check_file(
        &crate_dir().join("docs/alert-document.schema.json"),
        &schema_text(&alert_schema::alert_document_schema()),
    );
}

#[test]
fn shared_view_schema_is_current() {
    check_file(
        &crate_dir().join("docs/shared-view.schema.json"),
        &schema_text(&schema::shared_view_schema()),
    );
}

#[test]
fn case_document_page_is_current() {
    let page = case_page::render(
        &schema::case_document_schema(),
        &schema::shared_view_schema(),
    );
    check_file(&crate_dir().join("docs/case-document.md"), &page);
}

#[test]
fn every_entry_type_has_a_section() {
    let mut defined = shape_tables::entry_types(&schema::case_document_schema());
    let mut listed: Vec<String> = case_page::ENTRY_ORDER
        .iter()
        .map(|s| s.to_string())
        .collect();
    defined.sort();
    listed.sort();
    assert_eq!(
        defined, listed,
        "case_page::ENTRY_ORDER must list every entry type"
    );
}

#[test]
fn every_shared_view_entry_type_has_a_section() {
    let mut defined = shape_tables::entry_types(&schema::shared_view_schema());
    let mut listed: Vec<String> = sharing_page::VIEW_ENTRY_ORDER
        .iter()
        .map(|s| s.to_string())
        .collect();
    defined.sort();
    listed.sort();
    assert_eq!(
        defined, listed,
        "sharing_page::VIEW_ENTRY_ORDER must list every entry type of the shared view"
    );
}

#[test]
fn shared_view_schema_names_its_vocabularies() {
    let schema = schema::shared_view_schema();
    assert_eq!(schema["properties"]["kind"]["const"], "shared_view");
    assert_eq!(
        schema["properties"]["categories"]["items"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(crate::wire::DATA_CATEGORIES.len())
    );
    assert_eq!(
        schema["properties"]["contributions"][schema::APPEND_ONLY],
        true
    );
    let kinds = &schema["$defs"]["Contribution"]["properties"]["kind"]["enum"];
    assert_eq!(kinds.as_array().map(Vec::len), Some(3));
}

#[test]
fn schema_names_every_vocabulary() {
    let schema = schema::case_document_schema();
    let state = &schema["$defs"]["EpisodeEvent"]["properties"]["state"]["enum"];
    assert_eq!(
        state.as_array().map(Vec::len),
        Some(crate::case::EpisodeState::ALL.len())
    );
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        crate::case::SCHEMA_VERSION
    );
    assert_eq!(
        schema["properties"]["observations"][schema::APPEND_ONLY],
        true
    );
}

#[test]
fn every_error_code_is_listed_once() {
    let codes = error_codes::all_codes();
    assert!(
        codes.contains(&crate::errors::ErrorCode::Unavailable),
        "{codes:?}"
    );
    let mut tags: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    for (code, tag) in codes.iter().zip(&tags) {
        assert_eq!(
            serde_json::to_value(code).unwrap(),
            *tag,
            "as_str and serde agree"
        );
    }
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), codes.len());
}

#[test]
fn every_error_code_is_explained() {
    let unexplained: Vec<&str> = error_codes::all_codes()
        .into_iter()
        .filter(|code| error_codes::what_to_do(*code).is_empty())
        .map(|code| code.as_str())
        .collect();
    assert!(
        unexplained.is_empty(),
        "say what a client does on {unexplained:?} in mobile-contract/src/reference/error_codes.rs \
         (what_to_do), then UPDATE_DOCS=1 cargo test -p casesync-contract reference"
    );
}

#[test]
fn wire_protocol_error_table_is_current() {
    let path = crate_dir().join("../docs/wire-protocol.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let (Some(begin), Some(end)) = (page.find(BEGIN_ERRORS), page.find(END_ERRORS)) else {
        panic!("{} lacks the error-codes markers", path.display());
    };
    let regenerated = format!(
        "{}{BEGIN_ERRORS}{}{}",
        &page[..begin],
        error_codes::table(),
        &page[end..]
    );
    check_file(&path, &regenerated);
}
