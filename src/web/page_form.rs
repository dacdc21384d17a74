//! The page's forms as handlers receive them. Unlike actix's `Form`, which decodes invalid
//! UTF-8 into U+FFFD (so `description=%FF%FE` would be saved as `��`) and refuses in plain text,
//! a form here is read within the body limits, must be UTF-8 in every name and value once
//! percent-decoded, and every refusal is the page's own error page, with its headers.

use super::respond::refusal;
use crate::domain::Error;
use crate::http::{MediaType, read_body};
use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use percent_encoding::percent_decode;
use serde::de::DeserializeOwned;
use std::fmt;

const FORM: &str = "application/x-www-form-urlencoded";

/// A form whose only field is the CSRF token (sign-out, unlock, delete).
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// A form of type `T`, read as described above.
pub struct PageForm<T>(pub T);

impl<T> PageForm<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// A form refused before its handler runs, answered with the page's error page.
#[derive(Debug)]
pub struct FormRefused(Error);

impl fmt::Display for FormRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for FormRefused {
    fn error_response(&self) -> HttpResponse {
        refusal(&self.0)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for PageForm<T> {
    type Error = FormRefused;
    type Future = LocalBoxFuture<'static, Result<Self, FormRefused>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = web::Payload::from_request(&request, payload).into_inner();
        Box::pin(async move {
            let essence = MediaType::of(&request).essence;
            if essence != FORM {
                return Err(FormRefused(Error::unsupported_content_type(&essence)));
            }
            let payload = payload.map_err(|e| FormRefused(Error::unknown(e)))?;
            let body = read_body(&request, payload).await.map_err(FormRefused)?;
            parse(&body).map(PageForm).map_err(FormRefused)
        })
    }
}

/// Every name and value must be UTF-8 once `+` and percent escapes are decoded; only then is
/// the form handed to serde, whose decoding can no longer replace anything.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Error> {
    let all_utf8 = body
        .split(|byte| *byte == b'&')
        .flat_map(|pair| pair.splitn(2, |byte| *byte == b'='))
        .all(|part| {
            let spaced: Vec<u8> = part
                .iter()
                .map(|byte| if *byte == b'+' { b' ' } else { *byte })
                .collect();
            percent_decode(&spaced).decode_utf8().is_ok()
        });
    if !all_utf8 {
        return Err(Error::MalformedRequest("the form is not UTF-8".into()));
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| Error::MalformedRequest(format!("the form cannot be read ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Fields {
        csrf: Option<String>,
        description: Option<String>,
    }

    fn read(body: &'static str) -> Result<Fields, Error> {
        parse(&Bytes::from_static(body.as_bytes()))
    }

    #[test]
    fn utf8_forms_are_read_and_anything_else_refused() {
        assert_eq!(
            read("csrf=t&description=Caf%C3%A9+%2B+b%C3%A4r"),
            Ok(Fields {
                csrf: Some("t".into()),
                description: Some("Café + bär".into())
            })
        );
        for bad in ["description=%FF%FE", "descr%FFiption=x", "csrf=a&csrf=b"] {
            assert!(
                matches!(read(bad), Err(Error::MalformedRequest(_))),
                "{bad}"
            );
        }
    }
}
