#!/usr/bin/env bash
# Runs docs/deploy.md's PostgreSQL deployment on this machine, on loopback: a service
# user, directories and files with the guide's owners and modes, the binary installed,
# a PostgreSQL role whose password needs percent-encoding, `phongtrao migrate`, two
# app instances, nginx with a self-signed certificate made by openssl on a high port,
# reading the guide's own `deploy_check` blocks (nginx site, TOML file, environment
# file) with the example's names and addresses replaced by loopback ones. Then, through
# nginx over HTTPS: the login, the first password change (a form POST), an API token,
# a report submission, both instances answering, a backup of mode 0600. Cleans up
# everything it made (databases deploy_*, the role, the user, the files, processes).
#
# Needs root, PostgreSQL running on 127.0.0.1:5432 (peer access for `postgres`),
# nginx, openssl, curl, python3. PHONGTRAO_BIN: the binary (default: target/debug/
# phongtrao, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

BIN=${PHONGTRAO_BIN:-${CARGO_TARGET_DIR:-$ROOT_DIR/target}/debug/phongtrao}
if [ ! -x "$BIN" ]; then
  echo "== building the binary"
  cargo build -p phongtrao
  BIN=${CARGO_TARGET_DIR:-$ROOT_DIR/target}/debug/phongtrao
fi

SVC=ptdeploy                     # the guide's `phongtrao` service user
DB=deploy_phongtrao              # the guide's database and role `phongtrao`
ROLE=deploy_phongtrao
PASSWORD='Đoàn@2023:/#x'          # needs percent-encoding in the URL
HTTPS_PORT=${DEPLOY_CHECK_HTTPS_PORT:-18443}
HTTP_PORT=${DEPLOY_CHECK_HTTP_PORT:-18480}
APP1=${DEPLOY_CHECK_APP1_PORT:-18481}
APP2=${DEPLOY_CHECK_APP2_PORT:-18482}
PREFIX=$(mktemp -d /tmp/deploy_check.XXXXXX)
chmod 0755 "$PREFIX"
ETC=$PREFIX/etc/phongtrao
LIB=$PREFIX/var/lib/phongtrao
BACKUPS=$PREFIX/var/backups/phongtrao
NGX=$PREFIX/nginx
PIDS=()

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $(printf '%q ' "$@")"; }

cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  [ -f "$NGX/nginx.pid" ] && nginx -p "$NGX" -c "$NGX/nginx.conf" -s stop 2>/dev/null
  for d in $(psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE 'deploy\\_%'"); do
    psql_admin -c "DROP DATABASE \"$d\" WITH (FORCE)" >/dev/null
  done
  psql_admin -c "DROP ROLE IF EXISTS $ROLE" >/dev/null
  id "$SVC" >/dev/null 2>&1 && userdel "$SVC" 2>/dev/null
  rm -rf "$PREFIX"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$PREFIX"/*.log "$NGX"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done; exit 1; }
ok() { echo "  ok: $*"; }

# A block of docs/deploy.md: the fenced block after `<!-- deploy_check: NAME -->`.
doc_block() {
  awk -v name="$1" '
    $0 ~ "<!-- deploy_check: " name " -->" { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    found && inside { print }
  ' docs/deploy.md
}

echo "== service user, directories, binary (docs/deploy.md §1)"
id "$SVC" >/dev/null 2>&1 && userdel "$SVC"
useradd --system --home-dir "$LIB" --shell /usr/sbin/nologin "$SVC"
install -o "$SVC" -g "$SVC" -m 0750 -d "$LIB" "$BACKUPS"
install -o root -g "$SVC" -m 0750 -d "$ETC"
install -d "$PREFIX/usr/local/bin"
install -m 0755 "$BIN" "$PREFIX/usr/local/bin/phongtrao"
PT=$PREFIX/usr/local/bin/phongtrao
VERSION=$("$PT" --version)
grep -q "(commit " <<<"$VERSION" || fail "--version names no commit"
ok "$("$PT" --version)"

echo "== PostgreSQL role and database (§2)"
for d in $(psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE 'deploy\\_%'"); do
  psql_admin -c "DROP DATABASE \"$d\" WITH (FORCE)" >/dev/null
done
psql_admin -c "DROP ROLE IF EXISTS $ROLE" >/dev/null
psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >/dev/null
su postgres -c "createdb -O $ROLE $DB"
LISTEN=$(psql_admin -c "SHOW listen_addresses")
grep -Eq 'localhost|\*|127\.0\.0\.1' <<<"$LISTEN" || fail "PostgreSQL does not listen on loopback ($LISTEN)"
ENCODED=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PASSWORD")
[ "$ENCODED" = "%C4%90o%C3%A0n%402023%3A%2F%23x" ] || fail "the guide's encoded password differs: $ENCODED"
ok "role with a password that needs percent-encoding ($ENCODED)"

echo "== configuration files: mode 0600, owned by the service user"
install -o "$SVC" -g "$SVC" -m 0600 /dev/null "$ETC/phongtrao.env"
doc_block env | sed -e "s#@10.0.0.10:5432/phongtrao#@127.0.0.1:5432/$DB#" -e "s#://phongtrao:#://$ROLE:#" >"$ETC/phongtrao.env"
grep -q "^DATABASE_URL=postgres://$ROLE:$ENCODED@127.0.0.1:5432/$DB$" "$ETC/phongtrao.env" || fail "env block: $(cat "$ETC/phongtrao.env")"
install -o "$SVC" -g "$SVC" -m 0600 /dev/null "$ETC/phongtrao.toml"
doc_block config | grep -v -e '^bind' -e '^smtp_' -e '^data_dir' >"$ETC/phongtrao.toml"
echo "data_dir = \"$LIB\"" >>"$ETC/phongtrao.toml"
grep -q '^trusted_proxy = "127.0.0.1,::1"' "$ETC/phongtrao.toml" || fail "config block"
[ "$(stat -c '%a %U' "$ETC/phongtrao.toml")" = "600 $SVC" ] || fail "config file mode/owner"
# As systemd does: EnvironmentFile read by root, the service runs as the user.
as_service() { (set -a; . "$ETC/phongtrao.env"; set +a; runuser -u "$SVC" -- "$@"); }
CONFIG=$(as_service "$PT" config --config "$ETC/phongtrao.toml" 2>&1) || fail "the service user cannot read its configuration: $CONFIG"
grep -q "database_url = \"postgres://$ROLE:\*\*\*@" <<<"$CONFIG" || fail "config: $CONFIG"
ok "the service user reads its configuration; the password is masked"

echo "== migrate (once, every instance stopped)"
as_service "$PT" migrate --config "$ETC/phongtrao.toml" >"$PREFIX/migrate.log" 2>&1 || fail "migrate"
ADMIN_PW=$(sed -n 's/.*one-time password: \([^ ]*\).*/\1/p' "$PREFIX/migrate.log" | head -n 1)
[ -n "$ADMIN_PW" ] || fail "no one-time password printed"
ok "schema and built-in plan loaded"

echo "== two app instances"
for port in "$APP1" "$APP2"; do
  (cd "$LIB" && set -a && . "$ETC/phongtrao.env" && set +a &&
    exec runuser -u "$SVC" -- "$PT" serve --config "$ETC/phongtrao.toml" --bind "127.0.0.1:$port" \
      --no-reminders) >"$PREFIX/app-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in "$APP1" "$APP2"; do
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || fail "instance on $port does not answer"
done
ok "both answer /healthz"

echo "== nginx with a self-signed certificate"
mkdir -p "$NGX/sites-enabled" "$NGX/tmp" "$NGX/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -keyout "$NGX/phongtrao.key" -out "$NGX/phongtrao.crt" >/dev/null 2>&1 || fail "openssl"
doc_block nginx | sed \
  -e "s#server 10.0.0.11:8080#server 127.0.0.1:$APP1#" \
  -e "s#server 10.0.0.12:8080#server 127.0.0.1:$APP2#" \
  -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#" \
  -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
  -e "s#server_name phongtrao.tinhdoan.example;#server_name 127.0.0.1;#" \
  -e "s#/etc/ssl/certs/phongtrao.crt#$NGX/phongtrao.crt#" \
  -e "s#/etc/ssl/private/phongtrao.key#$NGX/phongtrao.key#" \
  -e "s#allow 10.0.0.0/8;#allow 127.0.0.1;#" >"$NGX/sites-enabled/phongtrao"
grep -q 'proxy_set_header Host $http_host;' "$NGX/sites-enabled/phongtrao" || fail "nginx block"
cat >"$NGX/nginx.conf" <<EOF
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $NGX/logs/access.log;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    include $NGX/sites-enabled/*;
}
EOF
nginx -p "$NGX" -c "$NGX/nginx.conf" -t >/dev/null 2>&1 || { nginx -p "$NGX" -c "$NGX/nginx.conf" -t; fail "nginx -t"; }
nginx -p "$NGX" -c "$NGX/nginx.conf"
nginx -p "$NGX" -c "$NGX/nginx.conf" -s reload
BASE="https://127.0.0.1:$HTTPS_PORT"
for _ in $(seq 1 50); do curl -ksS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
ok "nginx -t, started, reloaded"

echo "== through nginx: HTTPS, HSTS, request id, redirect from HTTP"
HEADERS=$(curl -ksS -D - -o /dev/null "$BASE/login")
grep -qi '^strict-transport-security: max-age=31536000' <<<"$HEADERS" || fail "no HSTS: $HEADERS"
grep -qiE '^x-request-id: [0-9a-f]{32}' <<<"$HEADERS" || fail "no request id from nginx: $HEADERS"
REDIRECT=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/login")
[ "$REDIRECT" = 301 ] || fail "no redirect to HTTPS ($REDIRECT)"
ok "HSTS, X-Request-Id = nginx's \$request_id, 301 to HTTPS"

echo "== login, first password change (a form POST on a non-443 port), API token"
JAR=$PREFIX/cookies
# Form POSTs as a browser sends them: with the page's Origin (the app refuses a POST
# whose Origin is not its own host, port included).
ORIGIN="Origin: $BASE"
csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1; }
CSRF=$(curl -ksS -c "$JAR" -b "$JAR" "$BASE/login" | csrf_of)
CODE=$(curl -ksS -c "$JAR" -b "$JAR" -H "$ORIGIN" -o /dev/null -w '%{http_code}' \
  --data-urlencode "csrf=$CSRF" --data-urlencode "username=admin" --data-urlencode "password=$ADMIN_PW" \
  --data-urlencode "next=/" "$BASE/login")
[ "$CODE" = 303 ] || fail "login answered $CODE"
NEW_PW="mat-khau-trien-khai-2023"
CSRF=$(curl -ksS -c "$JAR" -b "$JAR" "$BASE/account" | csrf_of)
CODE=$(curl -ksS -c "$JAR" -b "$JAR" -H "$ORIGIN" -o /dev/null -w '%{http_code}' \
  --data-urlencode "csrf=$CSRF" --data-urlencode "current=$ADMIN_PW" --data-urlencode "new=$NEW_PW" \
  --data-urlencode "confirm=$NEW_PW" "$BASE/account/password")
[ "$CODE" = 303 ] || fail "the password form answered $CODE (403: the Host header lost the port?)"
ok "login and password change through nginx"
PAGE=$(curl -ksS -c "$JAR" -b "$JAR" "$BASE/account")
CSRF=$(echo "$PAGE" | csrf_of)
TOKEN=$(curl -ksS -c "$JAR" -b "$JAR" -H "$ORIGIN" --data-urlencode "csrf=$CSRF" --data-urlencode "name=deploy-check" \
  "$BASE/account/tokens" | sed -n 's/.*<code class="secret">\([^<]*\)<.*/\1/p' | head -n 1)
[ -n "$TOKEN" ] || fail "no API token"
ok "API token created"

echo "== a report submitted through nginx, seen by both instances"
CODE=$(curl -ksS -o "$PREFIX/submit.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -H 'Idempotency-Key: deploy-check-899-1' \
  --data '{"version": 0, "input": {"values": {"5": "1.200"}}}' "$BASE/api/v1/reports/899/2023-03-03/submit")
[ "$CODE" = 201 ] || fail "submit answered $CODE: $(cat "$PREFIX/submit.json")"
for port in "$APP1" "$APP2"; do
  REPORT=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/reports/899/2023-03-03")
  grep -q '"submitted' <<<"$REPORT" || fail "instance $port does not see the report: $REPORT"
done
ok "201, and both instances read it"

echo "== /metrics from the monitoring address only; build info"
METRICS_TOKEN=$(sed -n 's/^PHONGTRAO_METRICS_TOKEN=//p' "$ETC/phongtrao.env")
[ -n "$METRICS_TOKEN" ] || fail "no metrics token in the env block"
[ "$(curl -ksS -o /dev/null -w '%{http_code}' "$BASE/metrics")" = 404 ] || fail "/metrics without its token must be 404"
METRICS=$(curl -ksS -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/metrics")
grep -q '^phongtrao_build_info{version=' <<<"$METRICS" || fail "no build info"
ok "phongtrao_build_info"

echo "== a backup by the service user: mode 0600"
as_service "$PT" backup --config "$ETC/phongtrao.toml" --out "$BACKUPS/phongtrao-check.backup" >"$PREFIX/backup.log" 2>&1 \
  || fail "backup: $(cat "$PREFIX/backup.log")"
[ "$(stat -c '%a %U' "$BACKUPS/phongtrao-check.backup")" = "600 $SVC" ] || fail "backup mode/owner"
ok "$(stat -c '%a %U %s bytes' "$BACKUPS/phongtrao-check.backup")"

echo "== restore refuses while the instances serve"
set +e
as_service "$PT" restore --config "$ETC/phongtrao.toml" "$BACKUPS/phongtrao-check.backup" >"$PREFIX/restore.log" 2>&1
RC=$?
set -e
[ "$RC" = 4 ] || fail "restore with instances serving exited $RC: $(cat "$PREFIX/restore.log")"
ok "exit status 4, nothing changed"

echo "deploy_check: every step of docs/deploy.md passed"
