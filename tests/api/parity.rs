//! The same scenario over REST, SOAP 1.1 and SOAP 1.2 gives the same outcomes and leaves the
//! same stored state.

use crate::helpers::*;
use crate::xml::{Node, body_payload};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq)]
struct UserView {
    id: String,
    email: String,
    description: String,
    status: String,
    tiered: bool,
    locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    User(UserView),
    Users(Vec<UserView>),
    Done,
    Failed(String),
}

/// Generated logins differ from run to run; their shape does not.
fn normalize_email(email: &str) -> String {
    match email.strip_prefix("apiuser-") {
        Some(rest) if rest.len() == 12 + "@apiconnector.com".len() => {
            "apiuser-<generated>@apiconnector.com".into()
        }
        _ => email.to_owned(),
    }
}

#[derive(Default, Clone)]
struct Fields<'a> {
    email: Option<&'a str>,
    description: Option<&'a str>,
    status: Option<&'a str>,
    tiered: Option<bool>,
    password: Option<&'a str>,
    confirm: Option<&'a str>,
}

enum Call<'a> {
    Create(Fields<'a>),
    List(&'a str, &'a str),
    Get(&'a str),
    Update(&'a str, Fields<'a>),
    SetPassword(&'a str, &'a str, Option<&'a str>),
    Unlock(&'a str),
    Delete(&'a str),
}

#[derive(Clone, Copy)]
enum Protocol {
    Rest,
    Soap(Soap),
}

fn user_from_json(v: &Value) -> UserView {
    UserView {
        id: v["id"].to_string(),
        email: normalize_email(v["email"].as_str().unwrap()),
        description: v["description"].as_str().unwrap().to_owned(),
        status: v["status"].as_str().unwrap().to_owned(),
        tiered: v["isTieredRateLimitedApiUser"].as_bool().unwrap(),
        locked: v["isLocked"].as_bool().unwrap(),
    }
}

fn user_from_xml(n: &Node) -> UserView {
    let text = |name| {
        n.child_text(TYPES_NS, name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    UserView {
        id: text("Id"),
        email: normalize_email(&text("Email")),
        description: text("Description"),
        status: text("Status"),
        tiered: text("IsTieredRateLimitedApiUser") == "true",
        locked: text("IsLocked") == "true",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

fn soap_api_user(f: &Fields) -> String {
    let mut out = format!(r#"<apiUser xmlns:a="{TYPES_NS}">"#);
    let mut field = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            out.push_str(&format!("<a:{name}>{}</a:{name}>", escape(&v)));
        }
    };
    field("Email", f.email.map(str::to_owned));
    field("Description", f.description.map(str::to_owned));
    field("Status", f.status.map(str::to_owned));
    field(
        "IsTieredRateLimitedApiUser",
        f.tiered.map(|t| t.to_string()),
    );
    field("Password", f.password.map(str::to_owned));
    field("ConfirmPassword", f.confirm.map(str::to_owned));
    out.push_str("</apiUser>");
    out
}

fn json_api_user(f: &Fields) -> Value {
    let mut body = serde_json::Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            body.insert(k.to_owned(), v);
        }
    };
    put("email", f.email.map(|v| json!(v)));
    put("description", f.description.map(|v| json!(v)));
    put("status", f.status.map(|v| json!(v)));
    put("isTieredRateLimitedApiUser", f.tiered.map(|v| json!(v)));
    put("password", f.password.map(|v| json!(v)));
    put("confirmPassword", f.confirm.map(|v| json!(v)));
    Value::Object(body)
}

async fn perform(
    app: &TestApp,
    protocol: Protocol,
    auth: Option<(&str, &str)>,
    call: &Call<'_>,
) -> Outcome {
    match protocol {
        Protocol::Rest => {
            let (method, path, body) = match call {
                Call::Create(f) => (
                    Method::POST,
                    "/v2/api-users".to_owned(),
                    Some(json_api_user(f)),
                ),
                Call::List(select, skip) => (
                    Method::GET,
                    format!("/v2/api-users?select={select}&skip={skip}"),
                    None,
                ),
                Call::Get(id) => (Method::GET, format!("/v2/api-users/{id}"), None),
                Call::Update(id, f) => (
                    Method::PUT,
                    format!("/v2/api-users/{id}"),
                    Some(json_api_user(f)),
                ),
                Call::SetPassword(id, p, c) => (
                    Method::PUT,
                    format!("/v2/api-users/{id}/password"),
                    Some(match c {
                        Some(c) => json!({"password": p, "confirmPassword": c}),
                        None => json!({"password": p}),
                    }),
                ),
                Call::Unlock(id) => (Method::POST, format!("/v2/api-users/{id}/unlock"), None),
                Call::Delete(id) => (Method::DELETE, format!("/v2/api-users/{id}"), None),
            };
            let reply = app.rest(method, &path, auth, body).await;
            if !reply.status.is_success() {
                return Outcome::Failed(reply.error_code());
            }
            if reply.body.is_empty() {
                return Outcome::Done;
            }
            let v = reply.json();
            match v.as_array() {
                Some(users) => Outcome::Users(users.iter().map(user_from_json).collect()),
                None => Outcome::User(user_from_json(&v)),
            }
        }
        Protocol::Soap(version) => {
            let (op, inner) = match call {
                Call::Create(f) => ("CreateApiUser", soap_api_user(f)),
                Call::List(select, skip) => (
                    "GetApiUsers",
                    format!("<select>{select}</select><skip>{skip}</skip>"),
                ),
                Call::Get(id) => ("GetApiUserById", format!("<id>{id}</id>")),
                Call::Update(id, f) => (
                    "UpdateApiUser",
                    format!("<id>{id}</id>{}", soap_api_user(f)),
                ),
                Call::SetPassword(id, p, c) => (
                    "SetApiUserPassword",
                    format!(
                        "<id>{id}</id><password>{}</password>{}",
                        escape(p),
                        c.map(|c| format!("<confirmPassword>{}</confirmPassword>", escape(c)))
                            .unwrap_or_default()
                    ),
                ),
                Call::Unlock(id) => ("UnlockApiUser", format!("<id>{id}</id>")),
                Call::Delete(id) => ("DeleteApiUser", format!("<id>{id}</id>")),
            };
            let reply = app
                .soap(
                    version,
                    auth,
                    &format!(r#"<{op} xmlns="{V2_NS}">{inner}</{op}>"#),
                )
                .await;
            if !reply.status.is_success() {
                return Outcome::Failed(reply.error_code());
            }
            let payload = body_payload(&reply.body);
            assert_eq!(payload.name, format!("{op}Response"));
            match payload.child(V2_NS, &format!("{op}Result")) {
                None => Outcome::Done,
                Some(result) if op == "GetApiUsers" => {
                    Outcome::Users(result.children.iter().map(user_from_xml).collect())
                }
                Some(result) => Outcome::User(user_from_xml(result)),
            }
        }
    }
}

/// Runs the scenario on a fresh server and returns the outcomes and the stored rows.
async fn scenario(protocol: Protocol) -> (Vec<Outcome>, Vec<StoredApiUser>) {
    let app = spawn_app().await;
    let owner = Some((OWNER, OWNER_PASSWORD));
    let good = Fields {
        description: Some("Magento <shop> & co"),
        password: Some(API_PASSWORD),
        confirm: Some(API_PASSWORD),
        ..Fields::default()
    };
    let given = Fields {
        email: Some("erp@apiconnector.com"),
        description: Some("ERP"),
        tiered: Some(false),
        password: Some(API_PASSWORD),
        ..Fields::default()
    };
    let calls = vec![
        Call::Create(good.clone()),
        Call::Create(given.clone()),
        Call::Create(given.clone()),
        Call::Create(Fields {
            password: Some("short1"),
            ..Fields::default()
        }),
        Call::Create(Fields {
            password: Some(API_PASSWORD),
            confirm: Some("Other#2026"),
            ..Fields::default()
        }),
        Call::Create(Fields {
            password: Some(API_PASSWORD),
            status: Some("Paused"),
            ..Fields::default()
        }),
        Call::Create(Fields {
            password: Some(API_PASSWORD),
            email: Some("x@example.com"),
            ..Fields::default()
        }),
        Call::List("1", "1"),
        Call::List("0", "0"),
        Call::List("1000", "5"),
        Call::Get("1"),
        Call::Get("999"),
        Call::Get("x"),
        Call::Update(
            "1",
            Fields {
                description: Some("Renamed"),
                status: Some("Disabled"),
                ..Fields::default()
            },
        ),
        Call::Update(
            "1",
            Fields {
                status: Some("Bogus"),
                ..Fields::default()
            },
        ),
        Call::Update(
            "1",
            Fields {
                password: Some(API_PASSWORD),
                ..Fields::default()
            },
        ),
        Call::Update(
            "999",
            Fields {
                description: Some("x"),
                ..Fields::default()
            },
        ),
        Call::SetPassword("2", "Fresh-Secret-77", Some("Fresh-Secret-77")),
        Call::SetPassword("2", "weak", None),
        Call::SetPassword("2", "Fresh-Secret-77", Some("Fresh-Secret-78")),
        Call::SetPassword("999", "Fresh-Secret-77", None),
        Call::Unlock("1"),
        Call::Unlock("999"),
        Call::Delete("1"),
        Call::Delete("1"),
    ];
    let mut outcomes = Vec::new();
    for call in &calls {
        outcomes.push(perform(&app, protocol, owner, call).await);
    }
    let api_user = Some(("erp@apiconnector.com", "Fresh-Secret-77"));
    outcomes.push(perform(&app, protocol, api_user, &Call::List("10", "0")).await);
    outcomes.push(perform(&app, protocol, None, &Call::Get("2")).await);
    outcomes.push(
        perform(
            &app,
            protocol,
            Some(("erp@apiconnector.com", API_PASSWORD)),
            &Call::Get("2"),
        )
        .await,
    );
    let stored = app
        .stored_api_users()
        .into_iter()
        .map(|mut u| {
            u.login = normalize_email(&u.login);
            u.password_hash.clear();
            u
        })
        .collect();
    (outcomes, stored)
}

#[tokio::test]
async fn rest_and_both_soap_versions_agree() {
    let (rest, rest_state) = scenario(Protocol::Rest).await;
    let failures: Vec<_> = rest
        .iter()
        .filter_map(|o| match o {
            Outcome::Failed(code) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        failures,
        [
            "ERROR_INVALID_APIUSEREXISTS",
            "ERROR_WEAK_PASSWORD",
            "ERROR_PASSWORDS_DO_NOT_MATCH",
            "ERROR_PARAMETER_INVALID",
            "ERROR_PARAMETER_INVALID",
            "ERROR_PARAMETER_INVALID",
            "ERROR_APIUSER_NOT_FOUND",
            "ERROR_PARAMETER_INVALID",
            "ERROR_PARAMETER_INVALID",
            "ERROR_PARAMETER_INVALID",
            "ERROR_APIUSER_NOT_FOUND",
            "ERROR_WEAK_PASSWORD",
            "ERROR_PASSWORDS_DO_NOT_MATCH",
            "ERROR_APIUSER_NOT_FOUND",
            "ERROR_APIUSER_NOT_FOUND",
            "ERROR_APIUSER_NOT_FOUND",
            "ERROR_PERMISSION_DENIED",
            "ERROR_INVALID_LOGIN",
            "ERROR_INVALID_LOGIN",
        ]
    );
    assert_eq!(rest_state.len(), 1);
    assert_eq!(rest_state[0].login, "erp@apiconnector.com");
    for version in [Soap::V11, Soap::V12] {
        let (soap, soap_state) = scenario(Protocol::Soap(version)).await;
        for (index, (r, s)) in rest.iter().zip(&soap).enumerate() {
            assert_eq!(r, s, "step {index} differs over {version:?}");
        }
        assert_eq!(rest.len(), soap.len());
        assert_eq!(
            rest_state, soap_state,
            "stored state differs over {version:?}"
        );
    }
}

/// One mistake in one field, and how the field is sent over REST and over SOAP.
enum Mistake<'a> {
    /// A create whose `apiUser` holds this field (JSON name and value, SOAP element and text).
    InApiUser(&'a str, Value, &'a str, &'a str),
    /// A list whose paging parameter has this value.
    InPaging(&'a str, &'a str),
}

/// The message of the answer, or `None` for a success.
async fn attempt(app: &TestApp, protocol: Protocol, mistake: &Mistake<'_>) -> Option<String> {
    let owner = Some((OWNER, OWNER_PASSWORD));
    let reply = match (protocol, mistake) {
        (Protocol::Rest, Mistake::InApiUser(field, value, _, _)) => {
            let body = json!({"password": API_PASSWORD, *field: value});
            app.rest(Method::POST, "/v2/api-users", owner, Some(body))
                .await
        }
        (Protocol::Rest, Mistake::InPaging(parameter, value)) => {
            app.rest(
                Method::GET,
                &format!("/v2/api-users?{parameter}={value}"),
                owner,
                None,
            )
            .await
        }
        (Protocol::Soap(version), Mistake::InApiUser(_, _, element, text)) => {
            let payload = format!(
                r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}">
                <a:Password>{API_PASSWORD}</a:Password><a:{element}>{text}</a:{element}>
                </apiUser></CreateApiUser>"#
            );
            app.soap(version, owner, &payload).await
        }
        (Protocol::Soap(version), Mistake::InPaging(parameter, value)) => {
            let payload = format!(
                r#"<GetApiUsers xmlns="{V2_NS}"><{parameter}>{value}</{parameter}></GetApiUsers>"#
            );
            app.soap(version, owner, &payload).await
        }
    };
    if reply.status.is_success() {
        return None;
    }
    Some(if reply.body.starts_with('{') {
        reply.json()["message"].as_str().unwrap().to_owned()
    } else {
        crate::xml::fault_text(&reply.body).unwrap()
    })
}

#[tokio::test]
async fn one_mistake_gets_one_code_naming_the_field_on_rest_and_soap_for_every_field_type() {
    let app = spawn_app().await;
    let invalid = |field: &str| {
        Some(format!(
            "The parameter '{field}' is invalid. ERROR_PARAMETER_INVALID"
        ))
    };
    let tiered = "isTieredRateLimitedApiUser";
    let long = "x".repeat(256);
    let table: Vec<(&str, Mistake<'_>, Option<String>)> = vec![
        (
            "bool",
            Mistake::InApiUser(tiered, json!("yes"), "IsTieredRateLimitedApiUser", "yes"),
            invalid(tiered),
        ),
        (
            "bool",
            Mistake::InApiUser(tiered, json!(2), "IsTieredRateLimitedApiUser", "2"),
            invalid(tiered),
        ),
        (
            "enum",
            Mistake::InApiUser("status", json!("Sometimes"), "Status", "Sometimes"),
            invalid("status"),
        ),
        (
            "enum",
            Mistake::InApiUser("status", json!(1), "Status", "1"),
            invalid("status"),
        ),
        (
            "string",
            Mistake::InApiUser("description", json!(long), "Description", &long),
            invalid("description"),
        ),
        ("int", Mistake::InPaging("select", "ten"), invalid("select")),
        ("int", Mistake::InPaging("skip", "-1"), invalid("skip")),
        // Read-only fields are dropped whatever they hold, so that a client may send back what
        // it read (WCF sends its default `0001-01-01T00:00:00` for an unset date).
        (
            "int, read-only",
            Mistake::InApiUser("id", json!("ten"), "Id", "ten"),
            None,
        ),
        (
            "date, read-only",
            Mistake::InApiUser("created", json!("yesterday"), "Created", "yesterday"),
            None,
        ),
        (
            "date, read-only",
            Mistake::InApiUser("lastUsed", json!(false), "LastUsed", "false"),
            None,
        ),
    ];
    for (kind, mistake, expected) in &table {
        for protocol in [
            Protocol::Rest,
            Protocol::Soap(Soap::V11),
            Protocol::Soap(Soap::V12),
        ] {
            let answer = attempt(&app, protocol, mistake).await;
            assert_eq!(
                &answer,
                expected,
                "{kind} over {}",
                match protocol {
                    Protocol::Rest => "REST",
                    Protocol::Soap(Soap::V11) => "SOAP 1.1",
                    Protocol::Soap(Soap::V12) => "SOAP 1.2",
                }
            );
        }
    }
    let accepted = table
        .iter()
        .filter(|(_, mistake, expected)| {
            matches!(mistake, Mistake::InApiUser(..)) && expected.is_none()
        })
        .count();
    assert_eq!(
        app.stored_api_users().len(),
        3 * accepted,
        "only the accepted creates stored"
    );
}
