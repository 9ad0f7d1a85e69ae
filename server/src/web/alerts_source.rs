//! Where the alerts board gets its alerts: the alerts domain (issue 4), for the signed-in
//! coordinator's organisation, open alerts only.

use casesync_contract::alerts::AlertList;

use super::session::PageUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn board_alerts(state: &AppState, user: &PageUser) -> Result<AlertList, ApiError> {
    Ok(crate::domain::alerts::list::watched_alerts(
        state,
        &user.as_device(),
        true,
        "alerts_board",
    )?)
}
