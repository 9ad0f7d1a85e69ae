//! Configuration of access control and data protection: the `[access]` table of the
//! configuration (`CASESYNC_ACCESS__*` variables).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    /// Days a device token is valid after enrolment.
    pub device_token_days: u32,
    /// Minutes an enrolment code can be used.
    pub enrolment_code_minutes: u32,
    /// Window of the enrolment rate limits, in seconds.
    pub enrol_window_secs: u64,
    /// Enrolment attempts per client address per window.
    pub enrol_attempts_per_ip: u32,
    /// Enrolment attempts per code per window.
    pub enrol_attempts_per_code: u32,
    /// The address phones use to reach this server, written into enrolment QR codes.
    /// Empty: the scheme and host of the request that created the code.
    pub public_url: String,
    /// Retention classes: days a case is kept after its last activity.
    pub retention_classes: BTreeMap<String, u32>,
    /// The class of cases that were given none.
    pub default_retention_class: String,
    /// Seconds between two runs of the retention expiry job.
    pub retention_check_secs: u64,
}

impl Default for AccessConfig {
    fn default() -> Self {
        Self {
            device_token_days: 180,
            enrolment_code_minutes: 30,
            enrol_window_secs: 600,
            enrol_attempts_per_ip: 20,
            enrol_attempts_per_code: 5,
            public_url: String::new(),
            retention_classes: BTreeMap::from([
                ("short".to_string(), 365),
                ("standard".to_string(), 3 * 365),
                ("long".to_string(), 10 * 365),
            ]),
            default_retention_class: "standard".into(),
            retention_check_secs: 3600,
        }
    }
}

impl AccessConfig {
    /// Days kept for a class; the default class for unknown names.
    pub fn retention_days(&self, class: Option<&str>) -> Option<u32> {
        let class = class.unwrap_or(&self.default_retention_class);
        self.retention_classes
            .get(class)
            .or_else(|| self.retention_classes.get(&self.default_retention_class))
            .copied()
    }
}
