//! Records (issue 15 item 2): strategy meetings, safe-and-well checks, return interviews,
//! NRM referrals, police instruments and notifications, on both backends.

pub(crate) mod helpers;
mod meeting_actions;
mod older_cases;
mod steps;
