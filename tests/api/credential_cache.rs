//! A credential verified once is recognised without bcrypt, but the principal's current row
//! is checked on every call: a password change, disable or delete counts on the very next call.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const NEW_PASSWORD: &str = "Fresh#Secret-99";

fn wsse_account_info(login: &str, password: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="{V11}"><s:Header><o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><o:UsernameToken><o:Username>{login}</o:Username><o:Password>{password}</o:Password></o:UsernameToken></o:Security></s:Header><s:Body><GetCurrentAccountInfo xmlns="{V2_NS}"/></s:Body></s:Envelope>"#
    )
}

async fn soap_status(app: &TestApp, login: &str, password: &str) -> StatusCode {
    app.soap_raw(Soap::V11, None, &wsse_account_info(login, password), None)
        .await
        .status
}

async fn owner(app: &TestApp, method: Method, path: &str, body: Option<serde_json::Value>) {
    let reply = app
        .rest(method, path, Some((OWNER, OWNER_PASSWORD)), body)
        .await;
    assert!(reply.status.is_success(), "{path}: {}", reply.body);
}

#[tokio::test]
async fn a_password_change_refuses_the_old_password_on_the_next_call() {
    let app = spawn_app().await;
    let user = app.create_api_user("cached").await;
    let (id, login) = (
        user["id"].as_i64().unwrap(),
        user["email"].as_str().unwrap(),
    );
    for _ in 0..3 {
        assert_eq!(
            app.account_info_as(login, API_PASSWORD).await.status,
            StatusCode::OK
        );
        assert_eq!(soap_status(&app, login, API_PASSWORD).await, StatusCode::OK);
    }
    owner(
        &app,
        Method::PUT,
        &format!("/v2/api-users/{id}/password"),
        Some(json!({"password": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD})),
    )
    .await;
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        soap_status(&app, login, API_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.account_info_as(login, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(soap_status(&app, login, NEW_PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn disabling_or_deleting_counts_on_the_next_call() {
    let app = spawn_app().await;
    let user = app.create_api_user("cached").await;
    let (id, login) = (
        user["id"].as_i64().unwrap(),
        user["email"].as_str().unwrap(),
    );
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::OK
    );
    let path = format!("/v2/api-users/{id}");
    owner(
        &app,
        Method::PUT,
        &path,
        Some(json!({"status": "Disabled"})),
    )
    .await;
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    owner(&app, Method::PUT, &path, Some(json!({"status": "Enabled"}))).await;
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::OK
    );
    owner(&app, Method::DELETE, &path, None).await;
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        soap_status(&app, login, API_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_however_often_the_right_one_was_seen() {
    let app = spawn_app().await;
    let user = app.create_api_user("cached").await;
    let login = user["email"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(
            app.account_info_as(login, API_PASSWORD).await.status,
            StatusCode::OK
        );
    }
    let wrong = format!("{API_PASSWORD}x");
    assert_eq!(
        app.account_info_as(login, &wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.account_info_as(login, API_PASSWORD).await.status,
        StatusCode::OK
    );
}
