"""PostgreSQL and HAProxy for `bench/run --postgres` / `--database-url` (BENCHMARKS.md,
"PostgreSQL" and "Several instances"): a throwaway cluster, the count of database round trips
per call, the CPU time of the database's processes, and HAProxy in front of N instances.
"""

import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import urllib.parse

from peers import Peer, children, free_port

PG_BIN = "/usr/lib/postgresql/15/bin"


def as_postgres(command):
    """`initdb` and `pg_ctl` refuse to run as root: as root, run them as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


class OwnCluster:
    """A PostgreSQL 15 cluster in a temporary folder, on a free loopback port with a private
    socket folder, fsync off (as src/storage/postgres/test_cluster.rs does for the tests)."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="dualgate-bench-pg.")
        self.port = free_port()
        self.data = os.path.join(self.root, "data")
        self.started = False

    def start(self):
        os.makedirs(os.path.join(self.root, "sockets"))
        if os.getuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", self.root], check=True)
        subprocess.run(
            as_postgres(
                [
                    f"{PG_BIN}/initdb",
                    "--auth=trust",
                    "--no-sync",
                    "--username=postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-D",
                    self.data,
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-k {self.root}/sockets -p {self.port} -h 127.0.0.1 -F"
        subprocess.run(
            as_postgres(
                [
                    f"{PG_BIN}/pg_ctl",
                    "-w",
                    "-D",
                    self.data,
                    "-l",
                    os.path.join(self.root, "server.log"),
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self.started = True
        psql(self.url("postgres"), "CREATE DATABASE bench")
        return self

    def url(self, database="bench"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        if self.started:
            subprocess.run(
                as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "stop", "-m", "fast"]),
                check=False,
                capture_output=True,
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


def psql(url, sql):
    done = subprocess.run(
        [f"{PG_BIN}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {done.stderr}")
    return done.stdout.strip()


def is_empty(url):
    """True when the database has no table in a schema of its own (dualgate seeds it)."""
    count = psql(
        url,
        "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
        "'information_schema')",
    )
    return int(count) == 0


def transactions(url):
    """Committed plus rolled-back transactions of the URL's database, all sessions.
    PostgreSQL 15 flushes a backend's counts at most once a second while it is busy and 10 s
    after it goes idle, so read this after 11 s of quiet."""
    return int(
        psql(
            url,
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()",
        )
    )


def postmaster_pid(url):
    """The server's main process when it runs on this machine and its folder is readable
    here (our own cluster, or a local one as root); None otherwise."""
    try:
        data = psql(url, "SHOW data_directory")
        with open(os.path.join(data, "postmaster.pid")) as f:
            return int(f.readline())
    except (OSError, RuntimeError, ValueError):
        return None


class PostgresProcesses:
    """The postmaster and its children, for their CPU time (driver.server_ticks)."""

    name = "postgresql"

    def __init__(self, pid):
        self.pid = pid

    def pids(self):
        return [self.pid, *children(self.pid)]


class RoundTripProxy:
    """A TCP relay between dualgate and PostgreSQL that counts round trips: each time a
    connection's client sends after the server last spoke (or first), one more. A pipelined
    batch counts once, as it costs one wait; a message split over several TCP segments also
    counts once."""

    def __init__(self, upstream_url):
        parsed = urllib.parse.urlsplit(upstream_url)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        netloc = parsed.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        self.url = urllib.parse.urlunsplit(
            parsed._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)
        )
        self.lock = threading.Lock()
        self.round_trips = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.round_trips = 0

    def count(self):
        with self.lock:
            return self.round_trips

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client, server):
        client_spoke_last = False
        peers = {client: server, server: client}
        try:
            while True:
                ready, _, _ = select.select([client, server], [], [])
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        if not client_spoke_last:
                            with self.lock:
                                self.round_trips += 1
                        client_spoke_last = True
                    else:
                        client_spoke_last = False
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def close(self):
        self.listener.close()


HAPROXY_CONFIG = """global
    log stderr format short local0 warning
    maxconn 4096

defaults
    mode http
    log global
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend bench
    bind 127.0.0.1:{port}
    default_backend dualgate

backend dualgate
    balance roundrobin
    option httpchk GET /health
{servers}
"""


class HAProxy(Peer):
    """HAProxy (Debian's) in front of the given dualgate instances: round-robin, health checks
    on /health, `option forwardfor`. Started and stopped like a peer server."""

    def __init__(self, workdir, backend_ports):
        config = os.path.join(workdir, f"haproxy-{len(backend_ports)}.cfg")
        port = free_port()
        servers = "\n".join(
            f"    server dualgate{i} 127.0.0.1:{p} check inter 2s"
            for i, p in enumerate(backend_ports, 1)
        )
        with open(config, "w", encoding="utf-8") as f:
            f.write(HAPROXY_CONFIG.format(port=port, servers=servers))
        name = f"haproxy-{len(backend_ports)}"
        super().__init__(name, workdir, ["haproxy", "-db", "-f", config], port)
