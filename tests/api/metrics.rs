//! `--metrics-bind`: after a scripted mix of calls, `/metrics` on its own port shows exactly
//! those counts; that port serves nothing else, and the API port has no `/metrics`.

use crate::helpers::{API_PASSWORD, Soap, TestApp, spawn_app_with};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

const GET_SERVER_TIME: &str = r#"<GetServerTime xmlns="http://apiconnector.com/v2"/>"#;

async fn spawn_with_metrics() -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    spawn_app_with(
        dir,
        &[
            "--metrics-bind",
            "127.0.0.1:0",
            "--lockout-threshold",
            "2",
            "--rate-limit-tiered-per-minute",
            "2",
        ],
    )
    .await
}

async fn get(url: String) -> (StatusCode, String) {
    let response = reqwest::get(url).await.expect("request sent");
    (response.status(), response.text().await.unwrap())
}

async fn scrape(app: &TestApp) -> String {
    let metrics = app.metrics_address.as_ref().expect("metrics are on");
    let (status, body) = get(format!("{metrics}/metrics")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Every sample of the exposition, by its series (name and labels as written).
fn samples(exposition: &str) -> BTreeMap<String, f64> {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            (
                series.to_owned(),
                value.parse().expect("a sample's value is a number"),
            )
        })
        .collect()
}

fn requests(operation: &str, protocol: &str, outcome: &str) -> String {
    format!(
        r#"dualgate_requests_total{{operation="{operation}",protocol="{protocol}",outcome="{outcome}"}}"#
    )
}

/// Two API users created; the first calls REST and SOAP 1.1 and then passes its limit of two
/// calls a minute; the second is locked by two different wrong passwords (a retried one counts
/// once), over SOAP 1.2 and REST.
async fn scripted_mix(app: &TestApp) {
    let first = app.create_api_user("counted").await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.create_api_user("locked").await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.account_info_as(&first, API_PASSWORD).await.status, 200);
    let soap = app
        .soap(Soap::V11, Some((&first, API_PASSWORD)), GET_SERVER_TIME)
        .await;
    assert_eq!(soap.status, 200, "{}", soap.body);
    let refused = app.account_info_as(&first, API_PASSWORD).await;
    assert_eq!(refused.error_code(), "ERROR_APIUSAGE_EXCEEDED");
    let wrong = app
        .soap(Soap::V12, Some((&second, "Wrong#2026")), GET_SERVER_TIME)
        .await;
    assert_eq!(wrong.error_code(), "ERROR_INVALID_LOGIN");
    let locking = app.account_info_as(&second, "Wrong#2027").await;
    assert_eq!(locking.error_code(), "ERROR_INVALID_LOGIN");
}

#[tokio::test]
async fn the_metrics_count_exactly_the_calls_made() {
    let app = spawn_with_metrics().await;
    scripted_mix(&app).await;
    let samples = samples(&scrape(&app).await);

    let counted: BTreeMap<String, f64> = samples
        .iter()
        .filter(|(series, _)| series.starts_with("dualgate_requests_total{"))
        .map(|(series, value)| (series.clone(), *value))
        .collect();
    let expected: BTreeMap<String, f64> = [
        (requests("CreateApiUser", "rest", "ok"), 2.0),
        (requests("GetCurrentAccountInfo", "rest", "ok"), 1.0),
        (requests("GetServerTime", "soap11", "ok"), 1.0),
        (
            requests("GetCurrentAccountInfo", "rest", "ERROR_APIUSAGE_EXCEEDED"),
            1.0,
        ),
        (
            requests("GetServerTime", "soap12", "ERROR_INVALID_LOGIN"),
            1.0,
        ),
        (
            requests("GetCurrentAccountInfo", "rest", "ERROR_INVALID_LOGIN"),
            1.0,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(counted, expected);
    for (series, value) in [
        ("dualgate_lockouts_total", 1.0),
        ("dualgate_rate_limit_refusals_total", 1.0),
        ("dualgate_address_refusals_total", 0.0),
        ("dualgate_bcrypt_checks_total", 4.0),
        (r#"dualgate_build_info{version="0.1.0"}"#, 1.0),
        (
            r#"dualgate_request_duration_seconds_count{operation="CreateApiUser",protocol="rest",outcome="ok"}"#,
            2.0,
        ),
    ] {
        assert_eq!(samples.get(series), Some(&value), "{series}");
    }
    let cache = (
        samples["dualgate_credential_cache_hits_total"],
        samples["dualgate_credential_cache_misses_total"],
    );
    assert_eq!(cache, (3.0, 4.0), "hits and misses");
    app.stop().await;
}

/// Storage checkouts and the time waited for them grow with calls that reach the store.
#[tokio::test]
async fn storage_checkouts_and_their_wait_are_counted() {
    let app = spawn_with_metrics().await;
    let pool = |samples: &BTreeMap<String, f64>| {
        (
            samples["dualgate_storage_checkouts_total"],
            samples["dualgate_storage_checkout_wait_seconds_total"],
        )
    };
    let before = pool(&samples(&scrape(&app).await));
    app.create_api_user("stored").await;
    let after = pool(&samples(&scrape(&app).await));
    assert!(after.0 > before.0, "checkouts {before:?} then {after:?}");
    assert!(
        after.1 > before.1,
        "seconds waited {before:?} then {after:?}"
    );
    assert_eq!(
        samples(&scrape(&app).await)["dualgate_storage_connections_in_use"],
        0.0
    );
    app.stop().await;
}

/// The README's example alerts (`docs/dualgate.rules.yml`) are valid rules, fire on the series
/// their unit tests give (`promtool test rules`), and name only series a real server exposes.
#[tokio::test]
async fn the_example_alerts_pass_promtool_and_name_served_series() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs");
    for args in [
        ["check", "rules", "dualgate.rules.yml"],
        ["test", "rules", "dualgate.rules.test.yml"],
    ] {
        let output = Command::new("promtool")
            .args(args)
            .current_dir(docs)
            .output()
            .expect("promtool runs (tests/interop/install.sh installs it)");
        assert!(
            output.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let app = spawn_with_metrics().await;
    scripted_mix(&app).await;
    let exposition = scrape(&app).await;
    let rules = std::fs::read_to_string(format!("{docs}/dualgate.rules.yml")).unwrap();
    let named: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("dualgate_"))
        .collect();
    assert!(named.len() >= 5, "{named:?}");
    for series in named {
        assert!(
            exposition.contains(&format!("\n{series}")),
            "{series} is not served"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_exposition_passes_promtool() {
    let app = spawn_with_metrics().await;
    scripted_mix(&app).await;
    let exposition = scrape(&app).await;
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is installed (Debian's prometheus package)");
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(exposition.as_bytes())
        .unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}{}\n{exposition}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    app.stop().await;
}

#[tokio::test]
async fn the_metrics_port_serves_only_metrics_and_the_api_port_none() {
    let app = spawn_with_metrics().await;
    let metrics = app.metrics_address.clone().unwrap();
    for path in [
        "/",
        "/health",
        "/v2/account-info",
        "/metrics/",
        "/v2/Api.svc?wsdl",
    ] {
        let (status, _) = get(format!("{metrics}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let posted = reqwest::Client::new()
        .post(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    let on_api_port = app.owner_get("/metrics").await;
    assert_eq!(on_api_port.status, StatusCode::NOT_FOUND);
    assert_eq!(on_api_port.error_code(), "ERROR_MALFORMED_REQUEST");
    app.stop().await;
}

#[tokio::test]
async fn without_the_flag_no_metrics_port_is_opened() {
    let app = spawn_with_metrics_off().await;
    assert!(app.metrics_address.is_none());
    app.stop().await;
}

async fn spawn_with_metrics_off() -> TestApp {
    crate::helpers::spawn_app().await
}
