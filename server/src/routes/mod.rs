//! HTTP routes, one handler per file.

pub mod cases;
pub mod health;
pub mod sync;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(sync::batch::post_sync)
        .service(cases::create::create_case)
        .service(cases::list::list_cases)
        .service(cases::get::get_case)
        .service(cases::timeline::get_timeline)
        .service(cases::conflicts::get_conflicts);
}
