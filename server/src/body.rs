//! Request and response bodies: CBOR for devices (`application/cbor`), JSON for people and
//! tools. The body is read up to the configured limit and no further, so an oversized upload
//! costs the server nothing but the bytes up to the limit.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use casesync_contract::errors::ErrorCode;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

pub const CBOR: &str = "application/cbor";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Cbor,
    Json,
}

impl Format {
    /// The format of the request body, from its Content-Type.
    pub fn of_request(req: &HttpRequest) -> Result<Self, ApiError> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json");
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            CBOR => Ok(Self::Cbor),
            "application/json" | "" => Ok(Self::Json),
            other => Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("send application/cbor or application/json, not {other}"),
            )),
        }
    }
}

/// Reads the whole body, refusing more than `limit` bytes or a body that takes longer than
/// `within` to arrive (a slow client holding a connection and its buffer).
pub async fn read_limited(
    payload: web::Payload,
    limit: usize,
    within: std::time::Duration,
) -> Result<web::BytesMut, ApiError> {
    match tokio::time::timeout(within, read_all(payload, limit)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::new(
            ErrorCode::RequestTimeout,
            format!(
                "the request body did not arrive within {} s",
                within.as_secs()
            ),
        )),
    }
}

async fn read_all(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("request body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("request body is larger than {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub fn decode<T: DeserializeOwned>(format: Format, bytes: &[u8]) -> Result<T, ApiError> {
    match format {
        Format::Cbor => ciborium::from_reader(bytes).map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("body is not valid CBOR of the expected shape: {e}"),
            )
        }),
        Format::Json => serde_json::from_slice(bytes).map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("body is not valid JSON of the expected shape: {e}"),
            )
        }),
    }
}

pub fn respond<T: Serialize>(format: Format, value: &T) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Cbor => {
            let mut out = Vec::new();
            ciborium::into_writer(value, &mut out).map_err(ApiError::internal)?;
            Ok(HttpResponse::Ok().content_type(CBOR).body(out))
        }
        Format::Json => Ok(HttpResponse::Ok().json(value)),
    }
}
