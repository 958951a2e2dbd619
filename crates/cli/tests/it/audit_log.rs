//! The audit log an officer can use: filters that combine (unit, user, action, dates)
//! with paging that keeps them, an export of the filtered rows, and entries that read
//! as sentences with names and codes instead of internal ids.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::{self, Who};
use phongtrao_storage::{units, users, Db};
use reqwest::StatusCode;

use crate::support::{browser, spawn_app_at, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

/// A user with a display name (the sentences use it); its id.
async fn person(db: &Db, login: &str, name: &str, role: Role) -> i64 {
    let hash = phongtrao_web::password::hash(PW).expect("hash");
    users::create(
        db,
        &users::NewUser {
            username: login,
            display_name: name,
            password_hash: &hash,
            role,
            must_change_password: false,
            unit_ids: &[],
            email: None,
        },
        &Who::system(),
        Utc::now(),
    )
    .await
    .expect("user")
}

/// Vietnam time.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

async fn unit_id(db: &Db, code: &str) -> i64 {
    units::by_code(db, code).await.expect("query").expect("unit").id
}

/// An entry written at a chosen time, as the app writes them.
async fn entry(db: &Db, who: (i64, &str), action: &str, unit: &str, seq: i64, at: DateTime<Utc>) {
    let id = unit_id(db, unit).await;
    let who = Who { user_id: Some(who.0), name: who.1.to_string(), client: Some("10.0.0.9".into()) };
    let e = who
        .entry(action, "report", Some(format!("weekly/{id}/{seq}")))
        .unit(Some(id))
        .after(&serde_json::json!({"status": "submitted", "version": 1}));
    audit::record(db, &e, at).await.expect("audit");
}

async fn office(app: &TestApp) -> reqwest::Client {
    person(&app.db, "vanphong", "Trần Thị Văn Phòng", Role::Admin).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.7.1").await.status(), StatusCode::SEE_OTHER);
    client
}

#[tokio::test]
async fn filters_combine_page_and_export_the_filtered_rows_in_vietnamese() {
    let app = spawn_app_at(vn(2023, 3, 10, 9, 0)).await;
    let db = &app.db;
    let a = person(db, "nva", "Nguyễn Văn A", Role::Unit).await;
    let b = person(db, "ttb", "Trần Thị B", Role::Unit).await;
    // Reports submitted on several days; Hòn Đất (903) and a commune below it
    // (30823), Rạch Giá (899) elsewhere.
    entry(db, (a, "nva"), "report.submit", "903", 1, vn(2023, 3, 1, 10, 0)).await; // before the range
    entry(db, (a, "nva"), "report.submit", "903", 2, vn(2023, 3, 5, 10, 0)).await; // kept
    entry(db, (a, "nva"), "report.submit", "899", 2, vn(2023, 3, 5, 11, 0)).await; // another unit
    entry(db, (b, "ttb"), "report.accept", "903", 2, vn(2023, 3, 5, 12, 0)).await; // another action
    entry(db, (b, "ttb"), "report.submit", "30823", 2, vn(2023, 3, 6, 23, 30)).await; // kept: last evening, Vietnam time
    entry(db, (b, "ttb"), "report.submit", "903", 3, vn(2023, 3, 7, 0, 30)).await; // the next day in Vietnam (still 06/03 in UTC)
    let client = office(&app).await;

    // Action + dates (dd/mm/yyyy as typed) + unit by name without accents.
    let q = "unit=hon%20dat&action=report.submit&from=02/03/2023&to=06/03/2023";
    let html = client.get(format!("{}/audit?{q}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("<strong>2</strong>"), "two entries match: {html}");
    let hon_dat = units::by_code(db, "903").await.expect("q").expect("unit").name;
    let commune = units::by_code(db, "30823").await.expect("q").expect("unit").name;
    assert!(html.contains(&format!("Nguyễn Văn A nộp báo cáo tuần 2 của {hon_dat} (mã 903)")), "{html}");
    assert!(html.contains(&format!("Trần Thị B nộp báo cáo tuần 2 của {commune} (mã 30823)")), "{html}");
    assert!(!html.contains("tuần 3") && !html.contains("tuần 1 của") && !html.contains("duyệt báo cáo tuần"), "{html}");
    assert!(!html.contains("report.submit</") && !html.contains("{&quot;"), "no codes, no raw JSON");
    // The same dates as a browser's date input sends them.
    let iso = "unit=903&action=report.submit&from=2023-03-02&to=2023-03-06";
    let same = client.get(format!("{}/audit?{iso}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(same.contains("<strong>2</strong>"), "{same}");
    assert!(same.contains("value=\"2023-03-02\""), "the date input keeps its value");
    // The action filter offers words, not codes.
    assert!(html.contains("<option value=\"report-submit\" selected>nộp báo cáo</option>"), "{html}");

    // The export holds exactly those rows, with the Vietnamese headings.
    let r = client.get(format!("{}/audit/export.xlsx?{q}", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][..5], ["Thời gian", "Người thực hiện", "Hành động", "Đơn vị", "Chi tiết"]);
    assert_eq!(rows.len(), 3, "header and two rows: {rows:?}");
    assert_eq!(rows[1][0], "06/03/2023 23:30:00");
    assert_eq!(rows[1][1], "Trần Thị B (ttb)");
    assert!(rows[1][2].starts_with("Trần Thị B nộp báo cáo tuần 2"), "{rows:?}");
    assert_eq!(rows[1][3], format!("{commune} (mã 30823)"));
    assert!(rows[1][4].contains("trạng thái: đã nộp"), "{rows:?}");
    assert_eq!(rows[2][0], "05/03/2023 10:00:00");
    let csv = client.get(format!("{}/audit/export.csv?{q}", app.base)).send().await.expect("get");
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.expect("csv");
    assert!(csv.starts_with("\u{feff}Thời gian,Người thực hiện,Hành động,Đơn vị,Chi tiết"), "{csv}");
    assert_eq!(csv.trim_end().lines().count(), 3, "{csv}");

    // The user by name as typed, without accents; combined with the action.
    let html = client
        .get(format!("{}/audit?user=nguyen%20van%20a&action=report.submit", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("<strong>3</strong>"), "{html}");
    assert!(!html.contains("Trần Thị B nộp"), "{html}");

    // Paging keeps the filters.
    for i in 0..60 {
        let e = Who { user_id: Some(b), name: "ttb".into(), client: None }.entry(
            "login.success",
            "user",
            Some("ttb".into()),
        );
        audit::record(db, &e, vn(2023, 3, 4, 8, i)).await.expect("audit");
    }
    let html = client
        .get(format!("{}/audit?user=ttb&action=login.success&from=04/03/2023&to=04/03/2023", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("<strong>60</strong>"), "{html}");
    assert!(html.contains("Trang 1/2"), "{html}");
    let next = "/audit?user=ttb&#38;action=login.success&#38;from=04/03/2023&#38;to=04/03/2023&#38;page=2";
    assert!(html.contains(next), "the next page keeps the filters: {html}");
    let page2 = client
        .get(format!("{}/audit?user=ttb&action=login.success&from=04/03/2023&to=04/03/2023&page=2", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert_eq!(page2.matches("class=\"audit-entry\"").count(), 10, "{page2}");
    assert!(page2.contains("Trần Thị B đăng nhập"), "{page2}");

    // A date that is not one is said in Vietnamese; nothing else is shown.
    let r = client.get(format!("{}/audit?from=31/02/2023", app.base)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("ngày/tháng/năm"));
}

#[tokio::test]
async fn a_unit_move_reads_as_a_sentence_with_names_and_codes() {
    let app = spawn_app_at(vn(2023, 3, 10, 9, 0)).await;
    let db = &app.db;
    let a = person(db, "nva", "Nguyễn Văn A", Role::Admin).await;
    let name = |code: &'static str| async move { units::by_code(db, code).await.expect("q").expect("unit").name };
    let (commune, hon_dat, tan_hiep) = (name("30823").await, name("903").await, name("904").await);
    let who = Who { user_id: Some(a), name: "nva".into(), client: Some("10.0.0.1".into()) };
    let change = units::UnitChange { parent_code: Some("904".into()), ..Default::default() };
    units::update(db, "30823", &change, &who, vn(2023, 3, 9, 8, 0)).await.expect("move");
    // An entry written before the log kept parents' names: only their ids.
    let (id903, id904, id_commune) = (unit_id(db, "903").await, unit_id(db, "904").await, unit_id(db, "30823").await);
    let old = who
        .entry("unit.update", "unit", Some("30823".into()))
        .unit(Some(id_commune))
        .before(
            &serde_json::json!({"code": "30823", "name": commune, "kind": "xa", "parent_id": id904, "active": true}),
        )
        .after(
            &serde_json::json!({"code": "30823", "name": commune, "kind": "xa", "parent_id": id903, "active": true}),
        );
    audit::record(db, &old, vn(2023, 3, 9, 9, 0)).await.expect("audit");

    let client = office(&app).await;
    let html =
        client.get(format!("{}/audit?unit=30823", app.base)).send().await.expect("get").text().await.expect("body");
    let moved = format!("Nguyễn Văn A chuyển {commune} (mã 30823) từ {hon_dat} (mã 903) sang {tan_hiep} (mã 904)");
    assert!(html.contains(&moved), "{html}");
    let back = format!("Nguyễn Văn A chuyển {commune} (mã 30823) từ {tan_hiep} (mã 904) sang {hon_dat} (mã 903)");
    assert!(html.contains(&back), "an older entry's ids are read as names: {html}");
    assert!(
        !html.contains("parent_id") && !html.contains("unit.update") && !html.contains(&format!(": {id903}")),
        "{html}"
    );
    // In English too, without Vietnamese verbs.
    let en = browser();
    let r = app.login_form(&en, "vanphong", PW, "10.0.7.2").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    en.get(format!("{}/lang/en", app.base)).send().await.expect("lang");
    let en_html =
        en.get(format!("{}/audit?unit=30823", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(
        en_html.contains(&format!(
            "Nguyễn Văn A moved {commune} (code 30823) from {hon_dat} (code 903) to {tan_hiep} (code 904)"
        )),
        "{en_html}"
    );
}

/// A new account reads with its role in words (a unit's office too) and the account by
/// its name, never "vai trò: unit_office" or its internal number ("số: 4").
#[tokio::test]
async fn a_new_accounts_role_and_number_read_as_words() {
    let app = crate::support::spawn_app().await;
    let id = person(&app.db, "vp.hondat", "Văn phòng Huyện đoàn Hòn Đất", Role::UnitOffice).await;
    let client = office(&app).await;
    let html = crate::support::page_of(&client, &format!("{}/audit?action=user.create", app.base)).await;
    assert!(html.contains("vai trò: văn phòng đơn vị"), "{html}");
    assert!(!html.contains("unit_office"), "no role code: {html}");
    assert!(html.contains("tài khoản: Văn phòng Huyện đoàn Hòn Đất (vp.hondat)"), "{html}");
    assert!(!html.contains(&format!("số: {id}")), "no internal number: {html}");
    client.get(format!("{}/lang/en", app.base)).send().await.expect("lang");
    let html = crate::support::page_of(&client, &format!("{}/audit?action=user.create", app.base)).await;
    assert!(html.contains("unit office") && !html.contains("unit_office"), "{html}");
}
