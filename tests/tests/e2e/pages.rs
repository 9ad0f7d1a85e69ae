//! The coordinator pages: sign-in, sessions and CSRF over plain HTTP, and the pages in a
//! real browser (Chromium, headless), with screenshots under `target/screenshots/`.

mod alerts_live;
mod browser_flow;
mod languages;
mod security;
pub(crate) mod support;
mod words;
