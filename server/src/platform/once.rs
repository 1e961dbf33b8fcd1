//! Secrets shown once. A new API key is held in memory for the administrator who made it, for a
//! few minutes, until the page that shows it takes it; the database keeps only its hash. So the key
//! reaches the page through a redirect (which works without JavaScript) and never sits in a URL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use domain::time::Timestamp;

use crate::platform::crypto::random_hex;

/// How long a secret waits for its page.
const HOLD_MS: i64 = 10 * 60 * 1000;

struct Held {
    owner: i64,
    secret: String,
    until: Timestamp,
}

/// Secrets waiting to be shown once, each to one account.
#[derive(Clone, Default)]
pub struct ShownOnce {
    held: Arc<Mutex<HashMap<String, Held>>>,
}

impl std::fmt::Debug for ShownOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShownOnce(..)")
    }
}

impl ShownOnce {
    /// Holds `secret` for account `owner`; returns the handle its page asks with.
    pub fn hold(&self, owner: i64, secret: String, now: Timestamp) -> String {
        let handle = random_hex(16);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.retain(|_, h| h.until > now);
        held.insert(
            handle.clone(),
            Held {
                owner,
                secret,
                until: now.plus_ms(HOLD_MS),
            },
        );
        handle
    }

    /// The secret held under `handle` for `owner`, once: it is forgotten as it is taken.
    pub fn take(&self, owner: i64, handle: &str, now: Timestamp) -> Option<String> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        match held.get(handle) {
            Some(h) if h.owner == owner && h.until > now => held.remove(handle).map(|h| h.secret),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_shown_once_to_its_owner_within_the_holding_time() {
        let once = ShownOnce::default();
        let now = Timestamp::from_unix_ms(1_000_000);
        let handle = once.hold(7, "hcp_key".into(), now);
        assert_eq!(once.take(8, &handle, now), None, "another account");
        assert_eq!(once.take(7, &handle, now).as_deref(), Some("hcp_key"));
        assert_eq!(once.take(7, &handle, now), None, "taken");
        let late = once.hold(7, "hcp_late".into(), now);
        assert_eq!(once.take(7, &late, now.plus_ms(HOLD_MS)), None, "expired");
    }
}
