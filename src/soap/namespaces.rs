//! The namespaces dualgate reads and writes.

pub const SOAP11_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_ENVELOPE: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Operation wrappers and their direct children.
pub const V2: &str = "http://apiconnector.com/v2";
/// Data types: `ApiUser`, `ApiAccount`, …
pub const TYPES: &str = "http://apiconnector.com";
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSSE_PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
