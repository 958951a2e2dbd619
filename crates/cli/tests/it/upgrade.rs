//! A database made by the last release (2026-12-04, one campaign) upgrades in place:
//! its campaign stays the default and runs on its tree, its reports and figures are
//! the same, the office's document texts are still there, and a second campaign can
//! be added beside it. (SQLite: the fixture is a SQLite dump; on PostgreSQL the
//! same migration runs in every test of the suite.)

use std::process::Command;

use phongtrao_domain::role::Role;
use phongtrao_storage::Db;

use crate::support::{add_token, add_user, spawn_on};

const FIXTURE: &str = include_str!("../fixtures/release-671b192.sql");
const CODE: &str = "kien-giang-thang-thanh-nien-2023";

fn phongtrao(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env_remove("PHONGTRAO_DATA_DIR")
        .env_remove("PHONGTRAO_CAMPAIGN")
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .expect("run");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn sums(progress_json: &str) -> Vec<(String, i64)> {
    let v: serde_json::Value = serde_json::from_str(progress_json).expect("progress JSON");
    v["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter(|i| i["indicator"] == "5" || i["indicator"] == "17")
        .map(|i| (i["indicator"].as_str().unwrap_or("").to_string(), i["sum"].as_i64().unwrap_or(-1)))
        .collect()
}

#[tokio::test]
async fn a_database_of_the_last_release_upgrades_in_place() {
    if std::env::var("PHONGTRAO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("path").to_string();
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("phongtrao.db"))
            .create_if_missing(true)
            .foreign_keys(false);
        let pool = sqlx::SqlitePool::connect_with(options).await.expect("create the file");
        sqlx::raw_sql(FIXTURE).execute(&pool).await.expect("load the release's database");
        pool.close().await;
    }

    // The upgrade: the new migrations only, nothing else asked.
    let (ok, out) = phongtrao(&["migrate", "--data-dir", &data]);
    assert!(ok, "{out}");

    // The same figures as the release printed (5: 1.200 + 300; 17: 35 + 12), with and
    // without naming the campaign.
    let (ok, out) = phongtrao(&["progress", "--json", "--data-dir", &data]);
    assert!(ok, "{out}");
    assert_eq!(sums(&out), vec![("5".to_string(), 1500), ("17".to_string(), 47)]);
    let (ok, named) = phongtrao(&["progress", "--json", "--campaign", CODE, "--data-dir", &data]);
    assert!(ok, "{named}");
    assert_eq!(sums(&named), sums(&out));
    let (ok, wrong) = phongtrao(&["progress", "--json", "--campaign", "khong-co", "--data-dir", &data]);
    assert!(!ok && wrong.contains("Không có chiến dịch"), "{wrong}");

    let db = Db::open_data_dir(dir.path()).await.expect("open");
    let all = phongtrao_storage::campaigns::list(&db).await.expect("campaigns");
    assert_eq!(all.len(), 1);
    assert!(all[0].is_current && !all[0].is_archived(), "{:?}", all[0]);
    let root = phongtrao_storage::units::by_code(&db, "91").await.expect("query").expect("root");
    assert_eq!(all[0].root_unit_id, Some(root.id));

    // The office's texts of the final report moved with their campaign.
    let app = spawn_on(db.clone()).await;
    let office = add_token(&db, add_user(&db, "vanphong", Role::Admin, &[], "mat-khau-thu-nghiem-1").await).await;
    let client = reqwest::Client::new();
    let texts: serde_json::Value = client
        .get(format!("{app}/api/v1/document-texts/final-report"))
        .bearer_auth(&office)
        .send()
        .await
        .expect("texts")
        .json()
        .await
        .expect("json");
    assert_eq!(texts["number"], "25-BC/TĐTN-PT", "{texts}");
    let reports: serde_json::Value = client
        .get(format!("{app}/api/v1/reports?campaign={CODE}"))
        .bearer_auth(&office)
        .send()
        .await
        .expect("reports")
        .json()
        .await
        .expect("json");
    assert_eq!(reports["reports"].as_array().map(Vec::len), Some(2), "{reports}");

    // A second campaign beside it; the first keeps its reports and stays the default.
    crate::campaigns::add_second_campaign(&db).await;
    let list: serde_json::Value = client
        .get(format!("{app}/api/v1/campaigns"))
        .bearer_auth(&office)
        .send()
        .await
        .expect("campaigns")
        .json()
        .await
        .expect("json");
    let default: Vec<&str> = list["campaigns"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["is_default"] == true)
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(default, vec![CODE], "{list}");
}
