//! Credentials under attack: lockout after wrong passwords, the rate limits with their
//! headers, the per-address limit on failed logins, and the audit trail of every change.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

/// The `n`-th of distinct wrong passwords: the same wrong password sent again counts once.
fn wrong(n: usize) -> String {
    format!("Not-the-password-{n}")
}
const GET_SERVER_TIME: &str = r#"<GetServerTime xmlns="http://apiconnector.com/v2"/>"#;

async fn spawn_with(flags: &[&str]) -> TestApp {
    spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), flags).await
}

fn email(user: &Value) -> String {
    user["email"].as_str().unwrap().to_owned()
}

async fn audit_events(app: &TestApp) -> Vec<Value> {
    let reply = app.owner_get("/v2/audit-events").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn five_wrong_passwords_lock_an_api_user_on_both_protocols_until_unlocked() {
    let app = spawn_app().await;
    let user = app.create_api_user("lockout").await;
    let login = email(&user);
    for _ in 0..10 {
        let challenge = app.rest(Method::GET, "/v2/account-info", None, None).await;
        assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK,
        "requests without credentials never count"
    );
    for attempt in 1..=5 {
        let reply = app.account_info_as(&login, &wrong(attempt)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(reply.error_code(), "ERROR_INVALID_LOGIN");
    }
    let right = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(
        right.status,
        StatusCode::UNAUTHORIZED,
        "locked: {}",
        right.body
    );
    assert_eq!(right.error_code(), "ERROR_INVALID_LOGIN");
    let soap = app
        .soap(Soap::V12, Some((&login, API_PASSWORD)), GET_SERVER_TIME)
        .await;
    assert_eq!(soap.status, StatusCode::UNAUTHORIZED);
    assert_eq!(soap.error_code(), "ERROR_INVALID_LOGIN");
    let id = user["id"].as_i64().unwrap();
    let shown = app.owner_get(&format!("/v2/api-users/{id}")).await.json();
    assert_eq!(shown["isLocked"], true);
    assert!(app.stored_api_users()[0].locked);

    let events = audit_events(&app).await;
    assert_eq!(events[0]["action"], "ApiUserLocked");
    assert_eq!(events[0]["actor"], "dualgate");
    assert_eq!(events[0]["target"], login.as_str());
    assert_eq!(events[0]["protocol"], "REST");
    assert_eq!(events[0]["address"], "127.0.0.1");

    let unlock = app
        .rest(
            Method::POST,
            &format!("/v2/api-users/{id}/unlock"),
            Some((OWNER, OWNER_PASSWORD)),
            None,
        )
        .await;
    assert_eq!(unlock.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK
    );
    for n in 0..4 {
        app.account_info_as(&login, &wrong(n)).await;
    }
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK,
        "unlocking cleared the count: four more failures do not lock"
    );
}

#[tokio::test]
async fn a_success_clears_the_count_and_the_threshold_is_configurable() {
    let app = spawn_with(&["--lockout-threshold", "2"]).await;
    let login = email(&app.create_api_user("threshold").await);
    app.account_info_as(&login, &wrong(1)).await;
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK
    );
    app.account_info_as(&login, &wrong(2)).await;
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK,
        "the success in between reset the count"
    );
    app.account_info_as(&login, &wrong(3)).await;
    app.account_info_as(&login, &wrong(4)).await;
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_owner_is_locked_the_same_way_and_unlocked_from_the_command_line() {
    let app = spawn_app().await;
    for n in 0..5 {
        app.account_info_as(OWNER, &wrong(n)).await;
    }
    assert_eq!(
        app.account_info_as(OWNER, OWNER_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.unlock_account_user(OWNER);
    assert_eq!(
        app.account_info_as(OWNER, OWNER_PASSWORD).await.status,
        StatusCode::OK
    );
    let actions: Vec<Value> = audit_events(&app)
        .await
        .iter()
        .map(|e| json!([e["action"], e["actor"], e["protocol"]]))
        .collect();
    assert_eq!(
        actions[..2],
        [
            json!(["AccountUserUnlocked", "cli", "CLI"]),
            json!(["AccountUserLocked", "dualgate", "REST"])
        ]
    );
}

#[tokio::test]
async fn a_tiered_api_user_gets_rate_headers_and_429_past_its_minute_limit() {
    let app = spawn_with(&["--rate-limit-tiered-per-minute", "3"]).await;
    let login = email(&app.create_api_user("tiered").await);
    for remaining in ["2", "1"] {
        let reply = app.account_info_as(&login, API_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(reply.header("x-ratelimit-remaining"), Some(remaining));
        let reset: u32 = reply.header("x-ratelimit-reset").unwrap().parse().unwrap();
        // Counted to the second, so whole seconds round up to 61 at most.
        assert!((1..=61).contains(&reset), "{reset}");
    }
    let soap = app
        .soap(Soap::V11, Some((&login, API_PASSWORD)), GET_SERVER_TIME)
        .await;
    assert_eq!(soap.status, StatusCode::OK);
    assert_eq!(soap.header("x-ratelimit-remaining"), Some("0"));

    let refused = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "ERROR_APIUSAGE_EXCEEDED");
    let retry: u32 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=61).contains(&retry), "{retry}");
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    let soap = app
        .soap(Soap::V12, Some((&login, API_PASSWORD)), GET_SERVER_TIME)
        .await;
    assert_eq!(soap.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(soap.error_code(), "ERROR_APIUSAGE_EXCEEDED");
    assert!(soap.header("retry-after").is_some());

    let owner = app.owner_get("/v2/account-info").await;
    assert_eq!(
        owner.status,
        StatusCode::OK,
        "account users are not rate limited"
    );
    assert_eq!(owner.header("x-ratelimit-limit"), None);
}

#[tokio::test]
async fn a_flat_api_user_is_limited_per_hour_and_account_info_reports_the_same_counts() {
    let app = spawn_with(&["--rate-limit-flat-per-hour", "3"]).await;
    let user = app.create_api_user("flat").await;
    let id = user["id"].as_i64().unwrap();
    let update = app
        .rest(
            Method::PUT,
            &format!("/v2/api-users/{id}"),
            Some((OWNER, OWNER_PASSWORD)),
            Some(json!({"isTieredRateLimitedApiUser": false})),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK);
    let login = email(&user);
    let property = |info: &Value, name: &str| {
        info["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["value"]
            .clone()
    };
    let first = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(first.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(property(&first.json(), "ApiCallsInLastHour"), "1");
    assert_eq!(property(&first.json(), "ApiCallsRemaining"), "2");
    let second = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(property(&second.json(), "ApiCallsRemaining"), "1");
    app.account_info_as(&login, API_PASSWORD).await;
    let refused = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u32 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(
        retry > 60 && retry <= 3660,
        "the hour must roll on: {retry}"
    );
}

#[tokio::test]
async fn one_address_cannot_spray_logins_across_many_users() {
    let app = spawn_with(&["--failed-logins-per-address", "4"]).await;
    for n in 0..4 {
        let reply = app
            .account_info_as(&format!("user{n}@nowhere.example"), &wrong(n))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let refused = app.account_info_as(OWNER, OWNER_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "ERROR_APIUSAGE_EXCEEDED");
    assert!(refused.header("retry-after").is_some());
    let soap = app
        .soap(Soap::V11, Some((OWNER, OWNER_PASSWORD)), GET_SERVER_TIME)
        .await;
    assert_eq!(soap.status, StatusCode::TOO_MANY_REQUESTS);
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    let locked: bool = conn
        .query_row("SELECT locked FROM account_users", [], |r| r.get(0))
        .unwrap();
    assert!(!locked, "refused before any password was checked");
}

#[tokio::test]
async fn every_change_is_in_the_audit_trail_on_rest_soap_and_the_command_line() {
    let app = spawn_app().await;
    app.add_account_user("manager@example.com", "Deputy#2026xy", true, None);
    let user = app.create_api_user("audited").await;
    let id = user["id"].as_i64().unwrap();
    let login = email(&user);
    app.rest(
        Method::PUT,
        &format!("/v2/api-users/{id}"),
        Some(("manager@example.com", "Deputy#2026xy")),
        Some(json!({"description": "renamed", "status": "Disabled"})),
    )
    .await;
    let set_password = format!(
        r#"<SetApiUserPassword xmlns="http://apiconnector.com/v2"><id>{id}</id><password>Fresh#Secret-99</password><confirmPassword>Fresh#Secret-99</confirmPassword></SetApiUserPassword>"#
    );
    let reply = app
        .soap(Soap::V11, Some((OWNER, OWNER_PASSWORD)), &set_password)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    app.rest(
        Method::DELETE,
        &format!("/v2/api-users/{id}"),
        Some((OWNER, OWNER_PASSWORD)),
        None,
    )
    .await;

    let events = audit_events(&app).await;
    let summary: Vec<Value> = events
        .iter()
        .map(|e| json!([e["action"], e["actor"], e["protocol"], e["target"]]))
        .collect();
    assert_eq!(
        summary,
        [
            json!(["ApiUserDeleted", OWNER, "REST", login]),
            json!(["ApiUserPasswordSet", OWNER, "SOAP", login]),
            json!(["ApiUserUpdated", "manager@example.com", "REST", login]),
            json!(["ApiUserCreated", OWNER, "REST", login]),
            json!(["AccountUserAdded", "cli", "CLI", "manager@example.com"]),
            json!(["AccountCreated", "cli", "CLI", OWNER]),
        ]
    );
    assert_eq!(
        events[2]["changes"],
        json!({"description": "renamed", "status": "Disabled"})
    );
    assert_eq!(events[3]["changes"]["description"], "audited");
    assert_eq!(events[0]["address"], "127.0.0.1");
    assert_eq!(events[4]["address"], Value::Null);
    let text = serde_json::to_string(&events).unwrap();
    for secret in [API_PASSWORD, "Fresh#Secret-99", "$2b$"] {
        assert!(!text.contains(secret), "{secret} in the audit trail");
    }

    let page = app
        .owner_get("/v2/audit-events?select=2&skip=1")
        .await
        .json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["action"], "ApiUserPasswordSet");

    let soap = app
        .soap(
            Soap::V12,
            Some((OWNER, OWNER_PASSWORD)),
            r#"<GetAuditEvents xmlns="http://apiconnector.com/v2"><select>1</select></GetAuditEvents>"#,
        )
        .await;
    assert_eq!(soap.status, StatusCode::OK, "{}", soap.body);
    assert!(
        soap.body.contains("<a:Action>ApiUserDeleted</a:Action>"),
        "{}",
        soap.body
    );
    assert_eq!(soap.body.matches("<a:AuditEvent>").count(), 1);

    app.add_account_user("viewer@example.com", "Reader#2026xy", false, None);
    let refused = app
        .rest(
            Method::GET,
            "/v2/audit-events",
            Some(("viewer@example.com", "Reader#2026xy")),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "ERROR_PERMISSION_DENIED");
}
