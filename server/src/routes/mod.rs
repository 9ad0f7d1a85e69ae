//! HTTP routes, one handler per file.

pub mod alerts;
pub mod audit;
pub mod blobs;
pub mod cases;
pub mod devices;
pub mod enrol;
pub mod exercises;
pub mod health;
pub mod me;
pub mod openapi;
pub mod shared_views;
pub mod sync;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::root)
        .service(health::metrics)
        .service(openapi::openapi_json)
        .service(sync::batch::post_sync)
        .service(crate::ws::sync_socket)
        .service(me::me)
        .service(me::language::put_language)
        .service(alerts::get_alerts)
        .service(alerts::get_rules)
        .service(alerts::put_rules)
        .service(blobs::upload_status::get_upload)
        .service(blobs::upload_part::put_part)
        .service(blobs::upload_start::start_upload)
        .service(blobs::put::put_blob)
        .service(blobs::get::get_blob)
        .service(blobs::preview::get_preview)
        .service(cases::create::create_case)
        .service(cases::list::list_cases)
        .service(cases::get::get_case)
        .service(cases::timeline::get_timeline)
        .service(cases::conflicts::get_conflicts)
        .service(cases::missing_pack::get_missing_pack)
        .service(cases::assignments::assign_case)
        .service(cases::assignments::unassign_case)
        .service(cases::shares::share_case)
        .service(cases::shares::withdraw_share)
        .service(shared_views::get_shared_view)
        .service(exercises::get_report)
        .service(cases::export::export_case)
        .service(cases::erase::erase_case)
        .service(cases::legal_hold::place_hold)
        .service(cases::legal_hold::release_hold)
        .service(cases::retention::set_retention)
        .service(devices::list::list_devices)
        .service(devices::revoke::revoke_device)
        .service(devices::wipe::wipe_device)
        .service(enrol::create_code::create_enrolment_code)
        .service(enrol::redeem::enrol_device)
        .service(audit::list::list_audit)
        .configure(crate::web::configure);
}
