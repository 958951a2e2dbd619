//! The unit tree's history: the 2025 reorganisation (Kiên Giang into the new An
//! Giang, districts abolished) applied to the built-in 2023 tree with
//! `phongtrao units reorganise`, the old tree kept for the 2023 campaign, and the
//! migration that makes codes unique among live units only.

use std::collections::HashMap;
use std::process::Command;

use phongtrao_domain::report::ReportKind;
use phongtrao_domain::role::Role;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::audit::{AuditFilter, Who};
use phongtrao_storage::{campaigns, rollups, unit_contacts, unit_history, units, users, Db};
use serde_json::json;

use crate::support::{add_token, add_user, fresh_db, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

fn data(file: &str) -> String {
    format!("{}/../../data/reorganisations/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn phongtrao(database_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("PHONGTRAO_DATA_DIR")
        .output()
        .expect("run phongtrao");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs literal SQL (test data, no user text) on either backend.
async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).execute(pool).await.expect(sql);
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.expect(sql);
        }
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
    }
}

async fn id_of(db: &Db, code: &str) -> i64 {
    units::by_code(db, code).await.expect("query").expect(code).id
}

async fn figures_debug(db: &Db, ids: &[i64]) -> Vec<String> {
    let campaign = campaigns::current(db).await.expect("campaign");
    let stored = rollups::stored_all(db, &campaign.plan, campaign.row.id).await.expect("rollups");
    // The figures as text, entries sorted (a map's order is not fixed).
    ids.iter()
        .map(|id| {
            let text = format!("{:?}", stored.get(id));
            let inner = text.trim_start_matches("Some({").trim_end_matches("})").trim_start_matches('(');
            let mut entries: Vec<&str> = inner.split(", (").collect();
            entries.sort();
            entries.join(" | ")
        })
        .collect()
}

#[tokio::test]
async fn the_2025_reorganisation_makes_the_new_tree_and_keeps_the_old_one_for_2023() {
    let app = spawn_app().await;
    let db = &app.db;
    let campaign = campaigns::current(db).await.expect("campaign");
    let old_root = campaign.row.root_unit_id.expect("the built-in campaign names its root");

    // Before: a district reports, a commune has a reporter, figures and a contact.
    let district = add_user(db, "hd.899", Role::Unit, &["899"], PW).await;
    let district_token = add_token(db, district).await;
    let commune_user = add_user(db, "dp.30733", Role::Unit, &["30733"], PW).await;
    let r = app.submit(&district_token, "899", "2023-03-03", json!({"values": {"17": "120"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let (old_899, old_30742, old_30733) = (id_of(db, "899").await, id_of(db, "30742").await, id_of(db, "30733").await);
    for (code, members) in [("30730", 100), ("30733", 250), ("30742", 41), ("31105", 17)] {
        let id = id_of(db, code).await;
        exec(db, &format!("INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ({id}, 'doan_vien', {members}, '2023-01-01T00:00:00Z')")).await;
    }
    let contact = unit_contacts::Contact {
        secretary: "Nguyễn Văn Thổ".into(),
        phone: "0912345678".into(),
        email: String::new(),
        note: String::new(),
    };
    unit_contacts::set(db, id_of(db, "31105").await, &contact, &Who::cli(), chrono::Utc::now()).await.expect("contact");
    let old_31105 = id_of(db, "31105").await;
    let figures_before = figures_debug(db, &[old_root, old_899]).await;
    let office_token = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let progress_before = app.api("/api/v1/progress?at=2023-03-03", &office_token).await;
    assert_eq!(progress_before["unit"], "91", "{progress_before}");
    let units_before = count(db, "SELECT COUNT(*) FROM units").await;

    // The preview says what it will do and writes nothing.
    let units_file = data("an-giang-units-2025.csv");
    let mapping = data("kien-giang-2023-to-2025.csv");
    let args = ["units", "reorganise", units_file.as_str(), "--mapping", mapping.as_str(), "--effective", "2025-07-01"];
    let (ok, out, err) = phongtrao(&app.database_url, &args);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Cây mới: 103 đơn vị"), "{out}");
    assert!(out.contains("Ngừng hoạt động từ ngày 01/07/2025: 160 đơn vị"), "{out}");
    assert!(out.contains("Giải thể") && out.contains("899, 900"), "{out}");
    assert!(out.contains("--yes"), "{out}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM units").await, units_before, "a preview writes nothing");

    let mut with_yes = args.to_vec();
    with_yes.extend(["--title", "Sắp xếp đơn vị hành chính 2025", "--yes"]);
    let (ok, out, err) = phongtrao(&app.database_url, &with_yes);
    assert!(ok, "{out}\n{err}");

    // Today's tree: the new province and its 102 commune-level units, no district.
    let live = units::list_live(db).await.expect("live");
    assert_eq!(live.len(), 103);
    let root = units::root(db).await.expect("q").expect("root");
    assert_eq!((root.code.as_str(), root.name.as_str()), ("91", "Tỉnh đoàn An Giang"));
    assert_ne!(root.id, old_root);
    assert_eq!(units::children(db, root.id).await.expect("children").len(), 102);
    assert!(live.iter().all(|u| u.level != 2), "no district level any more");
    let phu_quoc = units::by_code(db, "31078").await.expect("q").expect("31078");
    assert_eq!((phu_quoc.kind.as_str(), phu_quoc.name.as_str()), ("special_zone", "Đoàn đặc khu Phú Quốc"));
    assert_eq!(phu_quoc.valid_from.map(|d| d.to_string()).as_deref(), Some("2025-07-01"));
    assert!(units::search(db, "rach gia", 50).await.expect("search").iter().all(|u| u.is_live()));
    let page = app.text("/units").await;
    assert!(
        page.contains("Đoàn đặc khu Phú Quốc") && !page.contains("Huyện đoàn Hòn Đất"),
        "the page shows today's tree"
    );
    let unit_page = app.text("/units/30742").await;
    assert!(
        unit_page.contains("Hình thành từ ngày 01/07/2025, từ: Đoàn phường Vĩnh Thanh Vân (30730)")
            && unit_page.contains("(30757)"),
        "the unit's page says what it was formed from"
    );
    let listed = app.json("/api/v1/units").await;
    assert_eq!(listed["count"], 103);

    // The old tree: retired, still whole from its root; the 2023 campaign still
    // lists its 15 districts and its report stays attached with the same figures.
    let old = units::by_id(db, old_root).await.expect("q").expect("old root");
    assert_eq!(old.valid_until.map(|d| d.to_string()).as_deref(), Some("2025-07-01"));
    let districts = units::children(db, old_root).await.expect("children");
    assert_eq!(districts.len(), 15);
    assert!(districts.iter().any(|d| d.name == "Thành đoàn Rạch Giá"));
    assert_eq!(units::subtree_ids(db, old_root).await.expect("subtree").len(), 160);
    let campaign_root = units::root_of(db, campaign.row.root_unit_id).await.expect("q").expect("root");
    assert_eq!(campaign_root.id, old_root);
    let reports = phongtrao_storage::reports::list(db, campaign.row.id, ReportKind::Weekly, Some(&[old_899]), None)
        .await
        .expect("reports");
    assert_eq!(reports.len(), 1, "the 2023 report stays on the 2023 unit");
    assert_eq!(figures_debug(db, &[old_root, old_899]).await, figures_before, "its rollup is unchanged");
    let progress_after = app.api("/api/v1/progress?at=2023-03-03", &office_token).await;
    assert_eq!(progress_after["unit"], progress_before["unit"]);
    assert_eq!(progress_after["timeliness"], progress_before["timeliness"], "the 2023 progress is unchanged");
    assert_eq!(progress_after["indicators"], progress_before["indicators"]);
    let dashboard = app.office_page("/dashboard?at=2023-03-03").await;
    assert!(
        dashboard.contains("<h1>Bảng điều khiển: Tỉnh đoàn Kiên Giang</h1>"),
        "the 2023 dashboard shows the 2023 tree"
    );

    // A code names the live unit; within the old tree it names the old one.
    let new_30742 = units::by_code(db, "30742").await.expect("q").expect("30742");
    assert_eq!(new_30742.name, "Đoàn phường Rạch Giá");
    assert_ne!(new_30742.id, old_30742);
    let in_old = units::by_code_under(db, "30742", old_root).await.expect("q").expect("old 30742");
    assert_eq!(in_old.id, old_30742);

    // Phường Rạch Giá comes from its ten phường of 2023, each whole.
    let lineage = unit_history::lineage_between(db, old_root, root.id).await.expect("lineage");
    let mut preds: Vec<String> = Vec::new();
    for (id, share) in &lineage[&new_30742.id] {
        assert_eq!(*share, 1.0);
        preds.push(units::by_id(db, *id).await.expect("q").expect("pred").code);
    }
    preds.sort();
    assert_eq!(preds, ["30730", "30733", "30736", "30739", "30742", "30745", "30748", "30751", "30754", "30757"]);
    assert_eq!(lineage[&root.id], vec![(old_root, 1.0)]);
    // Kiên Giang's 144 communes became 48 of the new communes; the province follows
    // whole; the old An Giang's communes were never in this database.
    assert_eq!(lineage.len(), 49);

    // Base figures follow (a merge adds up), the reporter moves, the contact follows.
    let figures: HashMap<BaseFigure, i64> =
        phongtrao_storage::base_figures::for_unit(db, new_30742.id).await.expect("figures").into_iter().collect();
    assert_eq!(figures.get(&BaseFigure::DoanVien), Some(&(100 + 250 + 41)));
    assert_eq!(users::unit_ids(db, commune_user).await.expect("units"), vec![new_30742.id]);
    assert_eq!(users::unit_ids(db, district).await.expect("units"), vec![old_899], "a dissolved unit's account stays");
    let tho_chau = id_of(db, "31105").await;
    assert_ne!(tho_chau, old_31105);
    assert_eq!(unit_contacts::get(db, tho_chau).await.expect("contact").secretary, "Nguyễn Văn Thổ");
    assert_eq!(unit_contacts::get(db, old_31105).await.expect("contact").secretary, "Nguyễn Văn Thổ");
    let _ = old_30733;

    // One audit entry with the counts.
    let filter = AuditFilter { action_prefix: Some("unit.reorganise".into()), limit: 10, ..AuditFilter::default() };
    let entries = phongtrao_storage::audit::query(db, &filter).await.expect("audit");
    assert_eq!(entries.len(), 1);
    let after = format!("{:?}", entries[0]);
    assert!(after.contains("\\\"merges\\\"") || after.contains("merges"), "{after}");

    // The next start loads the built-in tree "if missing": the retired units are
    // there, none comes back to life.
    phongtrao_storage::seed::load_builtin(db, chrono::Utc::now()).await.expect("seed");
    assert_eq!(units::list_live(db).await.expect("live").len(), 103);
    assert_eq!(units::root(db).await.expect("q").expect("root").id, root.id);

    // The same file again: the tree it would replace is the new one, whose codes the
    // mapping does not know; refused, nothing written.
    let (ok, _, err) = phongtrao(&app.database_url, &with_yes);
    assert!(!ok);
    assert!(err.contains("30751") || err.contains("không"), "{err}");
    assert_eq!(units::list_live(db).await.expect("live").len(), 103);
}

#[tokio::test]
async fn a_bad_mapping_is_refused_with_its_rows_named_and_nothing_written() {
    let app = spawn_app().await;
    let db = &app.db;
    let dir = tempfile::tempdir().expect("dir");
    let good = std::fs::read_to_string(data("kien-giang-2023-to-2025.csv")).expect("mapping");
    // Row 2 (30730) goes to an unknown old code; 30733 (row 3) gets 0.7 + 0.6.
    let bad = good.replacen("30730,Phường Vĩnh Thanh Vân,30742", "99999,Không có,30742", 1).replacen(
        "30733,Phường Vĩnh Thanh,30742,Phường Rạch Giá,full",
        "30733,Phường Vĩnh Thanh,30742,Phường Rạch Giá,0.7\n30733,Phường Vĩnh Thanh,31105,Đặc khu Thổ Châu,0.6",
        1,
    );
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, bad).expect("write");
    let units_before = count(db, "SELECT COUNT(*) FROM units").await;
    let audit_before = count(db, "SELECT COUNT(*) FROM audit_log").await;
    let units_file = data("an-giang-units-2025.csv");
    let args = [
        "units",
        "reorganise",
        units_file.as_str(),
        "--mapping",
        path.to_str().expect("path"),
        "--effective",
        "2025-07-01",
        "--yes",
    ];
    let (ok, out, err) = phongtrao(&app.database_url, &args);
    assert!(!ok, "{out}");
    assert!(err.contains("dòng / row 2") && err.contains("99999"), "{err}");
    assert!(err.contains("30733") && err.contains("1,3") && err.contains("1.3") && err.contains("rows 3, 4"), "{err}");
    assert!(err.contains("30730"), "the unit left without successor is named: {err}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM units").await, units_before);
    assert_eq!(count(db, "SELECT COUNT(*) FROM reorganisations").await, 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log").await, audit_before);
    assert!(units::by_code(db, "899").await.expect("q").expect("899").is_live());
}

#[tokio::test]
async fn the_migration_keeps_every_row_and_link_and_frees_retired_codes() {
    let (db, _dir) = fresh_db().await;
    // The schema as the previous release left it (up to 0017), with data in it.
    let backend = if matches!(db, Db::Sqlite(_)) { "sqlite" } else { "postgres" };
    let path = format!("{}/../storage/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut before = sqlx::migrate::Migrator::new(std::path::Path::new(&path)).await.expect("migrations");
    before.migrations = before.migrations.iter().filter(|m| m.version < 18).cloned().collect::<Vec<_>>().into();
    match &db {
        Db::Sqlite(pool) => before.run(pool.pool()).await.expect("migrate to 0017"),
        Db::Postgres(pool) => before.run(pool).await.expect("migrate to 0017"),
    }
    let t = "'2023-03-01T00:00:00Z'";
    exec(&db, &format!("INSERT INTO units (id, code, parent_id, kind, level, name, search_key, position, active, created_at, updated_at) VALUES
        (1, '91', NULL, 'province', 1, 'Tỉnh đoàn Kiên Giang', 'tinh doan kien giang 91', 1, TRUE, {t}, {t}),
        (2, '899', 1, 'city', 2, 'Thành đoàn Rạch Giá', 'thanh doan rach gia 899', 2, TRUE, {t}, {t}),
        (3, '30742', 2, 'ward', 3, 'Đoàn phường Vĩnh Bảo', 'doan phuong vinh bao 30742', 3, TRUE, {t}, {t})")).await;
    exec(&db, &format!("INSERT INTO campaigns (id, code, title, year, theme, starts_on, ends_on, timezone, plan_toml, is_current, created_at, updated_at, root_unit_id)
        VALUES (1, 'tn2023', 'Tháng Thanh niên 2023', 2023, 'x', '2023-03-01', '2023-03-31', 'Asia/Ho_Chi_Minh', '', TRUE, {t}, {t}, 1)")).await;
    exec(&db, &format!("INSERT INTO reports (id, campaign_id, unit_id, kind, period_seq, status, version, due_at, draft_json, created_at, updated_at, updated_by)
        VALUES (1, 1, 2, 'weekly', 1, 'submitted', 1, {t}, '{{}}', {t}, {t}, 'hd.899')")).await;
    exec(&db, "INSERT INTO report_values (report_id, indicator_key, value) VALUES (1, '17', 120)").await;
    exec(&db, &format!("INSERT INTO users (id, username, display_name, password_hash, role, created_at, updated_at) VALUES (1, 'hd.899', 'HĐ', 'x', 'unit', {t}, {t})")).await;
    exec(&db, "INSERT INTO user_units (user_id, unit_id) VALUES (1, 2)").await;
    exec(
        &db,
        &format!("INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES (3, 'doan_vien', 41, {t})"),
    )
    .await;
    if let Db::Postgres(pool) = &db {
        sqlx::query("SELECT setval(pg_get_serial_sequence('units', 'id'), 3)").execute(pool).await.expect("seq");
    }

    db.migrate().await.expect("migrate to 0018");

    // Every row and link is there, with its id.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM units").await, 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reports WHERE unit_id = 2").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM user_units WHERE unit_id = 2").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM unit_base_figures WHERE unit_id = 3").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM units WHERE parent_id = 2 AND valid_until IS NULL").await, 1);
    let unit = units::by_code(&db, "30742").await.expect("q").expect("30742");
    assert_eq!((unit.id, unit.parent_id, unit.valid_from, unit.valid_until), (3, Some(2), None, None));
    if let Db::Sqlite(pool) = &db {
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(pool).await.expect("check");
        assert!(broken.is_empty(), "{broken:?}");
        // Foreign keys still hold after the rebuild.
        let r = sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES (1, 999)").execute(pool).await;
        assert!(r.is_err(), "a link to no unit is still refused");
    }

    // A code is unique among live units only.
    let dup = format!("INSERT INTO units (code, parent_id, kind, level, name, search_key, created_at, updated_at) VALUES ('30742', NULL, 'ward', 3, 'Đoàn phường Rạch Giá', 'x', {t}, {t})");
    let refused = match &db {
        Db::Sqlite(pool) => sqlx::query(&dup).execute(pool).await.is_err(),
        Db::Postgres(pool) => sqlx::query(&dup).execute(pool).await.is_err(),
    };
    assert!(refused, "two live units cannot share a code");
    exec(&db, "UPDATE units SET valid_until = '2025-07-01' WHERE id = 3").await;
    exec(&db, &dup).await;
    assert_eq!(units::by_code(&db, "30742").await.expect("q").expect("live").name, "Đoàn phường Rạch Giá");
    assert_eq!(units::by_code_under(&db, "30742", 1).await.expect("q").expect("old").id, 3);
}

#[tokio::test]
async fn the_office_previews_then_confirms_a_reorganisation_on_its_page() {
    use crate::support::{browser, csrf_of};
    use reqwest::multipart::{Form, Part};
    let app = spawn_app().await;
    let db = &app.db;
    add_user(db, "vanphong", Role::Admin, &[], PW).await;
    add_user(db, "hd.903", Role::Unit, &["903"], PW).await;
    let units_csv = std::fs::read(data("an-giang-units-2025.csv")).expect("units");
    let mapping_csv = std::fs::read(data("kien-giang-2023-to-2025.csv")).expect("mapping");
    let form = |csrf: &str, mapping: Vec<u8>| {
        Form::new()
            .text("csrf", csrf.to_string())
            .part("file", Part::bytes(units_csv.clone()).file_name("an-giang-units-2025.csv"))
            .part("mapping", Part::bytes(mapping).file_name("kien-giang-2023-to-2025.csv"))
            .text("effective", "2025-07-01")
            .text("title", "Sắp xếp đơn vị hành chính 2025")
    };

    // A unit's reporter may not.
    let reporter = browser();
    app.login_form(&reporter, "hd.903", PW, "10.0.0.7").await;
    assert_eq!(reporter.get(format!("{}/admin/units/reorganise", app.base)).send().await.expect("get").status(), 403);

    let client = browser();
    app.login_form(&client, "vanphong", PW, "10.0.0.5").await;
    let page = client.get(format!("{}/admin/units/reorganise", app.base)).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let csrf = csrf_of(&page.text().await.expect("body"));

    // A bad mapping: refused, rows named, nothing kept.
    let bad = String::from_utf8(mapping_csv.clone()).expect("utf-8").replacen("30730,", "99999,", 1);
    let r = client
        .post(format!("{}/admin/units/reorganise", app.base))
        .multipart(form(&csrf, bad.into_bytes()))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<strong>Dòng 2</strong>: tệp ánh xạ: mã cũ 99999"), "{html}");
    assert!(html.contains("30730 Đoàn phường Vĩnh Thanh Vân"), "the unit left without successor is named: {html}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM reorganisations").await, 0);

    // The good files: a preview, nothing written yet.
    let r = client
        .post(format!("{}/admin/units/reorganise", app.base))
        .multipart(form(&csrf, mapping_csv.clone()))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Sáp nhập (từ 2 đơn vị trở lên)</th><td>42</td>"), "{html}");
    assert!(html.contains("<td>103 (91)</td>") && html.contains("<td>160 (91)</td>"), "{html}");
    assert_eq!(units::list_live(db).await.expect("live").len(), 160, "nothing written before the confirmation");
    let action =
        html.split("action=\"/admin/units/reorganise/").nth(1).and_then(|s| s.split('"').next()).expect("confirm form");

    let r = client
        .post(format!("{}/admin/units/reorganise/{action}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Đã sắp xếp") && html.contains("Sắp xếp đơn vị hành chính 2025"), "{html}");
    assert_eq!(units::list_live(db).await.expect("live").len(), 103);
    let filter = AuditFilter { action_prefix: Some("unit.reorganise".into()), limit: 10, ..AuditFilter::default() };
    let entries = phongtrao_storage::audit::query(db, &filter).await.expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_name, "vanphong");
}

/// The 2025 tree reorganised again (an imagined 2027): Thổ Châu merged into Rạch Giá
/// and Phú Quốc split 60/40; every other unit kept one to one.
fn reorganisation_2027() -> String {
    let text = std::fs::read_to_string(data("an-giang-units-2025.csv")).expect("units");
    let mut out = String::from("code,parent_code,level,kind,name,formed_from\n");
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.splitn(6, ',').collect();
        let (code, rest) = (fields[0], fields[1..5].join(","));
        let formed = match code {
            "31105" => continue,
            "30742" => "30742; 31105".to_string(),
            "31078" => "31078 (60%)".to_string(),
            _ => code.to_string(),
        };
        out.push_str(&format!("{code},{rest},{formed}\n"));
    }
    out.push_str("99001,91,2,dac_khu,Đặc khu Bắc Phú Quốc,31078 (40%)\n");
    out
}

#[tokio::test]
async fn lineage_follows_several_reorganisations_multiplying_shares() {
    let app = spawn_app().await;
    let db = &app.db;
    let old_root = campaigns::current(db).await.expect("campaign").row.root_unit_id.expect("root");
    let members = [("30730", 100), ("30733", 250), ("30742", 41), ("31105", 17), ("31078", 500), ("31081", 301)];
    for (code, n) in members {
        let id = id_of(db, code).await;
        exec(db, &format!("INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ({id}, 'doan_vien', {n}, '2023-01-01T00:00:00Z')")).await;
    }
    let units_file = data("an-giang-units-2025.csv");
    let mapping = data("kien-giang-2023-to-2025.csv");
    let first = [
        "units",
        "reorganise",
        units_file.as_str(),
        "--mapping",
        mapping.as_str(),
        "--effective",
        "2025-07-01",
        "--yes",
    ];
    let (ok, out, err) = phongtrao(&app.database_url, &first);
    assert!(ok, "{out}\n{err}");
    let root_2025 = units::root(db).await.expect("q").expect("root").id;
    // A campaign created now runs on today's tree; the 2023 one keeps its own.
    let toml = phongtrao_domain::builtin::PLAN_TOML
        .replace("code = \"kien-giang-thang-thanh-nien-2023\"", "code = \"an-giang-thang-thanh-nien-2026\"");
    let plan = phongtrao_domain::plan::parse_plan(&toml).expect("plan");
    let loaded = campaigns::load_plan(db, &plan, &toml, chrono::Utc::now()).await.expect("load");
    let phongtrao_storage::campaigns::Loaded::Created(new_campaign) = loaded else { panic!("created") };
    let new_campaign = campaigns::by_id(db, new_campaign).await.expect("q").expect("campaign");
    assert_eq!(new_campaign.row.root_unit_id, Some(root_2025));

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("2027.csv");
    std::fs::write(&path, reorganisation_2027()).expect("write");
    let path = path.to_str().expect("path");
    // Not before the last reorganisation.
    let (ok, _, err) =
        phongtrao(&app.database_url, &["units", "reorganise", path, "--effective", "2025-07-01", "--yes"]);
    assert!(!ok && err.contains("01/07/2025"), "{err}");
    let (ok, out, err) =
        phongtrao(&app.database_url, &["units", "reorganise", path, "--effective", "2027-01-01", "--yes"]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("Sáp nhập (từ 2 đơn vị trở lên): 1") && out.contains("Chia tách (sang 2 đơn vị trở lên): 1"),
        "{out}"
    );
    let root_2027 = units::root(db).await.expect("q").expect("root").id;
    assert!(root_2027 != root_2025 && root_2025 != old_root);

    let code_of = |id: i64| async move { units::by_id(db, id).await.expect("q").expect("unit").code };
    let lineage = unit_history::lineage_between(db, old_root, root_2027).await.expect("lineage");
    let rach_gia = id_of(db, "30742").await;
    let mut preds = Vec::new();
    for (id, share) in &lineage[&rach_gia] {
        assert_eq!(*share, 1.0);
        preds.push(code_of(*id).await);
    }
    preds.sort();
    assert_eq!(preds.len(), 11, "ten phường of 2023 and Thổ Châu: {preds:?}");
    assert!(preds.contains(&"31105".to_string()));
    // Phú Quốc's eight communes of 2023: 60 % to Phú Quốc, 40 % to the new zone.
    for (code, share) in [("31078", 0.6), ("99001", 0.4)] {
        let from = &lineage[&id_of(db, code).await];
        assert_eq!(from.len(), 8, "{code}");
        assert!(from.iter().all(|(_, s)| (s - share).abs() < 1e-9), "{code}: {from:?}");
    }
    // Base figures followed: the merge adds up, the split by its shares (rounded once).
    let doan_vien = |code: &'static str| async move {
        phongtrao_storage::base_figures::for_unit(db, id_of(db, code).await)
            .await
            .expect("figures")
            .get(&BaseFigure::DoanVien)
            .copied()
    };
    assert_eq!(doan_vien("30742").await, Some(100 + 250 + 41 + 17));
    assert_eq!(doan_vien("31078").await, Some(481), "0.6 × 801 = 480.6 → 481");
    assert_eq!(doan_vien("99001").await, Some(320), "0.4 × 801 = 320.4 → 320");
    // The 2023 units are two reorganisations away; the 2025 ones are still reachable.
    assert_eq!(units::subtree_ids(db, old_root).await.expect("subtree").len(), 160);
    assert_eq!(units::subtree_ids(db, root_2025).await.expect("subtree").len(), 103);
}
