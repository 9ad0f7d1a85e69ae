//! The stylesheet and the live-update script, compiled into the binary: nothing is fetched
//! from elsewhere at run time.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

const STYLE: &str = include_str!("static/style.css");
const LIVE: &str = include_str!("static/live.js");
const PAGE: &str = include_str!("static/page.js");

#[get("/web/static/{file}")]
pub async fn static_file(path: web::Path<String>) -> HttpResponse {
    let (body, media_type) = match path.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "live.js" => (LIVE, "text/javascript; charset=utf-8"),
        "page.js" => (PAGE, "text/javascript; charset=utf-8"),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}
