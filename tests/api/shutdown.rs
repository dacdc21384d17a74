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

/// Reads one HTTP/1.1 response with a `Content-Length`: its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = &text[..end];
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .expect("a Content-Length");
            if received.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                return (status, text[end + 4..end + 4 + length].to_owned());
            }
        }
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed early: {text}");
        received.extend_from_slice(&buffer[..read]);
    }
}

/// A keep-alive connection on which the server answered a first request.
async fn accepted(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: dualgate\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_response(&mut stream).await.0, 200);
    stream
}

#[tokio::test]
async fn a_request_in_flight_at_sigterm_completes_and_new_connections_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("dualgate.db"));
    let address = format!("127.0.0.1:{}", server.port);

    // Connections the server has surely accepted: it answered a first request on each.
    let mut stream = accepted(&address).await;
    let mut idle = accepted(&address).await;

    // A create whose body is half sent when the signal comes.
    let body =
        serde_json::json!({"description": "in flight", "password": API_PASSWORD}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let credentials = STANDARD.encode(format!("{OWNER}:{OWNER_PASSWORD}"));
    let head = format!(
        "POST /v2/api-users HTTP/1.1\r\nHost: dualgate\r\nAuthorization: Basic {credentials}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();

    server.terminate();
    tokio::time::timeout(WAIT, async {
        while let Ok(connection) = TcpStream::connect(&address).await {
            drop(connection);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("new connections are refused after SIGTERM");
    assert!(
        server.exited().is_none(),
        "the request in flight holds the exit"
    );
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(WAIT, idle.read(&mut buffer))
        .await
        .expect("an idle connection is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    stream.write_all(rest.as_bytes()).await.unwrap();
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
