//! Training exercises (issue 20): a compressed Abena exercise played by scripted
//! participants (Rust device clients) who meet some deadlines and miss others; the server's
//! deadlines run on the scenario clock, and the after-action report shows exactly what they
//! did.

mod support;

mod compressed;
