//! Who is calling: a device bearer token from `Authorization: Bearer`. Only the live socket
//! (`GET /v1/sync/ws`) also takes it as a `token` query parameter, because browser
//! WebSockets cannot set headers; anywhere else a query token is refused, so that tokens do
//! not end up in URLs that proxies, histories and referrers keep. Tokens are never logged.
//!
//! A device under a wipe order (reported lost) still authenticates, but only to learn the
//! order: [`Caller`], what every other route takes, refuses it with `device_wiped`; the sync
//! routes take [`SyncCaller`] or [`SocketCaller`], which deliver the order and nothing else.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use casesync_contract::errors::ErrorCode;
use casesync_schema::directory::devices::authenticate;
use casesync_schema::directory::AuthenticatedDevice;

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated device and its user, not under a wipe order.
#[derive(Debug, Clone)]
pub struct Caller(pub AuthenticatedDevice);

/// A device calling `POST /v1/sync` or `GET /v1/me`: possibly under a wipe order, which
/// those routes deliver.
#[derive(Debug, Clone)]
pub struct SyncCaller(pub AuthenticatedDevice);

/// A device opening the live socket: its token may come in the query, and it may be under a
/// wipe order (the session delivers it through the caseload).
#[derive(Debug, Clone)]
pub struct SocketCaller(pub AuthenticatedDevice);

macro_rules! device_caller {
    ($name:ident, query_token: $query:expr, under_wipe: $wipe:expr) => {
        impl std::ops::Deref for $name {
            type Target = AuthenticatedDevice;
            fn deref(&self) -> &AuthenticatedDevice {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

            fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
                let found = device(req, $query, $wipe);
                Box::pin(async move { found.await.map($name) })
            }
        }
    };
}

device_caller!(Caller, query_token: false, under_wipe: false);
device_caller!(SyncCaller, query_token: false, under_wipe: true);
device_caller!(SocketCaller, query_token: true, under_wipe: true);

/// The token a request carries: the header, or the query where `query_token` allows it.
fn bearer_token(req: &HttpRequest, query_token: bool) -> Result<String, ApiError> {
    let in_query = web::Query::<TokenQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().token);
    if in_query.is_some() && !query_token {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "a token in the query is accepted only by GET /v1/sync/ws; send Authorization: Bearer",
        ));
    }
    if let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| ApiError::unauthorized())?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        return Ok(token.trim().to_string());
    }
    in_query.ok_or_else(ApiError::unauthorized)
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn device(
    req: &HttpRequest,
    query_token: bool,
    under_wipe: bool,
) -> impl Future<Output = Result<AuthenticatedDevice, ApiError>> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = bearer_token(req, query_token);
    async move {
        let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
        let token = token?;
        let now = state.now();
        let device = web::block(move || {
            let mut conn = state.db()?;
            authenticate(&mut conn, &token, now).map_err(ApiError::from)
        })
        .await??
        .ok_or_else(ApiError::unauthorized)?;
        if device.wipe_requested && !under_wipe {
            return Err(ApiError::new(
                ErrorCode::DeviceWiped,
                "this device was ordered to erase its case data: sync to receive the order",
            ));
        }
        Ok(device)
    }
}
