use super::form::{Input, csrf_field, form_error, input};
use super::layout::page;
use crate::web::fields::FormError;
use maud::{Markup, html};

pub struct SignInPage<'a> {
    pub csrf: &'a str,
    pub email: &'a str,
    pub error: Option<&'a FormError>,
    pub signed_out: bool,
}

pub fn sign_in(view: &SignInPage) -> Markup {
    let email = Input {
        autocomplete: "username",
        kind: "email",
        required: true,
        ..Input::text("email", "Email address", view.email)
    };
    let password = Input {
        autocomplete: "current-password",
        ..Input::password("password", "Password")
    };
    page(
        "Sign in",
        None,
        html! {
            section.card.narrow {
                h1 { "Sign in" }
                p.lead { "Sign in with your account user's email address to manage the account's API users." }
                @if view.signed_out {
                    p.flash role="status" { "You are signed out." }
                }
                (form_error(view.error))
                form method="post" action="/sign-in" {
                    (csrf_field(view.csrf))
                    (input(&email, None))
                    (input(&password, None))
                    div.actions {
                        button.primary type="submit" { "Sign in" }
                    }
                }
            }
        },
    )
}
