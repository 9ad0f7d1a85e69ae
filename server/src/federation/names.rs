//! The people of this server who wrote in a view, named for the peer (who has no rows for
//! them): "name, organisation, server" on the other side.

use automerge::ROOT;
use autosurgeon::hydrate_prop;
use casesync_contract::sharing::Contribution;
use casesync_contract::DocumentId;
use casesync_schema::directory::users;

use super::messages::Person;
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The authors of the view's contributions who are people of `organisation` here.
pub fn writers_of_view(
    state: &AppState,
    view: &DocumentId,
    organisation: &str,
) -> Result<Vec<Person>, DomainError> {
    let contributions: Vec<Contribution> = state
        .engine
        .read(view, |doc| hydrate_prop(doc, ROOT, "contributions").ok())?
        .flatten()
        .unwrap_or_default();
    let mut authors: Vec<String> = contributions
        .iter()
        .map(|c| c.author.as_str().to_string())
        .collect();
    authors.sort();
    authors.dedup();
    let mut conn = state.db()?;
    let mut people = vec![];
    for author in authors {
        if let Ok(user) = users::find(&mut conn, &author) {
            if user.organisation_id == organisation {
                people.push(Person {
                    user_id: user.id,
                    organisation_id: user.organisation_id,
                    name: user.name,
                });
            }
        }
    }
    Ok(people)
}
