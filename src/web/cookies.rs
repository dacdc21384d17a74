//! The page's cookies.

use crate::service::Gateway;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

/// The two cookies of the page, both HttpOnly and SameSite=Strict, and `Secure` when the
/// public URL is https. The session cookie carries the session's token; the sign-in cookie
/// carries the token the sign-in form must echo (a double submit: there is no session yet).
/// Neither has a lifetime of its own: the session's expiry is kept by the server.
pub struct Cookies {
    secure: bool,
}

const SIGN_IN_PATH: &str = "/sign-in";

impl Cookies {
    pub fn for_gateway(gateway: &Gateway) -> Cookies {
        Cookies {
            secure: gateway
                .settings
                .public_url
                .to_ascii_lowercase()
                .starts_with("https://"),
        }
    }

    /// `__Host-` when secure: the browser then keeps the cookie to this host and path `/`.
    fn session_name(&self) -> &'static str {
        if self.secure {
            "__Host-dualgate-session"
        } else {
            "dualgate-session"
        }
    }

    fn sign_in_name(&self) -> &'static str {
        if self.secure {
            "__Secure-dualgate-sign-in"
        } else {
            "dualgate-sign-in"
        }
    }

    pub fn session_token(&self, request: &HttpRequest) -> Option<String> {
        value(request, self.session_name())
    }

    pub fn session(&self, token: String) -> Cookie<'static> {
        self.build(self.session_name(), token, "/")
    }

    pub fn session_removal(&self) -> Cookie<'static> {
        removal(self.session(String::new()))
    }

    pub fn sign_in_token(&self, request: &HttpRequest) -> Option<String> {
        value(request, self.sign_in_name())
    }

    pub fn sign_in(&self, token: String) -> Cookie<'static> {
        self.build(self.sign_in_name(), token, SIGN_IN_PATH)
    }

    pub fn sign_in_removal(&self) -> Cookie<'static> {
        removal(self.sign_in(String::new()))
    }

    fn build(&self, name: &'static str, value: String, path: &'static str) -> Cookie<'static> {
        Cookie::build(name, value)
            .path(path)
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .finish()
    }
}

fn value(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .cookie(name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

fn removal(mut cookie: Cookie<'static>) -> Cookie<'static> {
    cookie.make_removal();
    cookie
}
