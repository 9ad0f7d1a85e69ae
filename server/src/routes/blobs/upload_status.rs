use actix_web::{route, web, HttpResponse};
use casesync_contract::wire::UploadStatus;
use casesync_schema::blobs::uploads as rows;

use crate::auth::Caller;
use crate::blobs::uploads::{status, upload_not_found};
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET`/`HEAD /v1/blobs/uploads/{id}`: the committed offset (also as `Upload-Offset`), for
/// a device resuming after a cut. Uploads of other organisations look unknown.
#[utoipa::path(
    tag = "blobs",
    params(("id", description = "Upload id")),
    responses(
        (
            status = 200,
            description = "Where the upload stands",
            body = UploadStatus,
            headers(
                ("Upload-Offset" = u64, description = "Bytes committed: the next part starts here")
            )
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[route("/v1/blobs/uploads/{id}", method = "GET", method = "HEAD")]
pub async fn get_upload(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let row = web::block(move || -> Result<_, ApiError> {
        let mut conn = state.db()?;
        Ok(rows::find(&mut conn, &path, &caller.organisation_id)?)
    })
    .await??
    .ok_or_else(upload_not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Upload-Offset", row.received.to_string()))
        .json(status(&row)))
}
