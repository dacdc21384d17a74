use crate::domain::{Principal, Timestamp};

/// The server's clock in UTC; any authenticated principal may ask.
pub fn server_time(_principal: &Principal) -> Timestamp {
    Timestamp::now()
}
