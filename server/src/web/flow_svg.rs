//! The handbook's response flow as a flowchart (`casesync_contract::views::flow`): absence,
//! missing (first hours), found or returned, left to right; the stage the child is in now
//! drawn strong, each step marked done, overdue or open with its deadline, and what comes
//! next written under the chart. Plain SVG drawn on the server, like the timeline; the case
//! page and the printable missing pack show it.

use std::fmt::Write;

use casesync_contract::views::flow::{Flow, Position, StepStatus};

use super::format::utc_minute;
use super::i18n::Lang;

const BOX_WIDTH: f64 = 300.0;
const GAP: f64 = 40.0;
const LEFT: f64 = 10.0;
const TOP: f64 = 10.0;
const HEADER: f64 = 44.0;
const LINE: f64 = 15.0;
/// Characters per line of step text inside a box (11 px text in 300 px).
const WRAP: usize = 46;

/// A step as drawn: its status, its text in lines, its deadline.
type StepLines = (StepStatus, Vec<String>, Option<i64>);

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` in lines of at most `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn position_key(position: Position) -> &'static str {
    match position {
        Position::Ahead => "flow.ahead",
        Position::Current => "flow.current",
        Position::Behind => "flow.behind",
        Position::Skipped => "flow.skipped",
    }
}

/// Mark, colour and the words a screen reader gets for a step's status.
fn status_mark(lang: Lang, status: StepStatus) -> (&'static str, &'static str, &'static str) {
    match status {
        StepStatus::Done => ("✓", "#116329", lang.t("step.done")),
        StepStatus::NotApplicable => ("–", "#57606a", lang.t("step.not_applicable")),
        StepStatus::Overdue => ("!", "#a40e26", lang.t("case.overdue")),
        StepStatus::Open => ("○", "#57606a", lang.t("step.open")),
    }
}

/// The SVG markup (every text in it goes through [`esc`]).
pub fn draw(lang: Lang, flow: &Flow) -> String {
    // Each step: its wrapped text, then its deadline on a line of its own.
    let stage_lines: Vec<Vec<StepLines>> = flow
        .stages
        .iter()
        .map(|stage| {
            stage
                .steps
                .iter()
                .map(|step| {
                    let text = lang
                        .lookup(&format!("checklist.step.{}", step.id))
                        .unwrap_or(step.text);
                    (step.status, wrap(text, WRAP), step.due_at)
                })
                .collect()
        })
        .collect();
    let box_height = stage_lines
        .iter()
        .map(|steps| {
            steps
                .iter()
                .map(|(_, lines, due)| {
                    (lines.len() + usize::from(due.is_some())) as f64 * LINE + 4.0
                })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
        + HEADER
        + 10.0;
    let width = LEFT * 2.0 + 3.0 * BOX_WIDTH + 2.0 * GAP;
    let height = TOP + box_height + 50.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="flow-title"><title id="flow-title">{}</title>"#,
        esc(lang.t("flow.title"))
    );
    for (i, (stage, steps)) in flow.stages.iter().zip(&stage_lines).enumerate() {
        let x = LEFT + i as f64 * (BOX_WIDTH + GAP);
        let (stroke, width_px, fill, dash) = match stage.position {
            Position::Current => ("#a40e26", 3.0, "#fff8f7", ""),
            Position::Behind => ("#57606a", 1.5, "#f6f8fa", ""),
            Position::Ahead | Position::Skipped => {
                ("#8c959f", 1.0, "#ffffff", r#" stroke-dasharray="5 4""#)
            }
        };
        let title = lang
            .lookup(&format!("checklist.title.{}", stage.template.id))
            .unwrap_or(stage.template.title);
        let _ = write!(
            svg,
            r##"<g class="stage" data-position="{}"><rect x="{x:.1}" y="{TOP}" width="{BOX_WIDTH}" height="{box_height:.1}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{width_px}"{dash}/><text x="{:.1}" y="{:.1}" font-size="14" font-weight="bold" fill="#1b1f24">{}</text><text x="{:.1}" y="{:.1}" font-size="11" fill="{stroke}">{}</text>"##,
            position_key(stage.position).trim_start_matches("flow."),
            x + 10.0,
            TOP + 20.0,
            esc(title),
            x + 10.0,
            TOP + 36.0,
            esc(lang.t(position_key(stage.position)))
        );
        let mut y = TOP + HEADER + 12.0;
        for (status, lines, due) in steps {
            let (mark, colour, words) = status_mark(lang, *status);
            let _ = write!(
                svg,
                r##"<g class="step"><title>{}</title><text x="{:.1}" y="{y:.1}" font-size="12" font-weight="bold" fill="{colour}">{mark}</text>"##,
                esc(&format!("{}: {words}", lines.join(" "))),
                x + 10.0
            );
            for line in lines {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{y:.1}" font-size="11" fill="#1b1f24">{}</text>"##,
                    x + 26.0,
                    esc(line)
                );
                y += LINE;
            }
            if let Some(due) = due {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{y:.1}" font-size="10" fill="{colour}">{}</text>"##,
                    x + 26.0,
                    esc(&lang.fill("flow.due", &[("t", &utc_minute(lang, *due))]))
                );
                y += LINE;
            }
            svg.push_str("</g>");
            y += 4.0;
        }
        svg.push_str("</g>");
        if i < 2 {
            let (ax, ay) = (x + BOX_WIDTH + 4.0, TOP + HEADER / 2.0);
            let _ = write!(
                svg,
                r##"<path d="M{ax:.1} {ay:.1} h{:.1} m-7 -5 l7 5 l-7 5" fill="none" stroke="#57606a" stroke-width="2"/>"##,
                GAP - 8.0
            );
        }
    }
    let state = if flow.awaiting_safe_and_well {
        lang.t("state.located_awaiting").to_string()
    } else {
        lang.t(&format!("state.{}", flow.episode.state)).to_string()
    };
    let now = lang.fill(
        "flow.now",
        &[
            ("state", &state),
            ("t", &utc_minute(lang, flow.episode.since)),
        ],
    );
    let next = match &flow.next {
        Some(step) => lang.fill(
            "flow.next",
            &[(
                "step",
                lang.lookup(&format!("checklist.step.{}", step.id))
                    .unwrap_or(step.text),
            )],
        ),
        None => lang.t("flow.nothing_next").to_string(),
    };
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="{:.1}" font-size="13" fill="#1b1f24">{}</text><text x="{LEFT}" y="{:.1}" font-size="13" font-weight="bold" fill="#a40e26">{}</text></svg>"##,
        TOP + box_height + 20.0,
        esc(&now),
        TOP + box_height + 40.0,
        esc(&next)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn text_wraps_between_words() {
        assert_eq!(
            wrap("Report to police at once, day or night", 16),
            vec!["Report to police", "at once, day or", "night"]
        );
        assert_eq!(wrap("", 10), Vec::<String>::new());
    }
}
