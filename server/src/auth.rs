//! Who is calling: a device bearer token, from `Authorization: Bearer` or (for browser
//! WebSockets, which cannot set headers) a `token` query parameter. Tokens are never logged.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use casesync_schema::directory::devices::authenticate;
use casesync_schema::directory::AuthenticatedDevice;

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated device and its user.
#[derive(Debug, Clone)]
pub struct Caller(pub AuthenticatedDevice);

impl std::ops::Deref for Caller {
    type Target = AuthenticatedDevice;
    fn deref(&self) -> &AuthenticatedDevice {
        &self.0
    }
}

/// The token a request carries, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    if let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))?;
        return Some(token.trim().to_string());
    }
    web::Query::<TokenQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().token)
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let now = state.now();
            let device = web::block(move || {
                let mut conn = state.db()?;
                authenticate(&mut conn, &token, now).map_err(ApiError::from)
            })
            .await??;
            device.map(Caller).ok_or_else(ApiError::unauthorized)
        })
    }
}
