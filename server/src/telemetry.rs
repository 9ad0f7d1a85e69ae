//! Logs through tracing. Request lines carry method, the route pattern that matched (e.g.
//! `/web/password/{token}`), status and duration: never the raw path nor the query string,
//! since a password link carries its token in the path and a browser socket its device
//! token in the query. No header is logged either.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::time::Instant;

use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// What a request line names when no route matched: the raw path may be anything a
/// client typed, secrets included.
const UNMATCHED: &str = "(no route)";

/// Installs the global subscriber: `json` for machines, anything else for people.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    install(format, filter, std::io::stderr);
}

/// Installs the global subscriber at the level `directives` name (`RUST_LOG` syntax),
/// writing to `writer`: tests read what the server logs. Does nothing when a subscriber is
/// already installed.
pub fn init_with<W>(format: &str, directives: &str, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    install(format, EnvFilter::new(directives), writer);
}

fn install<W>(format: &str, filter: EnvFilter, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub struct RequestLog;

impl<S, B> Transform<S, ServiceRequest> for RequestLog
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RequestLogService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestLogService { service }))
    }
}

pub struct RequestLogService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for RequestLogService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let method = req.method().to_string();
        let started = Instant::now();
        let fut = self.service.call(req);
        Box::pin(async move {
            let res = fut.await?;
            // The pattern is known once routing is done, that is after the call.
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| UNMATCHED.to_string());
            let elapsed = started.elapsed();
            tracing::info!(
                %method,
                %route,
                status = res.status().as_u16(),
                ms = elapsed.as_millis() as u64,
                "request"
            );
            crate::observe::request(
                &method,
                &route,
                res.status().as_u16(),
                elapsed.as_secs_f64(),
            );
            Ok(res)
        })
    }
}
