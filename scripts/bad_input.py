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


def two_cell_xlsx():
    """A 5 KB-class workbook with cells at A1 and XFD1048576 (a reader that builds
    the rectangle between them would need 17 billion cells)."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
                   '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>goal</t></is></c></row></sheetData></worksheet>')
    return out.getvalue()


def huge_paragraph_docx(chars=18 * 1024 * 1024):
    """A small .docx whose text is one 18 MB paragraph."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p><w:r><w:t>' + "a" * chars + '</w:t></w:r></w:p></w:body></w:document>')
    return out.getvalue()


def multipart(name, data):
    boundary = "ptbound" + os.urandom(8).hex()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


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
        db.execute("INSERT INTO api_tokens (user_id, name, token_sha256, created_at, expires_at) VALUES (?, 't', ?, ?, ?)",
                   (uid, hashlib.sha256(tok.encode()).hexdigest(), "2026-01-01T00:00:00+00:00",
                    "2099-01-01T00:00:00+00:00"))
        # A one-time password would hold every route but the password change.
        db.execute("UPDATE users SET must_change_password = 0 WHERE id = ?", (uid,))
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
        # Security probe (issue #15): names with NUL, control and direction characters.
        ("admin: user display name with NUL", "POST", "/api/v1/users", b'{"username":"nul.name","display_name":"A\\u0000B","role":"viewer","units":["899"]}'),
        ("admin: user display name with a bidi override", "POST", "/api/v1/users", b'{"username":"bidi.name","display_name":"Le \\u202egnaiG","role":"viewer","units":["899"]}'),
        ("admin: unit renamed with a line break", "PATCH", "/api/v1/units/899", b'{"name":"Thanh doan\\nRach Gia"}'),
        ("admin: unit renamed with a bidi isolate", "PATCH", "/api/v1/units/899", b'{"name":"Thanh doan \\u2066Rach Gia"}'),
    ]
    # Uploads (multipart): a sheet spanning the whole grid, an 18 MB paragraph.
    xlsx_body, xlsx_type = multipart("two-cells.xlsx", two_cell_xlsx())
    docx_body, docx_type = multipart("ke-hoach.docx", huge_paragraph_docx())
    upload_cases = [
        ("upload: two-cell workbook A1 + XFD1048576 (units import)", "POST", "/api/v1/units/import", (xlsx_body, xlsx_type)),
        ("upload: .docx with one 18 MB paragraph (plan import)", "POST", "/api/v1/plan/import", (docx_body, docx_type)),
    ]
    # A unit reporter uploading for the office: refused before the file is read.
    reporter_uploads = [
        ("upload: reporter posts a units workbook (403 before parsing)", "POST", "/api/v1/units/import", (xlsx_body, xlsx_type)),
    ]
    failures, results = [], []

    def send(method, path, body, token):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}
        if isinstance(body, tuple):
            body, headers["Content-Type"] = body
        elif body is not None:
            headers["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            return None, str(e).encode()

    import time
    for who, group in (("bt899", cases + reporter_uploads), ("office", admin_cases + upload_cases)):
        for name, method, path, body in group:
            started = time.monotonic()
            status, text = send(method, path, body, tokens[who])
            if name.startswith("upload:") and time.monotonic() - started > 3:
                failures.append((name, status, f"took {time.monotonic() - started:.1f} s".encode()))
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

    # Open redirects: after login and on /lang, `next` never leaves the site.
    for nxt in ["/%09/evil.example", "/%0d%0aSet-Cookie:%20x=1", "//evil.example", "/%5Cevil.example",
                "/%5C/evil.example", "%2F%2Fevil.example", "https://evil.example"]:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", f"/lang/en?next={nxt}")
        r = c.getresponse()
        r.read()
        location = r.getheader("Location")
        results.append((f"open redirect /lang next={nxt}", r.status, location or ""))
        if r.status != 303 or location != "/":
            failures.append((f"redirect {nxt}", r.status, (location or "").encode()))
    # /metrics needs its token (none is set here: not served on the main address).
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    r = c.getresponse()
    r.read()
    results.append(("/metrics without a token", r.status, ""))
    if r.status != 404:
        failures.append(("/metrics open", r.status, b""))
    # A junk bearer token does not exempt a cookie request from CSRF.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/logout", headers={"Authorization": "Bearer junk", "Cookie": "phongtrao_session=x"})
    r = c.getresponse()
    r.read()
    results.append(("POST /logout with a cookie and a junk bearer, no CSRF token", r.status, ""))
    if r.status != 403:
        failures.append(("junk bearer exempts CSRF", r.status, b""))

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
