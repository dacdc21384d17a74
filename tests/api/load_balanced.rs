//! Three gateway processes on one PostgreSQL database behind HAProxy behave as one gateway:
//! lockout, the rate limit, changes, sessions and first start are shared; one instance killed or the database
//! stopped under load loses no acknowledged write; the client's address survives the balancer.
//! Calls that must reach a given instance go to it straight; load goes through HAProxy.

use crate::cli::run_with_stdin;
use crate::helpers::*;
use crate::load_balancer::{Gateways, NAMES, query, start_instances};
use crate::shared_counters::{assert_one_limit_of_600_counted_once, calls_spread_over};
use crate::test_cluster::{Cluster, fresh_database_url};
use crate::web::csrf_of;
use crate::write_load::{Answer, Load, Write, listed, soap_create};
use crate::xml::{body_payload, fault_code, fault_text};
use futures_util::future::join_all;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));
const NEW_PASSWORD: &str = "Fresh#Secret-2027";
const CLERK: &str = "clerk@example.com";
const CLERK_PASSWORD: &str = "Quiet#Harbor-41";
const LIST: &str = "/settings/access/api-users";

fn wrong(n: usize) -> String {
    format!("Wrong#Guess-{n}")
}

fn id_payload(operation: &str, id: &str) -> String {
    format!(r#"<{operation} xmlns="{V2_NS}"><id>{id}</id></{operation}>"#)
}

fn email(user: &serde_json::Value) -> String {
    user["email"].as_str().unwrap().to_owned()
}

/// The statuses of `login`'s `password` on each instance, in order.
async fn statuses_on_each(gateways: &Gateways, login: &str, password: &str) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for instance in gateways.each_instance() {
        statuses.push(instance.account_info_as(login, password).await.status);
    }
    statuses
}

/// `dualgate user …` on the gateways' database, with `input` on standard input.
fn operator(gateways: &Gateways, args: &[&str], input: &str) {
    let dir = tempfile::tempdir().unwrap();
    let args = [args, &["--database-url", &gateways.database_url]].concat();
    let output = run_with_stdin(&dir.path().join("not-used.db"), &args, input);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn wrong_passwords_spread_over_the_three_lock_on_all_three_and_an_unlock_on_one_holds_on_all()
{
    let gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let user = gateways.instance(0).create_api_user("spread").await;
    let login = email(&user);
    for n in 0..5 {
        let reply = gateways.in_turn(n).account_info_as(&login, &wrong(n)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        statuses_on_each(&gateways, &login, API_PASSWORD).await,
        [StatusCode::UNAUTHORIZED; 3],
        "locked on all three"
    );
    let unlock = gateways
        .instance(1)
        .soap(
            Soap::V11,
            OWNER_AUTH,
            &id_payload("UnlockApiUser", &user["id"].to_string()),
        )
        .await;
    assert_eq!(body_payload(&unlock.body).name, "UnlockApiUserResponse");
    assert_eq!(
        statuses_on_each(&gateways, &login, API_PASSWORD).await,
        [StatusCode::OK; 3],
        "unlocked on all three"
    );

    operator(
        &gateways,
        &["user", "add", "--email", CLERK],
        CLERK_PASSWORD,
    );
    for n in 0..5 {
        let reply = gateways
            .in_turn(n + 1)
            .account_info_as(CLERK, &wrong(n))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        statuses_on_each(&gateways, CLERK, CLERK_PASSWORD).await,
        [StatusCode::UNAUTHORIZED; 3],
        "the account user is locked on all three"
    );
    operator(&gateways, &["user", "unlock", "--email", CLERK], "");
    assert_eq!(
        statuses_on_each(&gateways, CLERK, CLERK_PASSWORD).await,
        [StatusCode::OK; 3],
        "the operator's unlock holds on all three"
    );
}

#[tokio::test]
async fn tiered_calls_spread_over_the_three_by_haproxy_get_exactly_one_refusal_and_agree_on_the_headers()
 {
    let gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let login = email(&gateways.instance(0).create_api_user("tiered").await);
    let replies = calls_spread_over(&[gateways.balanced()], &login, 601).await;
    let served_by: BTreeSet<&str> = replies
        .iter()
        .map(|reply| reply.header("x-served-by").unwrap())
        .collect();
    assert_eq!(
        served_by,
        NAMES.into(),
        "HAProxy spread the calls over the three"
    );
    assert_one_limit_of_600_counted_once(&replies);
    for instance in gateways.each_instance() {
        let next = instance.account_info_as(&login, API_PASSWORD).await;
        assert_eq!(
            next.status,
            StatusCode::TOO_MANY_REQUESTS,
            "spent on every instance"
        );
        assert_eq!(next.header("x-ratelimit-limit"), Some("600"));
        assert_eq!(next.header("x-ratelimit-remaining"), Some("0"));
    }
}

/// Rows of the login's failure budget: slots held and failures counted.
fn budget_rows(url: &str, login: &str) -> i64 {
    query(
        url,
        "SELECT COUNT(*) FROM login_attempts WHERE login = $1",
        &[&login],
    )[0]
    .get(0)
}

#[tokio::test]
async fn a_burst_over_the_three_never_lets_the_right_password_in_once_the_budget_is_spent() {
    // High enough that the burst is still being verified when the right password arrives.
    let gateways = Gateways::start(&fresh_database_url(), &["--bcrypt-cost", "10"]).await;
    let login = email(&gateways.instance(0).create_api_user("burst").await);
    let burst = join_all((0..29).map(|n| {
        let (instance, password) = (gateways.in_turn(n), wrong(n));
        let login = login.clone();
        async move { instance.account_info_as(&login, &password).await.status }
    }));
    let right = async {
        let deadline = Instant::now() + Duration::from_secs(30);
        while budget_rows(&gateways.database_url, &login) < 5 {
            assert!(Instant::now() < deadline, "the burst never took the budget");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        gateways
            .instance(2)
            .account_info_as(&login, API_PASSWORD)
            .await
            .status
    };
    let (answers, right) = tokio::join!(burst, right);
    assert_eq!(answers, [StatusCode::UNAUTHORIZED; 29]);
    assert_eq!(
        right,
        StatusCode::UNAUTHORIZED,
        "the budget was spent first"
    );
    assert_eq!(
        statuses_on_each(&gateways, &login, API_PASSWORD).await,
        [StatusCode::UNAUTHORIZED; 3]
    );
    let locked: bool = query(
        &gateways.database_url,
        "SELECT locked FROM api_users WHERE login = $1",
        &[&login],
    )[0]
    .get(0);
    assert!(locked);
}

#[tokio::test]
async fn a_change_on_one_instance_holds_at_once_on_the_others_caches_included() {
    let gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let [one, two, three] = [0, 1, 2].map(|n| gateways.instance(n));
    let created = one.create_api_user("Magento shop").await;
    let (id, login) = (created["id"].to_string(), email(&created));
    assert_eq!(
        two.emails_listed_over_soap().await,
        std::slice::from_ref(&login)
    );
    assert_eq!(
        three.owner_get(&format!("/v2/api-users/{id}")).await.json(),
        created
    );

    let update = format!(
        r#"<UpdateApiUser xmlns="{V2_NS}" xmlns:a="{TYPES_NS}"><id>{id}</id><apiUser><a:Description>ERP</a:Description></apiUser></UpdateApiUser>"#
    );
    let updated = two.soap(Soap::V11, OWNER_AUTH, &update).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    for instance in [&one, &three] {
        let got = instance
            .owner_get(&format!("/v2/api-users/{id}"))
            .await
            .json();
        assert_eq!(got["description"], "ERP");
    }

    assert_eq!(
        statuses_on_each(&gateways, &login, API_PASSWORD).await,
        [StatusCode::OK; 3],
        "every instance has the password in its cache"
    );
    let set = three.set_api_user_password(&id, NEW_PASSWORD).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    assert_eq!(
        statuses_on_each(&gateways, &login, API_PASSWORD).await,
        [StatusCode::UNAUTHORIZED; 3],
        "the old password is refused at once everywhere"
    );
    assert_eq!(
        statuses_on_each(&gateways, &login, NEW_PASSWORD).await,
        [StatusCode::OK; 3]
    );

    let second = two
        .soap(Soap::V12, OWNER_AUTH, &soap_create("second"))
        .await;
    let second = body_payload(&second.body);
    let second = second.child(V2_NS, "CreateApiUserResult").unwrap();
    let second_id = second.child_text(TYPES_NS, "Id").unwrap();
    assert_eq!(one.descriptions_listed_over_rest().await, ["ERP", "second"]);

    let deleted = one
        .soap(Soap::V11, OWNER_AUTH, &id_payload("DeleteApiUser", &id))
        .await;
    assert_eq!(body_payload(&deleted.body).name, "DeleteApiUserResponse");
    for instance in [&two, &three] {
        let gone = instance.owner_get(&format!("/v2/api-users/{id}")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        statuses_on_each(&gateways, &login, NEW_PASSWORD).await,
        [StatusCode::UNAUTHORIZED; 3],
        "a deleted user's credential is refused at once everywhere"
    );
    let deleted = two
        .rest(
            Method::DELETE,
            &format!("/v2/api-users/{second_id}"),
            OWNER_AUTH,
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert!(three.emails_listed_over_soap().await.is_empty());
}

#[tokio::test]
async fn an_access_page_sign_in_on_one_instance_is_valid_through_the_others() {
    let gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let [one, two, three] = [0, 1, 2].map(|n| gateways.instance(n));
    let shared = browser();
    let page =
        |instance: &Endpoint, path: &str| shared.get(format!("{}{path}", instance.address)).send();
    let sign_in = page(&one, "/sign-in").await.unwrap().text().await.unwrap();
    let form = [
        ("csrf", csrf_of(&sign_in)),
        ("email", OWNER.to_owned()),
        ("password", OWNER_PASSWORD.to_owned()),
    ];
    let signed_in = shared
        .post(format!("{}/sign-in", one.address))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], LIST);

    let list = page(&two, LIST).await.unwrap();
    assert_eq!(list.status(), StatusCode::OK, "signed in on the second too");
    let csrf = csrf_of(&list.text().await.unwrap());
    let stranger = browser()
        .get(format!("{}{LIST}", two.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stranger.status(),
        StatusCode::SEE_OTHER,
        "not without the cookie"
    );

    let new_user = [
        ("csrf", csrf.as_str()),
        ("email", ""),
        ("description", "from the page"),
        ("password", API_PASSWORD),
        ("confirm_password", API_PASSWORD),
        ("status", "Enabled"),
    ];
    let saved = shared
        .post(format!("{}{LIST}/new", three.address))
        .form(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "the third takes the form with the token the second gave"
    );
    let listed = one.owner_get("/v2/api-users").await.json();
    assert_eq!(listed[0]["description"], "from the page");

    let signed_out = shared
        .post(format!("{}/sign-out", three.address))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    for instance in [&one, &two] {
        let after = page(instance, LIST).await.unwrap();
        assert_eq!(
            after.status(),
            StatusCode::SEE_OTHER,
            "signed out everywhere"
        );
        assert_eq!(after.headers()["location"], "/sign-in");
    }
}

#[tokio::test]
async fn three_simultaneous_first_starts_on_an_empty_database_migrate_once_and_create_one_owner() {
    let url = fresh_database_url();
    let instances = start_instances(&url, &[]);
    let count = |sql| -> i64 { query(&url, sql, &[])[0].get(0) };
    let versions: Vec<i32> = query(
        &url,
        "SELECT version FROM schema_migrations ORDER BY version",
        &[],
    )
    .iter()
    .map(|row| row.get(0))
    .collect();
    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/storage/postgres/migrations"
    ))
    .unwrap()
    .count();
    assert_eq!(
        versions,
        (1..=migrations as i32).collect::<Vec<_>>(),
        "each migration applied once"
    );
    assert_eq!(count("SELECT COUNT(*) FROM accounts"), 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM account_users WHERE is_owner"),
        1
    );
    assert_eq!(count("SELECT COUNT(*) FROM account_users"), 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE action = 'AccountCreated'"),
        1
    );
    for instance in &instances {
        let reply = Endpoint::new(format!("http://127.0.0.1:{}", instance.port))
            .account_info_as(OWNER, OWNER_PASSWORD)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}

/// Every acknowledged write is stored, with its description.
fn assert_all_stored(url: &str, writes: &[Write]) {
    let stored: BTreeMap<i32, String> = query(url, "SELECT id, description FROM api_users", &[])
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let mut acknowledged = 0;
    for write in writes {
        if let Some((id, _)) = write.acknowledged() {
            acknowledged += 1;
            assert_eq!(stored.get(&id), Some(&write.description), "{write} is lost");
        }
    }
    assert!(acknowledged > 0);
}

const WORKERS: usize = 6;

/// The instances that acknowledged `writes`.
fn served_by<'a>(writes: impl Iterator<Item = &'a Write>) -> BTreeSet<String> {
    writes
        .filter_map(|w| w.acknowledged().map(|(_, by)| by.to_owned()))
        .collect()
}

#[tokio::test]
async fn kill_9_of_one_instance_under_load_fails_only_what_was_in_flight_on_it() {
    let mut gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let load = Load::start(&gateways.balanced(), WORKERS);
    load.until_acknowledged(30).await;
    let kill_sent = Instant::now();
    gateways.instances[0].kill();
    let killed = Instant::now();
    gateways
        .haproxy
        .until(
            |states| states == ["DOWN", "UP", "UP"],
            "the killed instance down",
        )
        .await;
    let routed_around = Instant::now();
    load.until_acknowledged(load.acknowledged() + 30).await;
    let writes = load.stop().await;

    let failed: Vec<&Write> = writes
        .iter()
        .filter(|w| w.acknowledged().is_none())
        .collect();
    let log = gateways.haproxy.said();
    assert!(
        failed.len() <= WORKERS,
        "{}\nHAProxy's log:\n{log}",
        listed(&failed)
    );
    for write in &failed {
        assert!(
            write.in_flight_during(kill_sent, killed),
            "failed without being in flight at the kill: {write}\nHAProxy's log:\n{log}"
        );
    }
    assert_eq!(
        served_by(writes.iter().filter(|w| w.answered < kill_sent)),
        NAMES.map(str::to_owned).into(),
        "all three took writes before the kill"
    );
    let after: Vec<&Write> = writes.iter().filter(|w| w.sent > routed_around).collect();
    assert!(after.len() >= 30 - WORKERS);
    assert!(
        after.iter().all(|w| w.acknowledged().is_some()),
        "{}\nHAProxy's log:\n{log}",
        listed(&after)
    );
    assert_eq!(
        served_by(after.into_iter()),
        ["three", "two"].map(str::to_owned).into()
    );
    assert_all_stored(&gateways.database_url, &writes);
}

/// A write over REST and one over SOAP straight to `instance`, and its health: the status of
/// each, with the error code of the writes (and the SOAP fault's code) and the health's body.
async fn straight_answers(instance: &Endpoint) -> [(StatusCode, String); 3] {
    let rest = instance.post_api_user("straight").await;
    let soap = instance
        .soap(Soap::V12, OWNER_AUTH, &soap_create("straight"))
        .await;
    let soap_code = if soap.status == StatusCode::OK {
        String::new()
    } else {
        format!("{} {}", fault_code(&soap.body), soap.error_code())
    };
    let health = instance.rest(Method::GET, "/health", None, None).await;
    [
        (rest.status, rest.error_code()),
        (soap.status, soap_code),
        (health.status, health.body),
    ]
}

/// Whether `write` was refused as the outage should refuse it: by an instance, with 503
/// `ERROR_UNKNOWN` over REST or a fault of the receiver over SOAP (`Server` in 1.1,
/// `Receiver` in 1.2); or, with every instance out, by
/// HAProxy with its own 503.
fn refused_for_the_outage(write: &Write) -> bool {
    let Answer::Refused { status, body } = &write.answer else {
        return false;
    };
    let unknown = |message: &str| message.ends_with(" ERROR_UNKNOWN");
    if body.starts_with("<?xml") {
        *status == StatusCode::INTERNAL_SERVER_ERROR
            && ["s:Server", "s:Receiver"].contains(&fault_code(body).as_str())
            && fault_text(body).is_some_and(|text| unknown(&text))
    } else {
        *status == StatusCode::SERVICE_UNAVAILABLE
            && (body.contains("No server is available")
                || serde_json::from_str::<serde_json::Value>(body)
                    .is_ok_and(|reply| reply["message"].as_str().is_some_and(unknown)))
    }
}

#[tokio::test]
async fn postgresql_stopped_and_started_under_load_gives_503s_loses_nothing_and_every_instance_recovers()
 {
    let cluster = Cluster::start();
    let mut gateways = Gateways::start(&cluster.fresh_database_url(), &[]).await;
    let load = Load::start(&gateways.balanced(), 4);
    load.until_acknowledged(20).await;

    cluster.stop();
    let down = join_all(gateways.each_instance().iter().map(straight_answers)).await;
    for answers in down {
        assert_eq!(
            answers,
            [
                (StatusCode::SERVICE_UNAVAILABLE, "ERROR_UNKNOWN".to_owned()),
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "s:Receiver ERROR_UNKNOWN".to_owned()
                ),
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    r#"{"status":"unavailable"}"#.to_owned()
                ),
            ]
        );
    }
    gateways
        .haproxy
        .until(
            |states| states.iter().all(|s| s == "DOWN"),
            "all three down",
        )
        .await;

    cluster.start_again();
    gateways
        .haproxy
        .until(
            |states| states.iter().all(|s| s == "UP"),
            "all three up again",
        )
        .await;
    for instance in gateways.each_instance() {
        let [rest, soap, health] = straight_answers(&instance).await;
        assert_eq!(rest.0, StatusCode::CREATED, "recovered without a restart");
        assert_eq!(soap.0, StatusCode::OK);
        assert_eq!(health.0, StatusCode::OK);
    }
    for instance in &mut gateways.instances {
        assert!(instance.exited().is_none(), "the same process");
    }
    load.until_acknowledged(load.acknowledged() + 20).await;
    let writes = load.stop().await;

    let refused: Vec<&Write> = writes
        .iter()
        .filter(|w| w.acknowledged().is_none())
        .collect();
    assert!(!refused.is_empty(), "the load saw the outage");
    let log = gateways.haproxy.said();
    for write in refused {
        assert!(
            refused_for_the_outage(write),
            "{write}\nHAProxy's log:\n{log}"
        );
    }
    assert_all_stored(&gateways.database_url, &writes);
}

/// A client that connects from `from` (any loopback address works on Linux) and sends
/// `X-Forwarded-For: spoofed` with every request.
fn client_from(from: &str, spoofed: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(spoofed).unwrap());
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .default_headers(headers)
        .build()
        .unwrap()
}

/// The address of the newest audit event.
async fn audited_address(instance: &Endpoint) -> String {
    let events = instance.owner_get("/v2/audit-events").await.json();
    events[0]["address"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_spoofed_forwarded_for_is_ignored_and_through_haproxy_the_real_client_is_audited() {
    let gateways = Gateways::start(&fresh_database_url(), &[]).await;
    let straight = Endpoint {
        client: client_from("127.0.0.2", "198.51.100.7"),
        ..gateways.instance(0)
    };
    straight.create_api_user("straight").await;
    assert_eq!(
        audited_address(&gateways.instance(1)).await,
        "127.0.0.2",
        "an untrusted peer's header is ignored"
    );

    let balanced = Endpoint {
        client: client_from("127.0.0.3", "198.51.100.8"),
        ..gateways.balanced()
    };
    balanced.create_api_user("balanced").await;
    assert_eq!(
        audited_address(&gateways.instance(2)).await,
        "127.0.0.3",
        "HAProxy's own X-Forwarded-For names the client; the client's claim before it is not believed"
    );
}
