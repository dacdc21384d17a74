//! The real `dualgate` binary as a child process on a database file: started with bcrypt cost
//! 4 and the tests' owner, its JSON log lines collected, stopped by SIGTERM or killed with
//! SIGKILL. A `Server` that goes out of scope is killed: a failing test leaves no process.

use crate::helpers::{OWNER, OWNER_PASSWORD};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// The bound of every wait on the process: generous, since 2 cores may run many tests at once.
pub const WAIT: Duration = Duration::from_secs(60);

pub struct Server {
    child: Child,
    pub port: u16,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// Log lines read so far.
    logs: Vec<String>,
}

impl Server {
    /// Starts `dualgate serve` on `db` and waits for its "listening" log line.
    pub fn start(db: &Path) -> Server {
        Server::start_with(db, &[])
    }

    /// Starts `dualgate serve` on `db` with `flags` and waits for its "listening" log line.
    pub fn start_with(db: &Path, flags: &[&str]) -> Server {
        let mut server = Server::spawn_with(db, flags);
        server.until_listening();
        server
    }

    /// Waits for the "listening" log line and takes the port from it.
    pub fn until_listening(&mut self) {
        let listening =
            self.wait_for_log(|log| log["fields"]["message"] == "dualgate is listening");
        self.port = listening["fields"]["port"].as_u64().unwrap() as u16;
    }

    /// Runs `dualgate serve` on `db`, waiting for nothing.
    pub fn spawn(db: &Path) -> Server {
        Server::spawn_with(db, &[])
    }

    /// Runs `dualgate serve` on `db` with `flags`, waiting for nothing.
    pub fn spawn_with(db: &Path, flags: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dualgate"))
            .arg("serve")
            .args(flags)
            .env("DUALGATE_DB", db)
            .env("DUALGATE_BCRYPT_COST", "4")
            .env("DUALGATE_BIND", "127.0.0.1:0")
            .env("DUALGATE_OWNER_EMAIL", OWNER)
            .env("DUALGATE_OWNER_PASSWORD", OWNER_PASSWORD)
            .env_remove("DUALGATE_PUBLIC_URL")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the dualgate binary starts");
        Server {
            stdout: lines(child.stdout.take().unwrap()),
            stderr: lines(child.stderr.take().unwrap()),
            child,
            port: 0,
            logs: Vec::new(),
        }
    }

    /// Reads log lines until one matches; panics, with what the process said, when none
    /// comes within the bound.
    pub fn wait_for_log(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        loop {
            match self.stdout.recv_timeout(WAIT) {
                Ok(line) => {
                    self.logs.push(line.clone());
                    if let Ok(log) = serde_json::from_str::<Value>(&line)
                        && matches(&log)
                    {
                        return log;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    let stderr: Vec<String> = self.stderr.try_iter().collect();
                    panic!(
                        "no such log line; stdout: {:?}; stderr: {stderr:?}",
                        self.logs
                    );
                }
            }
        }
    }

    /// SIGTERM, as an operator or a service manager stops it.
    pub fn terminate(&mut self) {
        self.signal("-TERM");
    }

    /// SIGHUP, as `systemctl reload` sends it: the TLS files are read again.
    pub fn hang_up(&mut self) {
        self.signal("-HUP");
    }

    fn signal(&mut self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// SIGKILL (`Child::kill` on Unix): no cleanup of any kind runs in the server.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The exit status, when the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits, up to `bound`, for the process to exit; then every log line it wrote, and
    /// what it wrote on standard error.
    pub async fn wait_for_exit(
        &mut self,
        bound: Duration,
    ) -> (ExitStatus, Vec<Value>, Vec<String>) {
        let exit = tokio::time::timeout(bound, async {
            loop {
                if let Some(status) = self.exited() {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the server exits in time");
        self.logs.extend(self.stdout.iter());
        let logs = self
            .logs
            .iter()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        (exit, logs, self.stderr.iter().collect())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The lines of a child's output stream, read on their own thread.
pub fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
