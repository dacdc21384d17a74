//! The page's HTML (maud: templates are Rust, checked by the compiler, and escape every value).

pub mod api_user_forms;
pub mod api_users;
pub mod audit;
mod form;
mod layout;
pub mod messages;
pub mod pager;
pub mod sign_in;
pub mod user_forms;
pub mod users;

/// The signed-in account user, as the top bar shows them (with the sign-out form).
pub struct SignedInAs<'a> {
    pub login: &'a str,
    pub csrf: &'a str,
}
