//! `dualgate migrate-data` as an operator runs it: a SQLite file filled through the real server,
//! copied by the real binary into a fresh database of the test cluster, then the server on
//! PostgreSQL with the old credentials; and the copies it refuses, which change nothing.

use crate::helpers::*;
use crate::remote::{Created, Protocol, Remote, created};
use crate::test_cluster::fresh_database_url;
use crate::web::csrf_of;
use crate::xml::body_payload;
use dualgate::startup::on_a_blocking_thread;
use reqwest::{Method, StatusCode};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

/// The password in the URLs given to `migrate-data`: the test cluster trusts every local
/// connection, so it is never checked, but it must never be printed.
const URL_PASSWORD: &str = "Hidden#Url-Secret-73";
const CLERK: &str = "clerk@example.com";
const CLERK_PASSWORD: &str = "Quiet#Harbor-41";
const ACCESS_PAGE: &str = "/settings/access/api-users";

/// A fresh database of the test cluster, its URL carrying a password.
fn fresh_url_with_password() -> String {
    fresh_database_url().replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{URL_PASSWORD}@"),
        1,
    )
}

/// Runs `dualgate migrate-data` with `args`; the URL of the environment, if any, plays no part.
fn migrate_data(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_dualgate"))
        .arg("migrate-data")
        .args(args)
        .env_remove("DUALGATE_DATABASE_URL")
        .env_remove("DUALGATE_DB")
        .output()
        .expect("the dualgate binary runs");
    let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        !said.contains(URL_PASSWORD),
        "the URL's password is printed: {said}"
    );
    output
}

fn copy(db: &Path, url: &str) -> Output {
    migrate_data(&["--db", db.to_str().unwrap(), "--to", url])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every table of the database's schema with its rows, each table's rows as sorted text: what
/// "changed nothing" compares.
fn contents(url: &str) -> Vec<(String, Vec<String>)> {
    let url = url.to_owned();
    on_a_blocking_thread(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let tables: Vec<String> = client
            .query(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        tables
            .into_iter()
            .map(|table| {
                let rows = client
                    .query(&format!("SELECT t::text FROM {table} AS t ORDER BY 1"), &[])
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                (table, rows)
            })
            .collect()
    })
}

async fn create(remote: &Remote, protocol: Protocol, description: &str) -> Created {
    let reply = remote.create(protocol, description, None).await.unwrap();
    created(&reply).unwrap_or_else(|| panic!("not created: {}", reply.body))
}

async fn sign_in(browser: &reqwest::Client, app: &TestApp, email: &str, password: &str) {
    let page = browser
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let signed_in = browser
        .post(format!("{}/sign-in", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], ACCESS_PAGE);
}

async fn access_page(browser: &reqwest::Client, app: &TestApp) -> (StatusCode, String) {
    let page = browser
        .get(format!("{}{ACCESS_PAGE}", app.address))
        .send()
        .await
        .unwrap();
    (page.status(), page.text().await.unwrap())
}

fn unlock_payload(id: i64) -> String {
    format!(r#"<UnlockApiUser xmlns="{V2_NS}"><id>{id}</id></UnlockApiUser>"#)
}

#[tokio::test]
async fn everything_moves_to_postgres_and_the_old_credentials_work_there() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let on_sqlite = spawn_app_in(dir.clone()).await;
    let remote = Remote::of(&on_sqlite);
    let shop = create(&remote, Protocol::Rest, "Magento shop").await;
    let erp = create(&remote, Protocol::Soap(Soap::V11), "ERP").await;
    let counted = create(&remote, Protocol::Soap(Soap::V12), "two wrong passwords").await;
    let deleted = create(&remote, Protocol::Rest, "the highest id, deleted").await;
    let gone = remote.delete(Protocol::Rest, deleted.id).await.unwrap();
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    on_sqlite.wrong_passwords(&erp.email, 0..5).await;
    let locked = on_sqlite.account_info_as(&erp.email, API_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "locked");
    on_sqlite.wrong_passwords(&counted.email, 0..2).await;
    on_sqlite.add_account_user(CLERK, CLERK_PASSWORD, true, None);
    let clerks_browser = browser();
    sign_in(&clerks_browser, &on_sqlite, CLERK, CLERK_PASSWORD).await;
    let users_before = on_sqlite.owner_get("/v2/api-users").await.json();
    let trail_before = on_sqlite.owner_get("/v2/audit-events").await.json();
    let events_before = trail_before.as_array().unwrap().len();
    let db = on_sqlite.db.clone();
    on_sqlite.stop().await;

    let url = fresh_url_with_password();
    let copied = copy(&db, &url);
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    let shown_url = url.replace(URL_PASSWORD, "***");
    let expected = format!(
        "copied {} to {shown_url}\nlogins\t5\naccounts\t1\naccount users\t2\nAPI users\t3\n\
         audit events\t{events_before}\nAccess page sessions\t1\n\
         password checks in the lockout window\t7\n",
        db.display()
    );
    assert_eq!(text(&copied.stdout), expected);
    for file in ["dualgate.db", "dualgate.db-wal", "dualgate.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(file));
    }

    let on_postgres = spawn_app_with(dir.clone(), &["--database-url", &url]).await;
    assert!(!db.exists(), "served from PostgreSQL, not from a new file");
    let users = on_postgres.owner_get("/v2/api-users").await.json();
    assert_eq!(users, users_before, "ids, logins, lock state, times");
    let trail = on_postgres.owner_get("/v2/audit-events").await.json();
    assert_eq!(trail, trail_before);

    let shop_calls = on_postgres.account_info_as(&shop.email, API_PASSWORD).await;
    assert_eq!(shop_calls.status, StatusCode::OK, "the old password works");
    let erp_calls = on_postgres.account_info_as(&erp.email, API_PASSWORD).await;
    assert_eq!(erp_calls.status, StatusCode::UNAUTHORIZED, "still locked");
    on_postgres.wrong_passwords(&counted.email, 2..5).await;
    let counted_calls = on_postgres
        .account_info_as(&counted.email, API_PASSWORD)
        .await;
    assert_eq!(
        counted_calls.status,
        StatusCode::UNAUTHORIZED,
        "the two wrong passwords counted on SQLite and three more lock it"
    );
    let clerk_lists = on_postgres
        .rest(
            Method::GET,
            "/v2/api-users",
            Some((CLERK, CLERK_PASSWORD)),
            None,
        )
        .await;
    assert_eq!(clerk_lists.status, StatusCode::OK);
    let (status, page) = access_page(&clerks_browser, &on_postgres).await;
    assert_eq!(status, StatusCode::OK, "the Access page session goes on");
    assert!(page.contains(&shop.email));

    let remote = Remote::of(&on_postgres);
    let unlocked = on_postgres
        .soap(
            Soap::V12,
            Some((OWNER, OWNER_PASSWORD)),
            &unlock_payload(erp.id),
        )
        .await;
    assert_eq!(
        body_payload(&unlocked.body).name,
        "UnlockApiUserResponse",
        "{}",
        unlocked.body
    );
    let erp_calls = on_postgres.account_info_as(&erp.email, API_PASSWORD).await;
    assert_eq!(erp_calls.status, StatusCode::OK);
    let fresh_rest = create(&remote, Protocol::Rest, "new on PostgreSQL").await;
    let fresh_soap = create(&remote, Protocol::Soap(Soap::V11), "new over SOAP").await;
    assert_eq!(
        (fresh_rest.id, fresh_soap.id),
        (deleted.id + 1, deleted.id + 2),
        "new users take fresh ids, past the deleted one"
    );
    let updated = remote
        .update(Protocol::Soap(Soap::V12), shop.id, "Magento 2")
        .await
        .unwrap();
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let password = "Moved#Secret-2027";
    let set = on_postgres
        .rest(
            Method::PUT,
            &format!("/v2/api-users/{}/password", shop.id),
            Some((OWNER, OWNER_PASSWORD)),
            Some(serde_json::json!({"password": password, "confirmPassword": password})),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    let shop_calls = on_postgres.account_info_as(&shop.email, password).await;
    assert_eq!(shop_calls.status, StatusCode::OK);
    let gone = remote.delete(Protocol::Rest, shop.id).await.unwrap();
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    let trail = on_postgres.owner_get("/v2/audit-events").await.json();
    let trail = trail.as_array().unwrap();
    let (new, old) = trail.split_at(trail.len() - events_before);
    assert_eq!(old, trail_before.as_array().unwrap().as_slice());
    let actions: Vec<&str> = new.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "ApiUserDeleted",
            "ApiUserPasswordSet",
            "ApiUserUpdated",
            "ApiUserCreated",
            "ApiUserCreated",
            "ApiUserUnlocked",
            "ApiUserLocked",
        ]
    );
    let newest_old_id = old[0]["id"].as_i64().unwrap();
    assert!(
        new.iter()
            .all(|event| event["id"].as_i64().unwrap() > newest_old_id),
        "new events take fresh ids"
    );
}

/// A SQLite file with the first account and one API user, made by the real server.
async fn small_sqlite_file() -> (Arc<tempfile::TempDir>, std::path::PathBuf) {
    let app = spawn_app().await;
    app.create_api_user("on SQLite").await;
    let db = app.db.clone();
    (app.stop().await, db)
}

#[tokio::test]
async fn a_database_that_holds_data_is_refused_and_left_as_it_was() {
    let (_dir, db) = small_sqlite_file().await;
    let url = fresh_url_with_password();
    assert!(copy(&db, &url).status.success());
    let after_the_first_copy = contents(&url);

    let again = copy(&db, &url);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        text(&again.stderr),
        format!(
            "dualgate: {} is not empty (it holds logins: 2, accounts: 1, account users: 1, \
             API users: 1, audit events: 2); migrate-data copies only into an empty database, \
             so nothing was changed\n",
            url.replace(URL_PASSWORD, "***")
        )
    );
    assert_eq!(text(&again.stdout), "");
    assert_eq!(contents(&url), after_the_first_copy);

    let served = fresh_url_with_password();
    let server = spawn_app_with(
        Arc::new(tempfile::tempdir().unwrap()),
        &["--database-url", &served],
    )
    .await;
    let started = contents(&served);
    let refused = copy(&db, &served);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr)
            .contains("is not empty (it holds logins: 1, accounts: 1, account users: 1"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(contents(&served), started);
    let users = server.owner_get("/v2/api-users").await.json();
    assert_eq!(
        users,
        serde_json::json!([]),
        "nothing of the file's arrived"
    );
}

#[tokio::test]
async fn a_row_postgres_refuses_rolls_the_whole_copy_back_even_the_schema() {
    let (_dir, db) = small_sqlite_file().await;
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    sqlite
        .execute(
            "INSERT INTO login_attempts (login, at, fingerprint, failed)
             VALUES (?1, 0, 70000, 1)",
            [OWNER],
        )
        .unwrap();
    drop(sqlite);
    let url = fresh_url_with_password();
    let failed = copy(&db, &url);
    assert_eq!(failed.status.code(), Some(1));
    let said = text(&failed.stderr);
    assert!(
        said.starts_with(&format!(
            "dualgate: cannot copy into {}, so nothing was changed: ",
            url.replace(URL_PASSWORD, "***")
        )),
        "{said}"
    );
    assert!(said.contains("violates check constraint"), "{said}");
    assert_eq!(contents(&url), [], "not even a table was left behind");
}

#[tokio::test]
async fn a_bad_url_or_a_missing_file_gets_a_clear_error_and_changes_nothing() {
    let (_dir, db) = small_sqlite_file().await;
    let db_flag = db.to_str().unwrap();

    let not_postgres = migrate_data(&[
        "--db",
        db_flag,
        "--to",
        &format!("mysql://gate:{URL_PASSWORD}@127.0.0.1/dualgate"),
    ]);
    assert_eq!(not_postgres.status.code(), Some(2), "a usage error");
    assert!(
        text(&not_postgres.stderr).starts_with(
            "error: invalid value for '--to <TO>': the database URL must start with \
             postgres:// or postgresql://"
        ),
        "{}",
        text(&not_postgres.stderr)
    );

    let bad_port = migrate_data(&[
        "--db",
        db_flag,
        "--to",
        &format!("postgres://gate:{URL_PASSWORD}@127.0.0.1:port/dualgate"),
    ]);
    assert_eq!(bad_port.status.code(), Some(1));
    assert_eq!(
        text(&bad_port.stderr),
        "dualgate: cannot copy into postgres://gate:***@127.0.0.1:port/dualgate, so nothing \
         was changed: the database URL is not valid: invalid connection string: invalid value \
         for option `port`\n"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = migrate_data(&[
        "--db",
        db_flag,
        "--to",
        &format!("postgres://gate:{URL_PASSWORD}@127.0.0.1:{port}/dualgate"),
    ]);
    assert_eq!(unreachable.status.code(), Some(1));
    assert_eq!(
        text(&unreachable.stderr),
        format!(
            "dualgate: cannot copy into postgres://gate:***@127.0.0.1:{port}/dualgate, so \
             nothing was changed: error connecting to server: Connection refused (os error 111)\n"
        )
    );

    let url = fresh_url_with_password();
    let missing = db.with_file_name("missing.db");
    let no_file = copy(&missing, &url);
    assert_eq!(no_file.status.code(), Some(1));
    assert_eq!(
        text(&no_file.stderr),
        format!(
            "dualgate: there is no SQLite database at {} (name it with --db)\n",
            missing.display()
        )
    );
    assert!(!missing.exists(), "no file is created");
    assert_eq!(contents(&url), [], "the database is left as it was");
}
