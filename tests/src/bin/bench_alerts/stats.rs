//! Percentiles and the rows of the report.

/// The value at or below which `p` (0..=1) of the sorted samples lie (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The smallest sample: the first phone to get the alert.
pub fn first(values: &[f64]) -> f64 {
    percentile(&sorted(values), 0.0)
}

pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// p50, p90, p99 and max of `values`, in milliseconds, as table cells.
pub fn cells(values: &[f64]) -> String {
    let s = sorted(values);
    [0.5, 0.9, 0.99, 1.0]
        .iter()
        .map(|p| ms(percentile(&s, *p)))
        .collect::<Vec<_>>()
        .join(" | ")
}

pub fn ms(value: f64) -> String {
    if value.is_nan() {
        "–".into()
    } else {
        format!("{value:.1}")
    }
}

pub fn json_summary(values: &[f64]) -> serde_json::Value {
    let s = sorted(values);
    serde_json::json!({
        "p50_ms": percentile(&s, 0.5),
        "p90_ms": percentile(&s, 0.9),
        "p99_ms": percentile(&s, 0.99),
        "max_ms": percentile(&s, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(percentile(&s, 0.5), 500.0);
        assert_eq!(percentile(&s, 0.99), 990.0);
        assert_eq!(percentile(&s, 1.0), 1000.0);
        assert_eq!(percentile(&[7.0], 0.5), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
