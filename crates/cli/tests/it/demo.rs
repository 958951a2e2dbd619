//! The demo: simulated reports, labelled as such everywhere.

use phongtrao_domain::role::Role;
use serde_json::Value;

use crate::support::{add_token, add_user, spawn_app};

#[test]
fn phongtrao_demo_fills_the_campaign_and_every_page_says_it_is_simulated() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
            .env_remove("DATABASE_URL")
            .env_remove("PHONGTRAO_DATA_DIR")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .expect("run")
    };
    let out = run(&["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DỮ LIỆU MÔ PHỎNG"), "{text}");
    let out = run(&["progress", "--json", "--at", "2023-03-31"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let progress: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(progress["simulated"], true);
    let trees = progress["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["indicator"] == "5")
        .cloned()
        .expect("5");
    assert!(trees["sum"].as_i64().unwrap_or(0) > 5000, "{trees}");
    let weeks = progress["timeliness"].as_array().expect("timeliness");
    let (on_time, late, missing): (i64, i64, i64) = weeks.iter().fold((0, 0, 0), |(a, b, c), w| {
        (
            a + w["on_time"].as_i64().unwrap_or(0),
            b + w["late"].as_i64().unwrap_or(0),
            c + w["missing"].as_i64().unwrap_or(0),
        )
    });
    assert_eq!(on_time + late + missing, 75, "15 districts × 5 weeks");
    assert!(on_time > late && late > 0, "{on_time} on time, {late} late, {missing} missing");
    // A second run adds nothing (reports already there).
    let out = run(&["demo"]);
    assert!(out.status.success());
    let again: Value =
        serde_json::from_slice(&run(&["progress", "--json", "--at", "2023-03-31"]).stdout).expect("json");
    assert_eq!(again["indicators"], progress["indicators"]);
}

#[tokio::test]
async fn a_real_database_carries_no_simulated_label() {
    let app = spawn_app().await;
    let html = app.text("/").await;
    assert!(!html.contains("DỮ LIỆU MÔ PHỎNG"));
    let token = add_token(&app.db, add_user(&app.db, "d.admin", Role::Admin, &[], "mat-khau-thu-nghiem-1").await).await;
    let state = phongtrao_web::AppState::local(app.db.clone());
    let summary = phongtrao_web::demo::fill(&state, 7).await.expect("demo");
    assert!(summary.reports > 60);
    // The office's notice box shows the simulated submissions, one notice each.
    let notices: Value = app.api("/api/v1/notices?limit=500", &token).await;
    assert_eq!(notices["notices"].as_array().map(Vec::len), Some(summary.reports), "{notices}");
    for path in ["/", "/targets", "/units", "/units/899"] {
        assert!(app.text(path).await.contains("DỮ LIỆU MÔ PHỎNG"), "{path} lacks the label");
    }
    let progress: Value = app
        .client
        .get(format!("{}/api/v1/progress", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("p")
        .json()
        .await
        .expect("json");
    assert_eq!(progress["simulated"], true);
}
