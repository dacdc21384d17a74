"""The two peer servers of `bench/run --peers` (BENCHMARKS.md, "Peers"): JAX-WS RI on the JDK
HTTP server and spyne under gunicorn, each serving SOAP GetCurrentAccountInfo as the same API
user, with the same bcrypt hash and account data as the dualgate run, from a SQLite file of
their own (bench/peers/schema.sql).

A peer looks like driver.Server to the measuring code: name, pid, pids(), alive(), url(),
log_path, stop().
"""

import os
import socket
import sqlite3
import subprocess
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PEERS_DIR = os.path.join(BENCH_DIR, "peers")
JAVA_CLASSPATH = [
    "/usr/share/java/jaxws-rt.jar",  # its manifest lists JAXB, SAAJ and the rest
    "/usr/share/java/jbcrypt.jar",
    "/usr/share/java/sqlite-jdbc.jar",
]
JAVA_THREADS = 16  # bench/peers/jaxws/src/bench/peer/Main.java
GUNICORN_WORKERS = 2
# Debian's gunicorn and spyne live in the system Python, whatever python3 runs this driver.
GUNICORN = "/usr/bin/gunicorn"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid):
    """The direct children of `pid` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                after_name = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(after_name[1]) == pid:
            found.append(int(entry))
    return found


def seed_peer_database(path, dualgate_db, api_login):
    """The peers' database: the account and the API user of the dualgate run, with the API
    user's bcrypt hash copied from dualgate's SQLite file."""
    source = sqlite3.connect(dualgate_db)
    try:
        account_id, name, locale, time_zone, password_hash = source.execute(
            "SELECT a.id, a.name, a.locale, a.time_zone, u.password_hash"
            " FROM api_users u JOIN accounts a ON a.id = u.account_id WHERE u.login = ?",
            (api_login,),
        ).fetchone()
        (main_email,) = source.execute(
            "SELECT login FROM account_users WHERE account_id = ? AND is_owner = 1", (account_id,)
        ).fetchone()
    finally:
        source.close()
    peer = sqlite3.connect(path)
    try:
        with open(os.path.join(PEERS_DIR, "schema.sql"), encoding="utf-8") as f:
            peer.executescript(f.read())
        with peer:
            peer.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
                (account_id, name, main_email, locale, time_zone),
            )
            peer.execute(
                "INSERT INTO api_users VALUES (1, ?, ?, 'Enabled', ?)",
                (account_id, api_login, password_hash),
            )
    finally:
        peer.close()


class Peer:
    """One peer server process on a free loopback port."""

    def __init__(self, name, workdir, command, port, env=None):
        self.name, self.port = name, port
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.command, self.env = command, env
        self.process = None

    def start(self):
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(self.env or {})},
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            raise RuntimeError(f"{self.name} did not start; its log:\n{f.read()}")

    @property
    def pid(self):
        return self.process.pid

    def pids(self):
        return [self.pid, *children(self.pid)]

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def jaxws_peer(workdir, classes_dir, db):
    port = free_port()
    command = [
        "java",
        # Without it the JDK server waits for the delayed ACK: about 44 ms an answer.
        "-Dsun.net.httpserver.nodelay=true",
        # Debian's jaxws lacks the gmbal classes JAX-WS monitoring wants (a stack trace).
        "-Dcom.sun.xml.ws.monitoring.endpoint=false",
        "-cp",
        ":".join([classes_dir, *JAVA_CLASSPATH]),
        "bench.peer.Main",
        str(port),
        db,
        f"http://127.0.0.1:{port}/",
    ]
    return Peer("jaxws-peer", workdir, command, port)


def spyne_peer(workdir, db):
    port = free_port()
    command = [
        GUNICORN,
        "--workers",
        str(GUNICORN_WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        os.path.join(PEERS_DIR, "spyne"),
        "peer_app:application",
    ]
    env = {"PEER_DB": db, "PEER_PUBLIC_URL": f"http://127.0.0.1:{port}/"}
    return Peer("spyne-peer", workdir, command, port, env)


PEER_LABELS = {
    "jaxws-peer": f"JAX-WS RI 2.3, JDK 17 HTTP server, {JAVA_THREADS} threads",
    "spyne-peer": f"spyne 2.14, gunicorn, {GUNICORN_WORKERS} sync workers",
}
