//! Storage that refuses writes, made real rather than mocked: a disk that is full (a small
//! tmpfs, filled up) and database files that cannot be written (the immutable flag, which
//! binds root too). Under a running server, writes get `ERROR_UNKNOWN` (503 on REST, a Server
//! or Receiver fault on SOAP) and one log line with SQLite's error; reads go on; once the
//! condition clears, the same writes succeed in the same process. At start, a database file
//! that cannot be written is refused with a clear message.
//!
//! They need root, as the tests run here and in CI: `mount` for the tmpfs, `chattr` for the
//! flag (on an ext4, xfs or btrfs temporary directory).

use crate::helpers::*;
use crate::remote::{Protocol, Remote, created};
use crate::server_process::{Server, WAIT};
use crate::xml::fault_code;
use reqwest::StatusCode;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

const REFUSED: &str =
    "The service cannot complete this request right now; try again later. ERROR_UNKNOWN";

/// A condition of the disk or the files that an operator can bring about and clear.
trait StorageFault {
    fn apply(&self);
    fn clear(&self);
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A 4 MiB tmpfs on a temporary directory, unmounted when dropped.
struct FullDisk {
    mount_point: tempfile::TempDir,
}

impl FullDisk {
    fn mount() -> FullDisk {
        let mount_point = tempfile::tempdir().unwrap();
        let path = mount_point.path().to_str().unwrap();
        run("mount", &["-t", "tmpfs", "-o", "size=4m", "tmpfs", path]);
        FullDisk { mount_point }
    }

    fn filler(&self) -> PathBuf {
        self.mount_point.path().join("filler")
    }
}

impl StorageFault for FullDisk {
    /// Writes a file until the filesystem has no space left.
    fn apply(&self) {
        let mut filler = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        let full = loop {
            if let Err(error) = filler.write_all(&chunk) {
                break error;
            }
        };
        assert_eq!(full.kind(), std::io::ErrorKind::StorageFull);
    }

    fn clear(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .args(["-l", self.mount_point.path().to_str().unwrap()])
            .status();
    }
}

/// Files made immutable. Under a running server, the database file and its write-ahead log
/// only: the server maps the shared-memory index, and the kernel answers a write to a mapped
/// immutable file with SIGBUS, which kills any SQLite process (a crash, as in the SIGKILL
/// test).
struct ReadOnlyFiles {
    files: Vec<PathBuf>,
}

impl ReadOnlyFiles {
    fn chattr(&self, flag: &str) {
        for file in &self.files {
            run("chattr", &[flag, file.to_str().unwrap()]);
        }
    }
}

impl StorageFault for ReadOnlyFiles {
    fn apply(&self) {
        self.chattr("+i");
    }

    fn clear(&self) {
        self.chattr("-i");
    }
}

impl Drop for ReadOnlyFiles {
    /// An immutable file could not be removed with its temporary directory.
    fn drop(&mut self) {
        for file in self.files.iter().filter(|f| f.exists()) {
            let _ = Command::new("chattr").arg("-i").arg(file).status();
        }
    }
}

/// The scenario both conditions go through, on a server already running on `db`.
async fn writes_are_refused_while_the_fault_lasts(
    mut server: Server,
    fault: &dyn StorageFault,
    sqlite_error: &str,
) {
    let remote = Remote::at_port(server.port);
    let kept = created(&remote.create(Protocol::Rest, "kept", None).await.unwrap()).unwrap();
    let reader = created(&remote.create(Protocol::Rest, "reader", None).await.unwrap()).unwrap();
    let before = remote
        .get_as("/v2/account-info", &reader.email, API_PASSWORD)
        .await
        .unwrap();
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);

    fault.apply();
    let refused = [
        (
            Protocol::Rest,
            remote.create(Protocol::Rest, "during", None).await,
        ),
        (
            Protocol::Soap(Soap::V11),
            remote
                .create(Protocol::Soap(Soap::V11), "during", None)
                .await,
        ),
        (
            Protocol::Soap(Soap::V12),
            remote
                .create(Protocol::Soap(Soap::V12), "during", None)
                .await,
        ),
        (
            Protocol::Rest,
            remote.update(Protocol::Rest, kept.id, "changed").await,
        ),
        (
            Protocol::Soap(Soap::V12),
            remote.delete(Protocol::Soap(Soap::V12), kept.id).await,
        ),
    ];
    for (protocol, reply) in &refused {
        let reply = reply.as_ref().unwrap();
        assert_eq!(reply.error_code(), "ERROR_UNKNOWN", "{}", reply.body);
        match protocol {
            Protocol::Rest => {
                assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
                assert_eq!(reply.json(), serde_json::json!({"message": REFUSED}));
            }
            Protocol::Soap(version) => {
                assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
                let expected = match version {
                    Soap::V11 => "s:Server",
                    Soap::V12 => "s:Receiver",
                };
                assert_eq!(fault_code(&reply.body), expected);
                assert_eq!(crate::xml::fault_text(&reply.body).unwrap(), REFUSED);
            }
        }
    }

    let listed = remote.get("/v2/api-users").await.unwrap();
    assert_eq!(listed.status, StatusCode::OK);
    let descriptions: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["description"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        descriptions,
        ["kept", "reader"],
        "nothing refused was stored"
    );
    let info = remote
        .get_as("/v2/account-info", &reader.email, API_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        info.status,
        StatusCode::OK,
        "an API user whose credential was verified before the fault still reads: {}",
        info.body
    );
    let unchecked = remote
        .get_as("/v2/account-info", &kept.email, API_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        (unchecked.status, unchecked.error_code()),
        (StatusCode::SERVICE_UNAVAILABLE, "ERROR_UNKNOWN".to_owned()),
        "a password is never checked without a slot of its failure budget"
    );
    let health = remote.get("/health").await.unwrap();
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), serde_json::json!({"status": "ok"}));

    fault.clear();
    let again = remote.create(Protocol::Rest, "during", None).await.unwrap();
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let again = remote
        .create(Protocol::Soap(Soap::V11), "during", None)
        .await
        .unwrap();
    assert!(created(&again).is_some(), "{}", again.body);
    let update = remote
        .update(Protocol::Rest, kept.id, "changed")
        .await
        .unwrap();
    assert_eq!(update.status, StatusCode::OK);
    let delete = remote
        .delete(Protocol::Soap(Soap::V12), kept.id)
        .await
        .unwrap();
    assert_eq!(delete.status, StatusCode::OK, "{}", delete.body);
    assert!(server.exited().is_none(), "the same process recovered");

    server.terminate();
    let (exit, logs, stderr) = server.wait_for_exit(WAIT).await;
    assert!(exit.success());
    assert!(
        stderr.iter().all(|line| !line.contains("panicked")),
        "{stderr:?}"
    );
    let errors: Vec<_> = logs.iter().filter(|l| l["level"] == "ERROR").collect();
    assert_eq!(
        errors.len(),
        refused.len() + 1,
        "one line per refused write and the unchecked password: {errors:?}"
    );
    for error in errors {
        assert_eq!(error["fields"]["message"], "request failed");
        let cause = error["fields"]["cause"].as_str().unwrap();
        assert!(cause.contains(sqlite_error), "{cause}");
    }
}

/// A full disk under a running server: writes are refused with `ERROR_UNKNOWN` and SQLite's
/// "database or disk is full" is logged; once space is freed, the same writes succeed.
#[tokio::test]
async fn a_full_disk_refuses_writes_keeps_reads_and_recovers_once_space_is_freed() {
    let disk = FullDisk::mount();
    let server = Server::start(&disk.mount_point.path().join("dualgate.db"));
    writes_are_refused_while_the_fault_lasts(server, &disk, "database or disk is full").await;
}

/// Database files that cannot be written under a running server (immutable, so even for
/// root): writes are refused with `ERROR_UNKNOWN` and SQLite's I/O error is logged; once the
/// files are writable again, the same writes succeed.
#[tokio::test]
async fn read_only_database_files_refuse_writes_keep_reads_and_recover() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dualgate.db");
    let server = Server::start(&db);
    let files = ReadOnlyFiles {
        files: vec![db.clone(), dir.path().join("dualgate.db-wal")],
    };
    writes_are_refused_while_the_fault_lasts(server, &files, "disk I/O error").await;
}

/// A database file that cannot be written when the server starts: SQLite would open it
/// read-only, and no connection would write again even once the file is fixed. The start is
/// refused with a clear message instead, and so is an operator command; once the file is
/// writable, the server starts on it with everything in place.
#[tokio::test]
async fn a_database_file_that_cannot_be_written_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dualgate.db");
    let mut first = Server::start(&db);
    let remote = Remote::at_port(first.port);
    let kept = created(&remote.create(Protocol::Rest, "kept", None).await.unwrap()).unwrap();
    first.terminate();
    assert!(first.wait_for_exit(WAIT).await.0.success());

    let files = ReadOnlyFiles {
        files: vec![db.clone()],
    };
    files.apply();
    let mut refused = Server::spawn(&db);
    let (exit, _, stderr) = refused.wait_for_exit(WAIT).await;
    assert_eq!(exit.code(), Some(1));
    assert!(
        stderr
            .iter()
            .any(|line| line.starts_with("dualgate: cannot start: ")
                && line.contains("cannot be written")),
        "{stderr:?}"
    );

    let audit = Command::new(env!("CARGO_BIN_EXE_dualgate"))
        .arg("audit")
        .env("DUALGATE_DB", &db)
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&audit.stderr),
        format!(
            "dualgate: cannot open the database: the database file {} cannot be written\n",
            db.display()
        )
    );

    files.clear();
    let mut again = Server::start(&db);
    let remote = Remote::at_port(again.port);
    let listed = remote
        .get(&format!("/v2/api-users/{}", kept.id))
        .await
        .unwrap();
    assert_eq!(listed.json()["email"], kept.email.as_str());
    let create = remote.create(Protocol::Rest, "after", None).await.unwrap();
    assert_eq!(create.status, StatusCode::CREATED);
    again.terminate();
    assert!(again.wait_for_exit(WAIT).await.0.success());
}
