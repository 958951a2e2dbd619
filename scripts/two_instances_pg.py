#!/usr/bin/env python3
"""Resilience test (b): two instances on one PostgreSQL database, one killed mid-burst.

Each run: a fresh database on the local PostgreSQL server, `phongtrao migrate`, two
`phongtrao serve` processes on it (DATABASE_URL) on two loopback ports. First the
instances must share who is logged in: a cookie session opened on one is valid on
the other, an API token made on one works on the other, and logging out on one ends
the session on both. Then client threads, half on each instance, submit every
(reporting unit, weekly period) report through the API with an Idempotency-Key;
once a random share of the burst is acknowledged, one instance (chosen at random)
gets SIGKILL. The clients that were on it retry what it had not answered on the
surviving instance with the SAME keys, and a sample of already acknowledged
submissions is replayed there too (a client that lost the answer). Checks: every
acknowledged report is in the database with exactly one 'submit' version, one row
per (campaign, unit, kind, period), no 5xx, no refusal, and every replay answers
the first answer (same report and version).

Usage: python3 scripts/two_instances_pg.py [--runs 10] [--seed N] [--bin PATH]
           [--database-url postgres://postgres:postgres@127.0.0.1:5432/postgres]
Needs psql. Starts the local cluster (pg_ctlcluster 15 main start) when it does
not answer. Stops by itself; uses 127.0.0.1 only; drops its databases unless
--keep. Exit status 1 if any check fails.
"""
import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from serverkit import default_binary, free_port, serve

PASSWORD_USER = "burst"
ADMIN_URL = "postgres://postgres:postgres@127.0.0.1:5432/postgres"


def loopback_only(url):
    host = urllib.parse.urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing {host}: this script only talks to a PostgreSQL server on loopback")


def psql(url, sql):
    """Rows of `sql` as lists of strings ('|' separated, unaligned)."""
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-XAtF|", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def database_url(admin_url, name):
    u = urllib.parse.urlparse(admin_url)
    return urllib.parse.urlunparse(u._replace(path="/" + name))


def ensure_postgres(admin_url):
    try:
        psql(admin_url, "SELECT 1")
        return
    except subprocess.CalledProcessError:
        pass
    print("PostgreSQL does not answer; starting the local cluster (pg_ctlcluster 15 main start)", flush=True)
    subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            psql(admin_url, "SELECT 1")
            return
        except subprocess.CalledProcessError:
            time.sleep(2)
    sys.exit("PostgreSQL did not start")


def env_for(url):
    env = dict(os.environ, RUST_LOG="warn", PHONGTRAO_NO_REMINDERS="true", DATABASE_URL=url)
    env.pop("PHONGTRAO_DATA_DIR", None)
    return env


def start_server(binary, url, port, cwd):
    return serve(binary, [], port, env_for(url), cwd=cwd)


def call(port, method, path, body=None, headers=None, timeout=15):
    """(status, headers, parsed JSON or None); raises OSError when the instance is gone."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    data = json.dumps(body) if body is not None else None
    h = dict(headers or {})
    if data is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read()
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return r.status, r.getheaders(), parsed


def session_cookie(headers):
    for name, value in headers:
        if name.lower() == "set-cookie":
            return value.split(";", 1)[0]
    return None


def shared_login_checks(ports, password):
    """A session and a token made on one instance work on the other; logging out ends both."""
    a, b = ports
    problems = []
    status, headers, body = call(a, "POST", "/api/v1/session", {"username": PASSWORD_USER, "password": password})
    if status != 200:
        return [f"login on A: {status} {body}"], None
    cookie, csrf = session_cookie(headers), body["csrf_token"]
    # A one-time password opens nothing but its own change (issue #15): change it,
    # then log in again with the new one.
    new_password = "mat-khau-moi-" + os.urandom(6).hex()
    status, _, changed = call(a, "POST", "/api/v1/account/password", {"current": password, "new": new_password},
                              headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    if status != 200:
        return [f"password change on A: {status} {changed}"], None
    status, headers, body = call(a, "POST", "/api/v1/session", {"username": PASSWORD_USER, "password": new_password})
    if status != 200:
        return [f"login again on A: {status} {body}"], None
    cookie, csrf = session_cookie(headers), body["csrf_token"]
    status, _, me = call(b, "GET", "/api/v1/me", headers={"Cookie": cookie})
    if status != 200 or me["user"]["username"] != PASSWORD_USER:
        problems.append(f"A's session on B: {status} {me}")
    # A token made on B through the session opened on A, used on A.
    status, _, made = call(b, "POST", "/api/v1/tokens", {"name": "two-instances"},
                           headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    if status != 201:
        return problems + [f"token made on B: {status} {made}"], None
    token = made["token"]
    for port, name in ((a, "A"), (b, "B")):
        status, _, me = call(port, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        if status != 200 or me["user"]["username"] != PASSWORD_USER:
            problems.append(f"B's token on {name}: {status} {me}")
    # Logging out on B ends the session everywhere.
    status, _, _ = call(b, "DELETE", "/api/v1/session", headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    if status != 204:
        problems.append(f"logout on B: {status}")
    status, _, _ = call(a, "GET", "/api/v1/me", headers={"Cookie": cookie})
    if status != 401:
        problems.append(f"A still accepts the session ended on B: {status}")
    return problems, token


def jobs_of(port):
    """Every (unit code, period end) weekly report of the running campaign."""
    _, _, campaign = call(port, "GET", "/api/v1/campaign")
    number = {"province": 1, "district": 2, "grassroots": 3, "branch": 4}
    levels = [number[n] for n in campaign["plan"]["reporting"]["levels"]]
    _, _, units = call(port, "GET", "/api/v1/units")
    _, _, periods = call(port, "GET", "/api/v1/periods")
    codes = [u["code"] for u in units["units"] if u["active"] and u["level"] in levels]
    return [(u, p["end"]) for p in periods["periods"] for u in codes]


def submit(port, token, job, key):
    """('ack', status, answer) for 2xx, ('rejected', status, body) for 4xx,
    ('5xx', status, body), or ('gone', None, None) when the connection fails."""
    unit, end = job
    body = {"version": 0, "input": {"values": {"5": "3", "17": "2"}}}
    try:
        status, _, answer = call(port, "POST", f"/api/v1/reports/{unit}/{end}/submit", body,
                                 headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    except (OSError, http.client.HTTPException):
        return "gone", None, None
    if 200 <= status < 300:
        return "ack", status, answer
    if status >= 500:
        return "5xx", status, answer
    return "rejected", status, answer


def one_run(binary, admin_url, rng, run_no, threads, keep):
    name = f"pt_two_instances_{os.getpid()}_{run_no}"
    psql(admin_url, f"CREATE DATABASE {name}")
    url = database_url(admin_url, name)
    workdir = tempfile.mkdtemp(prefix="pt-two-")
    procs = []
    try:
        subprocess.run([binary, "migrate"], check=True, stdout=subprocess.DEVNULL, env=env_for(url), cwd=workdir)
        out = subprocess.run([binary, "user", "add", PASSWORD_USER, "--role", "admin"], check=True,
                             capture_output=True, text=True, env=env_for(url), cwd=workdir).stdout
        password = out.strip().splitlines()[-1].rsplit(":", 1)[1].strip()
        ports = [free_port(), free_port()]
        procs = [start_server(binary, url, p, workdir) for p in ports]

        session_problems, token = shared_login_checks(ports, password)
        if token is None:
            raise RuntimeError("; ".join(session_problems))
        jobs = jobs_of(ports[0])
        keys = {job: f"two-{job[0]}-{job[1]}-{rng.random()}" for job in jobs}

        victim = rng.randrange(2)
        survivor = 1 - victim
        kill_after = rng.randint(max(1, len(jobs) // 10), len(jobs) * 7 // 10)
        lock = threading.Lock()
        queue = list(jobs)
        rng.shuffle(queue)
        acked, by_instance, rejected, five_xx = {}, {}, [], [0]
        moved, retried, retry_replayed = [0], [0], [0]
        killed = threading.Event()
        state = {"acked_at_kill": None, "in_flight_at_kill": 0}
        in_flight = [0]

        def worker(home):
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                port_index = home
                failed_before = False
                for _ in range(100):
                    if port_index == victim and killed.is_set():
                        # The client's instance is gone: carry on on the survivor, same key.
                        port_index = survivor
                        moved[0] += 1
                    with lock:
                        in_flight[0] += 1
                    outcome, status, answer = submit(ports[port_index], token, job, keys[job])
                    with lock:
                        in_flight[0] -= 1
                    if outcome == "ack":
                        with lock:
                            acked[job] = (status, answer["report_id"], answer["version"])
                            by_instance[job] = port_index
                            if failed_before:
                                retried[0] += 1
                                # Stored by the killed instance, its answer lost: the key answers it again.
                                retry_replayed[0] += bool(answer.get("replayed"))
                        break
                    if outcome == "rejected":
                        with lock:
                            rejected.append((job, status, answer))
                        break
                    if outcome == "5xx":
                        with lock:
                            five_xx[0] += 1
                    failed_before = True
                    time.sleep(0.05)
                home = port_index

        def killer():
            while True:
                with lock:
                    done = len(acked) >= kill_after or not queue
                    if done:
                        state["acked_at_kill"] = len(acked)
                        state["in_flight_at_kill"] = in_flight[0]
                        state["left_at_kill"] = len(queue)
                if done:
                    break
                time.sleep(0.001)
            killed.set()
            os.kill(procs[victim].pid, signal.SIGKILL)
            procs[victim].wait()

        ts = [threading.Thread(target=worker, args=(i % 2,)) for i in range(threads)]
        k = threading.Thread(target=killer)
        k.start()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        k.join()

        # Replays of acknowledged submissions on the survivor (the victim's first).
        from_victim = sorted(j for j in acked if by_instance[j] == victim)
        others = sorted(j for j in acked if by_instance[j] != victim)
        sample = rng.sample(from_victim, min(6, len(from_victim)))
        sample += rng.sample(others, min(10 - len(sample), len(others)))
        replay_status, replay_mismatch = [], []
        for job in sample:
            outcome, status, answer = submit(ports[survivor], token, job, keys[job])
            if outcome == "ack":
                replay_status.append(status)
                if (answer["report_id"], answer["version"]) != acked[job][1:] or not answer.get("replayed"):
                    replay_mismatch.append((job, answer))
            elif outcome == "5xx":
                five_xx[0] += 1
            else:
                rejected.append((job, status, answer))

        procs[survivor].send_signal(signal.SIGTERM)
        procs[survivor].wait(timeout=30)

        present, submits = set(), {}
        for code, end, n in psql(url, """
            SELECT u.code, p.ends_on, (SELECT COUNT(*) FROM report_versions v
                                       WHERE v.report_id = r.id AND v.action = 'submit')
            FROM reports r JOIN units u ON u.id = r.unit_id
            JOIN periods p ON p.campaign_id = r.campaign_id AND p.seq = r.period_seq
            WHERE r.kind = 'weekly' AND r.first_submitted_at IS NOT NULL"""):
            present.add((code, end))
            submits[(code, end)] = int(n)
        dup_rows = int(psql(url, """SELECT COUNT(*) FROM (SELECT 1 FROM reports
            GROUP BY campaign_id, unit_id, kind, period_seq HAVING COUNT(*) > 1) d""")[0][0])
        lost = [j for j in acked if j not in present]
        duplicated = [j for j, n in submits.items() if n != 1] + ([("rows", dup_rows)] if dup_rows else [])
        return {
            "jobs": len(jobs), "killed": "AB"[victim], "acked_before_kill": state["acked_at_kill"],
            "in_flight_at_kill": state["in_flight_at_kill"], "left_at_kill": state.get("left_at_kill"),
            "acknowledged": len(acked), "acked_by_victim": len(from_victim), "clients_moved": moved[0],
            "retried_after_failure": retried[0], "retry_was_replay": retry_replayed[0],
            "lost": len(lost), "duplicated": len(duplicated), "rejected": len(rejected), "5xx": five_xx[0],
            "replayed": len(replay_status), "replay_statuses": sorted(set(replay_status)),
            "replay_mismatch": len(replay_mismatch), "session_problems": session_problems,
            "unacknowledged": len(jobs) - len(acked),
        }
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run(["rm", "-rf", workdir])
        if not keep:
            psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--database-url", default=os.environ.get("PHONGTRAO_TEST_DATABASE_URL") or ADMIN_URL,
                    help="a PostgreSQL server's maintenance database; each run creates its own database there")
    ap.add_argument("--bin", default=default_binary())
    ap.add_argument("--keep", action="store_true", help="keep each run's database")
    a = ap.parse_args()
    loopback_only(a.database_url)
    ensure_postgres(a.database_url)
    rng = random.Random(a.seed)
    keys = ("acknowledged", "retried_after_failure", "retry_was_replay", "lost", "duplicated", "5xx", "rejected",
            "replayed", "replay_mismatch", "unacknowledged")
    totals = {"runs": 0, "killed_mid_burst": 0, "session_problems": 0, **{k: 0 for k in keys}}
    for i in range(a.runs):
        r = one_run(a.bin, a.database_url, rng, i + 1, a.threads, a.keep)
        print(f"run {i + 1:2}: {json.dumps(r)}", flush=True)
        totals["runs"] += 1
        totals["killed_mid_burst"] += (r["left_at_kill"] or 0) + r["in_flight_at_kill"] > 0
        totals["session_problems"] += len(r["session_problems"])
        for k in keys:
            totals[k] += r[k]
    print("TOTAL " + json.dumps(totals))
    bad = any(totals[k] for k in ("lost", "duplicated", "5xx", "rejected", "replay_mismatch", "unacknowledged",
                                  "session_problems"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
