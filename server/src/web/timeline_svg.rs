//! The merged timeline as a picture: a time axis, one lane per author and device, entries
//! as marks coloured by kind, episodes as bands behind them. Plain SVG drawn on the server,
//! with a `<title>` per mark for pointers and screen readers.

use std::collections::BTreeMap;
use std::fmt::Write;

use casesync_contract::views::{EntryKind, EpisodeView, TimelineEntry};

use super::format::{short_minute, utc_minute};
use super::i18n::Lang;
use super::people::People;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 210.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 24.0;
const LANE: f64 = 44.0;
const AXIS: f64 = 36.0;

/// Colour of a kind of entry (also used by the legend).
pub fn kind_colour(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Observation => "#0b5cad",
        EntryKind::EpisodeEvent => "#a40e26",
        EntryKind::RiskAssessment => "#7d4e00",
        EntryKind::LegalBasis => "#57606a",
        EntryKind::Referral => "#6639ba",
        EntryKind::Attachment => "#116329",
    }
}

pub fn kind_key(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Observation => "kind.observation",
        EntryKind::EpisodeEvent => "kind.episode_event",
        EntryKind::RiskAssessment => "kind.risk_assessment",
        EntryKind::LegalBasis => "kind.legal_basis",
        EntryKind::Referral => "kind.referral",
        EntryKind::Attachment => "kind.attachment",
    }
}

pub const KINDS: [EntryKind; 6] = [
    EntryKind::Observation,
    EntryKind::EpisodeEvent,
    EntryKind::RiskAssessment,
    EntryKind::LegalBasis,
    EntryKind::Referral,
    EntryKind::Attachment,
];

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG markup (escaped here: every text in it comes through [`esc`]).
pub fn draw(
    lang: Lang,
    entries: &[TimelineEntry],
    episodes: &[(EpisodeView, Option<i64>)],
    people: &People,
    now: i64,
) -> String {
    let mut lanes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in entries {
        let next = lanes.len();
        lanes
            .entry((people.user(&e.author), people.device(&e.device)))
            .or_insert(next);
    }
    let times = entries
        .iter()
        .map(|e| e.observed_at)
        .chain(episodes.iter().map(|(ep, _)| ep.opened_at));
    let (mut start, mut end) = times.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    if start > end {
        (start, end) = (now - 3_600_000, now);
    }
    let pad = ((end - start) / 20).max(15 * 60_000);
    let (start, end) = (start - pad, end + pad);
    let x = |t: i64| LEFT + (t - start) as f64 / (end - start) as f64 * (WIDTH - LEFT - RIGHT);
    let height = TOP + lanes.len().max(1) as f64 * LANE + AXIS;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="tl-title"><title id="tl-title">{}</title>"#,
        esc(lang.t("case.timeline_picture"))
    );
    let bottom = TOP + lanes.len().max(1) as f64 * LANE;
    for (ep, closed_at) in episodes {
        let (x0, x1) = (x(ep.opened_at), x(closed_at.unwrap_or(now).min(end)));
        let label = lang.fill("case.episode", &[("id", &ep.id)]);
        let _ = write!(
            svg,
            r##"<g><title>{} ({})</title><rect x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#ffebe9" stroke="#a40e26" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#a40e26">{}</text></g>"##,
            esc(&label),
            esc(lang.t(&format!("state.{}", ep.state.as_str()))),
            (x1 - x0).max(3.0),
            bottom - TOP,
            x0 + 4.0,
            TOP - 6.0,
            esc(&label)
        );
    }
    for ((author, device), lane) in &lanes {
        let y = TOP + *lane as f64 * LANE + LANE / 2.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d7de"/><text x="8" y="{:.1}" font-size="13" fill="#1b1f24">{}</text><text x="8" y="{:.1}" font-size="11" fill="#57606a">{}</text>"##,
            WIDTH - RIGHT,
            y - 3.0,
            esc(author),
            y + 12.0,
            esc(device)
        );
    }
    for e in entries {
        let lane = lanes
            .get(&(people.user(&e.author), people.device(&e.device)))
            .copied()
            .unwrap_or(0);
        let (cx, cy) = (x(e.observed_at), TOP + lane as f64 * LANE + LANE / 2.0);
        let title = format!(
            "{} · {} · {}{}",
            utc_minute(lang, e.observed_at),
            lang.t(kind_key(e.kind)),
            e.label_in(lang),
            if e.text.is_empty() {
                String::new()
            } else {
                format!(": {}", e.text)
            }
        );
        let mark = if e.kind == EntryKind::EpisodeEvent {
            format!(
                r#"<rect x="{:.1}" y="{:.1}" width="12" height="12" transform="rotate(45 {cx:.1} {cy:.1})""#,
                cx - 6.0,
                cy - 6.0
            )
        } else {
            format!(r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="7""#)
        };
        let _ = write!(
            svg,
            r##"<g class="mark"><title>{}</title>{mark} fill="{}" stroke="#fff" stroke-width="1.5"/></g>"##,
            esc(&title),
            kind_colour(e.kind)
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}" stroke="#57606a"/>"##,
        WIDTH - RIGHT
    );
    for i in 0..=4 {
        let t = start + (end - start) * i / 4;
        let tx = x(t);
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{bottom:.1}" y2="{:.1}" stroke="#57606a"/><text x="{tx:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}" fill="#57606a">{}</text>"##,
            bottom + 5.0,
            bottom + 20.0,
            esc(&short_minute(lang, t))
        );
    }
    svg.push_str("</svg>");
    svg
}
