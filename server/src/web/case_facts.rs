//! What the pages derive from a case beyond the contract's views: the current risk level,
//! checklist steps with their deadlines, names and aliases for search.

use casesync_contract::case::CaseDocument;
use casesync_contract::checklists::template;
use casesync_contract::deadlines;

/// The level a person set in the newest risk assessment.
pub fn risk_level(case: &CaseDocument) -> Option<String> {
    case.risk_assessments
        .iter()
        .max_by_key(|r| (r.assessed_at.0, r.id.0.clone()))
        .map(|r| r.level.0.clone())
}

/// One step of a started checklist, with its deadline.
#[derive(Debug, Clone)]
pub struct StepView {
    pub id: String,
    pub text: String,
    pub role: String,
    pub due_at: Option<i64>,
    pub status: String,
    pub by: Option<String>,
    pub at: Option<i64>,
    pub note: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone)]
pub struct ChecklistView {
    pub template: String,
    pub title: String,
    pub anchored_at: i64,
    pub steps: Vec<StepView>,
}

impl ChecklistView {
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.status != "open").count()
    }
}

/// Every started checklist in template order of its steps; a step still open after its
/// deadline is overdue.
pub fn checklists(case: &CaseDocument, now: i64) -> Vec<ChecklistView> {
    case.checklists
        .iter()
        .map(|cl| {
            let tpl = template(cl.template.as_str());
            // Not watched (the child is back from the flow it serves): nothing is overdue.
            let watched = deadlines::watched(case, cl);
            let mut ids: Vec<String> = tpl
                .map(|t| t.steps.iter().map(|s| s.id.to_string()).collect())
                .unwrap_or_default();
            for id in cl.steps.keys() {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            let steps = ids
                .into_iter()
                .map(|id| {
                    let st = tpl.and_then(|t| t.step(&id));
                    let recorded = cl.steps.get(&id);
                    let status = casesync_contract::records::step_status(case, cl, &id, recorded)
                        .to_string();
                    let due_at = deadlines::due_at(cl, &id);
                    StepView {
                        text: st.map(|s| s.text.to_string()).unwrap_or_else(|| id.clone()),
                        role: st.map(|s| s.role.as_str().to_string()).unwrap_or_default(),
                        overdue: watched && status == "open" && due_at.is_some_and(|d| d < now),
                        due_at,
                        by: recorded.and_then(|r| r.by.as_ref().map(|b| b.0.clone())),
                        at: recorded.and_then(|r| r.at.map(|a| a.0)),
                        note: recorded.and_then(|r| r.note.as_ref().map(|n| n.0.clone())),
                        status,
                        id,
                    }
                })
                .collect();
            ChecklistView {
                template: cl.template.0.clone(),
                title: tpl
                    .map(|t| t.title.to_string())
                    .unwrap_or_else(|| cl.template.0.clone()),
                anchored_at: cl.anchored_at.0,
                steps,
            }
        })
        .collect()
}

pub fn overdue_steps(case: &CaseDocument, now: i64) -> usize {
    checklists(case, now)
        .iter()
        .flat_map(|c| c.steps.iter())
        .filter(|s| s.overdue)
        .count()
}

/// Whether the search text matches the child's names or aliases (case-insensitive).
pub fn matches_name(case: &CaseDocument, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return true;
    }
    ["given_name", "family_name", "aliases"]
        .iter()
        .filter_map(|k| case.profile.get(*k))
        .any(|v| v.as_str().to_lowercase().contains(&query))
}
