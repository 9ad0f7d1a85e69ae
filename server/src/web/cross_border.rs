//! Sending a cross-border notification from the case page: a coordinator of the owning
//! organisation shares the case with an organisation on a peer server, naming the legal
//! basis (one the peering allows), the purpose and the data categories. The same share as
//! `POST /v1/cases/{id}/shares`, with the same checks and audit entry.

use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::{ShareCase, DATA_CATEGORIES};
use casesync_contract::Role;
use casesync_schema::directory::organisations;
use maud::{html, Markup};

use super::case_open::blocking;
use super::error::PageError;
use super::i18n::Lang;
use super::layout::notice;
use super::links::encode;
use super::session::PageUser;
use crate::state::AppState;

/// An organisation on a peer server that the user's organisation may notify.
pub struct Partner {
    pub id: String,
    pub name: String,
    pub server: String,
    pub legal_bases: Vec<String>,
}

/// The peers' organisations the peerings let `organisation` exchange with.
pub fn partners(state: &AppState, organisation: &str) -> Vec<Partner> {
    let mut conn = match state.pool.get() {
        Ok(conn) => conn,
        Err(_) => return vec![],
    };
    let mut out = vec![];
    for peer in state
        .federation
        .peers
        .iter()
        .filter(|p| p.allows_local(organisation))
    {
        for remote in &peer.config.organisations {
            let name = organisations::find(&mut conn, &remote.id)
                .map(|o| o.name)
                .unwrap_or_else(|_| remote.name.clone());
            out.push(Partner {
                id: remote.id.clone(),
                name,
                server: peer.name().to_string(),
                legal_bases: peer.config.legal_bases.clone(),
            });
        }
    }
    out
}

pub fn form(
    lang: Lang,
    csrf: &str,
    case: &str,
    partners: &[Partner],
    problem: Option<&str>,
) -> Markup {
    if partners.is_empty() {
        return html! {};
    }
    let mut bases: Vec<&str> = partners
        .iter()
        .flat_map(|p| p.legal_bases.iter().map(String::as_str))
        .collect();
    bases.sort();
    bases.dedup();
    let problem = problem.map(|p| lang.fill("cross.problem", &[("reason", p)]));
    html! {
        section #cross-border aria-labelledby="cross-h" {
            h2 #cross-h { (lang.t("cross.title")) }
            p.muted { (lang.t("cross.text")) }
            (notice(problem.as_deref(), true))
            form method="post" action={ "/web/cases/" (case) "/shares" } {
                input type="hidden" name="csrf" value=(csrf);
                label { (lang.t("cross.organisation")) " "
                    select name="organisation" required {
                        @for partner in partners {
                            option value=(partner.id) { (partner.name) " (" (partner.server) ")" }
                        }
                    }
                }
                label { (lang.t("cross.basis")) " "
                    select name="legal_basis" required {
                        @for basis in &bases {
                            option value=(basis) { (lang.label("legal-basis-", basis)) }
                        }
                    }
                }
                label { (lang.t("cross.purpose")) " "
                    input type="text" name="purpose" required maxlength="500";
                }
                fieldset {
                    legend { (lang.t("cross.categories")) }
                    @for category in DATA_CATEGORIES {
                        label.check {
                            input type="checkbox" name="data_categories" value=(category)
                                checked[*category == "identity"];
                            " " (lang.label("category-", category))
                        }
                    }
                }
                button type="submit" { (lang.t("cross.send")) }
            }
        }
    }
}

/// The form as sent: checkboxes repeat their name, which a struct cannot read.
struct Sent {
    csrf: String,
    request: ShareCase,
}

fn read(body: &[u8]) -> Sent {
    let mut sent = Sent {
        csrf: String::new(),
        request: ShareCase {
            organisation: String::new(),
            legal_basis: String::new(),
            purpose: String::new(),
            data_categories: vec![],
            cross_border: true,
            rests_on: None,
        },
    };
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "csrf" => sent.csrf = value,
            "organisation" => sent.request.organisation = value,
            "legal_basis" => sent.request.legal_basis = value,
            "purpose" => sent.request.purpose = value,
            "data_categories" => sent.request.data_categories.push(value),
            _ => {}
        }
    }
    sent
}

#[post("/web/cases/{id}/shares")]
pub async fn send_notification(
    user: PageUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(&[Role::Coordinator])?;
    let sent = read(&body);
    user.check_csrf(&sent.csrf)?;
    let id = path.into_inner();
    let back = format!("/web/cases/{id}");
    let caller = user.as_device();
    let lang = user.lang;
    let outcome = blocking(move || {
        Ok(crate::domain::access::shares::share(
            &state,
            &caller,
            &id,
            sent.request,
        ))
    })
    .await?;
    let to = match outcome {
        Ok(_) => format!("{back}#shares"),
        Err(e) if e.is_refusal() => {
            let message = match &e {
                crate::domain::error::DomainError::Refused(detail) => {
                    super::error::refusal(lang, detail.code, &detail.message)
                }
                crate::domain::error::DomainError::Failed(_) => String::new(),
            };
            if e.code() == casesync_contract::errors::ErrorCode::NotFound
                || e.code() == casesync_contract::errors::ErrorCode::Forbidden
            {
                return Err(PageError::from_api(lang, e));
            }
            format!("{back}?share_problem={}#cross-border", encode(&message))
        }
        Err(e) => return Err(PageError::from_api(lang, e)),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish())
}
