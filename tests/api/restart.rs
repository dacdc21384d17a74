use crate::helpers::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn everything_written_before_a_restart_is_there_after_it() {
    let app = spawn_app().await;
    let rest_user = app.create_api_user("via REST").await;
    let soap = app
        .soap(
            Soap::V11,
            Some((OWNER, OWNER_PASSWORD)),
            &format!(
                r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Description>via SOAP</a:Description><a:Status>Disabled</a:Status><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#
            ),
        )
        .await;
    assert_eq!(soap.status, StatusCode::OK);
    app.add_account_user("admin@example.com", "Manage#Key-71", true, None);
    let before = app.owner_get("/v2/api-users").await.json();
    let stored_before = app.stored_api_users();

    let dir = app.stop().await;
    let app = spawn_app_in(dir).await;

    assert_eq!(app.owner_get("/v2/api-users").await.json(), before);
    assert_eq!(app.stored_api_users(), stored_before);
    let auth = Some((rest_user["email"].as_str().unwrap(), API_PASSWORD));
    let info = app.rest(Method::GET, "/v2/account-info", auth, None).await;
    assert_eq!(info.status, StatusCode::OK);
    let admin = app
        .rest(
            Method::GET,
            "/v2/api-users",
            Some(("admin@example.com", "Manage#Key-71")),
            None,
        )
        .await;
    assert_eq!(admin.status, StatusCode::OK);
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    let accounts: i64 = conn
        .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(accounts, 1, "a restart must not bootstrap again");
}

#[tokio::test]
async fn the_database_is_tuned_for_a_server() {
    let app = spawn_app().await;
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let migrations = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/storage/sqlite/migrations"),
    )
    .unwrap()
    .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
    .count();
    assert_eq!(
        version,
        i64::try_from(migrations).unwrap(),
        "every migration applied"
    );
}
