//! Target `batch_body`: the body of `POST /v1/sync`, read the way the server reads it
//! (`server/src/body.rs`): `ciborium::from_reader` for `application/cbor`,
//! `serde_json::from_slice` for JSON.

use casesync_contract::wire::{SyncRequest, SyncResponse};

/// Reads `data` as a batch request in both encodings, and as a batch response (what a
/// device's SDK reads). Whatever the bytes, reading returns. A request that reads writes
/// back, in either encoding, to a body that reads as the same request.
pub fn batch_body(data: &[u8]) {
    if let Ok(request) = ciborium::from_reader::<SyncRequest, _>(data) {
        round_trips(&request);
    }
    if let Ok(request) = serde_json::from_slice::<SyncRequest>(data) {
        round_trips(&request);
    }
    let _ = ciborium::from_reader::<SyncResponse, _>(data);
    let _ = serde_json::from_slice::<SyncResponse>(data);
}

fn round_trips(request: &SyncRequest) {
    let mut cbor = Vec::new();
    if let Err(error) = ciborium::into_writer(request, &mut cbor) {
        panic!("a request that was read cannot be written as CBOR: {error}");
    }
    match ciborium::from_reader::<SyncRequest, _>(cbor.as_slice()) {
        Ok(back) => assert_eq!(&back, request, "CBOR round trip changed the request"),
        Err(error) => panic!("a request written as CBOR does not read back: {error}"),
    }
    let json = match serde_json::to_vec(request) {
        Ok(json) => json,
        Err(error) => panic!("a request that was read cannot be written as JSON: {error}"),
    };
    match serde_json::from_slice::<SyncRequest>(&json) {
        Ok(back) => assert_eq!(&back, request, "JSON round trip changed the request"),
        Err(error) => panic!("a request written as JSON does not read back: {error}"),
    }
}
