//! From an operation element to the core's raw inputs. Children are matched by namespace and
//! local name, in any order; an unexpected or repeated child is refused.

use super::namespaces::{TYPES, V2, XSI};
use super::xml_tree::{Element, check_characters};
use crate::domain::{Error, Result};
use crate::service::{ApiUserInput, Operation};

/// A decoded request.
pub enum Request {
    GetCurrentAccountInfo,
    GetServerTime,
    GetApiUsers {
        select: Option<String>,
        skip: Option<String>,
    },
    GetApiUserById {
        id: String,
    },
    CreateApiUser {
        user: ApiUserInput,
    },
    UpdateApiUser {
        id: String,
        user: ApiUserInput,
    },
    SetApiUserPassword {
        id: String,
        password: Option<String>,
        confirm_password: Option<String>,
    },
    UnlockApiUser {
        id: String,
    },
    DeleteApiUser {
        id: String,
    },
    GetAuditEvents {
        select: Option<String>,
        skip: Option<String>,
    },
}

/// The children of an element, checked against the names allowed in one namespace.
struct Fields<'a>(Vec<(&'a str, &'a Element)>);

impl<'a> Fields<'a> {
    fn of(parent: &'a Element, namespace: &str, allowed: &[&str]) -> Result<Fields<'a>> {
        check_characters(&parent.text, "a wrapper's own text")?;
        let mut fields: Vec<(&str, &Element)> = Vec::new();
        for child in &parent.children {
            if !(child.namespace.as_deref() == Some(namespace)
                && allowed.contains(&child.name.as_str()))
            {
                return Err(Error::MalformedRequest(format!(
                    "unexpected element {} in {}",
                    child.qualified_name(),
                    parent.name
                )));
            }
            if fields.iter().any(|(name, _)| *name == child.name) {
                return Err(Error::MalformedRequest(format!(
                    "element {} appears twice",
                    child.qualified_name()
                )));
            }
            fields.push((&child.name, child));
        }
        Ok(Fields(fields))
    }

    fn element(&self, name: &str) -> Option<&'a Element> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
    }

    /// The text of a child; absent or `xsi:nil` is `None`.
    fn text(&self, name: &str) -> Option<String> {
        self.element(name)
            .filter(|e| !is_nil(e))
            .map(|e| e.text.clone())
    }

    /// An id, which the core parses; absent is an empty (invalid) id.
    fn id(&self) -> String {
        self.text("id").unwrap_or_default()
    }
}

fn is_nil(element: &Element) -> bool {
    matches!(
        element.attribute(Some(XSI), "nil").map(str::trim),
        Some("true" | "1")
    )
}

fn boolean(text: Option<String>, field: &'static str) -> Result<Option<bool>> {
    match text.as_deref().map(str::trim) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(Error::ParameterInvalid(field)),
    }
}

/// `ApiUser` fields in the data-types namespace. Read-only ones are accepted and dropped, so
/// that a client may send back what it read.
fn api_user(element: Option<&Element>) -> Result<ApiUserInput> {
    let Some(element) = element.filter(|e| !is_nil(e)) else {
        return Err(Error::ParameterInvalid("apiUser"));
    };
    let fields = Fields::of(
        element,
        TYPES,
        &[
            "Id",
            "Email",
            "Description",
            "Status",
            "IsTieredRateLimitedApiUser",
            "IsLocked",
            "Created",
            "LastUsed",
            "Password",
            "ConfirmPassword",
        ],
    )?;
    Ok(ApiUserInput {
        email: fields.text("Email"),
        description: fields.text("Description"),
        status: fields.text("Status"),
        tiered_rate_limit: boolean(
            fields.text("IsTieredRateLimitedApiUser"),
            "isTieredRateLimitedApiUser",
        )?,
        password: fields.text("Password"),
        confirm_password: fields.text("ConfirmPassword"),
    })
}

/// `select` and `skip`, as text: the core owns the paging rule.
fn paging(fields: Fields) -> (Option<String>, Option<String>) {
    (fields.text("select"), fields.text("skip"))
}

pub fn decode(operation: Operation, element: &Element) -> Result<Request> {
    let fields = |allowed: &[&str]| Fields::of(element, V2, allowed);
    Ok(match operation {
        Operation::GetCurrentAccountInfo => {
            fields(&[])?;
            Request::GetCurrentAccountInfo
        }
        Operation::GetServerTime => {
            fields(&[])?;
            Request::GetServerTime
        }
        Operation::GetApiUsers => {
            let (select, skip) = paging(fields(&["select", "skip"])?);
            Request::GetApiUsers { select, skip }
        }
        Operation::GetAuditEvents => {
            let (select, skip) = paging(fields(&["select", "skip"])?);
            Request::GetAuditEvents { select, skip }
        }
        Operation::GetApiUserById => Request::GetApiUserById {
            id: fields(&["id"])?.id(),
        },
        Operation::CreateApiUser => Request::CreateApiUser {
            user: api_user(fields(&["apiUser"])?.element("apiUser"))?,
        },
        Operation::UpdateApiUser => {
            let f = fields(&["id", "apiUser"])?;
            Request::UpdateApiUser {
                id: f.id(),
                user: api_user(f.element("apiUser"))?,
            }
        }
        Operation::SetApiUserPassword => {
            let f = fields(&["id", "password", "confirmPassword"])?;
            Request::SetApiUserPassword {
                id: f.id(),
                password: f.text("password"),
                confirm_password: f.text("confirmPassword"),
            }
        }
        Operation::UnlockApiUser => Request::UnlockApiUser {
            id: fields(&["id"])?.id(),
        },
        Operation::DeleteApiUser => Request::DeleteApiUser {
            id: fields(&["id"])?.id(),
        },
        // The page's own: not in the WSDL, so never dispatched.
        Operation::SignInForm
        | Operation::SignIn
        | Operation::SignOut
        | Operation::NewApiUserForm
        | Operation::GetAccountUsers
        | Operation::GetAccountUser
        | Operation::AddAccountUser
        | Operation::UpdateAccountUser
        | Operation::SetAccountUserPassword
        | Operation::UnlockAccountUser
        | Operation::RemoveAccountUser => {
            return Err(Error::MalformedRequest(format!(
                "unknown operation {}",
                operation.name()
            )));
        }
    })
}
