//! One set of security headers on every response, set in one place rather than per route:
//!
//! - a strict `Content-Security-Policy`: scripts and stylesheets from this server only, no
//!   inline script at all; the two self-contained pages (missing pack, subject access
//!   export) keep their inline style, allowed by its SHA-256 rather than `unsafe-inline`;
//!   images from here or `data:` (QR codes, the embedded photo); no frames, no plugins;
//! - `X-Frame-Options: DENY` for browsers that ignore `frame-ancestors`;
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (page URLs carry
//!   case ids and one-time links);
//! - `Cache-Control: no-store` unless the route chose its own (only the compiled-in
//!   stylesheet and scripts do): case data, blobs and batch replies never rest in a cache.

use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The inline styles the policy allows, by hash.
fn inline_styles() -> [&'static str; 2] {
    [
        crate::routes::cases::missing_pack::page::STYLE,
        crate::domain::gdpr::export_html::STYLE,
    ]
}

static CONTENT_SECURITY_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hashes: Vec<String> = inline_styles()
        .iter()
        .map(|style| {
            let digest = Sha256::digest(style.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' {}; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        // Hashes are base64 and the rest is ASCII: unreachable, but never allow more.
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
    })
});

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY.clone(),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
