use crate::domain::{Caller, Timestamp};

/// The server's clock in UTC; any authenticated principal may ask.
pub fn server_time(_caller: &Caller) -> Timestamp {
    Timestamp::now()
}
