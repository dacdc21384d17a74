#!/usr/bin/env python3
"""dualgate benchmark driver. Run it through `bench/run`, which installs wrk and builds first.

What it does, in order (everything on 127.0.0.1, in a fresh temporary directory):
  1. seeds a fresh database: the account and its owner at cost 12 (CLI `account create`), a
     "Can manage account" seeder at cost 4 (CLI `user add`), then a throw-away server at cost 4
     on which the seeder creates 1000 API users through REST. Their hashes are cost 4 but are
     never verified: the scenarios verify only the owner's and the scenario API user's
     credentials, both cost 12;
  2. starts the measured server on that database (cost 12, rate limits and the per-address
     failed-login limit raised far above what the run sends) and, as the owner, creates through
     REST the API user that scenarios 2 and 3 sign in as;
  3. runs each scenario at each concurrency level with wrk (a warm-up, then the measured run),
     waits for the server to go idle between runs, and reads the server's peak memory (VmHWM,
     reset before each measured run) and RSS from /proc. Just before each bcrypt-bound
     scenario (6 and 7), with the server idle, it measures one thread's bcrypt rate at cost 12
     (examples/bcrypt_rate.rs): on a shared machine the rate drifts, so each scenario is
     compared with a rate measured next to it. The bound at c connections is that rate x
     min(c, cores): one connection keeps at most one core hashing;
  4. seeds a second database with 100 000 API users directly with sqlite3, starts a server on
     it, pages through the whole list once as the owner and reads its memory;
  5. prints the table and the targets, and writes them as Markdown to target/bench/latest.md
     (and the raw figures to target/bench/latest.json).

With --peers, after dualgate's scenarios the JAX-WS and spyne peers (bench/peers.py) answer the
same SOAP call at the same levels, one at a time, and the comparison is printed with its goals.
With --postgres or --database-url, the scenarios run again on PostgreSQL, the round trips per
call are counted, and 1 to --instances instances run behind HAProxy (bench/pg.py).

Only the Python standard library is used (the spyne peer runs under Debian's own Python).
"""

import argparse
import base64
import datetime
import http.client
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

import peers
import pg

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
LUA_SCRIPT = os.path.join(BENCH_DIR, "request.lua")

OWNER = "owner@bench.example"
OWNER_PASSWORD = "Gateway-Secret-1"
SEEDER = "seeder@bench.example"
SEEDER_PASSWORD = "Bulk-Loader-4"
API_USER_PASSWORD = "Magento#2026shop"
CREATED_PASSWORD = "Created#2026bench"
# Scenario 7: a login that does not exist (so no lockout can end the run) and any password.
GHOST_LOGIN = "nobody@bench.example"
GHOST_PASSWORD = "Wrong-Secret-7"

MEASURED_COST = 12
SEED_COST = 4
SEEDED_USERS = 1000
BIG_USERS = 100_000
# Far above anything the run sends (a few hundred thousand calls): the run must measure the
# server, not its limiters (600/minute Tiered, 2000/hour Flat, 50 failures per address).
RAISED_LIMIT = 1_000_000_000
WRK_TIMEOUT_S = 60

SOAP_NS = "http://apiconnector.com"
SOAP_ACTION = '"http://apiconnector.com/v2/ApiService/{}"'
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
# PostgreSQL 15 flushes an idle backend's statistics after 10 s (pg.transactions).
QUIET_FOR_STATS_S = 11
SOAP_CURRENT_ACCOUNT_INFO = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetCurrentAccountInfo xmlns="http://apiconnector.com/v2"/>
  </soap:Body>
</soap:Envelope>
"""
SOAP_GET_API_USERS = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetApiUsers xmlns="http://apiconnector.com/v2"><select>1000</select><skip>0</skip></GetApiUsers>
  </soap:Body>
</soap:Envelope>
"""
CREATE_BODY = json.dumps(
    {
        "description": "bench create",
        "password": CREATED_PASSWORD,
        "confirmPassword": CREATED_PASSWORD,
    }
)

SERVERS = []  # every server started, stopped on exit whatever happens


def log(message):
    print(f"# {message}", flush=True)


def basic(login, password):
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return f"Basic {token}"


# --- the server process -------------------------------------------------------------------


class Server:
    """One `dualgate serve` on 127.0.0.1 with a free port read from its JSON log."""

    def __init__(self, binary, workdir, name, db, cost, extra=()):
        self.binary, self.workdir, self.name, self.db = binary, workdir, name, db
        self.args = [
            "serve",
            *store_args(db),
            "--bind",
            "127.0.0.1:0",
            "--bcrypt-cost",
            str(cost),
            "--owner-email",
            OWNER,
            "--owner-password",
            OWNER_PASSWORD,
            *extra,
        ]
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.process = None
        self.port = None

    def start(self):
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                [self.binary, *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        SERVERS.append(self)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.port = self._port_from_log()
            if self.port:
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start; its log:\n{self._log_text()}")

    def _log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _port_from_log(self):
        for line in self._log_text().splitlines():
            try:
                fields = json.loads(line).get("fields", {})
            except ValueError:
                continue
            if fields.get("message") == "dualgate is listening":
                return int(fields["port"])
        return None

    @property
    def pid(self):
        return self.process.pid

    def pids(self):
        return [self.pid]

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self in SERVERS:
            SERVERS.remove(self)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def store_args(db):
    """The server's or the CLI's database options: a PostgreSQL URL or a SQLite file."""
    return ["--database-url", db] if db.startswith("postgres") else ["--db", db]


def stop_all_servers():
    while SERVERS:
        SERVERS[-1].stop()  # removes itself from SERVERS


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        after_name = f.read().rsplit(")", 1)[1].split()
    return int(after_name[11]) + int(after_name[12])  # utime + stime


def server_ticks(server):
    """CPU time of all the server's processes (gunicorn's workers, say), in clock ticks."""
    total = 0
    for pid in server.pids():
        try:
            total += cpu_ticks(pid)
        except OSError:  # a process that ended between listing and reading
            pass
    return total


def wait_until_idle(server, max_seconds=180):
    """Waits until the server has used (almost) no CPU for half a second: work left over by the
    previous run (requests still queued for bcrypt when wrk stopped) must not slow the next."""
    max_seconds = getattr(server, "idle_wait_max_s", max_seconds)
    started = time.monotonic()
    previous = server_ticks(server)
    while time.monotonic() - started < max_seconds:
        time.sleep(0.5)
        if not server.alive():
            raise RuntimeError(f"{server.name} exited; its log is {server.log_path}")
        now = server_ticks(server)
        if now - previous <= 2:  # at most 20 ms of CPU in 500 ms
            return time.monotonic() - started
        previous = now
    log(f"warning: {server.name} still busy after {max_seconds} s; going on")
    return time.monotonic() - started


def reset_peak_memory(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0: `5` to clear_refs)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_kib(pid):
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0])
    return found["VmHWM"], found["VmRSS"]


def server_memory_kib(server):
    """(peak, RSS) summed over the server's processes: for gunicorn, the master and its
    workers (pages the workers share with the master count once per process)."""
    figures = [memory_kib(pid) for pid in server.pids()]
    return sum(hwm for hwm, _ in figures), sum(rss for _, rss in figures)


def reset_server_peak_memory(server):
    """Resets every process's peak; False when one cannot be reset."""
    done = [reset_peak_memory(pid) for pid in server.pids()]
    return all(done)


# --- plain HTTP for setup and checks -------------------------------------------------------


def request(port, method, path, auth=None, body=None, headers=None, conn=None):
    """One request; returns (status, headers, body bytes)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    all_headers = dict(headers or {})
    if auth:
        all_headers["Authorization"] = auth
    if isinstance(body, str):
        body = body.encode()
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        if own:
            conn.close()


def create_api_user(port, auth, description, password, conn=None):
    body = json.dumps(
        {"description": description, "password": password, "confirmPassword": password}
    )
    status, _, data = request(
        port, "POST", "/v2/api-users", auth, body, {"Content-Type": "application/json"}, conn
    )
    if status != 201:
        raise RuntimeError(f"creating an API user: HTTP {status} {data[:300]!r}")
    return json.loads(data)


def run_cli(binary, args, stdin_text):
    done = subprocess.run(
        [binary, *args],
        input=stdin_text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dualgate {' '.join(args)} failed: {done.stderr}{done.stdout}")
    return done.stdout.strip()


# --- wrk ------------------------------------------------------------------------------------


def run_wrk(url, connections, seconds, env):
    cmd = [
        "wrk",
        "-t",
        "1",
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        f"{WRK_TIMEOUT_S}s",
        "-s",
        LUA_SCRIPT,
        url,
    ]
    done = subprocess.run(
        cmd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + WRK_TIMEOUT_S + 60,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    raise RuntimeError(
        f"wrk gave no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )


def errors_of(result):
    sockets = result["connect"] + result["read"] + result["write"] + result["timeout"]
    if result["expect_status"] is not None:
        return sockets + result["unexpected_status"]
    return sockets + result["status"]


# --- scenarios ------------------------------------------------------------------------------


class Scenario:
    def __init__(
        self,
        number,
        name,
        method,
        path,
        auth,
        check,
        expect_status=None,
        body_file=None,
        content_type=None,
        soap_action=None,
    ):
        self.number, self.name, self.method, self.path = number, name, method, path
        self.auth, self.check, self.expect_status = auth, check, expect_status
        self.body_file, self.content_type, self.soap_action = body_file, content_type, soap_action

    def wrk_env(self):
        env = {"BENCH_METHOD": self.method, "BENCH_AUTH": self.auth or ""}
        env["BENCH_BODY_FILE"] = self.body_file or ""
        env["BENCH_CONTENT_TYPE"] = self.content_type or ""
        env["BENCH_SOAP_ACTION"] = self.soap_action or ""
        env["BENCH_EXPECT_STATUS"] = str(self.expect_status or "")
        return env

    def preflight(self, server):
        """One request with the same method, headers and body as wrk sends, checked for the
        exact status and content: wrk itself only counts statuses >= 400."""
        headers = {}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        if self.soap_action:
            headers["SOAPAction"] = self.soap_action
        body = None
        if self.body_file:
            with open(self.body_file, "rb") as f:
                body = f.read()
        status, response_headers, data = request(
            server.port, self.method, self.path, self.auth, body, headers
        )
        return self.check(status, response_headers, data)


def check_health(status, _headers, data):
    assert status == 200 and json.loads(data) == {"status": "ok"}, (status, data[:200])
    return "200 {status: ok}"


def check_account_info(status, headers, data):
    assert status == 200, (status, data[:300])
    names = [p["name"] for p in json.loads(data)["properties"]]
    assert "ApiCallsRemaining" in names, names
    limit = {k.lower(): v for k, v in headers.items()}.get("x-ratelimit-limit")
    assert limit == str(RAISED_LIMIT), f"X-RateLimit-Limit is {limit}, not the raised limit"
    return f"200, {len(names)} properties, X-RateLimit-Limit {limit}"


def check_soap_account_info(status, _headers, data):
    assert status == 200, (status, data[:300])
    root = ET.fromstring(data)
    properties = root.findall(f".//{{{SOAP_NS}}}ApiAccountProperty")
    assert properties, data[:300]
    return f"200, {len(properties)} ApiAccountProperty"


def check_rest_list(status, _headers, data):
    assert status == 200, (status, data[:300])
    users = json.loads(data)
    assert len(users) == SEEDED_USERS, len(users)
    return f"200, {len(users)} API users"


def check_soap_list(status, _headers, data):
    assert status == 200, (status, data[:300])
    users = ET.fromstring(data).findall(f".//{{{SOAP_NS}}}ApiUser")
    assert len(users) == SEEDED_USERS, len(users)
    return f"200, {len(users)} ApiUser elements"


def check_create(status, _headers, data):
    assert status == 201, (status, data[:300])
    email = json.loads(data)["email"]
    assert email.startswith("apiuser-"), email
    return f"201, server-generated login {email}"


def check_wrong_password(status, _headers, data):
    assert status == 401 and b"ERROR_INVALID_LOGIN" in data, (status, data[:300])
    return "401 ERROR_INVALID_LOGIN"


# --- phases ---------------------------------------------------------------------------------


def measure(server, scenario, connections, args):
    """One scenario at one concurrency level: warm-up, wait for the server to go idle, reset
    its peak memory, measured run. A run is stretched (up to --max-duration) when the warm-up
    shows that --duration would not let every connection complete two responses: with bcrypt
    at a few hashes a second, 64 connections need many seconds for one round."""
    wait_until_idle(server)
    url = server.url(scenario.path)
    warm = run_wrk(url, connections, args.warmup, scenario.wrk_env())
    warm_rps = warm["requests"] / max(warm["duration_us"] / 1e6, 1e-9)
    seconds = args.duration
    if warm_rps * args.duration < 2 * connections:
        needed = 2 * connections / warm_rps if warm_rps > 0 else args.max_duration
        seconds = min(args.max_duration, max(args.duration, math.ceil(needed)))
    idle_s = wait_until_idle(server)
    reset_server_peak_memory(server)
    ticks = server_ticks(server)
    result = run_wrk(url, connections, seconds, scenario.wrk_env())
    ticks = server_ticks(server) - ticks
    hwm, rss = server_memory_kib(server)
    return {
        "number": scenario.number,
        "scenario": scenario.name,
        "connections": connections,
        "seconds": seconds,
        "requests": result["requests"],
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_us": result["p50_us"],
        "p99_us": result["p99_us"],
        "errors": errors_of(result),
        "hwm_kib": hwm,
        "rss_kib": rss,
        # The server's CPU time (all its processes) over the measured run, per response.
        "cpu_ms_per_call": ticks * 1000 / os.sysconf("SC_CLK_TCK") / max(result["requests"], 1),
        "wrk": result,
        "idle_wait_s": round(idle_s, 1),
    }


def bcrypt_rate(repo, cost, seconds, threads=1):
    binary = os.path.join(repo, "target", "release", "examples", "bcrypt_rate")
    out = subprocess.run(
        [binary, "--cost", str(cost), "--seconds", str(seconds), "--threads", str(threads)],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 120,
    ).stdout.strip()
    match = re.search(r"([0-9.]+) hashes/s", out)
    return float(match.group(1)), out


def create_account(binary, db):
    """The account "Default" with its owner, in a new database `db`."""
    run_cli(
        binary,
        [
            "account",
            "create",
            "--name",
            "Default",
            "--owner-email",
            OWNER,
            *store_args(db),
            "--bcrypt-cost",
            str(MEASURED_COST),
        ],
        OWNER_PASSWORD + "\n",
    )


def run_in_threads(share, workers):
    """Runs share(0) .. share(workers - 1), each on its own thread, and raises the first
    failure once all have ended."""
    failures = []

    def guarded(worker):
        try:
            share(worker)
        except Exception as error:  # noqa: BLE001 - re-raised below
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def seed_database(binary, workdir, db, users, tag=""):
    """The account and its owner; then, when `users` > 0, that many API users created through
    REST by a seeder on a cost-4 server."""
    create_account(binary, db)
    if users == 0:
        return
    run_cli(
        binary,
        [
            "user",
            "add",
            "--email",
            SEEDER,
            "--can-manage-account",
            *store_args(db),
            "--bcrypt-cost",
            str(SEED_COST),
        ],
        SEEDER_PASSWORD + "\n",
    )
    seeder = Server(binary, workdir, f"seed-server{tag}", db, SEED_COST).start()
    try:
        auth = basic(SEEDER, SEEDER_PASSWORD)
        workers = max(1, os.cpu_count() or 1)

        def create_share(worker):
            conn = http.client.HTTPConnection("127.0.0.1", seeder.port, timeout=60)
            try:
                for i in range(worker, users, workers):
                    create_api_user(seeder.port, auth, f"seeded {i:04d}", f"Seeded#{i:04d}x", conn)
            finally:
                conn.close()

        run_in_threads(create_share, workers)
    finally:
        seeder.stop()


def big_list_memory(binary, workdir, server_flags, users):
    """100 000 API users inserted with sqlite3 into a database the server created and
    migrated, then one pass over the whole list as the owner."""
    db = os.path.join(workdir, "big.db")
    create_account(binary, db)
    started = time.monotonic()
    con = sqlite3.connect(db)
    try:
        (account_id, hash_) = con.execute(
            "SELECT account_id, password_hash FROM account_users WHERE login = ?", (OWNER,)
        ).fetchone()
        now = int(time.time())
        logins = [f"apiuser-{i:012x}@apiconnector.com" for i in range(1, users + 1)]
        with con:
            con.executemany("INSERT INTO logins (login) VALUES (?)", ((l,) for l in logins))
            con.executemany(
                "INSERT INTO api_users (account_id, login, description, status,"
                " tiered_rate_limit, locked, password_hash, created, last_used)"
                " VALUES (?, ?, ?, 'Enabled', 1, 0, ?, ?, NULL)",
                ((account_id, l, f"bulk {i}", hash_, now) for i, l in enumerate(logins)),
            )
    finally:
        con.close()
    inserted_s = time.monotonic() - started
    server = Server(binary, workdir, "big-server", db, MEASURED_COST, server_flags).start()
    try:
        wait_until_idle(server)
        _, rss_idle = memory_kib(server.pid)
        reset_peak_memory(server.pid)
        auth = basic(OWNER, OWNER_PASSWORD)
        pages = math.ceil(users / 1000)
        workers = max(1, os.cpu_count() or 1)
        counts = [0] * workers

        def page_share(worker):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            try:
                for page in range(worker, pages, workers):
                    status, _, data = request(
                        server.port,
                        "GET",
                        f"/v2/api-users?select=1000&skip={page * 1000}",
                        auth,
                        conn=conn,
                    )
                    assert status == 200, (status, data[:300])
                    counts[worker] += len(json.loads(data))
            finally:
                conn.close()

        paging_started = time.monotonic()
        run_in_threads(page_share, workers)
        paging_s = time.monotonic() - paging_started
        hwm, rss = memory_kib(server.pid)
        return {
            "users": users,
            "listed": sum(counts),
            "pages": pages,
            "connections": workers,
            "insert_s": inserted_s,
            "paging_s": paging_s,
            "db_mib": os.path.getsize(db) / 2**20,
            "rss_idle_kib": rss_idle,
            "hwm_kib": hwm,
            "rss_kib": rss,
        }
    finally:
        server.stop()


# --- report ---------------------------------------------------------------------------------


def machine_facts():
    def sh(cmd):
        try:
            done = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False)
            return done.stdout.strip()
        except OSError:
            return "?"

    with open("/proc/meminfo") as f:
        mem_kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    commit = sh(f"git -C {REPO_DIR} rev-parse --short HEAD") or "?"
    # What was built: uncommitted edits to the server's sources make the commit id inexact.
    server_paths = "src Cargo.toml Cargo.lock wsdl"
    if sh(f"git -C {REPO_DIR} status --porcelain --untracked-files=no -- {server_paths}"):
        commit += " (with uncommitted changes to the server)"
    return {
        "cores": os.cpu_count(),
        "nproc": sh("nproc"),
        "cpu": sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1"),
        "ram_gib": round(mem_kib / 2**20, 1),
        "kernel": sh("uname -r"),
        "os": sh(". /etc/os-release 2>/dev/null && echo $PRETTY_NAME"),
        "wrk": sh("wrk -v 2>&1 | head -n 1").split(" Copyright")[0],
        "rustc": sh("rustc --version"),
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def fmt_ms(us):
    ms = us / 1000
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def fmt_rps(rps):
    return f"{rps:.0f}" if rps >= 100 else f"{rps:.1f}" if rps >= 10 else f"{rps:.2f}"


def fmt_ratio(value):
    return f"{value:.2f}" if value >= 0.1 else f"{value:.5f}"


def mib(kib):
    return f"{kib / 1024:.1f}"


COLUMNS = [
    "scenario",
    "conns",
    "secs",
    "requests",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "peak MiB",
    "RSS MiB",
    "CPU ms/call",
]


def table_rows(rows):
    return [
        [
            r["scenario"],
            str(r["connections"]),
            str(r["seconds"]),
            str(r["requests"]),
            fmt_rps(r["rps"]),
            fmt_ms(r["p50_us"]),
            fmt_ms(r["p99_us"]),
            str(r["errors"]),
            mib(r["hwm_kib"]),
            mib(r["rss_kib"]),
            f"{r['cpu_ms_per_call']:.3f}",
        ]
        for r in rows
    ]


def text_table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]

    def line(cells):
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *[line(r) for r in rows]])


def markdown_table(header, rows, right_from=1):
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return "\n".join("| " + " | ".join(r) + " |" for r in [header, align, *rows])


def bound(rates, n, c, cores):
    """The bcrypt bound of scenario n at c connections: one thread's rate x min(c, cores)."""
    return rates[n]["one"] * min(c, cores) if n in rates else None


def all_core_rate(rates, n, c, cores):
    """What `cores` threads hashing at once really got, scaled to min(c, cores) threads."""
    if n not in rates:
        return None
    return rates[n]["one"] if c == 1 else rates[n]["all"] * min(c, cores) / cores


def bound_text(rates, cores):
    if not rates:
        return "bcrypt bound: not measured (neither scenario 6 nor 7 ran)"
    each = "; ".join(
        f"before ({n}) {r['one']:.2f}/s on one thread, {r['all']:.2f}/s on {cores} threads at once"
        for n, r in sorted(rates.items())
    )
    return (
        f"bcrypt cost {MEASURED_COST}, measured with the server idle just before each "
        f"bcrypt-bound scenario: {each}. Bound at c connections = one thread's rate x "
        f"min(c, {cores} cores)"
    )


def verdicts(results, levels, rates, cores):
    """The targets of the issue, one line each, PASS when every level measured meets them.
    The bcrypt bound at c connections is the one-thread rate x min(c, cores): one connection
    keeps at most one core hashing."""
    by = {(r["number"], r["connections"]): r for r in results}
    lines = []

    def ratio_line(name, target_text, values, ok):
        measured = [(c, v) for c, v in values if v is not None]
        if not measured:
            lines.append((name, target_text, "not run", "n/a"))
            return
        cells = ", ".join(f"c={c}: {fmt_ratio(v)}" for c, v in measured)
        passed = all(ok(v) for _, v in measured)
        lines.append((name, target_text, cells, "PASS" if passed else "MISS"))

    def rps(n, c):
        return by[(n, c)]["rps"] if (n, c) in by else None

    def ratio(a, b):
        return a / b if a is not None and b else None

    ratio_line(
        "(2)/(1) REST account-info / health",
        ">= 0.70",
        [(c, ratio(rps(2, c), rps(1, c))) for c in levels],
        lambda v: v >= 0.7,
    )
    ratio_line(
        "(3)/(2) SOAP / REST account-info",
        ">= 0.80",
        [(c, ratio(rps(3, c), rps(2, c))) for c in levels],
        lambda v: v >= 0.8,
    )
    ratio_line(
        "(6)/bcrypt bound, create",
        ">= 0.80",
        [(c, ratio(rps(6, c), bound(rates, 6, c, cores))) for c in levels],
        lambda v: v >= 0.8,
    )
    ratio_line(
        "(7)/bcrypt bound, wrong password",
        "<= 1.10 (never faster than bcrypt)",
        [(c, ratio(rps(7, c), bound(rates, 7, c, cores))) for c in levels],
        lambda v: v <= 1.1,
    )
    # Not a target: the same ratio against what the cores gave when hashing together, which
    # tells a server shortfall from a machine whose cores do not add up (shared, virtual).
    for n, label in ((6, "create"), (7, "wrong password")):
        values = [(c, ratio(rps(n, c), all_core_rate(rates, n, c, cores))) for c in levels]
        measured = [(c, v) for c, v in values if v is not None]
        if measured:
            lines.append(
                (
                    f"({n})/all-core bcrypt rate, {label}",
                    "(information)",
                    ", ".join(f"c={c}: {fmt_ratio(v)}" for c, v in measured),
                    "-",
                )
            )
    top = max(levels)
    for n, label in ((2, "REST account-info"), (3, "SOAP GetCurrentAccountInfo")):
        r = by.get((n, top))
        if r is None:
            lines.append((f"p99 of ({n}) {label} at c={top}", "< 10 ms", "not run", "n/a"))
            continue
        lines.append(
            (
                f"p99 of ({n}) {label} at c={top}",
                "< 10 ms",
                f"{fmt_ms(r['p99_us'])} ms",
                "PASS" if r["p99_us"] < 10_000 else "MISS",
            )
        )
    errors = sum(r["errors"] for r in results)
    with_errors = [f"({r['number']}) c={r['connections']}" for r in results if r["errors"]]
    lines.append(
        (
            "errors, every scenario and level",
            "0",
            str(errors) + (f" in {', '.join(with_errors)}" if with_errors else ""),
            "PASS" if errors == 0 else "MISS",
        )
    )
    return lines


# --- one backend, the peers, PostgreSQL ------------------------------------------------------


def soap_scenario(number, name, auth, check, body_file, operation):
    """A SOAP 1.1 call to /v2/Api.svc with the body in `body_file`."""
    return Scenario(
        number,
        name,
        "POST",
        "/v2/Api.svc",
        auth,
        check,
        body_file=body_file,
        content_type=SOAP_CONTENT_TYPE,
        soap_action=SOAP_ACTION.format(operation),
    )


def scenario_list(workdir, owner_auth, user_auth):
    def body(name, text):
        path = os.path.join(workdir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    return [
        Scenario(1, "(1) GET /health", "GET", "/health", None, check_health),
        Scenario(2, "(2) REST account-info", "GET", "/v2/account-info", user_auth, check_account_info),
        soap_scenario(
            3,
            "(3) SOAP GetCurrentAccountInfo",
            user_auth,
            check_soap_account_info,
            body("account-info.xml", SOAP_CURRENT_ACCOUNT_INFO),
            "GetCurrentAccountInfo",
        ),
        Scenario(
            4,
            "(4) REST list 1000",
            "GET",
            "/v2/api-users?select=1000",
            owner_auth,
            check_rest_list,
        ),
        soap_scenario(
            5,
            "(5) SOAP GetApiUsers 1000",
            owner_auth,
            check_soap_list,
            body("get-api-users.xml", SOAP_GET_API_USERS),
            "GetApiUsers",
        ),
        Scenario(
            6,
            "(6) REST create API user",
            "POST",
            "/v2/api-users",
            owner_auth,
            check_create,
            body_file=body("create.json", CREATE_BODY),
            content_type="application/json",
        ),
        Scenario(
            7,
            "(7) wrong password, unknown login",
            "GET",
            "/v2/account-info",
            basic(GHOST_LOGIN, GHOST_PASSWORD),
            check_wrong_password,
            expect_status=401,
        ),
    ]


class BackendRun:
    """What every backend's run shares: the binary, the flags, the levels, the bcrypt rates."""

    def __init__(self, binary, workdir, server_flags, levels, args, cores, rates):
        self.binary, self.workdir, self.server_flags = binary, workdir, server_flags
        self.levels, self.args, self.cores, self.rates = levels, args, cores, rates

    def measure_backend(self, db, wanted, backend=""):
        """Seeds `db`, starts the measured server on it, runs the wanted scenarios at every
        level. Returns the rows and the scenario API user (login and password)."""
        tag = f"-{backend.lower()}" if backend else ""
        suffix = f" [{backend}]" if backend else ""
        users = SEEDED_USERS if wanted & {4, 5} else 0
        t = time.monotonic()
        seed_database(self.binary, self.workdir, db, users, tag)
        log(
            f"seeded{suffix} {users} API users through REST on a cost-{SEED_COST} server "
            f"as {SEEDER} in {time.monotonic() - t:.1f} s (owner {OWNER} hashed at cost "
            f"{MEASURED_COST})"
        )
        server = Server(
            self.binary, self.workdir, f"measured-server{tag}", db, MEASURED_COST, self.server_flags
        ).start()
        log(f"measured server{suffix} on {server.url('')} (pid {server.pid})")
        if not reset_server_peak_memory(server):
            log("warning: cannot reset VmHWM here; each peak is the peak since the start")
        owner_auth = basic(OWNER, OWNER_PASSWORD)
        api_user = create_api_user(server.port, owner_auth, "bench reader", API_USER_PASSWORD)
        log(
            f"API user for scenarios 2 and 3, created through REST at cost "
            f"{MEASURED_COST}: {api_user['email']}"
        )
        user_auth = basic(api_user["email"], API_USER_PASSWORD)
        results = []
        for scenario in scenario_list(self.workdir, owner_auth, user_auth):
            if scenario.number not in wanted:
                continue
            scenario.name += suffix
            if scenario.number in (6, 7) and not backend:
                self._measure_bcrypt_rate(server, scenario.number)
            log(f"{scenario.name}: preflight {scenario.preflight(server)}")
            for connections in self.levels:
                row = measure(server, scenario, connections, self.args)
                row["backend"] = backend or "SQLite"
                results.append(row)
                versus = ""
                if scenario.number in self.rates and not backend:
                    limit = bound(self.rates, scenario.number, connections, self.cores)
                    versus = f" = {row['rps'] / limit:.2f} x bound {limit:.2f}/s"
                log_row(row, versus)
        wait_until_idle(server)
        server.stop()
        return results, api_user

    def _measure_bcrypt_rate(self, server, number):
        wait_until_idle(server)
        one, one_line = bcrypt_rate(REPO_DIR, MEASURED_COST, self.args.bcrypt_seconds)
        every, every_line = bcrypt_rate(
            REPO_DIR, MEASURED_COST, self.args.bcrypt_seconds, threads=self.cores
        )
        self.rates[number] = {"one": one, "all": every}
        log(f"{one_line}; bound for ({number}) = {one:.2f}/s x min(connections, {self.cores} cores)")
        log(f"{every_line} (for comparison: what the cores really gave together)")


def log_row(row, versus=""):
    log(
        f"{row['scenario']} c={row['connections']}: {fmt_rps(row['rps'])} req/s{versus}, "
        f"p50 {fmt_ms(row['p50_us'])} ms, p99 {fmt_ms(row['p99_us'])} ms, "
        f"errors {row['errors']}, peak {mib(row['hwm_kib'])} MiB, "
        f"CPU {row['cpu_ms_per_call']:.3f} ms a call ({row['seconds']} s, "
        f"{row['requests']} requests)"
    )


def soap_account_info_scenario(workdir, name, user_auth):
    path = os.path.join(workdir, "account-info.xml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SOAP_CURRENT_ACCOUNT_INFO)
    return soap_scenario(
        name, name, user_auth, check_soap_account_info, path, "GetCurrentAccountInfo"
    )


def measure_peers(workdir, dualgate_db, api_user, levels, args):
    """The JAX-WS and spyne peers, one after the other with nothing else running, at every
    level: the same SOAP call as scenario 3, as the same API user."""
    peer_db = os.path.join(workdir, "peer.db")
    peers.seed_peer_database(peer_db, dualgate_db, api_user["email"])
    user_auth = basic(api_user["email"], API_USER_PASSWORD)
    classes = os.path.join(REPO_DIR, "target", "bench", "jaxws-classes")
    rows = []
    for peer in (peers.jaxws_peer(workdir, classes, peer_db), peers.spyne_peer(workdir, peer_db)):
        label = peers.PEER_LABELS[peer.name]
        peer.idle_wait_max_s = 30  # a JVM compiles in the background for a while
        SERVERS.append(peer)
        try:
            peer.start()
            log(f"{label} on {peer.url('')} (pid {peer.pid})")
            scenario = soap_account_info_scenario(workdir, label, user_auth)
            log(f"{label}: preflight {scenario.preflight(peer)}")
            for i, connections in enumerate(levels):
                # A longer first warm-up: the JVM compiles the hot path in its first seconds.
                warm = args.peer_warmup if i == 0 else args.warmup
                warm_args = argparse.Namespace(**{**vars(args), "warmup": warm})
                row = measure(peer, scenario, connections, warm_args)
                row["peer"] = peer.name
                rows.append(row)
                log_row(row)
        finally:
            peer.stop()
            SERVERS.remove(peer)
    return rows


def measure_postgres(run, url, wanted, args):
    """The same scenarios on PostgreSQL, the database round trips per call, and 1 to
    --instances instances behind HAProxy."""
    results, api_user = run.measure_backend(url, wanted & {1, 2, 3, 4, 5}, "PostgreSQL")
    user_auth = basic(api_user["email"], API_USER_PASSWORD)
    trips = measure_round_trips(run, url, user_auth, args.round_trip_calls)
    instances = []
    if args.instances > 0:
        instances = measure_instances(run, url, user_auth, args)
    return {"results": results, "round_trips": trips, "instances": instances}


def round_trip_calls(user_auth):
    """(label, method, path, auth, body, headers, status) of the calls whose round trips are
    counted."""
    soap_headers = {
        "Content-Type": SOAP_CONTENT_TYPE,
        "SOAPAction": SOAP_ACTION.format("GetCurrentAccountInfo"),
    }
    return [
        ("(1) GET /health", "GET", "/health", None, None, {}),
        ("(2) REST account-info", "GET", "/v2/account-info", user_auth, None, {}),
        (
            "(3) SOAP GetCurrentAccountInfo",
            "POST",
            "/v2/Api.svc",
            user_auth,
            SOAP_CURRENT_ACCOUNT_INFO,
            soap_headers,
        ),
    ]


def measure_round_trips(run, url, user_auth, calls):
    """Round trips between dualgate and PostgreSQL per call, counted by a relay between them
    (pg.RoundTripProxy), and transactions per call from pg_stat_database, over `calls`
    sequential calls of each kind on one kept-alive connection, after 3 calls that warm the
    credential cache and the prepared statements."""
    proxy = pg.RoundTripProxy(url)
    server = Server(
        run.binary, run.workdir, "round-trip-server", proxy.url, MEASURED_COST, run.server_flags
    ).start()
    figures = []

    def call(times, method, path, auth, body, headers):
        # A connection per batch: the server closes one left idle for its keep-alive time.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            for _ in range(times):
                status, _, data = request(server.port, method, path, auth, body, headers, conn)
                assert status == 200, (path, status, data[:300])
        finally:
            conn.close()

    try:
        for label, *what in round_trip_calls(user_auth):
            call(3, *what)
            time.sleep(QUIET_FOR_STATS_S)
            transactions_before = pg.transactions(url)
            proxy.reset()
            call(calls, *what)
            round_trips = proxy.count()
            time.sleep(QUIET_FOR_STATS_S)
            # The psql session that reads the figure is a transaction of its own.
            transactions = pg.transactions(url) - transactions_before - 1
            figures.append(
                {
                    "call": label,
                    "calls": calls,
                    "round_trips_per_call": round_trips / calls,
                    "transactions_per_call": transactions / calls,
                }
            )
            log(
                f"{label}: {round_trips / calls:.2f} round trips and "
                f"{transactions / calls:.2f} transactions per call ({calls} calls)"
            )
    finally:
        server.stop()
        proxy.close()
    return figures


class Processes:
    """Several servers seen as one for wait_until_idle and CPU time."""

    def __init__(self, name, members):
        self.name, self.members = name, members
        self.log_path = ", ".join(getattr(m, "log_path", "?") for m in members)

    def pids(self):
        return [pid for m in self.members for pid in m.pids()]

    def alive(self):
        return all(m.alive() for m in self.members if hasattr(m, "alive"))


def measure_instances(run, url, user_auth, args):
    """1 to --instances dualgate instances on the one PostgreSQL database behind HAProxy:
    req/s and the CPU time per call in dualgate, PostgreSQL and HAProxy."""
    postmaster = pg.postmaster_pid(url)
    if postmaster is None:
        log("PostgreSQL's processes are not readable here: no CPU figure for the database")
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    flags = [*run.server_flags, "--trusted-proxy", "127.0.0.1/32"]
    rows = []
    for n in range(1, args.instances + 1):
        instances = [
            Server(run.binary, run.workdir, f"instance-{n}-{i}", url, MEASURED_COST, flags).start()
            for i in range(1, n + 1)
        ]
        proxy = pg.HAProxy(run.workdir, [s.port for s in instances])
        SERVERS.append(proxy)
        try:
            proxy.start()
            log(f"{n} instance(s) behind HAProxy on {proxy.url('')}")
            dualgate = Processes(f"{n} instance(s)", instances)
            groups = {"dualgate": dualgate, "haproxy": proxy}
            if postmaster:
                groups["postgresql"] = pg.PostgresProcesses(postmaster)
            for scenario in scenario_list(run.workdir, None, user_auth)[1:3]:
                scenario.name += f" [{n} x PostgreSQL, HAProxy]"
                scenario.preflight(proxy)
                for connections in args.instance_levels:
                    wait_until_idle(dualgate)
                    run_wrk(proxy.url(scenario.path), connections, args.warmup, scenario.wrk_env())
                    wait_until_idle(dualgate)
                    before = {k: server_ticks(g) for k, g in groups.items()}
                    result = run_wrk(
                        proxy.url(scenario.path), connections, args.duration, scenario.wrk_env()
                    )
                    after = {k: server_ticks(g) for k, g in groups.items()}
                    requests = max(result["requests"], 1)
                    row = {
                        "instances": n,
                        "scenario": scenario.name,
                        "connections": connections,
                        "requests": result["requests"],
                        "rps": result["requests"] / (result["duration_us"] / 1e6),
                        "p99_us": result["p99_us"],
                        "errors": errors_of(result),
                        "cpu_ms_per_call": {
                            k: (after[k] - before[k]) * tick_ms / requests for k in groups
                        },
                    }
                    rows.append(row)
                    cpu = ", ".join(
                        f"{k} {v:.3f} ms" for k, v in row["cpu_ms_per_call"].items()
                    )
                    log(
                        f"{scenario.name} c={connections}: {fmt_rps(row['rps'])} req/s, p99 "
                        f"{fmt_ms(row['p99_us'])} ms, errors {row['errors']}; CPU per call: {cpu}"
                    )
        finally:
            proxy.stop()
            SERVERS.remove(proxy)
            for instance in instances:
                instance.stop()
    return rows


# --- report: peers and PostgreSQL -----------------------------------------------------------


def peer_sections(results, peer_rows, levels):
    """The comparison with the peers and its goals (issue 14), as (title, header, rows)."""
    top = max(levels)
    by = {(r["number"], r["connections"]): r for r in results}
    by.update({(r["peer"], r["connections"]): r for r in peer_rows})
    servers = [
        (1, "dualgate (1) GET /health"),
        (2, "dualgate (2) REST account-info"),
        (3, "dualgate (3) SOAP GetCurrentAccountInfo"),
        ("jaxws-peer", f"peer: {peers.PEER_LABELS['jaxws-peer']}"),
        ("spyne-peer", f"peer: {peers.PEER_LABELS['spyne-peer']}"),
    ]
    header = [
        "server",
        *[f"req/s c={c}" for c in levels],
        f"p99 ms c={top}",
        "errors",
        "peak MiB",
        f"CPU ms/call c={top}",
    ]
    rows = []
    for key, label in servers:
        runs = [by[(key, c)] for c in levels if (key, c) in by]
        if not runs:
            continue
        rows.append(
            [
                label,
                *[fmt_rps(by[(key, c)]["rps"]) if (key, c) in by else "-" for c in levels],
                fmt_ms(by[(key, top)]["p99_us"]) if (key, top) in by else "-",
                str(sum(r["errors"] for r in runs)),
                mib(max(r["hwm_kib"] for r in runs)),
                f"{by[(key, top)]['cpu_ms_per_call']:.3f}" if (key, top) in by else "-",
            ]
        )

    def rps(key, c):
        return by[(key, c)]["rps"] if (key, c) in by else None

    def ratio_goal(name, wanted, num, den, ok):
        values = [(c, rps(num, c), rps(den, c)) for c in levels]
        measured = [(c, a / b) for c, a, b in values if a is not None and b]
        if not measured:
            return [name, wanted, "not run", "n/a"]
        cells = ", ".join(f"c={c}: {v:.2f}" for c, v in measured)
        return [name, wanted, cells, "PASS" if all(ok(v) for _, v in measured) else "MISS"]

    goals = [
        ratio_goal("(3) SOAP / JAX-WS req/s", ">= 1.30", 3, "jaxws-peer", lambda v: v >= 1.3),
        ratio_goal("(3) SOAP / spyne req/s", ">= 10", 3, "spyne-peer", lambda v: v >= 10),
        ratio_goal("(2) REST / (1) health req/s", ">= 0.90", 2, 1, lambda v: v >= 0.9),
        ratio_goal("(3) SOAP / (1) health req/s", ">= 0.90", 3, 1, lambda v: v >= 0.9),
    ]
    for n in (2, 3):
        r = by.get((n, top))
        goals.append(
            [
                f"p99 of ({n}) at c={top}",
                "< 5 ms",
                f"{fmt_ms(r['p99_us'])} ms" if r else "not run",
                ("PASS" if r["p99_us"] < 5000 else "MISS") if r else "n/a",
            ]
        )
    ours = [r for r in results if r["number"] in (1, 2, 3)]
    errors = sum(r["errors"] for r in ours)
    goals.append(["dualgate errors, (1) to (3)", "0", str(errors), "PASS" if errors == 0 else "MISS"])
    peak = max((r["hwm_kib"] for r in ours), default=None)
    for key in ("jaxws-peer", "spyne-peer"):
        theirs = max((r["hwm_kib"] for r in peer_rows if r["peer"] == key), default=None)
        if peak and theirs:
            goals.append(
                [
                    f"dualgate peak RSS / {key}'s",
                    "< 0.20",
                    f"{mib(peak)} / {mib(theirs)} MiB = {peak / theirs:.3f}",
                    "PASS" if peak / theirs < 0.2 else "MISS",
                ]
            )
    return [
        ("dualgate and its peers, SOAP GetCurrentAccountInfo as an API user", header, rows, 1),
        ("goals against the peers (issue 14)", ["goal", "wanted", "measured", "verdict"], goals, 4),
    ]


def postgres_sections(results, postgres, levels):
    """PostgreSQL's table, its ratio to SQLite, round trips, and the instances behind HAProxy."""
    sections = [
        ("the same scenarios on PostgreSQL", COLUMNS, table_rows(postgres["results"]), 1)
    ]
    sqlite = {(r["number"], r["connections"]): r["rps"] for r in results}
    ratios = []
    for r in postgres["results"]:
        base = sqlite.get((r["number"], r["connections"]))
        if not base:
            continue
        goal = r["number"] in (2, 3) and r["connections"] == 16
        verdict = ("PASS" if r["rps"] / base >= 0.5 else "MISS") if goal else "-"
        ratios.append(
            [
                r["scenario"],
                str(r["connections"]),
                f"{r['rps'] / base:.2f}",
                ">= 0.50" if goal else "(information)",
                verdict,
            ]
        )
    sections.append(
        (
            "PostgreSQL / SQLite req/s",
            ["scenario", "conns", "ratio", "wanted", "verdict"],
            ratios,
            1,
        )
    )
    trips = [
        [
            t["call"],
            f"{t['round_trips_per_call']:.2f}",
            f"{t['transactions_per_call']:.2f}",
            str(t["calls"]),
        ]
        for t in postgres["round_trips"]
    ]
    sections.append(
        (
            "database round trips per call (credential cached; goal: 1 for an authenticated call)",
            ["call", "round trips", "transactions", "calls counted"],
            trips,
            1,
        )
    )
    instances = postgres["instances"]
    if instances:
        groups = list(instances[0]["cpu_ms_per_call"])
        rows = [
            [
                r["scenario"],
                str(r["connections"]),
                fmt_rps(r["rps"]),
                fmt_ms(r["p99_us"]),
                str(r["errors"]),
                *[f"{r['cpu_ms_per_call'][g]:.3f}" for g in groups],
            ]
            for r in instances
        ]
        sections.append(
            (
                "instances on one PostgreSQL behind HAProxy (CPU ms per call from /proc/<pid>/stat)",
                ["run", "conns", "req/s", "p99 ms", "errors", *[f"CPU ms {g}" for g in groups]],
                rows,
                1,
            )
        )
        sections.append(
            ("what cores give, from CPU per call", ["call", "estimate"], projection(instances), 1)
        )
    return sections


def projection(instances):
    """Calls a second per core of dualgate and of PostgreSQL, from the one-instance run at the
    most connections: the CPU per call barely depends on the instance count."""
    lines = []
    top = max(r["connections"] for r in instances)
    for r in instances:
        if r["instances"] != 1 or r["connections"] != top:
            continue
        cpu = r["cpu_ms_per_call"]
        text = f"dualgate {1000 / cpu['dualgate']:.0f} calls/s per core"
        if "postgresql" in cpu:
            text += f", PostgreSQL {1000 / cpu['postgresql']:.0f} calls/s per core"
        text += f", HAProxy {1000 / cpu['haproxy']:.0f} calls/s per core"
        lines.append([r["scenario"].split(" [")[0], text])
    return lines


def print_sections(sections):
    for title, header, rows, _ in sections:
        print()
        print(title)
        print(text_table(header, rows))


def markdown_sections(sections):
    md = []
    for title, header, rows, right_from in sections:
        md += ["", f"**{title}**", "", markdown_table(header, rows, right_from=right_from)]
    return md


def main():
    parser = argparse.ArgumentParser(description="dualgate benchmark (see BENCHMARKS.md)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    parser.add_argument(
        "--max-duration",
        type=int,
        default=30,
        help="longest measured run (bcrypt-bound runs are stretched, see below)",
    )
    parser.add_argument("--levels", default="1,16,64", help="concurrency levels")
    parser.add_argument(
        "--scenarios",
        help="which scenarios (default 1,2,3,4,5,6,7; 1,2,3 with --peers, --postgres or "
        "--database-url)",
    )
    parser.add_argument("--bcrypt-seconds", type=int, default=3)
    parser.add_argument(
        "--big-users",
        type=int,
        help=f"API users for the memory figure (0 skips it; default {BIG_USERS}, 0 with "
        "--peers, --postgres or --database-url)",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also run the JAX-WS and spyne peers (bench/peers) and compare",
    )
    parser.add_argument(
        "--peer-warmup",
        type=int,
        default=10,
        help="seconds of warm-up before each peer's first level (the JVM compiles meanwhile)",
    )
    parser.add_argument(
        "--database-url",
        help="also run the scenarios on this empty PostgreSQL database (seeded by the run), "
        "count its round trips per call and run --instances instances behind HAProxy on it",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="like --database-url, on a throwaway PostgreSQL 15 cluster the run creates",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=3,
        help="on PostgreSQL, 1 to this many instances behind HAProxy (0 skips)",
    )
    parser.add_argument(
        "--instance-levels", default="16,64", help="connections for the HAProxy runs"
    )
    parser.add_argument(
        "--round-trip-calls", type=int, default=500, help="calls per kind counted for round trips"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--keep-alive-secs",
        type=int,
        help="pass --keep-alive-secs to the measured server (default: the server's own default, "
        "5 s; 0 opens a connection per request)",
    )
    parser.add_argument(
        "--metrics",
        action="store_true",
        help="run the measured server with metrics on (--metrics-bind 127.0.0.1:0)",
    )
    args = parser.parse_args()
    comparing = args.peers or args.postgres or args.database_url
    if args.scenarios is None:
        args.scenarios = "1,2,3" if comparing else "1,2,3,4,5,6,7"
    if args.big_users is None:
        args.big_users = 0 if comparing else BIG_USERS
    levels = [int(x) for x in args.levels.split(",")]
    wanted = {int(x) for x in args.scenarios.split(",")}
    args.instance_levels = [int(x) for x in args.instance_levels.split(",")]
    if args.peers and not {1, 2, 3} <= wanted:
        parser.error("--peers compares with scenarios 1, 2 and 3: keep them in --scenarios")

    binary = os.path.join(REPO_DIR, "target", "release", "dualgate")
    out_dir = os.path.join(REPO_DIR, "target", "bench")
    os.makedirs(out_dir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="dualgate-bench.")
    run_started = time.monotonic()
    facts = machine_facts()
    load_before = loadavg()

    server_flags = [
        "--rate-limit-tiered-per-minute",
        str(RAISED_LIMIT),
        "--rate-limit-flat-per-hour",
        str(RAISED_LIMIT),
        "--failed-logins-per-address",
        str(RAISED_LIMIT),
    ]
    if args.keep_alive_secs is not None:
        server_flags += ["--keep-alive-secs", str(args.keep_alive_secs)]
    if args.metrics:
        server_flags += ["--metrics-bind", "127.0.0.1:0"]
    log(
        f"machine: {facts['nproc']} cores, {facts['cpu']}, {facts['ram_gib']} GiB, "
        f"kernel {facts['kernel']}; load average {' '.join(load_before)}"
    )
    log(f"dualgate {facts['commit']}, release build; {facts['wrk']}; files in {workdir}")
    log(
        f"wrk: 1 thread, {args.warmup} s warm-up then {args.duration} s measured per scenario "
        f"and level (stretched up to {args.max_duration} s when the warm-up shows fewer than "
        f"2 responses per connection in {args.duration} s), --timeout {WRK_TIMEOUT_S}s, "
        f"levels {levels}"
    )
    log(
        f"measured server: --bcrypt-cost {MEASURED_COST} "
        + " ".join(server_flags)
        + " (limits raised so the run measures the server, not the limiters; lockout "
        "threshold left at its default)"
    )

    cores = os.cpu_count() or 1
    rates = {}  # scenario -> bcrypt rates on one thread and on every core, measured before it
    results, big, peer_rows, postgres = [], None, [], None
    cluster = None
    try:
        # Checked first, so that a wrong URL does not cost the SQLite part of the run.
        if args.database_url and not pg.is_empty(args.database_url):
            raise RuntimeError(
                f"{args.database_url} is not empty: the bench needs an empty database to seed"
            )
        db = os.path.join(workdir, "bench.db")
        run = BackendRun(binary, workdir, server_flags, levels, args, cores, rates)
        results, api_user = run.measure_backend(db, wanted)
        if args.peers:
            peer_rows = measure_peers(workdir, db, api_user, levels, args)
        if args.big_users > 0:
            log(f"memory with {args.big_users} API users: seeding with sqlite3 and paging once")
            big = big_list_memory(binary, workdir, server_flags, args.big_users)
            log(
                f"{big['users']} API users ({big['db_mib']:.0f} MiB database, inserted in "
                f"{big['insert_s']:.1f} s): RSS {mib(big['rss_idle_kib'])} MiB idle; after "
                f"listing all {big['listed']} in {big['pages']} pages of 1000 over "
                f"{big['connections']} connections ({big['paging_s']:.1f} s): peak "
                f"{mib(big['hwm_kib'])} MiB, RSS {mib(big['rss_kib'])} MiB"
            )
        if args.postgres or args.database_url:
            if args.postgres:
                cluster = pg.OwnCluster().start()
                url = cluster.url()
                log(f"throwaway PostgreSQL 15 cluster in {cluster.root}, database {url}")
            else:
                url = args.database_url
            postgres = measure_postgres(run, url, wanted, args)
    finally:
        stop_all_servers()
        if cluster:
            cluster.stop()
    load_after = loadavg()
    elapsed = time.monotonic() - run_started
    checks = verdicts(results, levels, rates, cores)
    sections = []
    if peer_rows:
        sections += peer_sections(results, peer_rows, levels)
    if postgres:
        sections += postgres_sections(results, postgres, levels)

    print()
    print(f"dualgate benchmark, {facts['date']}, commit {facts['commit']}")
    print(
        f"machine: {facts['nproc']} cores ({facts['cpu']}), {facts['ram_gib']} GiB RAM, "
        f"kernel {facts['kernel']}, {facts['os']}; load average {' '.join(load_before)} "
        f"before, {' '.join(load_after)} after"
    )
    print(bound_text(rates, cores))
    print()
    print(text_table(COLUMNS, table_rows(results)))
    print()
    check_header = ["target", "wanted", "measured", "verdict"]
    print(text_table(check_header, [list(c) for c in checks]))
    if big:
        print()
        print(
            f"{big['users']} API users stored: RSS {mib(big['rss_idle_kib'])} MiB idle, "
            f"peak {mib(big['hwm_kib'])} MiB / RSS {mib(big['rss_kib'])} MiB after listing "
            f"all of them once ({big['pages']} pages of 1000)"
        )
    print_sections(sections)
    print()
    print(f"total time {elapsed:.0f} s; Markdown in target/bench/latest.md")

    md = [
        f"Run of {facts['date']}, commit `{facts['commit']}`, took {elapsed:.0f} s.",
        "",
        (
            f"- machine: {facts['nproc']} cores ({facts['cpu']}), {facts['ram_gib']} GiB RAM, "
            f"kernel {facts['kernel']}, {facts['os']}; load average {' '.join(load_before)} "
            f"before the run, {' '.join(load_after)} after"
        ),
        (
            f"- load tool: {facts['wrk']}, 1 thread, {args.warmup} s warm-up + {args.duration} s "
            f"per run (bcrypt-bound runs stretched up to {args.max_duration} s), `--timeout "
            f"{WRK_TIMEOUT_S}s`; {facts['rustc']}"
        ),
        f"- server: `--bcrypt-cost {MEASURED_COST} " + " ".join(server_flags) + "`",
        f"- {bound_text(rates, cores)}",
        "",
        markdown_table(COLUMNS, table_rows(results)),
        "",
        markdown_table(check_header, [list(c) for c in checks], right_from=4),
    ]
    if big:
        md += [
            "",
            (
                f"{big['users']} API users stored ({big['db_mib']:.0f} MiB database): RSS "
                f"{mib(big['rss_idle_kib'])} MiB idle; peak {mib(big['hwm_kib'])} MiB and RSS "
                f"{mib(big['rss_kib'])} MiB after listing all of them once ({big['pages']} "
                f"pages of 1000 as the owner over {big['connections']} connections, "
                f"{big['paging_s']:.1f} s)."
            ),
        ]
    md += markdown_sections(sections)
    with open(os.path.join(out_dir, "latest.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out_dir, "latest.json"), "w", encoding="utf-8") as f:
        json.dump(
            {
                "facts": facts,
                "bcrypt_rates": rates,
                "cores": cores,
                "results": results,
                "big": big,
                "checks": checks,
                "peers": peer_rows,
                "postgres": postgres,
                "sections": sections,
                "elapsed_s": elapsed,
                "load_before": load_before,
                "load_after": load_after,
            },
            f,
            indent=1,
        )

    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    verdict_rows = [list(c) for c in checks] + [
        row for _, _, rows, _ in sections for row in rows if row[-1] in ("PASS", "MISS")
    ]
    if args.strict and any(row[-1] == "MISS" for row in verdict_rows):
        return 1
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        stop_all_servers()
