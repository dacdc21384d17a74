//! The lockout and the limits under attack ("Lockout and limits, exactly" in the contract):
//! bursts that arrive at once, retries of one stale password, and a change of bcrypt cost.

use crate::helpers::*;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GET_SERVER_TIME: &str = r#"<GetServerTime xmlns="http://apiconnector.com/v2"/>"#;
/// High enough that the burst is still being verified when the right password arrives.
const SLOW_BCRYPT: &[&str] = &["--bcrypt-cost", "10"];

fn email(user: &serde_json::Value) -> String {
    user["email"].as_str().unwrap().to_owned()
}

/// Rows of the login's failure budget in the database: slots held and failures counted.
fn budget_rows(app: &TestApp, login: &str) -> i64 {
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM login_attempts WHERE login = ?1",
        [login],
        |row| row.get(0),
    )
    .unwrap()
}

/// Waits (bounded) until the login's whole budget is taken by the burst in flight.
async fn until_the_budget_is_taken(app: &TestApp, login: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while budget_rows(app, login) < 5 {
        assert!(Instant::now() < deadline, "the burst never took the budget");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[derive(Clone, Copy)]
enum Over {
    Rest,
    Soap,
}

async fn call(app: &TestApp, over: Over, login: &str, password: &str) -> StatusCode {
    match over {
        Over::Rest => app.account_info_as(login, password).await.status,
        Over::Soap => {
            app.soap(Soap::V12, Some((login, password)), GET_SERVER_TIME)
                .await
                .status
        }
    }
}

async fn a_burst_never_lets_the_right_password_in(over: Over) {
    let app = spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), SLOW_BCRYPT).await;
    let login = email(&app.create_api_user("burst").await);
    let wrong: Vec<_> = (0..29).map(|n| format!("Guess#{n}-wrong")).collect();
    let burst = join_all(
        wrong
            .iter()
            .map(|password| call(&app, over, &login, password)),
    );
    let right = async {
        until_the_budget_is_taken(&app, &login).await;
        call(&app, over, &login, API_PASSWORD).await
    };
    let (answers, right) = tokio::join!(burst, right);
    assert!(answers.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    assert_eq!(
        right,
        StatusCode::UNAUTHORIZED,
        "the budget was spent first"
    );
    assert!(app.stored_api_users()[0].locked);
    assert_eq!(
        call(&app, over, &login, API_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_over_rest_never_lets_the_right_one_in() {
    a_burst_never_lets_the_right_password_in(Over::Rest).await;
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_over_soap_never_lets_the_right_one_in() {
    a_burst_never_lets_the_right_password_in(Over::Soap).await;
}

#[tokio::test]
async fn a_burst_from_one_address_checks_no_more_than_its_budget() {
    let flags = [SLOW_BCRYPT, &["--failed-logins-per-address", "5"]].concat();
    let app = spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await;
    let logins: Vec<_> = (0..30)
        .map(|n| format!("user{n}@nowhere.example"))
        .collect();
    let answers = join_all(
        logins
            .iter()
            .map(|login| async { app.account_info_as(login, "Guess#1-wrong").await.status }),
    )
    .await;
    let count = |status| answers.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 5, "{answers:?}");
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 25, "{answers:?}");
}

#[tokio::test]
async fn a_retried_wrong_password_counts_once_and_different_ones_lock() {
    let app = spawn_app().await;
    let login = email(&app.create_api_user("stale").await);
    for _ in 0..8 {
        let stale = app.account_info_as(&login, "Stale#Password-2025").await;
        assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::OK,
        "eight retries of one stale password are one failure"
    );
    for n in 0..5 {
        app.account_info_as(&login, &format!("Guess#{n}-wrong"))
            .await;
    }
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "five different wrong passwords lock"
    );
    assert!(app.stored_api_users()[0].locked);
}

#[tokio::test]
async fn a_hash_at_another_cost_is_rehashed_at_the_setting_on_sign_in() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let app = spawn_app_with(dir, &["--bcrypt-cost", "5"]).await;
    let user = app.create_api_user("rehash").await;
    assert!(
        app.stored_api_users()[0]
            .password_hash
            .starts_with("$2b$05$")
    );
    let app = spawn_app_in(app.stop().await).await;
    let id = user["id"].as_i64().unwrap();
    let path = format!("/v2/api-users/{id}");
    let before = app
        .rest(Method::GET, &path, Some((OWNER, OWNER_PASSWORD)), None)
        .await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(
        app.account_info_as(&email(&user), API_PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    let stored = &app.stored_api_users()[0];
    assert!(
        stored.password_hash.starts_with("$2b$04$"),
        "{}",
        stored.password_hash
    );
    assert_eq!(
        app.account_info_as(&email(&user), API_PASSWORD)
            .await
            .status,
        StatusCode::OK,
        "the new hash verifies"
    );
}
