//! The findings of the outside security review (issue 13).

mod support;
mod tokens;
