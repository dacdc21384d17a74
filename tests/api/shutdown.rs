//! Graceful shutdown of the real binary: a request in flight when SIGTERM arrives gets its
//! normal answer and is stored; new connections are refused and idle ones closed; the process
//! exits 0 within the shutdown timeout.

use crate::helpers::*;
use crate::server_process::{Server, WAIT};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's `shutdown_timeout`.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads a response head, up to its blank line and no further.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = stream.read_u8().await.expect("a response head");
        head.push(byte);
    }
    String::from_utf8(head).unwrap()
}

/// Reads one response with a `Content-Length`: its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let head = read_head(stream).await;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    (
        head[9..12].parse().unwrap(),
        String::from_utf8(body).unwrap(),
    )
}

#[tokio::test]
async fn a_request_in_flight_at_sigterm_completes_and_new_connections_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("dualgate.db"));
    let address = format!("127.0.0.1:{}", server.port);
    let mut idle = TcpStream::connect(&address).await.unwrap();

    // A create whose head the server has read (it answered `100 Continue`, as WCF and curl
    // expect before sending a body) and whose body has not come when the signal arrives.
    let body =
        serde_json::json!({"description": "in flight", "password": API_PASSWORD}).to_string();
    let credentials = STANDARD.encode(format!("{OWNER}:{OWNER_PASSWORD}"));
    let head = format!(
        "POST /v2/api-users HTTP/1.1\r\nHost: dualgate\r\nAuthorization: Basic {credentials}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    assert_eq!(
        read_head(&mut stream).await,
        "HTTP/1.1 100 Continue\r\n\r\n"
    );

    server.terminate();
    tokio::time::timeout(WAIT, async {
        while let Ok(connection) = TcpStream::connect(&address).await {
            drop(connection);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("new connections are refused after SIGTERM");
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(WAIT, idle.read(&mut buffer))
        .await
        .expect("a connection without a request is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(
        server.exited().is_none(),
        "the request in flight holds the exit"
    );

    stream.write_all(body.as_bytes()).await.unwrap();
    let (status, answer) = read_response(&mut stream).await;
    assert_eq!(status, 201, "{answer}");
    let created: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(created["description"], "in flight");

    let (exit, logs, _) = server.wait_for_exit(SHUTDOWN_TIMEOUT).await;
    assert!(exit.success(), "{exit:?}");
    assert!(
        logs.iter()
            .any(|l| l["fields"]["path"] == "/v2/api-users" && l["fields"]["status"] == 201)
    );
    let conn = rusqlite::Connection::open(dir.path().join("dualgate.db")).unwrap();
    let stored: String = conn
        .query_row("SELECT login FROM api_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, created["email"].as_str().unwrap());
}
