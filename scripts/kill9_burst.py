#!/usr/bin/env python3
"""Resilience test (a): kill -9 the server at random moments during a submission burst.

Each run: a fresh SQLite data directory, the server on 127.0.0.1, client threads that
submit every (reporting unit, weekly period) report through the API with an
Idempotency-Key; the server is killed with SIGKILL at a random moment of the burst
and started again; clients retry what was not acknowledged with the SAME key. Then:
every acknowledged report is in the database, PRAGMA integrity_check is ok, and no
report was submitted twice (one 'submit' version per report).

Usage: python3 scripts/kill9_burst.py [--runs 20] [--bin PATH] [--seed N]
Stops by itself; uses 127.0.0.1 only. Exit status 1 if anything was lost or duplicated.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from serverkit import default_binary, free_port, serve

PASSWORD_USER = "burst"


def start_server(binary, data_dir, port):
    env = dict(os.environ, RUST_LOG="warn", PHONGTRAO_NO_REMINDERS="true")
    env.pop("DATABASE_URL", None)
    return serve(binary, ["--data-dir", data_dir], port, env, timeout=30)


def setup(binary, data_dir):
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("DATABASE_URL", None)
    subprocess.run([binary, "migrate", "--data-dir", data_dir], check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run([binary, "user", "add", PASSWORD_USER, "--role", "admin", "--data-dir", data_dir],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    db = sqlite3.connect(os.path.join(data_dir, "phongtrao.db"))
    (user_id,) = db.execute("SELECT id FROM users WHERE username = ?", (PASSWORD_USER,)).fetchone()
    token = "pt_burst_" + os.urandom(16).hex()
    db.execute(
        "INSERT INTO api_tokens (user_id, name, token_sha256, created_at, expires_at) VALUES (?, 'burst', ?, ?, ?)",
        (user_id, hashlib.sha256(token.encode()).hexdigest(), "2026-01-01T00:00:00+00:00", "2099-01-01T00:00:00+00:00"),
    )
    # The account's one-time password would hold every route but the password change.
    db.execute("UPDATE users SET must_change_password = 0 WHERE id = ?", (user_id,))
    db.commit()
    plan_toml = db.execute("SELECT plan_toml FROM campaigns WHERE is_current").fetchone()[0]
    periods = [r[0] for r in db.execute(
        "SELECT ends_on FROM periods WHERE campaign_id = (SELECT id FROM campaigns WHERE is_current) ORDER BY seq")]
    # Reporting units: the levels named in the plan's [reporting] table.
    levels = [2]
    for line in plan_toml.splitlines():
        if line.strip().startswith("levels") and "[" in line:
            names = [x.strip().strip('"') for x in line.split("[", 1)[1].split("]")[0].split(",") if x.strip()]
            number = {"province": 1, "district": 2, "grassroots": 3, "branch": 4}
            levels = [number[n] for n in names if n in number] or levels
            break
    units = [r[0] for r in db.execute(
        f"SELECT code FROM units WHERE active AND level IN ({','.join(map(str, levels))}) ORDER BY id")]
    db.close()
    return token, [(u, p) for p in periods for u in units]


class Client:
    def __init__(self, port, token):
        self.port = port
        self.token = token

    def submit(self, unit, period, key):
        """'ack' (2xx), 'rejected' (4xx: a bug here), or 'error' (connection lost / 5xx)."""
        body = json.dumps({"version": 0, "input": {"values": {"5": "3", "17": "2"}}})
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port[0], timeout=10)
            c.request("POST", f"/api/v1/reports/{unit}/{period}/submit", body=body, headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                "Idempotency-Key": key})
            r = c.getresponse()
            text = r.read()
            if 200 <= r.status < 300:
                return "ack", r.status
            if r.status >= 500:
                return "error", r.status
            return "rejected", (r.status, text[:200])
        except (OSError, http.client.HTTPException):
            return "error", None


def one_run(binary, rng, threads=4):
    data_dir = tempfile.mkdtemp(prefix="pt-kill9-")
    token, jobs = setup(binary, data_dir)
    port = [free_port()]
    proc = start_server(binary, data_dir, port[0])
    client = Client(port, token)
    acked, rejected, five_xx = {}, [], [0]
    pending = list(jobs)
    lock = threading.Lock()
    keys = {job: f"kill9-{job[0]}-{job[1]}-{rng.random()}" for job in jobs}

    def worker(queue):
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            outcome, detail = client.submit(job[0], job[1], keys[job])
            with lock:
                if outcome == "ack":
                    acked[job] = detail
                elif outcome == "rejected":
                    rejected.append((job, detail))
                else:
                    if detail:
                        five_xx[0] += 1
                    failed.append(job)

    failed = []
    queue = list(pending)
    rng.shuffle(queue)
    ts = [threading.Thread(target=worker, args=(queue,)) for _ in range(threads)]
    for t in ts:
        t.start()
    time.sleep(rng.uniform(0.02, 0.35))
    acked_at_kill = len(acked)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for t in ts:
        t.join()
    # Restart and retry everything not acknowledged, with the same keys; also retry a
    # sample of acknowledged ones (a client that did not see the answer would).
    port[0] = free_port()
    proc = start_server(binary, data_dir, port[0])
    retry = failed + list(queue) + rng.sample(sorted(acked), min(10, len(acked)))
    replay_status = {}
    for job in retry:
        for _ in range(50):
            outcome, detail = client.submit(job[0], job[1], keys[job])
            if outcome == "ack":
                if job in acked:
                    replay_status[job] = detail
                acked[job] = detail
                break
            if outcome == "rejected":
                rejected.append((job, detail))
                break
            time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    db = sqlite3.connect(os.path.join(data_dir, "phongtrao.db"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    present = set()
    submits = {}
    for code, end, n in db.execute(
        """SELECT u.code, p.ends_on, (SELECT COUNT(*) FROM report_versions v WHERE v.report_id = r.id AND v.action = 'submit')
           FROM reports r JOIN units u ON u.id = r.unit_id
           JOIN periods p ON p.campaign_id = r.campaign_id AND p.seq = r.period_seq
           WHERE r.first_submitted_at IS NOT NULL"""):
        present.add((code, end))
        submits[(code, end)] = n
    dup_rows = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM reports GROUP BY campaign_id, unit_id, kind, period_seq HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    db.close()
    lost = [j for j in acked if j not in present]
    duplicated = [j for j, n in submits.items() if n != 1] + ([("rows", dup_rows)] if dup_rows else [])
    subprocess.run(["rm", "-rf", data_dir])
    return {
        "jobs": len(jobs), "acked_before_kill": acked_at_kill, "acknowledged": len(acked),
        "lost": len(lost), "duplicated": len(duplicated), "rejected": len(rejected), "5xx": five_xx[0],
        "integrity": integrity, "replayed_after_restart": len(replay_status),
        "replay_statuses": sorted(set(replay_status.values())),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--bin", default=default_binary())
    a = ap.parse_args()
    rng = random.Random(a.seed)
    totals = {"runs": 0, "acknowledged": 0, "lost": 0, "duplicated": 0, "5xx": 0, "rejected": 0, "integrity_not_ok": 0}
    for i in range(a.runs):
        r = one_run(a.bin, rng)
        print(f"run {i + 1:2}: {json.dumps(r)}", flush=True)
        totals["runs"] += 1
        for k in ("acknowledged", "lost", "duplicated", "5xx", "rejected"):
            totals[k] += r[k]
        totals["integrity_not_ok"] += r["integrity"] != "ok"
    print("TOTAL " + json.dumps(totals))
    bad = totals["lost"] or totals["duplicated"] or totals["integrity_not_ok"] or totals["rejected"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
