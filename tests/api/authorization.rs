use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));

/// Every API-user operation over REST: (method, path, body).
fn management_calls(id: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    vec![
        (Method::GET, "/v2/api-users".into(), None),
        (
            Method::POST,
            "/v2/api-users".into(),
            Some(json!({"password": API_PASSWORD})),
        ),
        (Method::GET, format!("/v2/api-users/{id}"), None),
        (
            Method::PUT,
            format!("/v2/api-users/{id}"),
            Some(json!({"description": "hijacked"})),
        ),
        (
            Method::PUT,
            format!("/v2/api-users/{id}/password"),
            Some(json!({"password": "Hijack#Secret-1"})),
        ),
        (Method::POST, format!("/v2/api-users/{id}/unlock"), None),
        (Method::DELETE, format!("/v2/api-users/{id}"), None),
    ]
}

fn soap_management_calls(id: &str) -> Vec<String> {
    vec![
        format!(r#"<GetApiUsers xmlns="{V2_NS}"/>"#),
        format!(
            r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#
        ),
        format!(r#"<GetApiUserById xmlns="{V2_NS}"><id>{id}</id></GetApiUserById>"#),
        format!(
            r#"<UpdateApiUser xmlns="{V2_NS}"><id>{id}</id><apiUser xmlns:a="{TYPES_NS}"><a:Description>hijacked</a:Description></apiUser></UpdateApiUser>"#
        ),
        format!(
            r#"<SetApiUserPassword xmlns="{V2_NS}"><id>{id}</id><password>Hijack#Secret-1</password></SetApiUserPassword>"#
        ),
        format!(r#"<UnlockApiUser xmlns="{V2_NS}"><id>{id}</id></UnlockApiUser>"#),
        format!(r#"<DeleteApiUser xmlns="{V2_NS}"><id>{id}</id></DeleteApiUser>"#),
    ]
}

async fn assert_refused(
    app: &TestApp,
    auth: Option<(&str, &str)>,
    status: StatusCode,
    code: &str,
    id: &str,
) {
    for (method, path, body) in management_calls(id) {
        let reply = app.rest(method.clone(), &path, auth, body).await;
        assert_eq!(reply.status, status, "{method} {path}");
        assert_eq!(reply.error_code(), code, "{method} {path}");
    }
    for payload in soap_management_calls(id) {
        for version in [Soap::V11, Soap::V12] {
            let reply = app.soap(version, auth, &payload).await;
            assert_eq!(reply.error_code(), code, "{payload}");
        }
    }
}

async fn assert_may_read_account_info(app: &TestApp, auth: (&str, &str)) {
    let info = app
        .rest(Method::GET, "/v2/account-info", Some(auth), None)
        .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    let time = app
        .rest(Method::GET, "/v2/server-time", Some(auth), None)
        .await;
    assert_eq!(time.status, StatusCode::OK);
    let soap = app
        .soap(
            Soap::V11,
            Some(auth),
            &format!(r#"<GetCurrentAccountInfo xmlns="{V2_NS}"/>"#),
        )
        .await;
    assert_eq!(soap.status, StatusCode::OK);
}

#[tokio::test]
async fn an_api_user_may_only_read_account_info_and_time() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let email = user["email"].as_str().unwrap();
    let id = user["id"].to_string();
    assert_refused(
        &app,
        Some((email, API_PASSWORD)),
        StatusCode::FORBIDDEN,
        "ERROR_PERMISSION_DENIED",
        &id,
    )
    .await;
    assert_may_read_account_info(&app, (email, API_PASSWORD)).await;
    let stored = app.stored_api_users();
    assert_eq!(
        (stored.len(), stored[0].description.as_str()),
        (1, "Magento shop")
    );
}

#[tokio::test]
async fn an_account_user_needs_can_manage_account() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let id = user["id"].to_string();
    app.add_account_user("clerk@example.com", "Viewer#Key-72", false, None);
    app.add_account_user("admin@example.com", "Manage#Key-71", true, None);
    assert_refused(
        &app,
        Some(("clerk@example.com", "Viewer#Key-72")),
        StatusCode::FORBIDDEN,
        "ERROR_PERMISSION_DENIED",
        &id,
    )
    .await;
    assert_may_read_account_info(&app, ("clerk@example.com", "Viewer#Key-72")).await;

    let manager = Some(("admin@example.com", "Manage#Key-71"));
    let list = app.rest(Method::GET, "/v2/api-users", manager, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let created = app
        .rest(
            Method::POST,
            "/v2/api-users",
            manager,
            Some(json!({"password": API_PASSWORD})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(app.stored_api_users().len(), 2);
}

#[tokio::test]
async fn another_accounts_owner_sees_none_of_this_account() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let id = user["id"].to_string();
    let account = app.create_account("Other Co", "boss@other.example", "Chief#Key-73");
    assert_eq!(account, 2);
    let other = Some(("boss@other.example", "Chief#Key-73"));
    let list = app.rest(Method::GET, "/v2/api-users", other, None).await;
    assert_eq!(list.json(), json!([]));
    for (method, path, body) in management_calls(&id).into_iter().skip(2) {
        let reply = app.rest(method.clone(), &path, other, body).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(reply.error_code(), "ERROR_APIUSER_NOT_FOUND");
    }
    for payload in soap_management_calls(&id).into_iter().skip(2) {
        let reply = app.soap(Soap::V11, other, &payload).await;
        assert_eq!(reply.error_code(), "ERROR_APIUSER_NOT_FOUND", "{payload}");
    }
    let stored = app.stored_api_users();
    assert_eq!(
        (stored.len(), stored[0].description.as_str()),
        (1, "Magento shop")
    );
    let info = app
        .rest(Method::GET, "/v2/account-info", other, None)
        .await
        .json();
    assert_eq!(info["id"], 2);
}

#[tokio::test]
async fn no_or_wrong_credentials_are_refused_alike() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let id = user["id"].to_string();
    assert_refused(
        &app,
        None,
        StatusCode::UNAUTHORIZED,
        "ERROR_INVALID_LOGIN",
        &id,
    )
    .await;
    let unknown = app.account_info_as("ghost@example.com", "Ghost#1234").await;
    let wrong = app.account_info_as(OWNER, "Wrong#Secret-1").await;
    let none = app.rest(Method::GET, "/v2/account-info", None, None).await;
    for reply in [&unknown, &wrong, &none] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic realm=\"dualgate\"")
        );
    }
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(unknown.body, none.body);
    let garbage_header = app
        .client
        .get(format!("{}/v2/account-info", app.address))
        .header("Authorization", "Basic !!!notbase64")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage_header.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_api_user_cannot_authenticate_until_enabled() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let auth = Some((user["email"].as_str().unwrap(), API_PASSWORD));
    let path = format!("/v2/api-users/{}", user["id"]);
    app.rest(
        Method::PUT,
        &path,
        OWNER_AUTH,
        Some(json!({"status": "Disabled"})),
    )
    .await;
    let refused = app.rest(Method::GET, "/v2/account-info", auth, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let wrong = app.account_info_as(OWNER, "Wrong#Secret-1").await;
    assert_eq!(refused.body, wrong.body);
    let soap = app
        .soap(
            Soap::V11,
            auth,
            &format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#),
        )
        .await;
    assert_eq!(soap.status, StatusCode::UNAUTHORIZED);
    app.rest(
        Method::PUT,
        &path,
        OWNER_AUTH,
        Some(json!({"status": "Enabled"})),
    )
    .await;
    let allowed = app.rest(Method::GET, "/v2/account-info", auth, None).await;
    assert_eq!(allowed.status, StatusCode::OK);
}

#[tokio::test]
async fn logins_are_case_insensitive() {
    let app = spawn_app().await;
    let reply = app
        .account_info_as("Owner@Example.COM", OWNER_PASSWORD)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}
