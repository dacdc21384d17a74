//! The gateway on PostgreSQL: the real server on a fresh database of the test cluster, the
//! lifecycle over REST and SOAP, two instances sharing one database, and a database that goes
//! away and comes back.

use crate::helpers::*;
use crate::test_cluster::{Cluster, fresh_database_url};
use crate::xml::body_payload;
use crate::xml::fault_code;
use dualgate::config::{DatabaseUrl, StoreSettings};
use dualgate::service::account_users::{Admin, NewUserInput, add_account_user};
use dualgate::startup::{on_a_blocking_thread, open_operator_gateway};
use reqwest::{Method, StatusCode};

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));

async fn spawn_on(url: &str) -> TestApp {
    spawn_on_database(url, &[]).await
}

fn id_payload(operation: &str, id: &str) -> String {
    format!(r#"<{operation} xmlns="{V2_NS}"><id>{id}</id></{operation}>"#)
}

#[tokio::test]
async fn the_lifecycle_over_rest_and_soap_is_stored_in_postgres() {
    let app = spawn_on(&fresh_database_url()).await;
    assert!(
        !app.db.exists(),
        "no SQLite file when a database URL is given"
    );
    let created = app.create_api_user("Magento shop").await;
    let id = created["id"].to_string();
    let login = created["email"].as_str().unwrap().to_owned();

    assert_eq!(
        app.emails_listed_over_soap().await,
        std::slice::from_ref(&login)
    );

    let got = app.owner_get(&format!("/v2/api-users/{id}")).await;
    assert_eq!(got.json(), created);

    let update = app
        .soap(
            Soap::V12,
            OWNER_AUTH,
            &format!(
                r#"<UpdateApiUser xmlns="{V2_NS}" xmlns:a="{TYPES_NS}"><id>{id}</id><apiUser><a:Description>ERP</a:Description></apiUser></UpdateApiUser>"#
            ),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.body);
    let got = app.owner_get(&format!("/v2/api-users/{id}")).await.json();
    assert_eq!(got["description"], "ERP");

    let fresh = "Fresh#Secret-77";
    let set = app.set_api_user_password(&id, fresh).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    assert_eq!(
        app.account_info_as(&login, API_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.account_info_as(&login, fresh).await.status,
        StatusCode::OK
    );

    app.wrong_passwords(&login, 0..5).await;
    assert_eq!(
        app.account_info_as(&login, fresh).await.status,
        StatusCode::UNAUTHORIZED,
        "locked"
    );
    let got = app.owner_get(&format!("/v2/api-users/{id}")).await.json();
    assert_eq!(got["isLocked"], true);
    let unlock = app
        .soap(Soap::V11, OWNER_AUTH, &id_payload("UnlockApiUser", &id))
        .await;
    assert_eq!(body_payload(&unlock.body).name, "UnlockApiUserResponse");
    assert_eq!(
        app.account_info_as(&login, fresh).await.status,
        StatusCode::OK
    );

    let delete = app
        .soap(Soap::V11, OWNER_AUTH, &id_payload("DeleteApiUser", &id))
        .await;
    assert_eq!(body_payload(&delete.body).name, "DeleteApiUserResponse");
    let gone = app.owner_get(&format!("/v2/api-users/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let events = app.owner_get("/v2/audit-events").await.json();
    let trail: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["protocol"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            ("ApiUserDeleted", "SOAP"),
            ("ApiUserUnlocked", "SOAP"),
            ("ApiUserLocked", "REST"),
            ("ApiUserPasswordSet", "REST"),
            ("ApiUserUpdated", "SOAP"),
            ("ApiUserCreated", "REST"),
            ("AccountCreated", "CLI"),
        ]
    );
}

#[tokio::test]
async fn two_instances_on_one_database_share_users_lockout_and_operator_changes() {
    let url = fresh_database_url();
    let first = spawn_on(&url).await;
    let second = spawn_on(&url).await;
    let created = first.create_api_user("shared").await;
    let login = created["email"].as_str().unwrap();
    let listed = second.owner_get("/v2/api-users").await.json();
    assert_eq!(listed[0]["email"], login);

    first.wrong_passwords(login, 0..3).await;
    second.wrong_passwords(login, 3..5).await;
    for app in [&first, &second] {
        let refused = app.account_info_as(login, API_PASSWORD).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "locked on both");
    }

    let store = StoreSettings {
        database_url: Some(url.parse::<DatabaseUrl>().unwrap()),
        ..store_settings(&first.db)
    };
    on_a_blocking_thread(|| {
        let gateway = open_operator_gateway(&store).unwrap();
        let admin = Admin::operator(&gateway, None).unwrap();
        let input = NewUserInput {
            email: "admin@example.com",
            password: "Manage#Key-71",
            confirm_password: None,
            can_manage_account: true,
        };
        add_account_user(&gateway, &admin, &input).unwrap();
    });
    let admin = Some(("admin@example.com", "Manage#Key-71"));
    let listed = second.rest(Method::GET, "/v2/api-users", admin, None).await;
    assert_eq!(
        listed.status,
        StatusCode::OK,
        "an operator's change reaches every instance"
    );
}

#[tokio::test]
async fn health_and_writes_are_503_while_the_database_is_down_and_recover_when_it_returns() {
    let cluster = Cluster::start();
    let app = spawn_on(&cluster.fresh_database_url()).await;
    let before = app.create_api_user("before the outage").await;
    let health = app.rest(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK);

    cluster.stop();
    let health = app.rest(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json(), serde_json::json!({"status": "unavailable"}));
    let rest_write = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(serde_json::json!({
                "description": "during",
                "password": API_PASSWORD,
                "confirmPassword": API_PASSWORD
            })),
        )
        .await;
    assert_eq!(rest_write.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(rest_write.error_code(), "ERROR_UNKNOWN");
    let soap_write = app
        .soap(
            Soap::V12,
            OWNER_AUTH,
            &id_payload("DeleteApiUser", &before["id"].to_string()),
        )
        .await;
    assert_eq!(fault_code(&soap_write.body), "s:Receiver");
    assert_eq!(soap_write.error_code(), "ERROR_UNKNOWN");

    cluster.start_again();
    let health = app.rest(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK, "recovered without a restart");
    app.create_api_user("after the outage").await;
    assert_eq!(
        app.descriptions_listed_over_rest().await,
        ["before the outage", "after the outage"]
    );
}

/// The process ids `query` returns, asked on a session of its own at `url`.
fn pids(url: &str, query: &str) -> Vec<i32> {
    on_a_blocking_thread(|| {
        let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let rows = admin.query(query, &[]).unwrap();
        rows.iter().map(|row| row.get(0)).collect()
    })
}

/// Ends every session of the database at `url` but the asker's, as an administrator or a
/// restart would, and waits until they are gone: the ended sessions' process ids.
fn end_sessions_of(url: &str) -> Vec<i32> {
    pids(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
           AND CASE WHEN pid <> pg_backend_pid() THEN pg_terminate_backend(pid, 10000) END",
    )
}

/// The process ids of the database's sessions, but the asker's.
fn sessions_of(url: &str) -> Vec<i32> {
    pids(
        url,
        "SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
}

#[tokio::test]
async fn sessions_postgres_ended_cost_the_next_calls_nothing() {
    let url = fresh_database_url();
    let app = spawn_on(&url).await;
    let created = app.create_api_user("Magento shop").await;
    let login = created["email"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        assert_eq!(
            app.account_info_as(&login, API_PASSWORD).await.status,
            StatusCode::OK
        );
    }
    let ended = end_sessions_of(&url);
    assert!(!ended.is_empty(), "the pool's sessions were ended");

    let info = app.account_info_as(&login, API_PASSWORD).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    let soap = app
        .soap(
            Soap::V11,
            Some((&login, API_PASSWORD)),
            &format!(r#"<GetCurrentAccountInfo xmlns="{V2_NS}"/>"#),
        )
        .await;
    assert_eq!(soap.status, StatusCode::OK, "{}", soap.body);
    let health = app.rest(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    app.create_api_user("after the sessions ended").await;

    let now = sessions_of(&url);
    assert!(!now.is_empty());
    assert!(
        now.iter().all(|pid| !ended.contains(pid)),
        "new sessions replaced the ended ones: {ended:?} then {now:?}"
    );
}
