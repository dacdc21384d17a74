use super::namespaces::{WSSE, WSSE_PASSWORD_TEXT};
use super::xml_tree::Element;
use crate::service::authenticate::{Credentials, Scheme};

/// A WS-Security `UsernameToken` with a PasswordText password (the default when `Type` is
/// absent). A PasswordDigest token gives no credentials, so the call is refused as an
/// invalid login.
pub fn username_token(headers: &[Element]) -> Option<Credentials> {
    let token = headers
        .iter()
        .filter(|h| h.is(WSSE, "Security"))
        .flat_map(|h| &h.children)
        .find(|e| e.is(WSSE, "UsernameToken"))?;
    let child = |name| token.children.iter().find(|e| e.is(WSSE, name));
    let password = child("Password")?;
    if password
        .attribute(None, "Type")
        .is_some_and(|kind| kind.trim() != WSSE_PASSWORD_TEXT)
    {
        return None;
    }
    Some(Credentials {
        scheme: Scheme::UsernameToken,
        login: child("Username")?.text.trim().to_owned(),
        password: password.text.clone(),
    })
}
