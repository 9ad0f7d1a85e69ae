//! The findings of the outside security review (issue 13): secrets never in the log, a
//! wiped device learns its order and nothing else, `?token=` only on the socket, one set of
//! security headers on every response, and edges answered with the JSON error body.

mod edges;
mod headers;
mod logs;
pub(crate) mod support;
mod tokens;
mod wipe;
