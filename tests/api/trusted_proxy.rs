//! The client's address behind a proxy: `X-Forwarded-For` is believed only from a peer in
//! `--trusted-proxy`, and the address it names is what the audit trail, the per-address limit
//! and the log see, on REST, SOAP and the Access page alike.

use crate::helpers::*;
use crate::server_process::Server;
use crate::web::csrf_of;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::sync::Arc;

async fn spawn_with(flags: &[&str]) -> TestApp {
    spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), flags).await
}

/// A client (keeping cookies, not following redirects) whose every request says it was
/// forwarded for `chain`.
fn forwarding_for(chain: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(chain).unwrap());
    browser_builder().default_headers(headers).build().unwrap()
}

/// The address of the newest audit event.
async fn audited_address(app: &TestApp) -> String {
    let events = app.owner_get("/v2/audit-events").await.json();
    events[0]["address"].as_str().unwrap().to_owned()
}

/// The `n`-th of distinct wrong passwords: the same one sent again counts once.
fn wrong(n: usize) -> String {
    format!("Not-the-password-{n}")
}

async fn wrong_password(app: &TestApp, n: usize) {
    let reply = app.account_info_as(OWNER, &wrong(n)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

async fn wrong_password_on_the_page(app: &TestApp, n: usize) {
    let page = app
        .client
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let password = wrong(n);
    let form = [
        ("csrf", csrf.as_str()),
        ("email", OWNER),
        ("password", password.as_str()),
    ];
    let reply = app
        .client
        .post(format!("{}/sign-in", app.address))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
}

async fn owner_status(app: &TestApp) -> StatusCode {
    app.account_info_as(OWNER, OWNER_PASSWORD).await.status
}

#[tokio::test]
async fn a_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let mut app = spawn_with(&["--failed-logins-per-address", "2"]).await;
    app.client = forwarding_for("198.51.100.1");
    app.create_api_user("spoofed").await;
    assert_eq!(audited_address(&app).await, "127.0.0.1");

    wrong_password(&app, 1).await;
    app.client = forwarding_for("198.51.100.2");
    wrong_password(&app, 2).await;
    app.client = forwarding_for("198.51.100.3");
    assert_eq!(
        owner_status(&app).await,
        StatusCode::TOO_MANY_REQUESTS,
        "every failure counted against the peer, whatever it claimed"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() {
    let mut app = spawn_with(&[
        "--trusted-proxy",
        "127.0.0.1/32",
        "--failed-logins-per-address",
        "2",
    ])
    .await;
    app.client = forwarding_for("192.0.2.66, 198.51.100.1");
    let created = app.create_api_user("forwarded").await;
    assert_eq!(
        audited_address(&app).await,
        "198.51.100.1",
        "the address left of the client's is the client's own claim"
    );
    app.client = forwarding_for("198.51.100.2");
    let update = format!(
        r#"<UpdateApiUser xmlns="{V2_NS}" xmlns:a="{TYPES_NS}"><id>{}</id><apiUser><a:Description>ERP</a:Description></apiUser></UpdateApiUser>"#,
        created["id"]
    );
    let reply = app
        .soap(Soap::V11, Some((OWNER, OWNER_PASSWORD)), &update)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(audited_address(&app).await, "198.51.100.2");

    app.client = forwarding_for("198.51.100.1");
    wrong_password(&app, 3).await;
    wrong_password(&app, 4).await;
    assert_eq!(owner_status(&app).await, StatusCode::TOO_MANY_REQUESTS);
    app.client = forwarding_for("198.51.100.2");
    assert_eq!(
        owner_status(&app).await,
        StatusCode::OK,
        "another forwarded client has its own budget"
    );
    app.client = forwarding_for("198.51.100.3");
    wrong_password_on_the_page(&app, 5).await;
    wrong_password_on_the_page(&app, 6).await;
    assert_eq!(
        owner_status(&app).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the page counts failures against the forwarded client too"
    );
    app.client = reqwest::Client::new();
    assert_eq!(
        owner_status(&app).await,
        StatusCode::OK,
        "the proxy itself is not blocked"
    );
}

#[tokio::test]
async fn when_every_hop_is_trusted_the_left_most_is_the_client() {
    let mut app = spawn_with(&["--trusted-proxy", "127.0.0.1/32,10.0.0.0/8"]).await;
    app.client = forwarding_for("10.1.1.1, 10.2.2.2");
    app.create_api_user("internal").await;
    assert_eq!(audited_address(&app).await, "10.1.1.1");
}

#[tokio::test]
async fn the_log_names_the_forwarded_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(
        &dir.path().join("dualgate.db"),
        &["--trusted-proxy", "127.0.0.1/32"],
    );
    let reply = forwarding_for("2001:db8::7")
        .get(format!("http://127.0.0.1:{}/health", server.port))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let logged = server.wait_for_log(|log| log["fields"]["path"] == "/health");
    assert_eq!(logged["fields"]["client"], "2001:db8::7");
}

#[tokio::test]
async fn a_range_that_is_no_cidr_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::spawn_with(
        &dir.path().join("dualgate.db"),
        &["--trusted-proxy", "10.0.0.0/8,10.0.0.0/33"],
    );
    let (exit, _, stderr) = server.wait_for_exit(crate::server_process::WAIT).await;
    assert!(!exit.success());
    let said = stderr.join("\n");
    assert!(
        said.contains("`10.0.0.0/33` is not a CIDR range such as 10.0.0.0/8 or fd00::/8"),
        "{said}"
    );
}
