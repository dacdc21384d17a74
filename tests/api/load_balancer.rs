//! Three `dualgate serve` processes on one PostgreSQL database behind a real HAProxy (Debian's
//! `haproxy`): round-robin, health checks on `/health`, `X-Forwarded-For` added, each instance
//! trusting the balancer's loopback address. The instances are real processes, so that one can
//! be killed with SIGKILL; HAProxy's view of them is read from its stats socket. Everything
//! stops when the `Gateways` go out of scope.

use crate::helpers::Endpoint;
use crate::server_process::{Server, WAIT, lines};
use crate::test_cluster::free_port;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const HAPROXY: &str = "/usr/sbin/haproxy";
const DEBIAN_PACKAGE: &str = "haproxy";
/// What every instance is started with: the balancer connects from loopback.
pub const TRUSTED_PROXY: [&str; 2] = ["--trusted-proxy", "127.0.0.1/32"];
/// Instances keep an idle connection longer than HAProxy's timeouts (60 s), as the README
/// advises, so that the balancer is normally the side that closes it: a request sent on a
/// connection the instance is closing would get no answer.
const KEEP_ALIVE: [&str; 2] = ["--keep-alive-secs", "75"];
/// The names HAProxy gives the instances, in order; `X-Served-By` carries them.
pub const NAMES: [&str; 3] = ["one", "two", "three"];

/// The balancer's configuration. Health checks every 200 ms, a server is out after two failed
/// ones and back after one good one; a request refused by a dead server's port is sent to
/// another (`retries`, `option redispatch`). The request log goes to standard error, which a
/// failing load test shows; `X-Served-By` is for the tests only.
const CONFIG: &str = "global
    stats socket {SOCKET} mode 600 level admin
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 2s
    retries 3
    option redispatch

frontend gateway
    bind 127.0.0.1:{PORT}
    default_backend dualgate

backend dualgate
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    option forwardfor
    http-response set-header X-Served-By %s
    default-server check inter 200ms fall 2 rise 1
{SERVERS}";

/// The three instances and the balancer in front of them.
pub struct Gateways {
    pub instances: Vec<Server>,
    pub haproxy: HaProxy,
    pub database_url: String,
}

impl Gateways {
    /// Starts three instances on `database_url` with `flags`, and HAProxy once every instance
    /// listens; returns when HAProxy counts all three up.
    pub async fn start(database_url: &str, flags: &[&str]) -> Gateways {
        let instances = start_instances(database_url, flags);
        let ports: Vec<u16> = instances.iter().map(|server| server.port).collect();
        let haproxy = HaProxy::start(&ports);
        haproxy
            .until(|states| states.iter().all(|s| s == "UP"), "all three up")
            .await;
        Gateways {
            instances,
            haproxy,
            database_url: database_url.to_owned(),
        }
    }

    /// Instance `n`, straight.
    pub fn instance(&self, n: usize) -> Endpoint {
        Endpoint::new(format!("http://127.0.0.1:{}", self.instances[n].port))
    }

    /// The three instances, straight.
    pub fn each_instance(&self) -> Vec<Endpoint> {
        (0..self.instances.len())
            .map(|n| self.instance(n))
            .collect()
    }

    /// Instance `n % 3`, for calls spread over the three in turn.
    pub fn in_turn(&self, n: usize) -> Endpoint {
        self.instance(n % self.instances.len())
    }

    /// The balancer.
    pub fn balanced(&self) -> Endpoint {
        Endpoint::new(self.haproxy.address())
    }
}

/// Starts three `dualgate serve` processes on `database_url` at the same moment, each on its own
/// loopback port, and waits until all three listen.
pub fn start_instances(database_url: &str, flags: &[&str]) -> Vec<Server> {
    let dir = tempfile::tempdir().unwrap();
    let unused_sqlite = dir.path().join("not-used.db");
    let database = ["--database-url", database_url];
    let flags = [&database[..], &TRUSTED_PROXY, &KEEP_ALIVE, flags].concat();
    let mut instances: Vec<Server> = NAMES
        .iter()
        .map(|_| Server::spawn_with(&unused_sqlite, &flags))
        .collect();
    for instance in &mut instances {
        instance.until_listening();
    }
    assert!(
        !unused_sqlite.exists(),
        "no SQLite file when a database URL is given"
    );
    instances
}

/// HAProxy in the foreground on a free loopback port, with its configuration and stats socket in
/// a temporary folder. Killed when dropped.
pub struct HaProxy {
    child: Child,
    port: u16,
    socket: PathBuf,
    stderr: Receiver<String>,
    _dir: TempDir,
}

impl HaProxy {
    /// Starts HAProxy in front of the instances on `ports`, and waits until its stats socket
    /// answers.
    pub fn start(ports: &[u16]) -> HaProxy {
        assert!(
            Path::new(HAPROXY).exists(),
            "{HAPROXY} is missing: the load-balanced tests need HAProxy (Debian package \
             {DEBIAN_PACKAGE}, installed by tests/interop/install.sh)"
        );
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("admin.sock");
        let port = free_port();
        let config = dir.path().join("haproxy.cfg");
        std::fs::write(&config, configuration(port, &socket, ports)).unwrap();
        let mut child = Command::new(HAPROXY)
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("haproxy starts");
        let mut haproxy = HaProxy {
            stderr: lines(child.stderr.take().unwrap()),
            child,
            port,
            socket,
            _dir: dir,
        };
        let deadline = Instant::now() + WAIT;
        while haproxy.ask("show info").is_none() {
            if let Some(exit) = haproxy.child.try_wait().unwrap() {
                panic!("haproxy exited ({exit}): {}", haproxy.said());
            }
            assert!(Instant::now() < deadline, "haproxy never answered");
            std::thread::sleep(Duration::from_millis(20));
        }
        haproxy
    }

    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// HAProxy's state of each instance, in order: `UP`, `DOWN`, or a transition such as
    /// `UP 1/2`.
    pub fn states(&self) -> Vec<String> {
        let stat = self.ask("show stat").expect("the stats socket answers");
        let mut rows = stat.lines();
        let header: Vec<&str> = rows
            .next()
            .unwrap()
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let column = |name| header.iter().position(|c| *c == name).unwrap();
        let (proxy, server, status) = (column("pxname"), column("svname"), column("status"));
        NAMES
            .iter()
            .map(|name| {
                rows.clone()
                    .map(|row| row.split(',').collect::<Vec<_>>())
                    .find(|row| row.get(proxy) == Some(&"dualgate") && row[server] == *name)
                    .unwrap_or_else(|| panic!("no server {name} in {stat}"))[status]
                    .to_owned()
            })
            .collect()
    }

    /// Waits, up to the bound, until HAProxy's states of the instances satisfy `wanted`.
    pub async fn until(&self, wanted: impl Fn(&[String]) -> bool, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let states = self.states();
            if wanted(&states) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "HAProxy never saw {what}: {states:?}; {}",
                self.said()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// One command on the stats socket, and the whole answer; `None` while nobody listens.
    fn ask(&self, command: &str) -> Option<String> {
        let mut stream = UnixStream::connect(&self.socket).ok()?;
        writeln!(stream, "{command}").ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    }

    /// What HAProxy wrote on standard error (its log) since last asked.
    pub fn said(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for HaProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The configuration for HAProxy on `port` in front of `backends`.
fn configuration(port: u16, socket: &Path, backends: &[u16]) -> String {
    let servers: String = NAMES
        .iter()
        .zip(backends)
        .map(|(name, backend)| format!("    server {name} 127.0.0.1:{backend}\n"))
        .collect();
    CONFIG
        .replace("{SOCKET}", socket.to_str().unwrap())
        .replace("{PORT}", &port.to_string())
        .replace("{SERVERS}", &servers)
}

/// Runs `sql` on the database at `url` (on a thread of its own: the synchronous client cannot
/// run on an async one) and returns the rows.
pub fn query(
    url: &str,
    sql: &str,
    params: &[&(dyn ::postgres::types::ToSql + Sync)],
) -> Vec<::postgres::Row> {
    dualgate::startup::on_a_blocking_thread(|| {
        let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
        client.query(sql, params).unwrap()
    })
}
