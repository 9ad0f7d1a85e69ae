//! The goals of issue 3 from the figures of one run (the JSON lines the other scenarios
//! appended): casesync's durable throughput against the Node server's and against the
//! in-process limit, with the median of the runs of each.

use anyhow::Context;
use serde_json::Value;

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

pub fn run(path: &str) -> anyhow::Result<(String, Value)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {path}"))?;
    let rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let durable = |server: &str| {
        median(
            rows.iter()
                .filter(|r| r["server"] == server && r["durable_per_s"].is_number())
                .filter_map(|r| r["durable_per_s"].as_f64())
                .collect(),
        )
    };
    let limit = |key: &str| {
        median(
            rows.iter()
                .filter(|r| r["server"] == "in-process")
                .filter_map(|r| r[key].as_f64())
                .collect(),
        )
    };
    let node = durable("Node automerge-repo");
    let apply = limit("apply_per_s");
    let admit = limit("admit_per_s");
    let mut lines = Vec::new();
    let mut json = serde_json::Map::new();
    for server in ["casesync, SQLite", "casesync, PostgreSQL"] {
        let Some(ours) = durable(server) else {
            continue;
        };
        let ratio = |other: Option<f64>| other.map(|o| ours / o);
        // Small ratios keep their first significant digits.
        let show = |r: Option<f64>| {
            r.map_or("?".to_string(), |r| {
                if r < 0.1 {
                    format!("{r:.4}")
                } else {
                    format!("{r:.2}")
                }
            })
        };
        lines.push(format!(
            "| {server} | {ours:.0} | {} | {} (goal ≥ 20) | {} (goal ≥ 0.5) | {} |",
            node.map_or("?".to_string(), |n| format!("{n:.0}")),
            show(ratio(node)),
            show(ratio(apply)),
            show(ratio(admit)),
        ));
        json.insert(
            server.to_string(),
            serde_json::json!({
                "durable_per_s": ours,
                "vs_node": ratio(node),
                "vs_inprocess_apply": ratio(apply),
                "vs_inprocess_admit": ratio(admit),
            }),
        );
    }
    Ok((lines.join("\n"), Value::Object(json)))
}
