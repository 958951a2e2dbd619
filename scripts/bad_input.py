#!/usr/bin/env python3
"""Resilience test (c): a bad-input corpus against API endpoints and forms.

Starts its own server on 127.0.0.1 with a fresh SQLite data directory, sends every
case, and checks: the answer is 4xx with a message (JSON error with message_vi and
message_en for the API; a page for forms), the server stays up, and nothing was
stored (row counts of reports, report_values, units, users, api_tokens unchanged).
Usage: python3 scripts/bad_input.py [--bin PATH]. Exit status 1 on any failure.
"""
import argparse
import hashlib
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from kill9_burst import start_server  # noqa: E402
from serverkit import default_binary, free_port  # noqa: E402

TABLES = ["reports", "report_values", "report_activities", "units", "users", "api_tokens", "unit_base_figures"]


def counts(db_path):
    db = sqlite3.connect(db_path)
    out = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    db.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=default_binary())
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="pt-badinput-")
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("DATABASE_URL", None)
    subprocess.run([a.bin, "migrate", "--data-dir", data], check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run([a.bin, "user", "add", "office", "--role", "admin", "--data-dir", data], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    subprocess.run([a.bin, "user", "add", "bt899", "--role", "unit", "--units", "899", "--data-dir", data],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    db_path = os.path.join(data, "phongtrao.db")
    db = sqlite3.connect(db_path)
    tokens = {}
    for name in ("office", "bt899"):
        (uid,) = db.execute("SELECT id FROM users WHERE username = ?", (name,)).fetchone()
        tok = "pt_bad_" + os.urandom(12).hex()
        db.execute("INSERT INTO api_tokens (user_id, name, token_sha256, created_at) VALUES (?, 't', ?, ?)",
                   (uid, hashlib.sha256(tok.encode()).hexdigest(), "2026-01-01T00:00:00+00:00"))
        tokens[name] = tok
    db.commit()
    db.close()
    port = free_port()
    proc = start_server(a.bin, data, port)
    before = counts(db_path)

    W1 = "2023-03-03"
    sub = f"/api/v1/reports/899/{W1}/submit"
    draft = f"/api/v1/reports/899/{W1}/draft"

    def rep(values=None, **extra):
        body = {"version": 0, "input": {"values": values or {}}}
        body["input"].update(extra)
        return json.dumps(body).encode()

    big = "9" * 40
    cases = [
        ("wrong type: values is a list", "POST", sub, b'{"version":0,"input":{"values":[1,2]}}'),
        ("wrong type: version is a string", "POST", sub, b'{"version":"zero","input":{"values":{}}}'),
        ("negative number", "POST", sub, rep({"5": "-12"})),
        ("huge number", "POST", sub, rep({"5": big})),
        ("number with letters", "POST", sub, rep({"5": "12abc"})),
        ("float in count", "POST", sub, rep({"5": "1.5e300"})),
        ("unknown indicator", "POST", sub, rep({"999": "1"})),
        ("invalid UTF-8", "POST", sub, b'{"version":0,"input":{"values":{"5":"\xff\xfe"}}}'),
        ("not JSON", "POST", sub, b"<html>"),
        ("empty body", "POST", sub, b""),
        ("long highlights", "POST", sub, rep({"5": "1"}, highlights="x" * 300000)),
        ("activity date outside the period", "POST", sub, rep({"5": "1"}, activities=[{"title": "Ra quân", "held_on": "2023-05-01", "area": "1", "place": "An Minh", "result": "ok"}])),
        ("activity bad date", "POST", sub, rep({"5": "1"}, activities=[{"title": "x", "held_on": "31/02/2023", "area": "1", "place": "x", "result": "x"}])),
        ("activity negative funds", "POST", sub, rep({"5": "1"}, activities=[{"title": "x", "held_on": "2023-03-01", "area": "1", "place": "x", "result": "x", "funds_vnd": -5}])),
        ("unknown unit", "POST", f"/api/v1/reports/000000/{W1}/submit", rep({"5": "1"})),
        ("date not a period end", "POST", "/api/v1/reports/899/2023-03-04/submit", rep({"5": "1"})),
        ("date outside the campaign", "POST", "/api/v1/reports/899/2024-03-01/submit", rep({"5": "1"})),
        ("date garbage", "POST", "/api/v1/reports/899/not-a-date/submit", rep({"5": "1"})),
        ("other unit's report", "POST", f"/api/v1/reports/903/{W1}/submit", rep({"5": "1"})),
        ("stale version", "PUT", draft, b'{"version":99,"input":{"values":{"5":"1"}}}'),
        ("base figures negative", "PUT", "/api/v1/units/899/base-figures", b'{"doan_vien": -3}'),
        ("base figures huge", "PUT", "/api/v1/units/899/base-figures", b'{"doan_vien": 1e40}'),
        ("base figures string", "PUT", "/api/v1/units/899/base-figures", b'{"doan_vien": "nhieu"}'),
        ("unit: HTML/script name (as unit reporter: forbidden)", "POST", "/api/v1/units", b'{"code":"X1","name":"<script>alert(1)</script>","kind":"district","parent_code":"KG"}'),
        ("unit: empty name", "POST", "/api/v1/units", b'{"code":"X2","name":"","kind":"district","parent_code":"KG"}'),
        ("user: bad role", "POST", "/api/v1/users", b'{"username":"x","role":"god"}'),
        ("reminders: limit not a number", "GET", "/api/v1/reminders?limit=abc", None),
    ]
    admin_cases = [
        ("admin: unit with unknown parent", "POST", "/api/v1/units", b'{"code":"X3","name":"=HYPERLINK(\\"http://x\\")","kind":"district","parent_code":"NOPE"}'),
        ("admin: unit code with spaces", "POST", "/api/v1/units", b'{"code":"a b","name":"Doan X","kind":"district","parent_code":"KG"}'),
        ("admin: user with unknown unit", "POST", "/api/v1/users", b'{"username":"newbie","role":"unit","units":["000000"]}'),
        ("admin: allocation of unknown indicator", "POST", "/api/v1/allocations/zzz", b'{"values":{"899":5}}'),
        ("admin: allocation negative", "POST", "/api/v1/allocations/5", b'{"values":{"899":-5}}'),
    ]
    failures, results = [], []

    def send(method, path, body, token):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            return None, str(e).encode()

    for who, group in (("bt899", cases), ("office", admin_cases)):
        for name, method, path, body in group:
            status, text = send(method, path, body, tokens[who])
            ok = status is not None and 400 <= status < 500
            message = ""
            try:
                err = json.loads(text)["error"]
                message = err.get("message_en", "")
                ok = ok and bool(err.get("message_vi")) and bool(message)
            except (ValueError, KeyError, TypeError):
                ok = False if status != 413 else ok  # the body limit answers before the app
            results.append((name, status, message[:90]))
            if not ok:
                failures.append((name, status, text[:300]))
    # An oversized body: announce 64 MB, send a little, read the answer.
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall((f"POST {sub} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {tokens['bt899']}\r\n"
               "Content-Type: application/json\r\nContent-Length: 67108864\r\n\r\n").encode() + b"{" * 65536)
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    s.close()
    status = int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else None
    results.append(("oversized body (64 MB announced)", status, ""))
    if status != 413:
        failures.append(("oversized body", status, answer[:200]))
    # A form post without CSRF, and with garbage bytes.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", f"/reports/899/{W1}", body=b"values.5=\xff\xfe&csrf=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    results.append(("form post without session/CSRF, invalid UTF-8", r.status, ""))
    if not 400 <= r.status < 500 and r.status not in (303,):
        failures.append(("form", r.status, ""))

    alive, _ = send("GET", "/healthz", None, tokens["office"])
    after = counts(db_path)
    proc.terminate()
    proc.wait(timeout=30)
    subprocess.run(["rm", "-rf", data])
    for name, status, msg in results:
        print(f"{status}  {name}  {msg}")
    five = sum(1 for _, s, _ in results if s is None or s >= 500)
    print("TOTAL " + json.dumps({"cases": len(results), "not_4xx_with_message": len(failures), "5xx_or_no_answer": five,
                                 "server_up": alive == 200, "stored": {t: after[t] - before[t] for t in TABLES if after[t] != before[t]}}))
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures or alive != 200 or after != before else 0)


if __name__ == "__main__":
    main()
