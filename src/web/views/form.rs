//! Form pieces: every field shows its hint and, when the core refused it, the error next to it.

use crate::domain::Status;
use crate::web::fields::{Field, FormError};
use maud::{Markup, html};

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A text-like input. Passwords have no `value`: they are never sent back.
pub struct Input<'a> {
    /// The field whose errors show here; `None` for an input whose errors show above the form.
    pub field: Option<Field>,
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: Option<&'a str>,
    pub autocomplete: &'a str,
    pub hint: Option<&'a str>,
    pub required: bool,
    pub max_length: Option<usize>,
}

impl<'a> Input<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Input<'a> {
        Input {
            field: None,
            name,
            label,
            kind: "text",
            value: Some(value),
            autocomplete: "off",
            hint: None,
            required: false,
            max_length: None,
        }
    }

    pub fn password(name: &'a str, label: &'a str) -> Input<'a> {
        Input {
            field: None,
            name,
            label,
            kind: "password",
            value: None,
            autocomplete: "new-password",
            hint: None,
            required: true,
            max_length: None,
        }
    }
}

pub fn input(spec: &Input, error: Option<&FormError>) -> Markup {
    let error = spec
        .field
        .and_then(|field| FormError::at(error, Some(field)));
    let error_id = format!("{}-error", spec.name);
    let hint_id = format!("{}-hint", spec.name);
    let described_by = described_by(error.map(|_| &error_id), spec.hint.map(|_| &hint_id));
    html! {
        div.field.invalid[error.is_some()] id=(format!("field-{}", spec.name)) {
            label for=(spec.name) { (spec.label) }
            input id=(spec.name) name=(spec.name) type=(spec.kind) value=[spec.value]
                autocomplete=(spec.autocomplete) spellcheck="false"
                required[spec.required] maxlength=[spec.max_length]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[described_by];
            (error_text(error, &error_id))
            @if let Some(hint) = spec.hint {
                p.hint id=(hint_id) { (hint) }
            }
        }
    }
}

/// The Enabled / Disabled choice.
pub fn status_choice(selected: &str, error: Option<&FormError>) -> Markup {
    let error = FormError::at(error, Some(Field::Status));
    let error_id = "status-error".to_owned();
    let hint_id = "status-hint".to_owned();
    html! {
        fieldset.field.invalid[error.is_some()] id="field-status"
            aria-describedby=[described_by(error.map(|_| &error_id), Some(&hint_id))] {
            legend { "Status" }
            div.choices {
                @for status in Status::ALL {
                    label.choice {
                        input type="radio" name="status" value=(status.as_str())
                            checked[status.as_str() == selected];
                        " " (status.as_str())
                    }
                }
            }
            (error_text(error, &error_id))
            p.hint id=(hint_id) { "A disabled user cannot call the API until it is enabled again." }
        }
    }
}

/// A drop-down list of `options` (value, label), `selected` chosen, with its error next to it.
pub struct Select<'a> {
    pub field: Field,
    pub name: &'a str,
    pub label: &'a str,
    pub options: &'a [(&'a str, &'a str)],
    pub selected: &'a str,
}

pub fn select(spec: &Select, error: Option<&FormError>) -> Markup {
    let error = FormError::at(error, Some(spec.field));
    let error_id = format!("{}-error", spec.name);
    html! {
        div.field.invalid[error.is_some()] id=(format!("field-{}", spec.name)) {
            label for=(spec.name) { (spec.label) }
            select id=(spec.name) name=(spec.name)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described_by(error.map(|_| &error_id), None)] {
                @for (value, label) in spec.options {
                    option value=(value) selected[*value == spec.selected] { (label) }
                }
            }
            (error_text(error, &error_id))
        }
    }
}

/// An error that concerns no field, above the form.
pub fn form_error(error: Option<&FormError>) -> Markup {
    html! {
        @if let Some(error) = FormError::at(error, None) { (alert(error)) }
    }
}

/// An error above a form, whatever field it concerns (for a form that shows no fields).
pub fn alert(error: &FormError) -> Markup {
    html! {
        div.alert role="alert" {
            (error.text) " " code { (error.code) }
        }
    }
}

fn error_text(error: Option<&FormError>, id: &str) -> Markup {
    html! {
        @if let Some(error) = error {
            p.error id=(id) {
                (error.text) " " code { (error.code) }
            }
        }
    }
}

fn described_by(error: Option<&String>, hint: Option<&String>) -> Option<String> {
    let ids: Vec<&str> = [error, hint]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The "Can manage account" checkbox, with its error next to it.
pub fn permission_checkbox(checked: bool, error: Option<&FormError>) -> Markup {
    let error = FormError::at(error, Some(Field::CanManageAccount));
    let error_id = "can_manage_account-error".to_owned();
    let hint_id = "can_manage_account-hint".to_owned();
    html! {
        div.field.invalid[error.is_some()] id="field-can_manage_account" {
            label.choice {
                input #can_manage_account type="checkbox" name="can_manage_account" value="true"
                    checked[checked]
                    aria-describedby=[described_by(error.map(|_| &error_id), Some(&hint_id))];
                " Can manage account"
            }
            (error_text(error, &error_id))
            p.hint id=(hint_id) {
                "Lets this user manage API users and account users, and read the audit trail."
            }
        }
    }
}
