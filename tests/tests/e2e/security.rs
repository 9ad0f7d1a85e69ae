//! The findings of the outside security review (issue 13).

mod headers;
mod logs;
mod support;
mod tokens;
mod wipe;
