//! Operating it for years (issue #17): forwarded addresses only from the proxy,
//! backups that are secrets, restores that never destroy, rebuilds safe under load,
//! upgrades and rollbacks, failures that look like failures, logs.

use std::process::Command;

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_user, browser, spawn_app_with};

const PW: &str = "mat-khau-van-hanh-1";

fn pg_url() -> Option<String> {
    std::env::var("PHONGTRAO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// Runs the binary; (success, exit code, stdout + stderr).
fn phongtrao(args: &[&str], env: &[(&str, &str)]) -> (bool, Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phongtrao"));
    cmd.env_remove("DATABASE_URL").env_remove("PHONGTRAO_DATA_DIR").env("RUST_LOG", "warn").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run");
    (
        out.status.success(),
        out.status.code(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

// ---------------------------------------------------------------- 5. proxies

/// A peer that is not a listed proxy cannot choose its address with X-Forwarded-For:
/// failed logins with a new forged address each time are still throttled.
#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored_and_throttling_applies() {
    // The proxy is 10.9.9.9; the test client connects from 127.0.0.1, a stranger.
    let app = spawn_app_with(|s| {
        s.trusted_proxies = phongtrao_web::auth::client::TrustedProxy::parse_list("10.9.9.9").expect("list")
    })
    .await;
    add_user(&app.db, "huyendoan899", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for i in 0..6 {
        let r = app.login_form(&attacker, "huyendoan899", "doan-sai", &format!("203.0.113.{i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_form(&attacker, "huyendoan899", PW, "198.51.100.77").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "a new forged address must not escape the wait");
}

/// Behind the listed proxy, the client is the right-most hop the proxy appended:
/// an address the client wrote itself to the left is not believed.
#[tokio::test]
async fn behind_the_listed_proxy_the_right_most_hop_is_the_client() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = phongtrao_web::auth::client::TrustedProxy::parse_list("127.0.0.1,::1").expect("list")
    })
    .await;
    add_user(&app.db, "huyendoan899", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for i in 0..6 {
        // The attacker prepends a new address each time; nginx appends the real one.
        let chain = format!("192.0.2.{i}, 203.0.113.7");
        let r = app.login_form(&attacker, "huyendoan899", "doan-sai", &chain).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_form(&attacker, "huyendoan899", PW, "192.0.2.99, 203.0.113.7").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The real user behind the same proxy, from elsewhere, gets in.
    let user = browser();
    let r = app.login_form(&user, "huyendoan899", PW, "198.51.100.20").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------- helpers

/// An admin token and `n` reports submitted (distinct units of week 1).
async fn with_reports(app: &crate::support::TestApp, n: usize) -> (String, Vec<String>) {
    let admin = add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let token = crate::support::add_token(&app.db, admin).await;
    let units = reporting_units(&app.db).await;
    for unit in units.iter().take(n) {
        let r = app.submit(&token, unit, "2023-03-03", serde_json::json!({"values": {"5": "7"}})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    }
    (token, units)
}

async fn reporting_units(db: &phongtrao_storage::Db) -> Vec<String> {
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let levels = campaign.plan.reporting.levels.clone();
    phongtrao_storage::units::list(db)
        .await
        .expect("units")
        .into_iter()
        .filter(|u| u.active && u.level().is_some_and(|l| levels.contains(&l)))
        .map(|u| u.code)
        .collect()
}

async fn submitted_count(url: &str) -> i64 {
    let db = phongtrao_storage::Db::connect(url).await.expect("connect");
    let n: i64 = phongtrao_storage::with_pool!(&db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE first_submitted_at IS NOT NULL").fetch_one(pool).await)
    .expect("count");
    db.close().await;
    n
}

/// The database's name in a postgres:// URL.
fn pg_database(url: &str) -> String {
    url.rsplit('/').next().unwrap_or("").split('?').next().unwrap_or("").to_string()
}

async fn pg_databases_like(prefix: &str) -> Vec<String> {
    let base = pg_url().expect("pg");
    let db = phongtrao_storage::Db::connect(&base).await.expect("connect");
    let phongtrao_storage::Db::Postgres(pool) = &db else { panic!("pg") };
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1")
        .bind(format!("{prefix}%"))
        .fetch_all(pool)
        .await
        .expect("list");
    db.close().await;
    names
}

fn backup_of(url: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("backup.bin");
    let (ok, _, text) = phongtrao(&["backup", "--out", &out.display().to_string(), "--database-url", url], &[]);
    assert!(ok, "{text}");
    out
}

// ---------------------------------------------------------------- 1. restore

/// A truncated backup (a copy cut short, a full disk) is refused before anything is
/// switched: the database and its reports are as they were. Then the whole backup
/// restores, and the database it replaced is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_backup_is_refused_and_the_old_data_stays_then_a_good_one_keeps_the_previous_database() {
    let app = spawn_app_with(|_| {}).await;
    with_reports(&app, 6).await;
    let url = app.database_url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let backup = backup_of(&url, dir.path());
    // Newer reports, then the instance stops (its pool closes).
    let token = {
        let admin = phongtrao_storage::users::by_username(&app.db, "office").await.expect("q").expect("office");
        crate::support::add_token(&app.db, admin.id).await
    };
    let units = reporting_units(&app.db).await;
    for unit in units.iter().skip(6).take(3) {
        let r = app.submit(&token, unit, "2023-03-03", serde_json::json!({"values": {"5": "9"}})).await;
        assert_eq!(r.status(), 201);
    }
    app.db.close().await;
    assert_eq!(submitted_count(&url).await, 9);

    let bytes = std::fs::read(&backup).expect("read");
    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    // --force (even so): on PostgreSQL a connection of the test process's closed pools
    // can outlive `close()` for a while (a stopped instance is a process that has
    // exited); --force ends connections only after the copy passed its checks.
    let (ok, _, text) =
        phongtrao(&["restore", &truncated.display().to_string(), "--force", "--database-url", &url], &[]);
    assert!(!ok, "a truncated backup must be refused: {text}");
    assert!(text.contains("giữ nguyên") || text.contains("nothing restored"), "{text}");
    assert_eq!(submitted_count(&url).await, 9, "the database is untouched");
    if pg_url().is_some() {
        let name = pg_database(&url);
        assert!(pg_databases_like(&format!("{name}_restore_")).await.is_empty(), "the half-restored copy is dropped");
    }

    // --force: on PostgreSQL a connection of the test process's closed pools can
    // outlive `close()` for a while (a stopped instance is a process that has exited).
    let (ok, _, text) = phongtrao(&["restore", &backup.display().to_string(), "--force", "--database-url", &url], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("6 đã gửi / submitted") || text.contains("(6 đã gửi"), "{text}");
    assert_eq!(submitted_count(&url).await, 6, "the backup's reports");
    // The database it replaced is kept, with its 9 reports.
    let kept_url = if pg_url().is_some() {
        let name = pg_database(&url);
        let kept = pg_databases_like(&format!("{name}_before_restore_")).await;
        assert_eq!(kept.len(), 1, "{kept:?}");
        url.replace(&format!("/{name}"), &format!("/{}", kept[0]))
    } else {
        let file = url.trim_start_matches("sqlite://");
        let parent = std::path::Path::new(file).parent().expect("dir");
        let kept: Vec<_> = std::fs::read_dir(parent)
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("phongtrao.db.before-restore-"))
                    && !p.to_string_lossy().ends_with("-wal")
                    && !p.to_string_lossy().ends_with("-shm")
            })
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        format!("sqlite://{}", kept[0].display())
    };
    assert_eq!(submitted_count(&kept_url).await, 9, "the previous database, kept");
}

/// While an instance serves (its `instance:` lease is live), restore refuses and
/// changes nothing; `--force` goes ahead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_while_an_instance_serves_unless_forced() {
    let app = spawn_app_with(|_| {}).await;
    with_reports(&app, 3).await;
    let url = app.database_url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let backup = backup_of(&url, dir.path());
    let taken = phongtrao_storage::leases::try_take(
        &app.db,
        "instance:test-host:8080:1",
        "test-host:8080:1",
        chrono::Utc::now(),
        chrono::Duration::seconds(60),
    )
    .await
    .expect("lease");
    assert!(taken);
    let (ok, code, text) = phongtrao(&["restore", &backup.display().to_string(), "--database-url", &url], &[]);
    assert!(!ok);
    assert_eq!(code, Some(4), "{text}");
    assert!(text.contains("đang dùng") && text.contains("instance:test-host"), "{text}");
    app.db.close().await;
    let (ok, _, text) = phongtrao(&["restore", &backup.display().to_string(), "--force", "--database-url", &url], &[]);
    assert!(ok, "{text}");
    assert_eq!(submitted_count(&url).await, 3);
}

// ---------------------------------------------------------------- 4. backups are secrets

/// A backup is readable by its owner only and holds no session: the session id a
/// logged-in user's cookie carries is nowhere in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_are_private_and_hold_no_session() {
    let app = spawn_app_with(|_| {}).await;
    add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let user = browser();
    let r = app.login_form(&user, "office", PW, "198.51.100.20").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("phongtrao_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
        .expect("session cookie");
    assert!(cookie.len() > 10);
    let dir = tempfile::tempdir().expect("dir");
    let backup = backup_of(&app.database_url, dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "backup mode {mode:o}");
    }
    // The backup as text: the SQLite file itself, or the PostgreSQL dump as SQL.
    let text = if pg_url().is_some() {
        let out = Command::new("pg_restore").args(["-f", "-"]).arg(&backup).output().expect("pg_restore");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::from_utf8_lossy(&std::fs::read(&backup).expect("read")).into_owned()
    };
    assert!(text.contains("reports"), "a real backup");
    assert!(!text.contains(&cookie), "the session id is in the backup");
    // The live database still has the session (only the copy lost it).
    let sessions: i64 = match &app.db {
        phongtrao_storage::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions").fetch_one(pool).await.expect("count")
        }
        phongtrao_storage::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions.session").fetch_one(pool).await.expect("count")
        }
    };
    assert!(sessions >= 1);
}

/// The PostgreSQL tools get the password in their environment (PGPASSWORD), never on
/// their command line, where `ps` shows it to every user of the host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_gets_the_password_in_its_environment_not_on_its_command_line() {
    let Some(base) = pg_url() else { return };
    let name = format!("pt_test_pw_{}", crate::support::random_suffix());
    let url = phongtrao_storage::create_postgres_database(&base, &name).await.expect("db");
    let (ok, _, text) = phongtrao(&["migrate", "--database-url", &url], &[]);
    assert!(ok, "{text}");
    let password = url.split("://").nth(1).and_then(|r| r.split('@').next()).and_then(|c| c.split(':').nth(1));
    let password = password.expect("the test URL has a password").to_string();
    // A pg_dump that records what it was given.
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("pg_dump");
    let log = dir.path().join("log");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.0'; exit 0; fi\n\
             echo \"ARGS $*\" >> {log}\necho \"PGPASSWORD=$PGPASSWORD\" >> {log}\n\
             for a in \"$@\"; do if [ \"$prev\" = --file ]; then echo dump > \"$a\"; fi; prev=\"$a\"; done\n",
            log = log.display()
        ),
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let out = dir.path().join("b.dump");
    let (ok, _, text) =
        phongtrao(&["backup", "--out", &out.display().to_string(), "--database-url", &url], &[("PATH", &path)]);
    assert!(ok, "{text}");
    let logged = std::fs::read_to_string(&log).expect("log");
    let args = logged.lines().find(|l| l.starts_with("ARGS")).expect("args");
    assert!(!args.contains(&password) && !args.contains("://"), "{args}");
    assert!(logged.contains(&format!("PGPASSWORD={password}")), "{logged}");
}

// ---------------------------------------------------------------- 2. rebuild under load

/// Rounds of `rebuild` while reports keep arriving: the kept figures equal a
/// recomputation at the end, no request failed (no 5xx, no deadlock).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rebuild_while_reports_arrive_keeps_figures_right_and_fails_no_request() {
    let app = spawn_app_with(|_| {}).await;
    let (token, units) = with_reports(&app, 0).await;
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let periods: Vec<String> = campaign.plan.periods().iter().map(|p| p.end.to_string()).collect();
    let rounds = 5;
    // Every (unit, week) once.
    let per_round = units.len() * periods.len() / rounds;
    assert!(per_round >= 10);
    let mut failures = Vec::new();
    let mut job = 0usize;
    for round in 0..rounds {
        let mut burst = Vec::new();
        for _ in 0..per_round {
            let unit = units[job % units.len()].clone();
            let period = periods[(job / units.len()) % periods.len()].clone();
            job += 1;
            let client = app.client.clone();
            let base = app.base.clone();
            let token = token.clone();
            burst.push(tokio::spawn(async move {
                let r = client
                    .post(format!("{base}/api/v1/reports/{unit}/{period}/submit"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"version": 0, "input": {"values": {"5": "3", "17": "1"}}}))
                    .send()
                    .await
                    .expect("submit");
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                (status, body)
            }));
        }
        let db = app.db.clone();
        let plan = campaign.plan.clone();
        let id = campaign.row.id;
        let rebuild = tokio::spawn(async move { phongtrao_storage::rollups::rebuild(&db, &plan, id).await });
        for b in burst {
            let (status, body) = b.await.expect("join");
            if status != StatusCode::CREATED || body.contains("deadlock") {
                failures.push(format!("round {round}: {status} {body}"));
            }
        }
        rebuild.await.expect("join").unwrap_or_else(|e| panic!("rebuild failed in round {round}: {e}"));
    }
    assert!(failures.is_empty(), "{} failed: {failures:?}", failures.len());
    let kept = phongtrao_storage::rollups::stored_all(&app.db, &campaign.plan, campaign.row.id).await.expect("kept");
    let computed =
        phongtrao_storage::rollups::compute_all(&app.db, &campaign.plan, campaign.row.id).await.expect("computed");
    assert!(kept == computed, "the kept figures differ from a recomputation");
    assert_eq!(submitted_count(&app.database_url).await, (rounds * per_round) as i64);
}

// ---------------------------------------------------------------- 3. upgrades

/// A database migrated by a newer version: every command refuses with a clear message
/// and exit status 3 (systemd's RestartPreventExitStatus=3), not a crash loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_migrated_by_a_newer_version_is_refused_with_exit_status_3() {
    let app = spawn_app_with(|_| {}).await;
    phongtrao_storage::with_pool!(&app.db, pool => sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, $1, 0)")
        .bind(vec![0u8; 48])
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .expect("insert");
    app.db.close().await;
    let url = app.database_url.clone();
    for args in [
        vec!["serve", "--bind", "127.0.0.1:0", "--no-reminders", "--database-url", &url],
        vec!["migrate", "--database-url", &url],
        vec!["rebuild", "--database-url", &url],
    ] {
        let (ok, code, text) = phongtrao(&args, &[]);
        assert!(!ok);
        assert_eq!(code, Some(3), "{args:?}: {text}");
        assert!(
            text.contains("phiên bản mới hơn") && text.contains("newer version") && text.contains("9999"),
            "{text}"
        );
    }
}

/// A PostgreSQL database of the previous schema: `serve` does not migrate it behind
/// the administrator's back (exit 3, says to run `phongtrao migrate`); `migrate` does,
/// and every report is still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_does_not_migrate_a_shared_postgres_database_unless_told() {
    let Some(base) = pg_url() else { return };
    let name = format!("pt_test_up_{}", crate::support::random_suffix());
    let url = phongtrao_storage::create_postgres_database(&base, &name).await.expect("db");
    // The schema of the previous release: the migrations up to 0009.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../storage/migrations/postgres");
    let mut migrator = sqlx::migrate::Migrator::new(dir.as_path()).await.expect("migrations");
    migrator.migrations =
        std::borrow::Cow::Owned(migrator.migrations.iter().filter(|m| m.version <= 9).cloned().collect());
    let pool = sqlx::PgPool::connect(&url).await.expect("connect");
    migrator.run(&pool).await.expect("old schema");
    pool.close().await;
    let (ok, code, text) =
        phongtrao(&["serve", "--bind", "127.0.0.1:0", "--no-reminders", "--database-url", &url], &[]);
    assert!(!ok);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("phongtrao migrate"), "{text}");
    // --force: the test's own closed pool may still show in pg_stat_activity.
    let (ok, _, text) = phongtrao(&["migrate", "--force", "--database-url", &url], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("0009 →"), "{text}");
    let db = phongtrao_storage::Db::connect(&url).await.expect("connect");
    assert!(db.schema_status().await.expect("status").is_current());
    db.close().await;
}

/// The previous release's SQLite database (tests/fixtures/prev-38d27ea.db, made by
/// commit 38d27ea's `migrate` and `demo`): backed up, upgraded by this version with
/// every report and figure intact, then rolled back by restoring the backup taken
/// before the upgrade (the schema the previous release expects).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_releases_database_upgrades_intact_and_rolls_back_by_restoring() {
    if pg_url().is_some() {
        return; // The fixture is a SQLite file.
    }
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prev-38d27ea.db");
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::copy(&fixture, data.join("phongtrao.db")).expect("copy");
    let url = format!("sqlite://{}", data.join("phongtrao.db").display());
    let before = submitted_count(&url).await;
    assert!(before > 20, "the fixture has reports ({before})");
    let level = |url: String| async move {
        let db = phongtrao_storage::Db::connect(&url).await.expect("connect");
        let s = db.schema_status().await.expect("status");
        db.close().await;
        s
    };
    let old = level(url.clone()).await;
    assert_eq!(old.applied_latest(), Some(9));
    assert!(!old.pending.is_empty(), "this version has migrations the previous one lacks");
    let d = data.display().to_string();
    // The procedure of docs/deploy.md: back up, migrate, start.
    let pre = dir.path().join("before-upgrade.db");
    let (ok, _, text) = phongtrao(&["backup", "--out", &pre.display().to_string(), "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    // An instance still serving (its lease is live): migrate refuses, changes nothing.
    {
        let db = phongtrao_storage::Db::connect(&url).await.expect("connect");
        let until = (chrono::Utc::now() + chrono::Duration::seconds(60)).timestamp_millis();
        phongtrao_storage::with_pool!(&db, pool => sqlx::query(
            "INSERT INTO leases (name, holder, expires_at_ms) VALUES ('instance:old-host:8080:7', 'old-host:8080:7', $1)")
            .bind(until).execute(pool).await.map(|r| r.rows_affected()))
        .expect("lease");
        db.close().await;
    }
    let (ok, code, text) = phongtrao(&["migrate", "--data-dir", &d], &[]);
    assert!(!ok && code == Some(4), "{text}");
    assert!(text.contains("instance:old-host:8080:7"), "{text}");
    assert_eq!(level(url.clone()).await.applied_latest(), Some(9), "nothing migrated");
    {
        let db = phongtrao_storage::Db::connect(&url).await.expect("connect");
        phongtrao_storage::with_pool!(&db, pool => sqlx::query("DELETE FROM leases WHERE name LIKE 'instance:%'")
            .execute(pool).await.map(|r| r.rows_affected()))
        .expect("delete");
        db.close().await;
    }
    let (ok, _, text) = phongtrao(&["migrate", "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    assert!(level(url.clone()).await.is_current());
    assert_eq!(submitted_count(&url).await, before, "no report lost");
    // The figures the previous release kept are those this version computes.
    let (ok, _, text) = phongtrao(&["rebuild", "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("nothing differed"), "{text}");
    let (ok, _, progress) = phongtrao(&["progress", "--json", "--at", "2023-04-10", "--data-dir", &d], &[]);
    assert!(ok, "{progress}");
    let progress: serde_json::Value = serde_json::from_str(&progress).expect("json");
    assert!(progress.to_string().contains("achieved"));
    let (ok, _, reports) = phongtrao(&["report", "list", "--json", "--data-dir", &d], &[]);
    assert!(ok);
    let reports: serde_json::Value = serde_json::from_str(&reports).expect("json");
    assert_eq!(reports.as_array().map(Vec::len).unwrap_or(0) as i64, before);

    // Rollback: restore the backup taken before the upgrade; the previous schema
    // comes back as it was, for the previous binary.
    let (ok, _, text) = phongtrao(&["restore", &pre.display().to_string(), "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    let back = level(url.clone()).await;
    assert_eq!(back.applied_latest(), Some(9), "{text}");
    assert_eq!(submitted_count(&url).await, before);
}

// ---------------------------------------------------------------- 6. failures

/// What the receiver got: (X-Delivery-Id header, Idempotency-Key header, body, its answer).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String, serde_json::Value, u16)>>>;

/// A receiver that answers 500 to the first `fail_first` tries of each delivery id,
/// then 200.
async fn flaky_receiver(fail_first: usize) -> (String, Seen) {
    let seen: Seen = Seen::default();
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<serde_json::Value>| {
            let store = store.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let (delivery, key) = (h("x-delivery-id"), h("idempotency-key"));
                let mut seen = store.lock().expect("lock");
                let tries = seen.iter().filter(|(d, ..)| *d == delivery).count();
                let status = if tries < fail_first { 500 } else { 200 };
                seen.push((delivery, key, body, status));
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind hook");
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().expect("addr").port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&chrono::Utc)
}

/// The receiver answers 500 twice: the reminder is tried again with backoff within its
/// window, with the same delivery id each time, until it goes through; two instances
/// ticking never send it twice; the office sees the tries on /admin/reminders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reminder_is_retried_with_backoff_and_the_same_delivery_id_until_it_goes_through() {
    use phongtrao_web::reminders::{ReminderConfig, Reminders};
    let app = spawn_app_with(|_| {}).await;
    let (hook, seen) = flaky_receiver(2).await;
    let config = ReminderConfig { webhook_url: Some(hook), ..Default::default() };
    let first = Reminders::new(app.db.clone(), config.clone(), phongtrao_web::metrics::Metrics::new()).expect("a");
    let second = Reminders::new(app.db.clone(), config, phongtrao_web::metrics::Metrics::new()).expect("b");
    let units = reporting_units(&app.db).await.len();

    // Friday 09:00: every unit's reminder fails (500).
    let o = first.tick(at("2023-03-03T09:00:00+07:00")).await.expect("tick");
    assert_eq!((o.claimed as usize, o.failed as usize, o.sent), (units, units, 0), "{o:?}");
    // 30 s later: not due yet (the first wait is a minute).
    first.release().await.expect("release");
    let o = second.tick(at("2023-03-03T09:00:30+07:00")).await.expect("tick");
    assert_eq!(o.retried, 0, "{o:?}");
    second.release().await.expect("release");
    // A minute later: tried again, fails again; the next wait is 2 minutes.
    let o = first.tick(at("2023-03-03T09:01:01+07:00")).await.expect("tick");
    assert_eq!((o.retried as usize, o.failed as usize), (units, units), "{o:?}");
    first.release().await.expect("release");
    let o = second.tick(at("2023-03-03T09:02:00+07:00")).await.expect("tick");
    assert_eq!(o.retried, 0, "{o:?}");
    second.release().await.expect("release");
    let o = second.tick(at("2023-03-03T09:03:02+07:00")).await.expect("tick");
    assert_eq!((o.retried as usize, o.sent as usize, o.failed), (units, units, 0), "{o:?}");
    // Later ticks of either instance send nothing more.
    for (i, t) in ["2023-03-03T10:00:00+07:00", "2023-03-03T12:00:00+07:00"].iter().enumerate() {
        let r = if i == 0 { &first } else { &second };
        first.release().await.expect("release");
        second.release().await.expect("release");
        let o = r.tick(at(t)).await.expect("tick");
        assert!(o.ran);
        assert_eq!((o.claimed, o.retried, o.sent), (0, 0, 0), "{o:?}");
    }
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3 * units, "three tries each");
    let delivered: Vec<_> = seen.iter().filter(|s| s.3 == 200).collect();
    assert_eq!(delivered.len(), units, "delivered once each");
    for (delivery, key, body, _) in &seen {
        assert!(delivery.starts_with("phongtrao-") && delivery == key, "{delivery} {key}");
        assert_eq!(body["delivery_id"].as_str(), Some(delivery.as_str()));
    }
    let ids: std::collections::BTreeSet<&String> = seen.iter().map(|s| &s.0).collect();
    assert_eq!(ids.len(), units, "the same delivery id on every try of a reminder");

    // The office's page: sent, after 3 tries.
    add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let office = browser();
    let r = app.login_form(&office, "office", PW, "198.51.100.20").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page =
        office.get(format!("{}/admin/reminders", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("Số lần thử: 3"), "{page}");
}

/// A receiver that never answers well: tried within the window only, then `failed`
/// for good (no try after the deadline for a "before" reminder).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_that_keeps_failing_stops_at_the_end_of_its_window() {
    use phongtrao_web::reminders::{ReminderConfig, Reminders};
    let app = spawn_app_with(|_| {}).await;
    let (hook, seen) = flaky_receiver(usize::MAX).await;
    let config = ReminderConfig { webhook_url: Some(hook), ..Default::default() };
    let r = Reminders::new(app.db.clone(), config, phongtrao_web::metrics::Metrics::new()).expect("a");
    // 15:50, ten minutes before the 16:00 deadline.
    let o = r.tick(at("2023-03-03T15:50:00+07:00")).await.expect("tick");
    assert!(o.failed > 0);
    let units = o.failed;
    let mut tries = units;
    for t in ["2023-03-03T15:51:00+07:00", "2023-03-03T15:53:00+07:00", "2023-03-03T15:57:00+07:00"] {
        let o = r.tick(at(t)).await.expect("tick");
        tries += o.retried;
    }
    // 15:57 + 8 min is past the deadline: no further try is planned.
    let o = r.tick(at("2023-03-03T16:30:00+07:00")).await.expect("tick");
    assert_eq!(o.retried, 0, "{o:?}");
    let before_tries = seen.lock().expect("lock").iter().filter(|s| s.2["kind"] == "before").count();
    assert_eq!(before_tries as u64, tries);
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let rows = phongtrao_storage::reminder_deliveries::list(&app.db, campaign.row.id, 1000).await.expect("rows");
    let before: Vec<_> = rows.iter().filter(|d| d.kind == "before").collect();
    assert!(
        before.iter().all(|d| d.status == "failed" && d.next_attempt_ms.is_none() && d.attempts == 4),
        "{before:?}"
    );
}

/// The database is down (nobody listens on its port): a command fails within seconds
/// with a database error, not after a long hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_down_commands_fail_fast() {
    let started = std::time::Instant::now();
    let (ok, _, text) = phongtrao(&["report", "list", "--database-url", "postgres://pt:pt@127.0.0.1:9/pt"], &[]);
    assert!(!ok);
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "{:?}", started.elapsed());
    assert!(text.contains("Lỗi") || text.contains("error"), "{text}");
    let e = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(1))
        .connect("postgres://pt:pt@127.0.0.1:9/pt")
        .await
        .expect_err("down");
    assert!(phongtrao_storage::unavailable::is_unavailable(&e));
}

/// A request that the pool cannot serve in time fails with the pool's timeout (a few
/// seconds), classified as "unavailable" (503 for the web layer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_gives_up_after_its_acquire_timeout() {
    let Some(base) = pg_url() else { return };
    let options =
        phongtrao_storage::DbOptions { acquire_timeout: Some(std::time::Duration::from_secs(1)), ..Default::default() };
    let db = phongtrao_storage::Db::connect_with(&base, &options).await.expect("connect");
    let phongtrao_storage::Db::Postgres(pool) = &db else { panic!("pg") };
    // Hold every connection.
    let mut held = Vec::new();
    for _ in 0..16 {
        held.push(pool.acquire().await.expect("acquire"));
    }
    let started = std::time::Instant::now();
    let e = pool.acquire().await.expect_err("exhausted");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert!(phongtrao_storage::unavailable::is_unavailable(&e), "{e:?}");
    drop(held);
    db.close().await;
}

// ---------------------------------------------------------------- 7. logs

/// Every response carries an X-Request-Id (the proxy's when it sent a sane one), and
/// /metrics says which version runs.
#[tokio::test]
async fn responses_carry_a_request_id_and_metrics_the_version() {
    let app = spawn_app_with(|_| {}).await;
    let r = app.get("/healthz").await;
    let id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(id.len() >= 16, "{id:?}");
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "abc123-nginx")
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["x-request-id"], "abc123-nginx");
    let r =
        app.client.get(format!("{}/healthz", app.base)).header("x-request-id", "<script>").send().await.expect("get");
    assert_ne!(r.headers()["x-request-id"], "<script>");
    let r = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(crate::support::METRICS_TOKEN)
        .send()
        .await
        .expect("metrics");
    let metrics = r.text().await.expect("body");
    assert!(metrics.contains("phongtrao_build_info{version=\""), "{metrics}");
}

/// `phongtrao --version` names the commit it was built from.
#[test]
fn version_names_the_commit() {
    let (ok, _, text) = phongtrao(&["--version"], &[]);
    assert!(ok);
    assert!(text.starts_with("phongtrao 0.") && text.contains("(commit "), "{text}");
}

/// `--log-format json`: one JSON object per line; a refused request's line carries
/// its request id (the one in the X-Request-Id header), method, path and status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_path_and_status_of_errors() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info")
        .args(["serve", "--log-format", "json", "--no-reminders", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let port = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("http://").nth(1) {
                return rest.split('/').next().and_then(|h| h.rsplit(':').next()).and_then(|p| p.parse::<u16>().ok());
            }
        }
        None
    })
    .await
    .expect("join")
    .expect("port");
    // A form POST without its CSRF token: refused (403), logged.
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/account/password"))
        .form(&[("new", "x")])
        .send()
        .await
        .expect("post");
    assert!(r.status().is_client_error());
    let id = r.headers()["x-request-id"].to_str().expect("id").to_string();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!lines.is_empty() && lines.len() == stderr.lines().count(), "every line is JSON:\n{stderr}");
    let line = lines
        .iter()
        .find(|l| l["request_id"] == id.as_str() && l["status"].as_u64().is_some_and(|s| s >= 400))
        .unwrap_or_else(|| panic!("no line for request {id}:\n{stderr}"));
    assert_eq!(line["path"], "/account/password");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["level"], "WARN");
}

/// A running `phongtrao serve` renews its `instance:` lease: `restore` sees it and
/// refuses (exit 4); once the server has stopped (SIGTERM), the same restore goes
/// through without --force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_sees_a_running_server_and_goes_ahead_once_it_stopped() {
    use std::io::{BufRead, BufReader};
    if pg_url().is_some() {
        return; // The same on PostgreSQL, where its connections count too (deploy_check.sh).
    }
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let d = data.display().to_string();
    let (ok, _, text) = phongtrao(&["migrate", "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    let backup = dir.path().join("b.db");
    let (ok, _, text) = phongtrao(&["backup", "--out", &backup.display().to_string(), "--data-dir", &d], &[]);
    assert!(ok, "{text}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .args(["serve", "--no-reminders", "--bind", "127.0.0.1:0", "--data-dir", &d])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let started = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.contains("http://"))
    })
    .await
    .expect("join");
    assert!(started);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (ok, code, text) = phongtrao(&["restore", &backup.display().to_string(), "--data-dir", &d], &[]);
    assert!(!ok && code == Some(4), "{text}");
    assert!(text.contains("instance:"), "{text}");
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().expect("wait");
    assert!(status.success(), "a clean stop: {status}");
    let (ok, _, text) = phongtrao(&["restore", &backup.display().to_string(), "--data-dir", &d], &[]);
    assert!(ok, "{text}");
}

/// SQLite, one server: `serve` migrates the previous release's database at start,
/// after keeping a copy of it beside it (the way back), and serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_sqlite_keeps_a_copy_before_it_migrates() {
    use std::io::{BufRead, BufReader};
    if pg_url().is_some() {
        return;
    }
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prev-38d27ea.db");
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::copy(&fixture, data.join("phongtrao.db")).expect("copy");
    let mut child = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .args(["serve", "--no-reminders", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.contains("http://");
            seen.push(line);
            if done {
                break;
            }
        }
        seen
    })
    .await
    .expect("join");
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(text.contains("http://"), "{text}");
    assert!(text.contains("before-migrate-0009-"), "{text}");
    let copy = std::fs::read_dir(&data)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("phongtrao.db.before-migrate-0009-"))
        .expect("the copy");
    let old = phongtrao_storage::Db::connect(&format!("sqlite://{}", copy.display())).await.expect("open");
    assert_eq!(old.schema_status().await.expect("status").applied_latest(), Some(9));
    old.close().await;
    let url = format!("sqlite://{}", data.join("phongtrao.db").display());
    let new = phongtrao_storage::Db::connect(&url).await.expect("open");
    assert!(new.schema_status().await.expect("status").is_current());
    new.close().await;
    assert_eq!(submitted_count(&url).await, 72);
}

#[tokio::test]
async fn made_up_http_methods_do_not_grow_the_metrics() {
    let app = crate::support::spawn_app().await;
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).expect("method");
        let _ = app.client.request(method, format!("{}/healthz", app.base)).send().await;
    }
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(crate::support::METRICS_TOKEN)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(!text.contains("BREW"), "a client's made-up method became a label");
    let other = text.lines().filter(|l| l.contains("method=\"other\"")).count();
    assert!(other >= 1, "counted once as other: {text}");
}
