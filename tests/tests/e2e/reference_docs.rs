//! Checks that keep the operator's reference and the crate boundaries true: every
//! configuration key is documented in `ops/config.md`, and the mobile contract stays free of
//! server crates (CONVENTIONS.md point 3: a phone app links it).

use std::path::PathBuf;
use std::process::Command;

use casesync_server::Config;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every key of the configuration as a dotted path (`blobs.root` for `[blobs] root`).
fn config_keys() -> Vec<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        let Some(map) = value.as_object() else {
            return;
        };
        for (key, inner) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if inner.is_object() {
                walk(&path, inner, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut keys = vec![];
    walk(
        "",
        &serde_json::to_value(Config::default()).unwrap(),
        &mut keys,
    );
    keys
}

#[test]
fn every_config_key_is_in_ops_config_md() {
    let page = std::fs::read_to_string(repo_root().join("ops/config.md")).unwrap();
    // Every value: a table row and its environment variable.
    let mut missing: Vec<String> = config_keys()
        .into_iter()
        .filter(|key| {
            let env = format!("CASESYNC_{}", key.replace('.', "__").to_ascii_uppercase());
            !page.contains(&format!("| `{key}` |")) || !page.contains(&env)
        })
        .collect();
    // Every top-level key (a value or a `[section]`) named at least.
    missing.extend(Config::keys().into_iter().filter(|key| {
        !page.contains(&format!("`{key}`")) && !page.contains(&format!("`[{key}]`"))
    }));
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "ops/config.md must document {missing:?}: a table row starting with | `key` | and the \
         CASESYNC_ environment variable (nested keys joined with __)"
    );
}

#[test]
fn mobile_contract_depends_on_no_server_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repo_root())
        .args(["tree", "-p", "casesync-contract", "-e", "normal,build"])
        .args(["--prefix", "none", "--format", "{p}", "--offline"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && tree.contains("automerge"),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let forbidden: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or_default();
            // utoipa only behind the contract's `openapi` feature, which the server enables.
            ["diesel", "actix", "tokio", "utoipa"].iter().any(|f| {
                name == *f
                    || name.starts_with(&format!("{f}-"))
                    || name.starts_with(&format!("{f}_"))
            })
        })
        .collect();
    assert!(
        forbidden.is_empty(),
        "casesync-contract must stay plain types: it depends on {forbidden:?}"
    );
}
