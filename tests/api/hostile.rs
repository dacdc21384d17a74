//! Hostile input (issue 4): each attack is sent for real, answered with the contract's error in
//! the protocol it came in on, and the server answers `/health` afterwards. SECURITY.md names
//! these tests.

use crate::cli::{listening_port, start_with_owner_password, stop};
use crate::helpers::*;
use crate::xml::fault_code;
use base64::Engine;
use dualgate::config::Limits;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

const BOTH: [Soap; 2] = [Soap::V11, Soap::V12];
const SOAP_URL: &str = "/v2/Api.svc";
const JSON: &str = "application/json";
/// Only there so that a server that never answers fails the test instead of hanging it.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn soap_content_type(version: Soap) -> &'static str {
    match version {
        Soap::V11 => "text/xml; charset=utf-8",
        Soap::V12 => "application/soap+xml; charset=utf-8",
    }
}

/// The `ERROR_*` code and the SOAP fault in the request's version, with the contract's status.
fn assert_soap_refusal(reply: &Reply, version: Soap, code: &str) {
    let status = if code == "ERROR_REQUEST_TOO_LARGE" {
        413
    } else {
        500
    };
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some(soap_content_type(version))
    );
    let fault = match version {
        Soap::V11 => "s:Client",
        Soap::V12 => "s:Sender",
    };
    assert_eq!(fault_code(&reply.body), fault);
    assert_eq!(reply.error_code(), code, "{}", reply.body);
}

/// The `ERROR_*` code in the REST rendering: the status and `{"message"}` as JSON.
fn assert_rest_refusal(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some(JSON));
    assert_eq!(reply.error_code(), code, "{}", reply.body);
}

fn assert_says(reply: &Reply, reason: &str) {
    assert!(
        reply.body.contains(reason),
        "{reason:?} not in {}",
        reply.body
    );
}

async fn assert_healthy(address: &str) {
    let health = reqwest::get(format!("{address}/health")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

/// Posts raw bytes as the owner.
async fn post(address: &str, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let response = reqwest::Client::new()
        .post(format!("{address}{path}"))
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    into_reply(response).await
}

async fn post_soap(address: &str, version: Soap, document: impl Into<Vec<u8>>) -> Reply {
    post(
        address,
        SOAP_URL,
        soap_content_type(version),
        document.into(),
    )
    .await
}

fn operation(payload: &str) -> String {
    format!(r#"<GetApiUserById xmlns="{V2_NS}">{payload}</GetApiUserById>"#)
}

fn with_prolog(prolog: &str, version: Soap, payload: &str) -> String {
    format!("{prolog}{}", envelope(version, &operation(payload)))
}

/// Nine levels of ten references each: 10^9 "lol"s if anything expanded them.
fn billion_laughs(version: Soap) -> String {
    let mut entities = String::from(r#"<!ENTITY lol0 "lol">"#);
    for level in 1..=9 {
        let references = format!("&lol{};", level - 1).repeat(10);
        entities.push_str(&format!(r#"<!ENTITY lol{level} "{references}">"#));
    }
    let prolog = format!(r#"<?xml version="1.0"?><!DOCTYPE s:Envelope [{entities}]>"#);
    with_prolog(&prolog, version, "<id>&lol9;</id>")
}

/// One 50 kB entity referenced 100 000 times: 5 GB if expanded, with no nesting to detect.
fn quadratic_blowup(version: Soap) -> String {
    let prolog = format!(
        r#"<!DOCTYPE s:Envelope [<!ENTITY a "{}">]>"#,
        "a".repeat(50_000)
    );
    with_prolog(
        &prolog,
        version,
        &format!("<id>{}</id>", "&a;".repeat(100_000)),
    )
}

fn deep_nesting(version: Soap) -> String {
    let nested = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    envelope(version, &operation(&nested))
}

/// 100 000 distinct attributes on one element, just under the 1 MiB body limit.
fn many_attributes(version: Soap) -> String {
    let attributes: String = (0..100_000).map(|i| format!(" a{i}=''")).collect();
    envelope(
        version,
        &format!(r#"<GetApiUserById xmlns="{V2_NS}"{attributes}/>"#),
    )
}

/// An element name as long as the body limit leaves room for.
fn huge_name(version: Soap) -> String {
    let name = "n".repeat(Limits::DEFAULT.max_body_bytes - 1024);
    envelope(version, &operation(&format!("<{name}/>")))
}

fn huge_text(version: Soap) -> String {
    envelope(
        version,
        &operation(&format!("<id>{}</id>", "1".repeat(1_000_000))),
    )
}

fn huge_attribute_value(version: Soap) -> String {
    envelope(
        version,
        &operation(&format!(r#"<id note="{}">1</id>"#, "v".repeat(1_000_000))),
    )
}

fn many_namespace_declarations(version: Soap) -> String {
    let declarations: String = (0..40_000)
        .map(|i| format!(r#" xmlns:p{i}="urn:{i}""#))
        .collect();
    envelope(
        version,
        &format!(r#"<GetApiUserById xmlns="{V2_NS}"{declarations}/>"#),
    )
}

fn many_children(version: Soap) -> String {
    envelope(version, &operation(&"<a/>".repeat(200_000)))
}

/// 100 siblings of 200 children each: every element within the per-element limit, 20 000 in all.
fn element_flood(version: Soap) -> String {
    let group = format!("<g>{}</g>", "<a/>".repeat(200));
    envelope(version, &operation(&group.repeat(100)))
}

fn invalid_utf8_xml(version: Soap, bytes: &[u8]) -> Vec<u8> {
    let document = envelope(version, &operation("<id>1PLACE</id>"));
    let (before, after) = document.split_once("PLACE").unwrap();
    [before.as_bytes(), bytes, after.as_bytes()].concat()
}

/// Not UTF-8: a stray byte, an overlong `/`, a surrogate half, a truncated sequence.
const NOT_UTF8: [&[u8]; 4] = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"];

fn json_array_bomb() -> Vec<u8> {
    format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()
}

fn json_object_bomb() -> Vec<u8> {
    format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000)).into_bytes()
}

/// Nesting inside a read-only field that the server would otherwise skip unread.
fn json_bomb_in_skipped_field() -> Vec<u8> {
    format!(
        r#"{{"description": "d", "id": {}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    )
    .into_bytes()
}

/// A megabyte of `[` that never closes.
fn json_unclosed_bomb() -> Vec<u8> {
    vec![b'['; 1_000_000]
}

fn json_huge_string() -> Vec<u8> {
    format!(r#"{{"description": "{}"}}"#, "x".repeat(1_000_000)).into_bytes()
}

fn json_huge_key() -> Vec<u8> {
    format!(r#"{{"{}": 1}}"#, "k".repeat(1_000_000)).into_bytes()
}

fn invalid_utf8_json(field: &str, bytes: &[u8]) -> Vec<u8> {
    [
        format!(r#"{{"password": "{API_PASSWORD}", "{field}": "x"#).as_bytes(),
        bytes,
        br#""}"#,
    ]
    .concat()
}

/// The REST operations that read a JSON body.
const JSON_PATHS: [(&str, &str); 3] = [
    ("POST", "/v2/api-users"),
    ("PUT", "/v2/api-users/1"),
    ("PUT", "/v2/api-users/1/password"),
];

async fn send_json(address: &str, method: &str, path: &str, body: Vec<u8>) -> Reply {
    let response = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{address}{path}"))
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", JSON)
        .body(body)
        .send()
        .await
        .expect("request sent");
    into_reply(response).await
}

/// A server with every limit at its default (the other tests run with a 64 KiB body limit).
async fn defaults() -> TestApp {
    let body_limit = Limits::DEFAULT.max_body_bytes.to_string();
    let flags = ["--max-body-bytes", body_limit.as_str()];
    spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await
}

#[tokio::test]
async fn billion_laughs_is_refused_before_any_expansion() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, billion_laughs(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "DOCTYPE is not allowed");
        assert!(!reply.body.contains("lollol"));
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn external_entities_are_never_read_from_disk_or_network() {
    let app = defaults().await;
    // A listening port rather than a closed one: any attempt to fetch would be seen here.
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/evil.dtd",
        trap.local_addr().unwrap().port()
    );
    let prologs = [
        r#"<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#.to_owned(),
        format!(r#"<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "{url}">]>"#),
        format!(r#"<!DOCTYPE s:Envelope [<!ENTITY % remote SYSTEM "{url}"> %remote;]>"#),
        format!(r#"<!DOCTYPE s:Envelope SYSTEM "{url}">"#),
    ];
    for version in BOTH {
        for prolog in &prologs {
            let document = with_prolog(prolog, version, "<id>&xxe;</id>");
            let reply = post_soap(&app.address, version, document).await;
            assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
            assert_says(&reply, "DOCTYPE is not allowed");
            assert!(!reply.body.contains("root:"), "{}", reply.body);
        }
        let undeclared = with_prolog("", version, "<id>&xxe;</id>");
        let reply = post_soap(&app.address, version, undeclared).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "undefined entity");
    }
    assert_eq!(
        trap.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "the server connected to the entity's system id"
    );
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn quadratic_blowup_is_refused_before_any_expansion() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, quadratic_blowup(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "DOCTYPE is not allowed");
        assert!(reply.body.len() < 2048, "{} bytes", reply.body.len());
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn ten_thousand_levels_of_xml_nesting_are_refused() {
    let app = defaults().await;
    for version in BOTH {
        let unclosed = envelope(version, &operation(&"<a>".repeat(300_000)));
        for document in [deep_nesting(version), unclosed] {
            let reply = post_soap(&app.address, version, document).await;
            assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
            assert_says(&reply, "nested deeper than 32 levels");
        }
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn a_hundred_thousand_attributes_are_refused() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, many_attributes(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "more than 32 attributes");
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn a_megabyte_element_name_is_refused() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, huge_name(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "a name is longer than 256 bytes");
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn huge_xml_text_and_attribute_values_are_refused() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, huge_text(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "text is longer than 8192 bytes");
        let reply = post_soap(&app.address, version, huge_attribute_value(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "attribute value is longer than 8192 bytes");
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn many_namespace_declarations_are_refused() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, many_namespace_declarations(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "more than 64 namespace declarations in scope");
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn floods_of_child_elements_are_refused() {
    let app = defaults().await;
    for version in BOTH {
        let reply = post_soap(&app.address, version, many_children(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "more than 256 children");
        let reply = post_soap(&app.address, version, element_flood(version)).await;
        assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
        assert_says(&reply, "more than 1024 elements");
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn invalid_utf8_in_xml_is_refused() {
    let app = defaults().await;
    for version in BOTH {
        for bytes in NOT_UTF8 {
            let reply = post_soap(&app.address, version, invalid_utf8_xml(version, bytes)).await;
            assert_soap_refusal(&reply, version, "ERROR_MALFORMED_REQUEST");
            assert_says(&reply, "not UTF-8");
        }
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn json_depth_bombs_are_refused() {
    let app = defaults().await;
    for (method, path) in JSON_PATHS {
        for bomb in [
            json_array_bomb(),
            json_object_bomb(),
            json_bomb_in_skipped_field(),
            json_unclosed_bomb(),
        ] {
            let reply = send_json(&app.address, method, path, bomb).await;
            assert_rest_refusal(&reply, StatusCode::BAD_REQUEST, "ERROR_MALFORMED_REQUEST");
            assert_says(&reply, "the JSON nests deeper than 32 levels");
        }
    }
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn a_megabyte_json_string_is_refused() {
    let app = defaults().await;
    for (method, path) in JSON_PATHS {
        for body in [json_huge_string(), json_huge_key()] {
            let reply = send_json(&app.address, method, path, body).await;
            assert_rest_refusal(&reply, StatusCode::BAD_REQUEST, "ERROR_MALFORMED_REQUEST");
            assert_says(&reply, "a JSON string is longer than 8192 bytes");
        }
    }
    assert!(app.stored_api_users().is_empty());
    assert_healthy(&app.address).await;
}

#[tokio::test]
async fn invalid_utf8_in_json_is_refused() {
    let app = defaults().await;
    for (method, path) in JSON_PATHS {
        for field in ["description", "created"] {
            for bytes in NOT_UTF8 {
                let body = invalid_utf8_json(field, bytes);
                let reply = send_json(&app.address, method, path, body).await;
                assert_rest_refusal(&reply, StatusCode::BAD_REQUEST, "ERROR_MALFORMED_REQUEST");
                assert_says(&reply, "the body is not UTF-8");
            }
        }
    }
    assert!(app.stored_api_users().is_empty());
    assert_healthy(&app.address).await;
}

/// A raw HTTP/1.1 answer read until the server closes the connection.
fn parse_raw(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    Reply {
        status: StatusCode::from_bytes(status.as_bytes()).unwrap(),
        headers,
        body: body.to_owned(),
    }
}

/// Everything the server sends until it closes (a reset after its answer counts as closing).
async fn read_until_closed(mut stream: tokio::net::tcp::OwnedReadHalf) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

fn basic_auth() -> String {
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{OWNER}:{OWNER_PASSWORD}"));
    format!("Basic {token}")
}

/// Posts a chunked body that never ends and returns the answer; returns only once the server
/// has answered, closed the connection and refused further body bytes.
async fn endless_chunked_body(address: &str, path: &str, content_type: &str) -> Reply {
    let stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    let (reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\
         Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n",
        basic_auth()
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let sender = tokio::spawn(async move {
        let chunk = [b"10000\r\n", &[b' '; 0x10000][..], b"\r\n"].concat();
        // A pause per chunk keeps the flood to a rate that the test machine shrugs off.
        while writer.write_all(&chunk).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let answer = tokio::time::timeout(HANG_GUARD, async {
        let answer = read_until_closed(reader).await;
        sender.await.unwrap();
        answer
    })
    .await
    .expect("the server answers, closes and reads no more");
    parse_raw(&answer)
}

#[tokio::test]
async fn a_chunked_body_without_length_is_cut_off_at_the_limit() {
    let app = defaults().await;
    let address = app.address.as_str();
    let (rest, soap11, soap12) = tokio::join!(
        endless_chunked_body(address, "/v2/api-users", JSON),
        endless_chunked_body(address, SOAP_URL, soap_content_type(Soap::V11)),
        endless_chunked_body(address, SOAP_URL, soap_content_type(Soap::V12)),
    );
    assert_rest_refusal(
        &rest,
        StatusCode::PAYLOAD_TOO_LARGE,
        "ERROR_REQUEST_TOO_LARGE",
    );
    assert_soap_refusal(&soap11, Soap::V11, "ERROR_REQUEST_TOO_LARGE");
    assert_soap_refusal(&soap12, Soap::V12, "ERROR_REQUEST_TOO_LARGE");
    for reply in [rest, soap11, soap12] {
        assert_eq!(reply.header("connection"), Some("close"));
    }
    assert!(app.stored_api_users().is_empty());
    assert_healthy(address).await;
}

/// Sends a request head that declares a 2 MB body, and no body: returns every byte the server
/// sends until it closes the connection.
async fn declare_body(address: &str, path: &str, content_type: &str, expect: bool) -> Vec<u8> {
    let stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    let (reader, mut writer) = stream.into_split();
    let expect = if expect {
        "Expect: 100-continue\r\n"
    } else {
        ""
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\
         Content-Type: {content_type}\r\nContent-Length: 2000000\r\n{expect}\r\n",
        basic_auth()
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(HANG_GUARD, read_until_closed(reader))
        .await
        .expect("the server answers without the body");
    drop(writer);
    answer
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_at_once_without_100_continue_on_every_route() {
    let app = defaults().await;
    let form = "application/x-www-form-urlencoded";
    let routes = [
        ("/v2/api-users", JSON),
        ("/v2/api-users/1/password", JSON),
        ("/health", JSON),
        ("/no/such/route", JSON),
        ("/settings/access/api-users/new", form),
        ("/sign-in", form),
        (SOAP_URL, soap_content_type(Soap::V11)),
        (SOAP_URL, soap_content_type(Soap::V12)),
    ];
    let requests: Vec<_> = [true, false]
        .into_iter()
        .flat_map(|expect| routes.map(|route| (route, expect)))
        .map(|((path, content_type), expect)| {
            let address = app.address.clone();
            tokio::spawn(async move {
                let raw = declare_body(&address, path, content_type, expect).await;
                (path, content_type, raw)
            })
        })
        .collect();
    for request in requests {
        let (path, content_type, raw) = request.await.unwrap();
        assert!(raw.starts_with(b"HTTP/1.1 413 "), "{path}: {raw:?}");
        let reply = parse_raw(&raw);
        assert_eq!(reply.header("connection"), Some("close"), "{path}");
        match content_type {
            "text/xml; charset=utf-8" => {
                assert_soap_refusal(&reply, Soap::V11, "ERROR_REQUEST_TOO_LARGE")
            }
            "application/soap+xml; charset=utf-8" => {
                assert_soap_refusal(&reply, Soap::V12, "ERROR_REQUEST_TOO_LARGE")
            }
            JSON => assert_rest_refusal(
                &reply,
                StatusCode::PAYLOAD_TOO_LARGE,
                "ERROR_REQUEST_TOO_LARGE",
            ),
            _ => {
                assert_eq!(
                    reply.header("content-type"),
                    Some("text/html; charset=utf-8")
                );
                assert!(reply.header("content-security-policy").is_some(), "{path}");
                assert_says(&reply, "ERROR_REQUEST_TOO_LARGE");
            }
        }
    }
    assert!(app.stored_api_users().is_empty());
    assert_healthy(&app.address).await;
}

/// Sends `head` at once, then `trickle` a byte at a time, then nothing without closing, and
/// returns what the server answers.
async fn trickle(address: String, head: String, trickle: &'static [u8]) -> Reply {
    let stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    let (reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let sender = tokio::spawn(async move {
        for byte in trickle {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    });
    let answer = tokio::time::timeout(HANG_GUARD, read_until_closed(reader))
        .await
        .expect("the server cuts the trickling client off");
    sender.abort();
    parse_raw(&answer)
}

/// Ten slow clients at once (more than the server's workers) while others are answered.
async fn while_trickling(app: &TestApp, heads: Vec<String>, bytes: &'static [u8]) -> Vec<Reply> {
    let tricklers = heads
        .into_iter()
        .cycle()
        .take(10)
        .map(|head| tokio::spawn(trickle(app.address.clone(), head, bytes)))
        .collect();
    while_others_are_served(app, tricklers).await
}

/// Waits for `clients`, checking first that the server answers others meanwhile.
async fn while_others_are_served<T>(app: &TestApp, clients: Vec<JoinHandle<T>>) -> Vec<T> {
    for _ in 0..5 {
        assert_healthy(&app.address).await;
        assert_eq!(
            app.account_info_as(OWNER, OWNER_PASSWORD).await.status,
            StatusCode::OK
        );
    }
    let mut outcomes = Vec::new();
    for client in clients {
        outcomes.push(client.await.unwrap());
    }
    outcomes
}

/// A server that gives headers and bodies one second each.
async fn impatient() -> TestApp {
    let flags = [
        "--client-request-timeout-secs",
        "1",
        "--body-read-timeout-secs",
        "1",
    ];
    spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await
}

/// Many times longer than the one-second timeouts of `impatient`, a byte every 100 ms.
const SLOW_BYTES: &[u8] = &[b'x'; 600];

#[tokio::test]
async fn a_trickled_body_is_cut_off_while_others_are_served() {
    let app = impatient().await;
    let head = |method: &str, path: &str, content_type: &str| {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\
             Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n",
            basic_auth()
        )
    };
    let heads = vec![
        head("POST", "/v2/api-users", JSON),
        head("POST", SOAP_URL, soap_content_type(Soap::V11)),
        head("POST", SOAP_URL, soap_content_type(Soap::V12)),
        head("PUT", "/v2/api-users/1/password", JSON),
        head("POST", "/sign-in", "application/x-www-form-urlencoded"),
    ];
    let replies = while_trickling(&app, heads, SLOW_BYTES).await;
    for (n, reply) in replies.iter().enumerate() {
        assert_eq!(reply.header("connection"), Some("close"));
        match n % 5 {
            1 => assert_soap_refusal(reply, Soap::V11, "ERROR_MALFORMED_REQUEST"),
            2 => assert_soap_refusal(reply, Soap::V12, "ERROR_MALFORMED_REQUEST"),
            // The Access page's form: cut off at the same deadline, answered by its own page.
            4 => {
                assert_eq!(reply.status, StatusCode::BAD_REQUEST);
                continue;
            }
            _ => assert_rest_refusal(reply, StatusCode::BAD_REQUEST, "ERROR_MALFORMED_REQUEST"),
        }
        assert_says(reply, "the body did not arrive within 1s");
    }
    assert!(app.stored_api_users().is_empty());
    assert_healthy(&app.address).await;
}

/// Headers that never finish: no protocol can be told yet, so actix answers a bare 408 and
/// closes (SECURITY.md explains why that is not a catalogue error).
#[tokio::test]
async fn trickled_headers_are_cut_off_while_others_are_served() {
    let app = impatient().await;
    let heads = vec![
        "POST /v2/api-users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".to_owned(),
        format!("POST {SOAP_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
    ];
    for reply in while_trickling(&app, heads, SLOW_BYTES).await {
        assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(reply.body, "");
    }
    assert_healthy(&app.address).await;
}

/// One answer read off a kept-alive connection: its head, then as many bytes as it declares.
async fn read_answer(stream: &mut TcpStream) -> Reply {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        if let Some(end) = received.windows(4).position(|bytes| bytes == b"\r\n\r\n") {
            let head = parse_raw(&received[..end + 4]);
            let declared = head.header("content-length").expect("a declared length");
            if received.len() >= end + 4 + declared.parse::<usize>().unwrap() {
                return parse_raw(&received);
            }
        }
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "the connection closed before its answer");
        received.extend_from_slice(&buffer[..n]);
    }
}

fn owner_request(path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n\r\n",
        basic_auth()
    )
}

#[tokio::test]
async fn a_connection_is_kept_alive_for_further_requests_until_idle_too_long() {
    let app = spawn_app_with(
        Arc::new(tempfile::tempdir().unwrap()),
        &["--keep-alive-secs", "1"],
    )
    .await;
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    for path in ["/health", "/v2/account-info", "/v2/server-time"] {
        stream
            .write_all(owner_request(path).as_bytes())
            .await
            .unwrap();
        let reply = read_answer(&mut stream).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_ne!(reply.header("connection"), Some("close"), "{path}");
    }
    let (reader, _writer) = stream.into_split();
    let after_idling = tokio::time::timeout(HANG_GUARD, read_until_closed(reader))
        .await
        .expect("an idle connection is closed");
    assert!(after_idling.is_empty());
}

#[tokio::test]
async fn the_default_keeps_connections_alive() {
    let app = defaults().await;
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    for _ in 0..2 {
        stream
            .write_all(owner_request("/v2/account-info").as_bytes())
            .await
            .unwrap();
        let reply = read_answer(&mut stream).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.json()["properties"].as_array().map(Vec::is_empty),
            Some(false)
        );
        assert_ne!(reply.header("connection"), Some("close"));
    }
}

/// Answers the first request on a connection, then sends `head` at once and `trickle` a byte
/// at a time; returns the first answer and whatever else the server sends until it closes.
async fn answer_then_trickle(
    address: String,
    head: &'static str,
    trickle: &'static [u8],
) -> (Reply, Vec<u8>) {
    let mut stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(owner_request("/v2/account-info").as_bytes())
        .await
        .unwrap();
    let first = read_answer(&mut stream).await;
    let (reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await.unwrap();
        for byte in trickle {
            if writer.write_all(&[*byte]).await.is_err() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        true
    });
    let rest = tokio::time::timeout(HANG_GUARD, read_until_closed(reader))
        .await
        .expect("the server cuts the trickling client off");
    let trickled_to_the_end = tokio::time::timeout(HANG_GUARD, sender)
        .await
        .expect("writing to a closed connection fails")
        .unwrap();
    assert!(!trickled_to_the_end, "cut off before the trickle ended");
    (first, rest)
}

/// A second request whose head trickles in on a kept-alive connection gets the same one-second
/// deadline as a first one, while the connection's idle time (ten minutes here) plays no
/// part: the connection closes without a further answer.
#[tokio::test]
async fn a_trickled_second_request_is_cut_off_while_others_are_served() {
    let flags = [
        "--client-request-timeout-secs",
        "1",
        "--keep-alive-secs",
        "600",
    ];
    let app = spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await;
    let heads = [
        "GET /v2/account-info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        "POST /v2/Api.svc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
    ];
    let tricklers = heads
        .into_iter()
        .cycle()
        .take(10)
        .map(|head| tokio::spawn(answer_then_trickle(app.address.clone(), head, SLOW_BYTES)))
        .collect();
    for (first, rest) in while_others_are_served(&app, tricklers).await {
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(
            String::from_utf8_lossy(&rest),
            "",
            "closed without an answer"
        );
    }
    assert_healthy(&app.address).await;
}

/// The start of a second request sent along with the first, which then trickles on or stops:
/// the first is answered, the second's head is cut off (by the head deadline, or by the idle
/// one when nothing more comes) and never answered.
#[tokio::test]
async fn a_pipelined_second_head_that_stalls_is_cut_off_after_the_first_answer() {
    let app = impatient().await;
    let head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /health HTTP/1.1\r\nX-Slow: ";
    for bytes in [SLOW_BYTES, b""] {
        let reply = trickle(app.address.clone(), head.to_owned(), bytes).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_ne!(reply.header("connection"), Some("close"));
        assert_eq!(
            reply.body, r#"{"status":"ok"}"#,
            "one answer, then the connection closed"
        );
    }
    assert_healthy(&app.address).await;
}

/// Peak resident memory of a process, from `/proc/<pid>/status`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/<pid>/status")
}

/// Every payload attack of this file, with where it goes and the code it earns.
fn all_payload_attacks() -> Vec<(String, String, Vec<u8>, &'static str)> {
    let mut attacks = Vec::new();
    for version in BOTH {
        let content_type = soap_content_type(version).to_owned();
        let mut documents: Vec<Vec<u8>> = [
            billion_laughs,
            quadratic_blowup,
            deep_nesting,
            many_attributes,
            huge_name,
            huge_text,
            huge_attribute_value,
            many_namespace_declarations,
            many_children,
            element_flood,
        ]
        .iter()
        .map(|attack| attack(version).into_bytes())
        .collect();
        documents.extend(NOT_UTF8.map(|bytes| invalid_utf8_xml(version, bytes)));
        for document in documents {
            attacks.push((
                SOAP_URL.to_owned(),
                content_type.clone(),
                document,
                "ERROR_MALFORMED_REQUEST",
            ));
        }
    }
    for body in [
        json_array_bomb(),
        json_object_bomb(),
        json_bomb_in_skipped_field(),
        json_unclosed_bomb(),
        json_huge_string(),
        json_huge_key(),
        invalid_utf8_json("created", NOT_UTF8[0]),
    ] {
        attacks.push((
            "/v2/api-users".to_owned(),
            JSON.to_owned(),
            body,
            "ERROR_MALFORMED_REQUEST",
        ));
    }
    attacks
}

/// The real binary, default limits: every payload attack four times over, four at a time, and
/// endless chunked bodies; its peak memory grows by a bounded amount and it stays healthy.
#[tokio::test]
async fn attacks_leave_the_real_binary_healthy_with_bounded_peak_memory() {
    const ROUNDS: usize = 4;
    const BOUND_KIB: u64 = 64 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let running = start_with_owner_password(&dir.path().join("gateway.db"), OWNER_PASSWORD);
    let address = format!("http://127.0.0.1:{}", listening_port(&running));
    assert_healthy(&address).await;
    let warm_up = post(
        &address,
        "/v2/api-users",
        JSON,
        br#"{"password":"Magento#2026shop"}"#.to_vec(),
    )
    .await;
    assert_eq!(warm_up.status, StatusCode::CREATED);
    let before = peak_rss_kib(running.pid());

    let attacks = Arc::new(all_payload_attacks());
    let mut workers = Vec::new();
    for worker in 0..ROUNDS {
        let attacks = attacks.clone();
        let address = address.clone();
        workers.push(tokio::spawn(async move {
            for n in 0..attacks.len() {
                let (path, content_type, body, code) = &attacks[(n + worker * 7) % attacks.len()];
                let reply = post(&address, path, content_type, body.clone()).await;
                assert_eq!(reply.error_code(), *code, "{path}: {}", reply.body);
            }
            let reply =
                endless_chunked_body(&address, SOAP_URL, soap_content_type(Soap::V12)).await;
            assert_eq!(reply.error_code(), "ERROR_REQUEST_TOO_LARGE");
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    assert_healthy(&address).await;
    let after = peak_rss_kib(running.pid());
    eprintln!(
        "peak RSS: {before} KiB before, {after} KiB after {} attacks",
        ROUNDS * (attacks.len() + 1)
    );
    assert!(
        after < before + BOUND_KIB,
        "peak RSS grew from {before} KiB to {after} KiB"
    );
    stop(running);
}
