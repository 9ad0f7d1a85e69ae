//! Open WebSockets per device on this instance. A session holds a [`SocketSlot`] for its
//! lifetime; dropping it (however the session ends) frees the slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Sockets {
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open socket of a device.
pub struct SocketSlot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    device: String,
}

impl Sockets {
    /// A slot for one more socket of `device`, unless it already has `max` open.
    pub fn open(&self, device: &str, max: usize) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(device.to_string()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            open: self.open.clone(),
            device: device.to_string(),
        })
    }

    /// Sockets `device` has open here.
    pub fn count(&self, device: &str) -> usize {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.get(device).copied().unwrap_or(0)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.device) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.device);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_at_most_max_slots_and_closing_frees_one() {
        let sockets = Sockets::default();
        let a = sockets.open("phone", 2);
        let b = sockets.open("phone", 2);
        assert!(a.is_some() && b.is_some());
        assert!(sockets.open("phone", 2).is_none());
        assert!(
            sockets.open("other", 2).is_some(),
            "other devices unaffected"
        );
        drop(a);
        assert_eq!(sockets.count("phone"), 1);
        assert!(sockets.open("phone", 2).is_some());
    }
}
