//! Answers given outside the handlers, rendered as the path's adapter renders its errors (a
//! SOAP fault, the page's error page, REST JSON): a declared body over the limit refused
//! before `100 Continue`, and a body for actix-web's own bodiless 4xx. They sit above the
//! adapters, beside `startup`, because they name all three.

mod bare_answers;
mod early_refusal;
mod route_family;

pub use bare_answers::give_bare_answers_a_body;
pub use early_refusal::{expect_continue, refuse_declared_oversize};
