//! The coordinator pages, served by `casesync serve` itself: server-rendered HTML (maud),
//! one stylesheet and a small script for live updates, all compiled in. People sign in with
//! a password (argon2id); sessions, CSRF tokens and the sign-in rate limit live in the
//! database so any instance serves any browser. Every page reuses the domain's scope and
//! audit rules through [`session::PageUser::as_device`].

pub mod alerts_board;
pub mod alerts_source;
pub mod audit;
pub mod blob_preview;
pub mod case_facts;
pub mod case_open;
pub mod case_page;
pub mod case_sections;
pub mod cases_list;
pub mod config;
pub mod conflicts;
pub mod cross_border;
pub mod csrf;
pub mod devices;
pub mod error;
pub mod exercise_report;
pub mod flow_svg;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod links;
pub mod live;
pub mod missing_pack;
pub mod passwords;
pub mod people;
pub mod records_section;
pub mod risk_section;
pub mod session;
pub mod set_password;
pub mod shared_view_page;
pub mod shares_section;
pub mod sign_in;
pub mod sign_in_check;
pub mod static_files;
pub mod timeline_svg;

use actix_web::web;

/// Registers the pages (called from `routes::configure`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(static_files::static_file)
        .service(sign_in::web_root)
        .service(alerts_board::alerts_page)
        .service(cases_list::cases_page)
        .service(case_page::case_page)
        .service(cross_border::send_notification)
        .service(shared_view_page::shared_view_page)
        .service(exercise_report::exercise_report)
        .service(conflicts::conflicts_page)
        .service(conflicts::resolve_conflict)
        .service(missing_pack::missing_pack_page)
        .service(devices::devices_page)
        .service(audit::audit_page)
        .service(blob_preview::blob_preview)
        .service(live::live)
        .service(devices::enrol)
        .service(devices::revoke_device)
        .service(devices::wipe_device)
        .service(sign_in::sign_in_page)
        .service(sign_in::sign_in)
        .service(sign_in::sign_out)
        .service(sign_in::choose_language)
        .service(set_password::password_page)
        .service(set_password::set_password);
}
