//! HTTPS served directly: a throwaway CA and server certificates made with the `openssl` CLI
//! (a real third-party tool, installed by `tests/interop/install.sh`, and no crate to build),
//! reached by curl, zeep and a rustls client; the certificate swapped by `SIGHUP`.

use crate::helpers::{OWNER, OWNER_PASSWORD, TestApp, spawn_app_with};
use crate::server_process::{Server, WAIT};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A CA and the certificates it issued for 127.0.0.1, in a directory of their own.
struct Pki {
    dir: TempDir,
}

/// A server certificate and its key.
struct Issued {
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        let pki = Pki {
            dir: tempfile::tempdir().unwrap(),
        };
        pki.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=dualgate test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ]);
        std::fs::write(
            pki.dir.path().join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             extendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        pki
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A new key and a certificate for 127.0.0.1 with `name` as its common name.
    fn issue(&self, name: &str) -> Issued {
        let (key, csr, cert) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        self.openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &key,
            "-out",
            &csr,
        ]);
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            &cert,
        ]);
        Issued {
            cert: self.dir.path().join(cert),
            key: self.dir.path().join(key),
        }
    }

    fn openssl(&self, args: &[&str]) {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("openssl runs (tests/interop/install.sh installs it)");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Issued {
    fn flags(&self) -> [&str; 4] {
        [
            "--tls-cert",
            self.cert.to_str().unwrap(),
            "--tls-key",
            self.key.to_str().unwrap(),
        ]
    }

    /// The certificate as the server sends it.
    fn der(&self) -> Vec<u8> {
        CertificateDer::from_pem_file(&self.cert).unwrap().to_vec()
    }

    /// Puts `other`'s files in this pair's place, as an operator renewing it does.
    fn replace_with(&self, other: &Issued) {
        std::fs::copy(&other.cert, &self.cert).unwrap();
        std::fs::copy(&other.key, &self.key).unwrap();
    }
}

/// An in-process server with a new certificate from `pki`, and `flags`; its port.
async fn serve_https(pki: &Pki, flags: &[&str]) -> (TestApp, u16) {
    let issued = pki.issue("gateway");
    let flags = [&issued.flags()[..], flags].concat();
    let app = spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await;
    let port = app.address.rsplit(':').next().unwrap().parse().unwrap();
    (app, port)
}

/// A TLS connection to the server on `port` that trusts only `ca`.
async fn connect(port: u16, ca: &Path) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .expect("the handshake succeeds with the CA trusted")
}

/// The certificate a new connection is served.
async fn served_certificate(port: u16, ca: &Path) -> Vec<u8> {
    let stream = connect(port, ca).await;
    let (_, session) = stream.get_ref();
    session.peer_certificates().unwrap()[0].to_vec()
}

const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const HEALTHY: &str = r#"{"status":"ok"}"#;

/// Sends `request` and reads one answer with a `content-length` body.
async fn exchange(stream: &mut (impl AsyncRead + AsyncWrite + Unpin), request: &[u8]) -> String {
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = tokio::time::timeout(WAIT, stream.read(&mut buffer))
            .await
            .expect("an answer in time")
            .unwrap();
        assert_ne!(read, 0, "closed before a full answer: {answer:?}");
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|value| value.trim().parse().ok())
                .expect("a content-length");
            if body.len() >= length {
                return text;
            }
        }
    }
}

/// Reads until the server closes the connection; what came before.
async fn read_until_closed(stream: &mut (impl AsyncRead + Unpin)) -> Vec<u8> {
    let mut received = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection");
    received
}

/// Runs `program` off the runtime's thread, which also serves the in-process app. The CA
/// bundles the environment may name would replace the test's CA in requests (zeep's HTTP
/// library) and curl.
async fn run(program: &str, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(program);
    command
        .args(args)
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE");
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{program} runs (tests/interop/install.sh installs it): {e}"))
}

async fn curl(args: &[&str]) -> String {
    let args = [&["--silent", "--show-error", "--fail-with-body"], args].concat();
    let output = run("curl", &args).await;
    let body = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "curl {args:?}: {body} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    body
}

#[tokio::test]
async fn rest_and_the_wsdl_are_served_over_https_with_https_addresses() {
    let pki = Pki::new();
    let (_app, port) = serve_https(&pki, &[]).await;
    let base = format!("https://127.0.0.1:{port}");
    let ca = pki.ca();
    let ca = ca.to_str().unwrap();
    let info: serde_json::Value = serde_json::from_str(
        &curl(&[
            "--cacert",
            ca,
            "--user",
            &format!("{OWNER}:{OWNER_PASSWORD}"),
            &format!("{base}/v2/account-info"),
        ])
        .await,
    )
    .unwrap();
    let endpoint = info["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|property| property["name"] == "ApiEndpoint")
        .unwrap();
    assert_eq!(endpoint["value"], format!("{base}/"));
    let wsdl = curl(&["--cacert", ca, &format!("{base}/v2/Api.svc?wsdl")]).await;
    assert!(
        wsdl.contains(&format!(r#"location="{base}/v2/Api.svc""#)),
        "{wsdl}"
    );
    assert!(!wsdl.contains("http://127.0.0.1"), "{wsdl}");
}

/// zeep imports the WSDL over HTTPS and calls an operation at the address it names, trusting
/// only the test's CA.
#[tokio::test]
async fn zeep_calls_soap_over_https() {
    let pki = Pki::new();
    let (_app, port) = serve_https(&pki, &[]).await;
    let base = format!("https://127.0.0.1:{port}");
    let script = r#"
import sys
import requests
from requests.auth import HTTPBasicAuth
from zeep import Client
from zeep.transports import Transport
base, ca, login, password = sys.argv[1:]
session = requests.Session()
session.verify = ca
session.auth = HTTPBasicAuth(login, password)
client = Client(base + "/v2/Api.svc?wsdl", transport=Transport(session=session))
info = client.service.GetCurrentAccountInfo()
print({p.Name: p.Value for p in info.Properties.ApiAccountProperty}["ApiEndpoint"])
"#;
    let ca = pki.ca();
    let output = run(
        "python3",
        &[
            "-c",
            script,
            &base,
            ca.to_str().unwrap(),
            OWNER,
            OWNER_PASSWORD,
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{base}/")
    );
}

/// Plain HTTP to the TLS port gets no HTTP answer: the handshake fails and the connection
/// closes, at most after a TLS alert record (content type 21).
#[tokio::test]
async fn plain_http_to_the_tls_port_is_refused() {
    let pki = Pki::new();
    let (_app, port) = serve_https(&pki, &[]).await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(HEALTH).await.unwrap();
    let received = read_until_closed(&mut stream).await;
    assert!(
        received.is_empty() || received[0] == 21,
        "no HTTP answer: {:?}",
        String::from_utf8_lossy(&received)
    );
    let mut https = connect(port, &pki.ca()).await;
    assert!(exchange(&mut https, HEALTH).await.ends_with(HEALTHY));
}

/// The head deadline of a later request holds inside TLS: a kept-alive connection whose second
/// head trickles in is closed without an answer, while the first was served.
#[tokio::test]
async fn a_trickled_later_head_is_cut_off_over_tls() {
    let pki = Pki::new();
    let flags = [
        "--client-request-timeout-secs",
        "1",
        "--keep-alive-secs",
        "600",
    ];
    let (_app, port) = serve_https(&pki, &flags).await;
    let mut stream = connect(port, &pki.ca()).await;
    assert!(exchange(&mut stream, HEALTH).await.ends_with(HEALTHY));
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let (mut reader, mut writer) = tokio::io::split(stream);
    let trickler = tokio::spawn(async move {
        for _ in 0..600 {
            if writer.write_all(b"a").await.is_err() || writer.flush().await.is_err() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        true
    });
    let rest = read_until_closed(&mut reader).await;
    assert_eq!(
        String::from_utf8_lossy(&rest),
        "",
        "closed without an answer"
    );
    trickler.abort();
}

/// A client that opens a connection and leaves the handshake unfinished (nothing sent, or half
/// a ClientHello) is cut off by the request-head timeout, as one that stalls a head is.
#[tokio::test]
async fn a_stalled_handshake_is_cut_off() {
    let pki = Pki::new();
    let (_app, port) = serve_https(&pki, &["--client-request-timeout-secs", "1"]).await;
    // A TLS record header announcing a 512-byte handshake message, then 4 bytes of it.
    let half_a_client_hello: &[u8] = &[22, 3, 1, 2, 0, 1, 0, 1, 252];
    for sent in [&[][..], half_a_client_hello] {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(sent).await.unwrap();
        assert_eq!(read_until_closed(&mut stream).await, b"", "sent {sent:?}");
    }
    let mut https = connect(port, &pki.ca()).await;
    assert!(exchange(&mut https, HEALTH).await.ends_with(HEALTHY));
}

/// A certificate or key that cannot be used stops the start, naming the file.
#[tokio::test]
async fn a_bad_certificate_or_key_stops_the_start_naming_the_file() {
    let pki = Pki::new();
    let issued = pki.issue("gateway");
    let other = pki.issue("other");
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let cert = issued.cert.to_str().unwrap();
    let cases = [
        (
            garbage.to_str().unwrap(),
            issued.key.to_str().unwrap(),
            garbage.to_str().unwrap(),
        ),
        (cert, garbage.to_str().unwrap(), garbage.to_str().unwrap()),
        (
            cert,
            other.key.to_str().unwrap(),
            other.key.to_str().unwrap(),
        ),
        (cert, "/nonexistent/key.pem", "/nonexistent/key.pem"),
    ];
    for (cert, key, named) in cases {
        let mut server = Server::spawn_with(
            &dir.path().join("dualgate.db"),
            &["--tls-cert", cert, "--tls-key", key],
        );
        let (status, _, stderr) = server.wait_for_exit(WAIT).await;
        assert!(!status.success());
        let said = stderr.join("\n");
        assert!(
            said.contains(&format!("cannot serve HTTPS: cannot use {named}")),
            "{said}"
        );
        assert!(!said.contains("PRIVATE KEY"), "{said}");
    }
}

/// `SIGHUP` after the files were replaced: a new connection gets the new certificate, while a
/// connection opened before keeps being served.
#[tokio::test]
async fn sighup_serves_a_renewed_certificate_to_new_connections_only() {
    let pki = Pki::new();
    let served = pki.issue("served");
    let renewed = pki.issue("renewed");
    let first = served.der();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(&dir.path().join("dualgate.db"), &served.flags());
    let mut kept_alive = connect(server.port, &pki.ca()).await;
    assert!(exchange(&mut kept_alive, HEALTH).await.ends_with(HEALTHY));
    assert_eq!(served_certificate(server.port, &pki.ca()).await, first);

    served.replace_with(&renewed);
    server.hang_up();
    server.wait_for_log(|log| log["fields"]["message"] == "TLS certificate reloaded");

    assert_eq!(
        served_certificate(server.port, &pki.ca()).await,
        renewed.der()
    );
    assert_ne!(renewed.der(), first);
    assert!(exchange(&mut kept_alive, HEALTH).await.ends_with(HEALTHY));
}

/// `SIGHUP` with a broken certificate file: the previous pair stays served, and one log line
/// says so, naming the file and quoting none of it.
#[tokio::test]
async fn sighup_with_a_broken_certificate_keeps_the_previous_one() {
    let pki = Pki::new();
    let served = pki.issue("served");
    let first = served.der();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(&dir.path().join("dualgate.db"), &served.flags());
    std::fs::write(&served.cert, "-----BEGIN CERTIFICATE-----\nbroken\n").unwrap();
    server.hang_up();
    let refused = server.wait_for_log(|log| {
        log["fields"]["message"] == "TLS certificate not reloaded; the previous one is still served"
    });
    let error = refused["fields"]["error"].as_str().unwrap();
    assert!(error.contains(served.cert.to_str().unwrap()), "{error}");
    assert!(!error.contains("broken"), "{error}");

    assert_eq!(served_certificate(server.port, &pki.ca()).await, first);
    let mut stream = connect(server.port, &pki.ca()).await;
    assert!(exchange(&mut stream, HEALTH).await.ends_with(HEALTHY));
    server.terminate();
    let (_, logs, _) = server.wait_for_exit(WAIT).await;
    let about_reloads = logs
        .iter()
        .filter(|log| {
            log["fields"]["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("TLS certificate"))
        })
        .count();
    assert_eq!(about_reloads, 1);
}
