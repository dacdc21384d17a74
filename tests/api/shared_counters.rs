//! Three gateway instances on one PostgreSQL database count as one gateway: an API user's
//! calls spread over them meet one rate limit, exactly, with the same `X-RateLimit-*`
//! figures, `ApiCallsInLastHour` is the same wherever it is read, and one address's failed
//! logins are counted together.

use crate::helpers::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// Calls in flight at once: enough to race, few enough for the test's open files.
const AT_ONCE: usize = 30;

/// `calls` account-info calls as `login`, the n-th on instance n modulo their number,
/// `AT_ONCE` at a time.
pub async fn calls_spread_over(
    apps: &[impl AsRef<Endpoint>],
    login: &str,
    calls: usize,
) -> Vec<Reply> {
    let mut replies = Vec::with_capacity(calls);
    let numbers: Vec<usize> = (0..calls).collect();
    for wave in numbers.chunks(AT_ONCE) {
        let sent = wave.iter().map(|n| {
            apps[n % apps.len()]
                .as_ref()
                .account_info_as(login, API_PASSWORD)
        });
        replies.extend(join_all(sent).await);
    }
    replies
}

fn header_number(reply: &Reply, name: &str) -> u32 {
    let value = reply.header(name).unwrap_or_else(|| panic!("no {name}"));
    value.parse().unwrap()
}

fn property(reply: &Reply, name: &str) -> String {
    let info = reply.json();
    let found = info["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name);
    found.unwrap()["value"].as_str().unwrap().to_owned()
}

/// What 601 calls at a Tiered limit of 600 show when one counter counts them, whichever
/// instance answered each: exactly one refused as `ERROR_APIUSAGE_EXCEEDED`, and
/// `X-RateLimit-Remaining` from 599 down to 0 on the 600 admitted, each figure once, with the
/// same limit and a reset within the minute on all.
pub fn assert_one_limit_of_600_counted_once(replies: &[Reply]) {
    let refused: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    let admitted: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!((admitted.len(), refused.len()), (600, 1));
    assert_eq!(refused[0].error_code(), "ERROR_APIUSAGE_EXCEEDED");

    // One counter: each of the 600 admitted calls saw a different count, whichever
    // instance answered it.
    let remaining: BTreeSet<u32> = admitted
        .iter()
        .map(|r| header_number(r, "x-ratelimit-remaining"))
        .collect();
    assert_eq!(remaining, (0..600).collect());
    for reply in replies {
        assert_eq!(reply.header("x-ratelimit-limit"), Some("600"));
        let reset = header_number(reply, "x-ratelimit-reset");
        assert!((1..=61).contains(&reset), "{reset}");
    }
}

#[tokio::test]
async fn tiered_calls_spread_over_three_instances_get_exactly_one_refusal_past_the_limit() {
    let apps = instances_on_one_database(3, &["--rate-limit-tiered-per-minute", "600"]).await;
    let user = apps[0].create_api_user("spread").await;
    let login = user["email"].as_str().unwrap();

    let replies = calls_spread_over(&apps, login, 601).await;
    assert_one_limit_of_600_counted_once(&replies);

    for app in &apps {
        let next = app.account_info_as(login, API_PASSWORD).await;
        assert_eq!(
            next.status,
            StatusCode::TOO_MANY_REQUESTS,
            "spent everywhere"
        );
        assert_eq!(next.header("x-ratelimit-remaining"), Some("0"));
        assert_eq!(next.header("retry-after"), next.header("x-ratelimit-reset"));
    }
}

#[tokio::test]
async fn a_flat_users_calls_in_the_last_hour_are_the_same_on_every_instance() {
    let apps = instances_on_one_database(3, &["--rate-limit-flat-per-hour", "3"]).await;
    let user = apps[0].create_api_user("flat").await;
    let flat = serde_json::json!({"isTieredRateLimitedApiUser": false});
    let path = format!("/v2/api-users/{}", user["id"]);
    let owner = Some((OWNER, OWNER_PASSWORD));
    let update = apps[1]
        .rest(reqwest::Method::PUT, &path, owner, Some(flat))
        .await;
    assert_eq!(update.status, StatusCode::OK);
    let login = user["email"].as_str().unwrap();
    for (n, app) in apps.iter().enumerate() {
        let reply = app.account_info_as(login, API_PASSWORD).await;
        let calls = (n + 1).to_string();
        assert_eq!(property(&reply, "ApiCallsInLastHour"), calls);
        assert_eq!(property(&reply, "ApiCallsRemaining"), (2 - n).to_string());
        assert_eq!(
            reply.header("x-ratelimit-remaining"),
            Some(&*(2 - n).to_string())
        );
    }
    let refused = apps[0].account_info_as(login, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let retry = header_number(&refused, "retry-after");
    assert!(
        retry > 60 && retry <= 3660,
        "the hour must roll on: {retry}"
    );
}

/// A failed login as the n-th unknown user.
async fn wrong_login(app: &TestApp, n: usize) {
    let login = format!("user{n}@nowhere.example");
    let reply = app.account_info_as(&login, "Wrong#Guess-1").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failed_logins_from_one_address_are_counted_across_instances() {
    let apps = instances_on_one_database(3, &["--failed-logins-per-address", "4"]).await;
    for n in 0..3 {
        wrong_login(&apps[n % 2], n).await;
    }
    let before = apps[2].account_info_as(OWNER, OWNER_PASSWORD).await;
    assert_eq!(before.status, StatusCode::OK, "three of four spent");
    wrong_login(&apps[1], 3).await;
    for app in &apps {
        let refused = app.account_info_as(OWNER, OWNER_PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.error_code(), "ERROR_APIUSAGE_EXCEEDED");
        assert_eq!(refused.header("x-ratelimit-limit"), Some("4"));
        assert!(refused.header("retry-after").is_some());
    }
}

#[tokio::test]
async fn wrong_passwords_spend_no_calls_of_the_rate_limit() {
    let apps = instances_on_one_database(2, &["--rate-limit-tiered-per-minute", "3"]).await;
    let user = apps[0].create_api_user("guessed").await;
    let login = user["email"].as_str().unwrap();
    for app in &apps {
        let wrong = app.account_info_as(login, "Wrong#Guess-1").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    for (n, remaining) in ["2", "1", "0"].into_iter().enumerate() {
        let reply = apps[n % 2].account_info_as(login, API_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("x-ratelimit-remaining"), Some(remaining));
        assert_eq!(property(&reply, "ApiCallsInLastHour"), (n + 1).to_string());
    }
    let refused = apps[1].account_info_as(login, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wrong = apps[0].account_info_as(login, "Wrong#Guess-1").await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "a wrong password is told as such, limit or not"
    );
}
