#!/usr/bin/env bash
# The API's conformance run (docs/reliability.md, section d): a fresh demo server on
# 127.0.0.1 with an office (admin) API token, schemathesis with every check and the
# settings of ./schemathesis.toml, then the server is stopped.
#
# Usage: scripts/schemathesis.sh [extra st options, e.g. --max-examples 100 --seed N]
# Needs schemathesis (pip install schemathesis; 4.32.5 used) and python3.
# PHONGTRAO_BIN: the binary (default: the debug build, ${CARGO_TARGET_DIR:-target}/debug/phongtrao); PORT: 8196.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PHONGTRAO_BIN:-${CARGO_TARGET_DIR:-target}/debug/phongtrao}
PORT=${PORT:-8196}
DATA=$(mktemp -d /tmp/pt-st-XXXXXX)
unset DATABASE_URL PHONGTRAO_DATA_DIR
export RUST_LOG=warn PHONGTRAO_NO_REMINDERS=true

"$BIN" migrate --data-dir "$DATA" >/dev/null
"$BIN" user add stbot --role admin --data-dir "$DATA" >/dev/null
# The token's id, and the account's, are far from the small ids schemathesis tries
# on DELETE /api/v1/tokens/{id}, PATCH /api/v1/users/{id} and POST
# /api/v1/users/{id}/password-reset, so the run does not revoke its own credentials
# (a reset or a deactivation revokes the account's tokens) midway.
TOKEN=$(python3 - "$DATA/phongtrao.db" <<'PY'
import hashlib, secrets, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(old,) = db.execute("SELECT id FROM users WHERE username = 'stbot'").fetchone()
uid = 987654321
for table, column in [("users", "id"), ("user_units", "user_id"), ("api_tokens", "user_id")]:
    db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (uid, old))
token = "pt_st_" + secrets.token_hex(16)
db.execute("INSERT INTO api_tokens (id, user_id, name, token_sha256, created_at, expires_at) VALUES (987654321, ?, 'schemathesis', ?, ?, ?)",
           (uid, hashlib.sha256(token.encode()).hexdigest(), "2023-03-01T00:00:00+00:00", "2099-01-01T00:00:00+00:00"))
# A one-time password would hold every route but the password change.
db.execute("UPDATE users SET must_change_password = 0 WHERE id = ?", (uid,))
db.commit()
print(token)
PY
)
"$BIN" serve --demo --data-dir "$DATA" --bind "127.0.0.1:$PORT" --now 2023-03-16T10:00:00+07:00 >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 200); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz')" 2>/dev/null && break
  sleep 0.3
done
st run "http://127.0.0.1:$PORT/api/v1/openapi.json" -H "Authorization: Bearer $TOKEN" \
  --checks all --max-examples 30 --workers 1 "$@"
