//! A campaign of 2026 runs on the tree of after the 2025 reorganisation while it
//! compares with 2023 on the old tree: a merged commune's "so với cùng kỳ" is the sum
//! of its predecessors' figures of 2023, the province's is the old province's.

use std::process::Command;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use phongtrao_storage::{audit::Who, campaigns};
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app_at, spawn_on_at};

const PW: &str = "mat-khau-thu-nghiem-1";
const BUILT_IN: &str = "kien-giang-thang-thanh-nien-2023";
const CODE_2023: &str = "kien-giang-xa-2023";
const WEEK1: &str = "2023-03-03";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

fn data(file: &str) -> String {
    format!("{}/../../data/reorganisations/{file}", env!("CARGO_MANIFEST_DIR"))
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = client.post(url).bearer_auth(token).json(&body).send().await.expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(client: &reqwest::Client, url: String, token: &str) -> Value {
    client.get(url).bearer_auth(token).send().await.expect("get").json().await.expect("json")
}

fn five(v: &Value) -> Value {
    v["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == "5")).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_merged_commune_of_2026_compares_with_the_sum_of_its_predecessors_of_2023() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = app.db.clone();
    let client = reqwest::Client::new();
    // 2023's campaign reported by the communes (so that communes have figures).
    let toml = phongtrao_domain::builtin::PLAN_TOML
        .replace(BUILT_IN, CODE_2023)
        .replace("[reporting]\nlevels = [\"district\"]", "[reporting]\nlevels = [\"grassroots\"]");
    let plan = phongtrao_domain::plan::parse_plan(&toml).expect("plan");
    campaigns::load_plan(&db, &plan, &toml, Utc::now()).await.expect("load");
    let office = add_token(&db, add_user(&db, "vanphong", Role::Admin, &[], PW).await).await;
    for (code, trees) in [("30730", "10"), ("30733", "15"), ("30970", "7")] {
        let token = add_token(&db, add_user(&db, &format!("xa.{code}"), Role::Unit, &[code], PW).await).await;
        let url = format!("{}/api/v1/reports/{code}/{WEEK1}/submit?campaign={CODE_2023}", app.base);
        let (status, body) = post(&client, url, &token, json!({"version": 0, "input": {"values": {"5": trees}}})).await;
        assert!(status < 300, "{code}: {body}");
    }

    // The 2025 reorganisation: Kiên Giang into the new An Giang, districts abolished.
    let (units_file, mapping) = (data("an-giang-units-2025.csv"), data("kien-giang-2023-to-2025.csv"));
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .args(["units", "reorganise", &units_file, "--mapping", &mapping, "--effective", "2025-07-01", "--yes"])
        .env("DATABASE_URL", &app.database_url)
        .env_remove("PHONGTRAO_DATA_DIR")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // 2026's edition made from 2023's: it runs on the new tree.
    let source = campaigns::by_code(&db, CODE_2023).await.expect("q").expect("2023");
    let state = phongtrao_web::AppState::local(db.clone());
    let overrides = phongtrao_web::actions::campaign_new::Overrides::default();
    let created = phongtrao_web::actions::campaign_new::confirm_as(&state, &Who::cli(), &source, 2026, &overrides)
        .await
        .unwrap_or_else(|f| panic!("{} / {}", f.vi, f.en));
    let c2026 = campaigns::by_id(&db, created.id).await.expect("q").expect("2026");
    let new_root = phongtrao_storage::units::root(&db).await.expect("q").expect("root");
    assert_eq!(c2026.row.root_unit_id, Some(new_root.id), "2026 runs on today's tree");
    assert_ne!(source.row.root_unit_id, Some(new_root.id), "2023 keeps its own");

    // Week 1 of 2026, on a server whose clock is then: Phường Rạch Giá (new 30742,
    // formed from 30730, 30733 and 8 other wards) reports 30 trees.
    let week1 = c2026.plan.periods()[0].clone();
    let base = spawn_on_at(db.clone(), week1.deadline.with_timezone(&Utc) - chrono::Duration::hours(3)).await;
    let ward = add_token(&db, add_user(&db, "phuong.rachgia", Role::Unit, &["30742"], PW).await).await;
    let end = week1.end.format("%Y-%m-%d");
    let url = format!("{base}/api/v1/reports/30742/{end}/submit?campaign={}", created.code);
    let (status, body) = post(&client, url, &ward, json!({"version": 0, "input": {"values": {"5": "30"}}})).await;
    assert!(status < 300, "{body}");

    // Its "cùng kỳ" is 10 + 15 (its predecessors that reported), not the old 30742's.
    let yoy =
        get(&client, format!("{base}/api/v1/progress/year-over-year?campaign={}&unit=30742", created.code), &office)
            .await;
    let ward_five = five(&yoy);
    assert_eq!(ward_five["value"], json!(25.0), "{yoy}");
    assert_eq!(ward_five["change_percent"], json!(20.0), "{yoy}");
    assert!(ward_five["text_vi"].as_str().unwrap_or("").contains("tăng 20% so với cùng kỳ năm 2023"), "{ward_five}");
    // The province: the old province's whole (10 + 15 + 7), the same on the progress API.
    let top = get(&client, format!("{base}/api/v1/progress/year-over-year?campaign={}", created.code), &office).await;
    assert_eq!(five(&top)["value"], json!(32.0), "{top}");
    let progress = get(&client, format!("{base}/api/v1/progress?campaign={}", created.code), &office).await;
    assert_eq!(five(&progress)["previous"]["value"], json!(32.0), "{progress}");
    // 2023 still reads on its own tree: the old 30742 (Phường Vĩnh Bảo) had no report.
    let old = get(&client, format!("{base}/api/v1/progress?campaign={CODE_2023}&unit=30730&at={WEEK1}"), &office).await;
    assert_eq!(five(&old)["sum"], json!(10), "{old}");
}
