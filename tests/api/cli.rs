//! The `dualgate` binary as an operator uses it: first start, restart, CLI commands, SIGTERM.

use crate::server_process::lines;
use reqwest::StatusCode;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

fn dualgate(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dualgate"));
    command
        .env("DUALGATE_DB", db)
        .env("DUALGATE_BCRYPT_COST", "4")
        .env("DUALGATE_BIND", "127.0.0.1:0")
        .env_remove("DUALGATE_OWNER_PASSWORD")
        .env_remove("DUALGATE_PUBLIC_URL");
    command
}

pub struct Running {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

fn start(db: &Path) -> Running {
    serve(dualgate(db))
}

/// `dualgate serve` with the owner created on first start given this password.
pub fn start_with_owner_password(db: &Path, password: &str) -> Running {
    let mut command = dualgate(db);
    command.env("DUALGATE_OWNER_PASSWORD", password);
    serve(command)
}

fn serve(mut command: Command) -> Running {
    let mut child = command
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running {
        stdout: lines(child.stdout.take().unwrap()),
        stderr: lines(child.stderr.take().unwrap()),
        child,
    }
}

/// The port from the "listening" log line.
pub fn listening_port(running: &Running) -> u16 {
    loop {
        let line = running
            .stdout
            .recv_timeout(WAIT)
            .expect("a listening log line");
        let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if log["fields"]["message"] == "dualgate is listening" {
            return log["fields"]["port"].as_u64().unwrap() as u16;
        }
    }
}

pub fn stop(mut running: Running) -> Vec<String> {
    let status = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = running.child.wait().unwrap();
    assert!(exit.success(), "graceful exit on SIGTERM, got {exit:?}");
    running.stderr.try_iter().collect()
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

pub fn run_with_stdin(db: &Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = dualgate(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits without reading its standard input.
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    if let Err(error) = written {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().unwrap()
}

async fn status(port: u16, login: &str, password: &str, path: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .basic_auth(login, Some(password))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn first_start_prints_the_owner_password_once_and_the_cli_works_beside_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    let running = start(&db);
    let created = running.stderr.recv_timeout(WAIT).unwrap();
    assert_eq!(
        created,
        "dualgate: created account 1 with owner owner@example.com"
    );
    let password_line = running.stderr.recv_timeout(WAIT).unwrap();
    let password = password_line
        .strip_prefix("dualgate: the owner's generated password (shown once): ")
        .expect("the generated password")
        .to_owned();
    assert!(password.len() >= 20);
    let port = listening_port(&running);
    assert_eq!(
        status(port, "owner@example.com", &password, "/v2/account-info").await,
        StatusCode::OK
    );

    let added = run_with_stdin(
        &db,
        &[
            "user",
            "add",
            "--email",
            "Admin@Example.com",
            "--can-manage-account",
        ],
        "Manage#Key-71\n",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout),
        "added admin@example.com to account 1\n"
    );
    assert_eq!(
        status(port, "admin@example.com", "Manage#Key-71", "/v2/api-users").await,
        StatusCode::OK
    );

    let weak = run_with_stdin(
        &db,
        &["user", "add", "--email", "clerk@example.com"],
        "weak\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("ERROR_WEAK_PASSWORD"));
    let taken = run_with_stdin(
        &db,
        &["user", "add", "--email", "owner@example.com"],
        "Other#Secret-1\n",
    );
    assert!(String::from_utf8_lossy(&taken.stderr).contains("ERROR_INVALID_APIUSEREXISTS"));

    let account = run_with_stdin(
        &db,
        &[
            "account",
            "create",
            "--name",
            "Other Co",
            "--owner-email",
            "boss@other.example",
        ],
        "Chief#Key-73\n",
    );
    assert!(
        account.status.success(),
        "{}",
        String::from_utf8_lossy(&account.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&account.stdout), "2\n");
    assert_eq!(
        status(
            port,
            "boss@other.example",
            "Chief#Key-73",
            "/v2/account-info"
        )
        .await,
        StatusCode::OK
    );

    let late_stderr = stop(running);
    assert!(
        late_stderr
            .iter()
            .all(|l| !l.contains("Manage#Key-71") && !l.contains("Chief#Key-73"))
    );

    let again = start(&db);
    let port = listening_port(&again);
    assert_eq!(
        status(port, "owner@example.com", &password, "/v2/account-info").await,
        StatusCode::OK
    );
    let later_stderr = stop(again);
    assert!(
        later_stderr
            .iter()
            .all(|l| !l.contains("created account") && !l.contains(&password)),
        "{later_stderr:?}"
    );
}

#[tokio::test]
async fn request_logs_never_contain_passwords_or_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    let running = start_with_owner_password(&db, "Sturdy#Key-2026");
    let port = listening_port(&running);
    let client = reqwest::Client::new();
    let created = client
        .post(format!("http://127.0.0.1:{port}/v2/api-users"))
        .basic_auth("owner@example.com", Some("Sturdy#Key-2026"))
        .json(&serde_json::json!({"password": "Magento#2026shop", "description": "shop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    status(
        port,
        "owner@example.com",
        "Wrong#Secret-1",
        "/v2/account-info",
    )
    .await;
    std::thread::sleep(Duration::from_millis(300));
    let logged: Vec<String> = running.stdout.try_iter().collect();
    let request_lines: Vec<_> = logged
        .iter()
        .filter(|l| l.contains("\"request\""))
        .collect();
    assert_eq!(request_lines.len(), 2, "{logged:?}");
    let create: serde_json::Value = serde_json::from_str(request_lines[0]).unwrap();
    assert_eq!(create["fields"]["method"], "POST");
    assert_eq!(create["fields"]["path"], "/v2/api-users");
    assert_eq!(create["fields"]["protocol"], "REST");
    assert_eq!(create["fields"]["operation"], "CreateApiUser");
    assert_eq!(create["fields"]["status"], 201);
    assert_eq!(create["fields"]["principal"], "owner@example.com");
    assert!(create["fields"]["duration_ms"].is_number());
    for line in &logged {
        assert!(
            !line.contains("\"level\":\"ERROR\""),
            "a clean start logs no error: {line}"
        );
        for secret in [
            "Sturdy#Key-2026",
            "Magento#2026shop",
            "Wrong#Secret-1",
            "Basic ",
            "b3duZXJA",
        ] {
            assert!(!line.contains(secret), "{line}");
        }
    }
    stop(running);
}

#[test]
fn user_list_set_and_remove_manage_account_users_as_the_users_tab_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let out = |args: &[&str], input: &str| {
        let output = run_with_stdin(&db, args, input);
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (
            output.status.success(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };
    let create = [
        "account",
        "create",
        "--name",
        "Acme",
        "--owner-email",
        "boss@acme.example",
    ];
    assert!(out(&create, "Chief#Key-73\n").0);
    let add = ["user", "add", "--email", "clerk@acme.example"];
    assert!(out(&add, "Quiet#Harbor-41\n").0);

    let (ok, listed, _) = out(&["user", "list"], "");
    assert!(ok);
    assert_eq!(
        listed,
        "boss@acme.example\towner\tcan-manage-account=yes\tlocked=no\t-\n\
         clerk@acme.example\tuser\tcan-manage-account=no\tlocked=no\t-\n"
    );

    let promote = [
        "user",
        "set",
        "--email",
        "clerk@acme.example",
        "--can-manage-account",
        "true",
    ];
    assert_eq!(out(&promote, "").1, "changed clerk@acme.example\n");
    let password = ["user", "set", "--email", "clerk@acme.example", "--password"];
    assert!(out(&password, "New#Harbor-2027\n").0);
    let weak = out(&password, "weak\n");
    assert!(
        !weak.0 && weak.2.contains("ERROR_WEAK_PASSWORD"),
        "{}",
        weak.2
    );
    assert!(
        out(&["user", "list"], "")
            .1
            .contains("clerk@acme.example\tuser\tcan-manage-account=yes")
    );

    let demote_owner = [
        "user",
        "set",
        "--email",
        "boss@acme.example",
        "--can-manage-account",
        "false",
    ];
    let refused = out(&demote_owner, "");
    assert!(
        !refused.0 && refused.2.contains("ERROR_PARAMETER_INVALID"),
        "{}",
        refused.2
    );
    let remove_owner = out(&["user", "remove", "--email", "boss@acme.example"], "");
    assert!(!remove_owner.0 && remove_owner.2.contains("ERROR_PARAMETER_INVALID"));
    let nothing = out(&["user", "set", "--email", "clerk@acme.example"], "");
    assert!(!nothing.0 && nothing.2.contains("nothing to set"));

    let removed = out(&["user", "remove", "--email", "clerk@acme.example"], "");
    assert_eq!(removed.1, "removed clerk@acme.example\n");
    assert_eq!(out(&["user", "list"], "").1.lines().count(), 1);
    let unknown = out(&["user", "remove", "--email", "clerk@acme.example"], "");
    assert!(!unknown.0 && unknown.2.contains("ERROR_PARAMETER_INVALID"));

    let (_, audit, _) = out(&["audit"], "");
    let actions: Vec<&str> = audit
        .lines()
        .map(|line| line.split('\t').nth(2).unwrap())
        .collect();
    assert_eq!(
        actions[..4],
        [
            "AccountUserRemoved",
            "AccountUserPasswordSet",
            "AccountUserUpdated",
            "AccountUserAdded"
        ]
    );
}
