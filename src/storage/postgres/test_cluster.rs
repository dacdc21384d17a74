//! A throwaway PostgreSQL 15 cluster for tests: Debian's binaries, `initdb` in a temporary
//! folder (as the `postgres` user when running as root, since `initdb` refuses root), the
//! server on a free loopback port with a private socket folder, and a fresh database per test.
//! One shared cluster serves the whole test process; a test that stops and starts its database
//! starts a cluster of its own. For each cluster, a guardian shell holds the read end of a pipe
//! whose write end only this process has: when the process ends, however it ends, the pipe
//! closes and the guardian stops the cluster and removes its folder. The unit tests and the
//! integration tests (`tests/api`) both compile this file; it needs nothing but `std`.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

const BIN: &str = "/usr/lib/postgresql/15/bin";
const DEBIAN_PACKAGE: &str = "postgresql-15";

/// Starts the server with the options `$4`, says `ready`, waits for the end of its standard
/// input (the test process's end), then stops the server at once and removes the cluster's
/// folder.
const GUARDIAN: &str = r#"
root="$1"; port="$2"; bin="$3"; options="$4"
"$bin/pg_ctl" -w -D "$root/data" -l "$root/server.log" -o "$options" start >/dev/null || exit 1
echo ready
cat >/dev/null
"$bin/pg_ctl" -D "$root/data" stop -m immediate >/dev/null
rm -rf "$root"
"#;

/// A running test cluster. The shared one serves every test that needs a database; a test
/// that stops and starts its database starts one of its own.
pub struct Cluster {
    root: PathBuf,
    port: u16,
    as_root: bool,
    /// Never waited for: its standard input, this process's end of the pipe, closes only when
    /// the process ends, which is the guardian's signal to stop the cluster.
    _guardian: Child,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static CLUSTERS: AtomicU32 = AtomicU32::new(0);
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The URL of a new, empty database on the shared test cluster (started on first use).
pub fn fresh_database_url() -> String {
    SHARED.get_or_init(Cluster::start).fresh_database_url()
}

impl Cluster {
    /// The URL of a new, empty database on this cluster.
    pub fn fresh_database_url(&self) -> String {
        let name = format!("test_{}", DATABASES.fetch_add(1, Ordering::Relaxed));
        run(Command::new(Path::new(BIN).join("createdb")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            &name,
        ]));
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server at once, as a crash would: connections are cut, new ones refused.
    pub fn stop(&self) {
        run(self.pg_ctl().args(["stop", "-m", "immediate"]));
    }

    /// Starts the stopped server again, on the same port, and waits until it takes
    /// connections.
    pub fn start_again(&self) {
        run(self
            .pg_ctl()
            .arg("-w")
            .arg("-l")
            .arg(self.root.join("server.log"))
            .args(["-o", &server_options(&self.root, self.port), "start"]));
    }

    fn pg_ctl(&self) -> Command {
        let mut command = as_cluster_owner(self.as_root, &Path::new(BIN).join("pg_ctl"));
        command.arg("-D").arg(self.root.join("data"));
        command
    }

    /// Starts a cluster of its own, stopped and removed when the test process ends.
    pub fn start() -> Cluster {
        let initdb = Path::new(BIN).join("initdb");
        assert!(
            initdb.exists(),
            "{} is missing: the PostgreSQL tests need PostgreSQL 15 (Debian package {DEBIAN_PACKAGE})",
            initdb.display()
        );
        let root = std::env::temp_dir().join(format!(
            "dualgate-pg-{}-{}",
            std::process::id(),
            CLUSTERS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(root.join("sockets")).expect("the cluster's folder");
        let as_root = std::fs::metadata("/proc/self").is_ok_and(|me| me.uid() == 0);
        if as_root {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root));
        }
        run(as_cluster_owner(as_root, &initdb)
            .args([
                "--auth=trust",
                "--no-sync",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(root.join("data")));
        let port = free_port();
        let mut guardian = as_cluster_owner(as_root, Path::new("sh"))
            .args(["-c", GUARDIAN, "guardian"])
            .arg(&root)
            .arg(port.to_string())
            .arg(BIN)
            .arg(server_options(&root, port))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the cluster's guardian starts");
        let mut said = String::new();
        let stdout = guardian.stdout.take().expect("piped");
        BufReader::new(stdout)
            .read_line(&mut said)
            .expect("the guardian answers");
        assert_eq!(said.trim(), "ready", "{}", server_log(&root));
        Cluster {
            root,
            port,
            as_root,
            _guardian: guardian,
        }
    }
}

/// The server's options: loopback only on `port`, a private socket folder, no fsync.
fn server_options(root: &Path, port: u16) -> String {
    format!(
        "-k {} -p {port} -h 127.0.0.1 -F",
        root.join("sockets").display()
    )
}

/// A command run as the cluster's owner: `postgres` when this process is root.
fn as_cluster_owner(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    probe.local_addr().expect("bound").port()
}

fn server_log(root: &Path) -> String {
    let log: PathBuf = root.join("server.log");
    std::fs::read_to_string(&log)
        .unwrap_or_else(|e| format!("no server log at {}: {e}", log.display()))
}
