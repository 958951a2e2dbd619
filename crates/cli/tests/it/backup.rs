//! `phongtrao backup` while a writer keeps submitting reports, then `restore` into a
//! new data directory: the copy passes integrity_check and holds every report
//! acknowledged before the backup started. (SQLite: the PostgreSQL path is pg_dump.)

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Mutex};

use phongtrao_domain::role::Role;
use serde_json::json;

use crate::support::{add_token, add_user, spawn_app};

fn phongtrao(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env_remove("PHONGTRAO_DATA_DIR")
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .expect("run");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_submissions_restores_with_every_acknowledged_report() {
    if std::env::var("PHONGTRAO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // SQLite only: on PostgreSQL the backup is pg_dump's.
    }
    let app = spawn_app().await;
    let admin = add_user(&app.db, "office", Role::Admin, &[], "mat-khau-thu-nghiem-1").await;
    let token = add_token(&app.db, admin).await;
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let levels = campaign.plan.reporting.levels.clone();
    let units: Vec<String> = phongtrao_storage::units::list(&app.db)
        .await
        .expect("units")
        .into_iter()
        .filter(|u| u.active && u.level().is_some_and(|l| levels.contains(&l)))
        .map(|u| u.code)
        .collect();
    let periods: Vec<String> = campaign.plan.periods().iter().map(|p| p.end.to_string()).collect();
    let jobs: Vec<(String, String)> =
        periods.iter().flat_map(|p| units.iter().map(move |u| (u.clone(), p.clone()))).collect();

    // The writer: submits one report after another, recording each acknowledgement.
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let acked = acked.clone();
        let client = app.client.clone();
        let base = app.base.clone();
        tokio::spawn(async move {
            for (unit, period) in jobs {
                let r = client
                    .post(format!("{base}/api/v1/reports/{unit}/{period}/submit"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("bk-{unit}-{period}"))
                    .json(&json!({"version": 0, "input": {"values": {"5": "7"}}}))
                    .send()
                    .await
                    .expect("submit");
                assert!(r.status().is_success(), "{unit} {period}: {}", r.status());
                acked.lock().expect("lock").push((unit, period));
            }
        })
    };
    // Let some reports in, then back up while the writer goes on.
    while acked.lock().expect("lock").len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before: BTreeSet<(String, String)> = acked.lock().expect("lock").iter().cloned().collect();
    let out_dir = tempfile::tempdir().expect("dir");
    let backup = out_dir.path().join("backup.db");
    let url = app.database_url.clone();
    let args = ["backup", "--out", &backup.display().to_string(), "--database-url", &url].map(String::from);
    let (ok, text) =
        tokio::task::spawn_blocking(move || phongtrao(&args.iter().map(String::as_str).collect::<Vec<_>>()))
            .await
            .expect("backup");
    assert!(ok, "{text}");
    let during = acked.lock().expect("lock").len();
    writer.await.expect("writer");
    let total = acked.lock().expect("lock").len();
    assert!(total > during, "the writer kept writing after the backup ({during} → {total})");

    // Restore into a new data directory.
    let new_dir = tempfile::tempdir().expect("dir");
    let (ok, text) =
        phongtrao(&["restore", &backup.display().to_string(), "--data-dir", &new_dir.path().display().to_string()]);
    assert!(ok, "{text}");
    let db = phongtrao_storage::Db::open_data_dir(new_dir.path()).await.expect("open");
    let phongtrao_storage::Db::Sqlite(pool) = &db else { panic!("sqlite") };
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(pool).await.expect("check");
    assert_eq!(check, "ok");
    let codes: std::collections::BTreeMap<i64, String> =
        phongtrao_storage::units::list(&db).await.expect("units").into_iter().map(|u| (u.id, u.code)).collect();
    let restored = phongtrao_storage::reports::list(
        &db,
        campaign.row.id,
        phongtrao_domain::report::ReportKind::Weekly,
        None,
        None,
    )
    .await
    .expect("reports");
    let present: BTreeSet<(String, String)> = restored
        .iter()
        .filter(|r| r.first_submitted_at.is_some())
        .map(|r| (codes[&r.unit_id].clone(), periods[(r.period_seq - 1) as usize].clone()))
        .collect();
    let lost: Vec<_> = before.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged before the backup but missing: {lost:?}");
    assert!(present.len() <= total);
}
