//! Storage's typed columns and settings: the enums stored as text are read back
//! through the enums (an unknown value is a storage error, never a silent default),
//! multi-row inserts keep every row, and the pool settings are the CLI's (printed by
//! `phongtrao config`), not environment variables storage reads by itself.

use std::process::Command;

use phongtrao_domain::role::Role;
use phongtrao_storage::{with_pool, DbOptions, ErrorKind};
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

fn phongtrao() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phongtrao"));
    for var in ["DATABASE_URL", "PHONGTRAO_DATA_DIR", "PHONGTRAO_CONFIG", "PHONGTRAO_DB_ACQUIRE_TIMEOUT"] {
        c.env_remove(var);
    }
    c.env_remove("PHONGTRAO_SQLITE_CONNECTIONS").env("RUST_LOG", "warn");
    c
}

/// The line of `phongtrao config` for a key.
fn config_line(out: &std::process::Output, key: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find(|l| l.starts_with(&format!("{key} = "))).map(str::to_string).unwrap_or_default()
}

#[test]
fn phongtrao_config_lists_the_database_pool_settings_with_their_effective_values() {
    // Nothing set: the defaults in effect, SQLite's 10 s wait and 16 connections.
    let out = phongtrao().arg("config").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        config_line(&out, "db_acquire_timeout"),
        "db_acquire_timeout = \"10\"  # PHONGTRAO_DB_ACQUIRE_TIMEOUT, default"
    );
    assert_eq!(
        config_line(&out, "sqlite_connections"),
        "sqlite_connections = \"16\"  # PHONGTRAO_SQLITE_CONNECTIONS, default"
    );
    // On PostgreSQL the default wait is 3 s.
    let out = phongtrao().arg("config").env("DATABASE_URL", "postgres://pt:secret@db.local/pt").output().expect("run");
    assert_eq!(
        config_line(&out, "db_acquire_timeout"),
        "db_acquire_timeout = \"3\"  # PHONGTRAO_DB_ACQUIRE_TIMEOUT, default"
    );
    // From the configuration file, and the environment before the file.
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("phongtrao.toml");
    std::fs::write(&file, "db_acquire_timeout = 2.5\nsqlite_connections = 4\n").expect("write");
    let out = phongtrao()
        .arg("--config")
        .arg(&file)
        .arg("config")
        .env("PHONGTRAO_SQLITE_CONNECTIONS", "6")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        config_line(&out, "db_acquire_timeout"),
        "db_acquire_timeout = \"2.5\"  # PHONGTRAO_DB_ACQUIRE_TIMEOUT, file"
    );
    assert_eq!(
        config_line(&out, "sqlite_connections"),
        "sqlite_connections = \"6\"  # PHONGTRAO_SQLITE_CONNECTIONS, env"
    );
}

/// A pool setting that is no number is refused with its name, not silently replaced
/// by the default.
#[test]
fn a_bad_pool_setting_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = phongtrao()
        .args(["rebuild", "--data-dir"])
        .arg(dir.path())
        .env("PHONGTRAO_DB_ACQUIRE_TIMEOUT", "soon")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("db-acquire-timeout") && err.contains("soon"), "{err}");
    let out =
        phongtrao().args(["rebuild", "--sqlite-connections", "0", "--data-dir"]).arg(dir.path()).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite-connections"));
}

/// The SQLite pool is as large as the options say.
#[tokio::test]
async fn the_sqlite_pool_takes_its_size_from_the_options() {
    let dir = tempfile::tempdir().expect("tmp");
    let options = DbOptions { sqlite_connections: 3, ..Default::default() };
    let db = phongtrao_storage::Db::open_data_dir_with(dir.path(), &options).await.expect("open");
    let phongtrao_storage::Db::Sqlite(pool) = &db else { panic!("sqlite") };
    assert_eq!(pool.options().get_max_connections(), 3);
    assert_eq!(options.acquire_timeout(phongtrao_storage::Backend::Sqlite), std::time::Duration::from_secs(10));
    db.close().await;
}

/// A role, report status or timeliness in the database that the program does not
/// know (a hand edit, a newer version's value) is a storage error naming the value:
/// not an account without a role, not a report silently shown as a draft.
#[tokio::test]
async fn an_unknown_value_in_an_enum_column_is_a_storage_error_naming_it() {
    let app = spawn_app().await;
    let db = &app.db;
    let id = add_user(db, "r.rachgia", Role::Unit, &["899"], PW).await;
    let token = add_token(db, id).await;
    let office = add_token(db, add_user(db, "vp.tinhdoan", Role::Admin, &[], PW).await).await;
    let good = json!({"values": {"5": "10", "17": "2"}, "activities": []});
    let r = app.submit(&token, "899", WEEK1, good).await;
    assert_eq!(r.status(), 201);

    with_pool!(db, pool => sqlx::query("UPDATE users SET role = 'superuser' WHERE username = 'r.rachgia'").execute(pool).await.map(|_| ()))
        .expect("update");
    let e = phongtrao_storage::users::by_username(db, "r.rachgia").await.expect_err("unknown role");
    assert_eq!(e.kind(), ErrorKind::Internal);
    assert!(e.to_string().contains("unknown role") && e.to_string().contains("superuser"), "{e}");

    with_pool!(db, pool => sqlx::query("UPDATE reports SET status = 'archived'").execute(pool).await.map(|_| ()))
        .expect("update");
    let key = report_key(&app, "899").await;
    let e = phongtrao_storage::reports::get(db, &key).await.expect_err("unknown status");
    assert!(e.to_string().contains("unknown report status") && e.to_string().contains("archived"), "{e}");
    // The API answers a server error (the server keeps running), not a draft.
    let r = app
        .client
        .get(format!("{}/api/v1/reports/899/{WEEK1}", app.base))
        .bearer_auth(&office)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 500, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.get("/healthz").await.status(), 200);

    with_pool!(db, pool => sqlx::query("UPDATE reports SET status = 'submitted', timeliness = 'early'").execute(pool).await.map(|_| ()))
        .expect("update");
    let e = phongtrao_storage::reports::get(db, &key).await.expect_err("unknown timeliness");
    assert!(e.to_string().contains("unknown timeliness") && e.to_string().contains("early"), "{e}");
}

async fn report_key(app: &crate::support::TestApp, unit: &str) -> phongtrao_storage::reports::ReportKey {
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(&app.db, unit).await.expect("query").expect("unit");
    phongtrao_storage::reports::ReportKey {
        campaign_id: campaign.row.id,
        unit_id: unit.id,
        kind: phongtrao_domain::report::ReportKind::Weekly,
        period_seq: 1,
    }
}

/// The most activities a report may hold (100, two multi-row inserts of 50) and
/// every value are stored, in order, on both backends; a resubmission replaces them.
#[tokio::test]
async fn a_report_with_the_most_activities_keeps_every_row_in_order() {
    let app = spawn_app().await;
    let db = &app.db;
    let token = add_token(db, add_user(db, "r.rachgia", Role::Unit, &["899"], PW).await).await;
    let office = add_token(db, add_user(db, "vp.tinhdoan", Role::Admin, &[], PW).await).await;
    let activities: Vec<Value> = (1..=phongtrao_domain::report::MAX_ACTIVITIES)
        .map(|i| {
            json!({"title": format!("Hoạt động số {i}"), "held_on": "2023-03-01", "area": "2.1",
                   "place": "Rạch Giá", "participants": format!("{i}"), "funds": "", "result": ""})
        })
        .collect();
    let r =
        app.submit(&token, "899", WEEK1, json!({"values": {"5": "1.500", "17": "20"}, "activities": activities})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let shown = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &office).await;
    let stored = shown["submitted"]["activities"].as_array().expect("activities");
    assert_eq!(stored.len(), phongtrao_domain::report::MAX_ACTIVITIES);
    for (i, a) in stored.iter().enumerate() {
        assert_eq!(a["title"], format!("Hoạt động số {}", i + 1));
        assert_eq!(a["participants"], i as i64 + 1);
    }
    assert_eq!(shown["submitted"]["values"]["5"], 1500);
    assert_eq!(shown["submitted"]["values"]["17"], 20);
    // The report's history and the audit log have their rows too.
    let versions: i64 =
        with_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM report_versions").fetch_one(pool).await)
            .expect("count");
    assert_eq!(versions, 1);
    let audited: i64 = with_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.submit'").fetch_one(pool).await)
        .expect("count");
    assert_eq!(audited, 1);
}
