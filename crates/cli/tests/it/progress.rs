//! Consolidated figures equal the sums of the counted reports, done by hand here.

use std::collections::HashMap;

use phongtrao_domain::role::Role;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEKS: [&str; 3] = ["2023-03-03", "2023-03-10", "2023-03-17"];

/// A small deterministic generator: the same "random" reports on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, max: i64) -> i64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % (max as u64 + 1)) as i64
    }
}

#[tokio::test]
async fn progress_equals_the_hand_sum_of_submitted_and_accepted_reports() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "p.admin", Role::Admin, &[], PW).await).await;
    let units = ["899", "900", "903", "909"];
    let mut tokens = HashMap::new();
    for code in units {
        tokens.insert(code, add_token(db, add_user(db, &format!("p.{code}"), Role::Unit, &[code], PW).await).await);
    }
    // Base figures for the percentage indicator 2a (đoàn viên); 909 has none.
    for (code, members) in [("899", 4000), ("900", 1500), ("903", 2500)] {
        app.set_members(&admin, code, members).await;
    }
    let mut rng = Lcg(2023);
    let mut counted: HashMap<(&str, &str), i64> = HashMap::new();
    for week in WEEKS {
        for code in units {
            if rng.next(4) == 0 {
                continue; // this unit misses this week
            }
            let (trees, members, reached, tech) = (rng.next(3000), rng.next(120), rng.next(900), rng.next(2));
            let input = json!({"values": {"5": trees.to_string(), "17": members.to_string(), "2a": reached.to_string(), "16": tech.to_string()}});
            let r = app.submit(&tokens[code], code, week, input).await;
            assert!(r.status().is_success(), "{code} {week}: {}", r.text().await.unwrap_or_default());
            let saved: Value = r.json().await.expect("json");
            // One in four submitted reports is returned by the office: it no longer counts.
            if rng.next(3) == 0 {
                let r = app
                    .client
                    .post(format!("{}/api/v1/reports/{code}/{week}/review", app.base))
                    .bearer_auth(&admin)
                    .json(&json!({"action": "return", "comment": "Kiểm tra lại số liệu", "version": saved["version"]}))
                    .send()
                    .await
                    .expect("return");
                assert_eq!(r.status(), 200);
                continue;
            }
            for (key, v) in [("5", trees), ("17", members), ("2a", reached), ("16", tech)] {
                *counted.entry((code, key)).or_default() += v;
            }
        }
    }
    let sum =
        |codes: &[&str], key: &str| codes.iter().map(|c| counted.get(&(*c, key)).copied().unwrap_or(0)).sum::<i64>();
    let province: Value = app.api("/api/v1/progress?at=2023-03-31", &admin).await;
    let find = |p: &Value, key: &str| {
        p["indicators"]
            .as_array()
            .expect("indicators")
            .iter()
            .find(|i| i["indicator"] == key)
            .cloned()
            .expect("indicator")
    };
    let trees = find(&province, "5");
    assert_eq!(trees["sum"], sum(&units, "5"));
    assert_eq!(trees["goal"], 20000.0);
    assert_eq!(trees["target"], 5);
    let expected_ratio = sum(&units, "5") as f64 / 20000.0;
    assert!((trees["ratio"].as_f64().expect("ratio") - expected_ratio).abs() < 1e-9);
    assert_eq!(
        trees["status"],
        if expected_ratio > 1.0 {
            "exceeded"
        } else if expected_ratio == 1.0 {
            "met"
        } else {
            "not_met"
        }
    );
    assert_eq!(find(&province, "17")["sum"], sum(&units, "17"));
    // The weekly series ends at the total; with every week counted the projection is the total.
    let series: Vec<i64> = trees["series"].as_array().expect("series").iter().filter_map(Value::as_i64).collect();
    assert_eq!(series.len(), 5);
    assert_eq!(series.last().copied(), Some(sum(&units, "5")));
    assert_eq!(trees["projected"].as_f64(), Some(sum(&units, "5") as f64));
    assert_eq!(trees["at_risk"], sum(&units, "5") < 20000);
    assert!(province["forecast_rule_vi"].as_str().unwrap_or("").contains("Dự báo"));
    // Half-way: the pace of two weeks projected over five.
    let early: Value = app.api("/api/v1/progress?at=2023-03-10", &admin).await;
    let early_trees = find(&early, "5");
    let two_weeks = early_trees["series"][1].as_i64().expect("week 2");
    assert_eq!(early["periods_counted"], 2);
    assert!((early_trees["projected"].as_f64().expect("projected") - two_weeks as f64 / 2.0 * 5.0).abs() < 1e-9);
    // 2a: people reached by the units that have a base figure, over those figures
    // (909's people have nothing to be divided by); with 3 of 15 districts known the
    // province's verdict is "chưa đủ số liệu nền", and its coverage says why.
    let reached = find(&province, "2a");
    let expected_pct = 100.0 * sum(&["899", "900", "903"], "2a") as f64 / 8000.0;
    assert!((reached["achieved"].as_f64().expect("achieved") - expected_pct).abs() < 1e-9, "{reached}");
    assert_eq!(reached["status"], "insufficient_base");
    assert_eq!(reached["coverage"]["units_with_base"], 3);
    assert_eq!(reached["coverage"]["people_without_base"], sum(&["909"], "2a"));
    // A district's subtree: its own figures only.
    let rach_gia: Value = app.api("/api/v1/progress?unit=899&at=2023-03-31", &tokens["899"]).await;
    assert_eq!(find(&rach_gia, "5")["sum"], sum(&["899"], "5"));
    assert_eq!(find(&rach_gia, "5")["status"], "no_goal", "no allocation yet");
    // 16: communes of Rạch Giá with a tech team, out of its 12 communes.
    let tech = find(&rach_gia, "16");
    assert!(
        (tech["achieved"].as_f64().expect("achieved") - 100.0 * sum(&["899"], "16") as f64 / 12.0).abs() < 1e-9,
        "{tech}"
    );
    // Another district cannot read Rạch Giá's progress.
    let denied = app
        .client
        .get(format!("{}/api/v1/progress?unit=899", app.base))
        .bearer_auth(&tokens["903"])
        .send()
        .await
        .expect("progress");
    assert_eq!(denied.status(), 403);
    // Timeliness: 15 district-level units expected each week; all late (2023 is past).
    let week1 = &province["timeliness"][0];
    assert_eq!(week1["expected"], 15);
    assert_eq!(week1["on_time"], 0);
    assert_eq!(week1["missing"].as_i64().expect("missing") + week1["late"].as_i64().expect("late"), 15);
    // The CLI gives the same figures.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env("DATABASE_URL", &app.database_url)
        .args(["progress", "--at", "2023-03-31", "--json"])
        .output()
        .expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(cli["indicators"], province["indicators"]);
    assert_eq!(cli["timeliness"], province["timeliness"]);
    // A full rebuild from the raw reports finds the kept figures right and changes
    // nothing; after a kept figure has gone wrong, it says so and puts it right.
    let spoil = "UPDATE rollups SET value = value + 5 WHERE unit_id = (SELECT id FROM units WHERE code = '899')";
    for (spoilt, says) in [(false, "nothing differed"), (true, "differences were CORRECTED")] {
        if spoilt {
            match &app.db {
                phongtrao_storage::Db::Sqlite(pool) => sqlx::query(spoil).execute(pool).await.map(|_| ()),
                phongtrao_storage::Db::Postgres(pool) => sqlx::query(spoil).execute(pool).await.map(|_| ()),
            }
            .expect("spoil");
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
            .env("DATABASE_URL", &app.database_url)
            .args(["rebuild"])
            .output()
            .expect("cli");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && said.contains(says), "{said}");
        let after: Value = app.api("/api/v1/progress?at=2023-03-31", &admin).await;
        assert_eq!(after["indicators"], province["indicators"]);
    }
}

#[tokio::test]
async fn allocating_7000_new_members_to_the_15_districts_adds_up_to_exactly_7000() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "a.admin", Role::Admin, &[], PW).await).await;
    let district = add_token(db, add_user(db, "a.899", Role::Unit, &["899"], PW).await).await;
    let districts =
        ["899", "900", "902", "903", "904", "905", "906", "907", "908", "909", "910", "911", "912", "913", "914"];
    // Member counts: uneven, so that rounding matters.
    for (i, code) in districts.iter().enumerate() {
        let members = 1_237 + 311 * i as i64 + (i as i64 % 3) * 17;
        app.set_members(&admin, code, members).await;
    }
    let post = |token: &str, body: Value| {
        let req = app.client.post(format!("{}/api/v1/allocations/17", app.base)).bearer_auth(token).json(&body);
        async move { req.send().await.expect("allocate") }
    };
    assert_eq!(
        post(&district, json!({"by": "doan_vien"})).await.status(),
        403,
        "a district cannot split the province's goal"
    );
    let r = post(&admin, json!({"by": "doan_vien"})).await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.expect("json");
    let parts: Vec<i64> = view["parts"].as_array().expect("parts").iter().filter_map(|p| p["goal"].as_i64()).collect();
    assert_eq!(parts.len(), 15);
    assert_eq!(parts.iter().sum::<i64>(), 7000);
    assert_eq!(view["whole"], 7000);
    assert_eq!(view["difference"], 0);
    assert!(view["message"].is_null());
    // Each part is within one member of its exact share.
    let total: i64 = (0..15).map(|i| 1_237 + 311 * i + (i % 3) * 17).sum();
    for (i, part) in parts.iter().enumerate() {
        let i = i as i64;
        let exact = 7000.0 * (1_237 + 311 * i + (i % 3) * 17) as f64 / total as f64;
        assert!((*part as f64 - exact).abs() < 1.0, "{part} vs {exact}");
    }
    // A district's progress now has its goal.
    let rg: Value = app.api("/api/v1/progress?unit=899", &district).await;
    let members =
        rg["indicators"].as_array().expect("indicators").iter().find(|i| i["indicator"] == "17").cloned().expect("17");
    assert_eq!(members["goal"].as_f64(), Some(parts[0] as f64));
    assert_eq!(members["status"], "not_met");
    // A hand-made change that breaks the sum is shown, not hidden.
    let r = post(&admin, json!({"goals": {"899": parts[0] + 50}})).await;
    let view: Value = r.json().await.expect("json");
    assert_eq!(view["difference"], 50);
    assert!(view["message"].as_str().unwrap_or("").contains("7.000"), "{view}");
    // The district splits its own goal among its communes by hand.
    let r = app
        .client
        .post(format!("{}/api/v1/allocations/17", app.base))
        .bearer_auth(&district)
        .json(&json!({"parent": "899", "goals": {"30730": 40, "30733": 30}}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.expect("json");
    assert_eq!(view["sum"], 70);
    // The ranking of the districts: completion of allocated goals, then timeliness.
    let unit900 = add_token(db, add_user(db, "a.900", Role::Unit, &["900"], PW).await).await;
    for (token, unit, members) in [(&district, "899", parts[0] + 50), (&unit900, "900", parts[1] / 2)] {
        let r = app.submit(token, unit, "2023-03-03", json!({"values": {"17": members.to_string()}})).await;
        assert!(r.status().is_success());
    }
    assert_eq!(
        app.client
            .get(format!("{}/api/v1/ranking", app.base))
            .bearer_auth(&district)
            .send()
            .await
            .expect("ranking")
            .status(),
        403
    );
    let ranking: Value = app.api("/api/v1/ranking?at=2023-03-03", &admin).await;
    let rows = ranking["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 15);
    assert_eq!((rows[0]["unit"].as_str(), rows[0]["rank"].as_i64()), (Some("899"), Some(1)), "{ranking}");
    assert_eq!((rows[1]["unit"].as_str(), rows[1]["rank"].as_i64()), (Some("900"), Some(2)));
    assert!(rows[0]["score"].as_f64() > rows[1]["score"].as_f64());
    assert!(rows[0]["breakdown"]["completion_points"].as_f64().is_some(), "each score is broken down");
    assert!(ranking["formula_vi"].as_str().unwrap_or("").contains("70"));
    // Percentages are not allocated.
    let r = app
        .client
        .post(format!("{}/api/v1/allocations/2a", app.base))
        .bearer_auth(&admin)
        .json(&json!({"by": "doan_vien"}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn the_office_allocates_a_goal_on_the_allocation_page() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "g.admin", Role::Admin, &[], PW).await).await;
    add_user(db, "g.office", Role::Admin, &[], PW).await;
    for (i, code) in
        ["899", "900", "902", "903", "904", "905", "906", "907", "908", "909", "910", "911", "912", "913", "914"]
            .iter()
            .enumerate()
    {
        app.set_members(&admin, code, 1000 + 137 * i as i64).await;
    }
    let client = crate::support::browser();
    assert_eq!(app.login_form(&client, "g.office", PW, "10.7.0.1").await.status(), 303);
    let page = client
        .get(format!("{}/allocations?indicator=5", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("name=\"g.899\"") && page.contains("20.000"), "the 15 districts and the province goal");
    let csrf = crate::support::csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("indicator", "5"),
        ("parent", "91"),
        ("by", "doan_vien"),
        ("action", "proportional"),
    ];
    let r = client.post(format!("{}/allocations", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().expect("location").to_string();
    let page = client.get(format!("{}{back}", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("Đã chia chỉ tiêu theo số liệu nền và lưu."), "the split says it was saved");
    let view: Value = app.api("/api/v1/allocations/5", &admin).await;
    assert_eq!(view["sum"], 20000);
    // A typed value that is not a number is refused and nothing changes.
    let form =
        [("csrf", csrf.as_str()), ("indicator", "5"), ("parent", "91"), ("g.899", "nhiều"), ("action", "manual")];
    let r = client.post(format!("{}/allocations", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("không phải số nguyên không âm"));
    let again: Value = app.api("/api/v1/allocations/5", &admin).await;
    assert_eq!(again["parts"], view["parts"]);
    // Changing one district by hand leaves a visible mismatch.
    let form = [("csrf", csrf.as_str()), ("indicator", "5"), ("parent", "91"), ("g.899", "1"), ("action", "manual")];
    assert_eq!(client.post(format!("{}/allocations", app.base)).form(&form).send().await.expect("post").status(), 303);
    let page = client
        .get(format!("{}/allocations?indicator=5&parent=91", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("⚠"), "the mismatch is shown");
    // The same table out to Excel and back in.
    let xlsx =
        client.get(format!("{}/allocations/export.xlsx?indicator=5&parent=91", app.base)).send().await.expect("export");
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"), "an .xlsx (zip) file");
    let workbook = |rows: &[[&str; 2]]| crate::support::xlsx(rows);
    let upload = |bytes: Vec<u8>| {
        // The token travels in the form, never in the address.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("giao.xlsx"));
        client.post(format!("{}/allocations/import?indicator=5&parent=91", app.base)).multipart(form).send()
    };
    let before: Value = app.api("/api/v1/allocations/5", &admin).await;
    let r =
        upload(workbook(&[["code", "goal"], ["899", "2.500"], ["900", "abc"], ["KG-404", "7"]])).await.expect("import");
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("body");
    assert!(page.contains("Dòng 3, cột B, giá trị «abc»"), "the bad cell and its value are named");
    assert!(
        page.contains("Dòng 4, cột A, giá trị «KG-404»: không có đơn vị nào mã này trực thuộc"),
        "the unknown unit too"
    );
    let unchanged: Value = app.api("/api/v1/allocations/5", &admin).await;
    assert_eq!(unchanged["parts"], before["parts"], "nothing stored from a bad file");
    // A good file is previewed first: what changes, nothing stored yet.
    let r = upload(workbook(&[["Mã", "Chỉ tiêu giao"], ["899", "2.500"], ["900", "1.200"]])).await.expect("import");
    assert_eq!(r.status(), 200);
    let page = r.text().await.expect("body");
    assert!(page.contains("Xem trước tệp giao chỉ tiêu") && page.contains("2.500"), "a preview");
    let still: Value = app.api("/api/v1/allocations/5", &admin).await;
    assert_eq!(still["parts"], before["parts"], "a preview stores nothing");
    let action = page
        .split("action=\"")
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .find(|a| a.starts_with("/allocations/import/") && a.ends_with("/confirm"))
        .expect("a confirm form")
        .to_string();
    let r =
        client.post(format!("{}{action}", app.base)).form(&[("csrf", csrf.as_str())]).send().await.expect("confirm");
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().expect("location").to_string();
    let page = client.get(format!("{}{back}", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("Đã lưu chỉ tiêu giao từ tệp cho 2 đơn vị."), "the import says what it did");
    // Confirming twice stores nothing more and says why.
    let r = client.post(format!("{}{action}", app.base)).form(&[("csrf", csrf.as_str())]).send().await.expect("again");
    assert_eq!(r.status(), 404);
    assert!(r.text().await.expect("body").contains("có thể đã được lưu rồi"));
    // The allocating unit by name, as typed; an unknown one is said.
    let page = client
        .get(format!("{}/allocations?indicator=5&parent=hon%20dat", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("name=\"g.30817\""), "Hòn Đất's communes to allocate to");
    let page = client
        .get(format!("{}/allocations?indicator=5&parent=khong%20co", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Không tìm thấy đơn vị «khong co»"), "an unknown unit is said");
    let after: Value = app.api("/api/v1/allocations/5", &admin).await;
    let goal_of = |code: &str| {
        after["parts"].as_array().expect("parts").iter().find(|p| p["code"] == code).map(|p| p["goal"].clone())
    };
    assert_eq!((goal_of("899"), goal_of("900")), (Some(json!(2500)), Some(json!(1200))));
}

/// One bad box among three: nothing is saved, every box shows what was typed and the
/// bad one is marked with its message (a plain form post, no script).
#[tokio::test]
async fn a_refused_allocation_keeps_every_typed_box_and_marks_the_bad_one() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "k.admin", Role::Admin, &[], PW).await).await;
    add_user(db, "k.office", Role::Admin, &[], PW).await;
    let client = crate::support::browser();
    assert_eq!(app.login_form(&client, "k.office", PW, "10.7.0.3").await.status(), 303);
    let page = crate::support::page_of(&client, &format!("{}/allocations?indicator=5&parent=91", app.base)).await;
    let csrf = crate::support::csrf_of(&page);
    let before: Value = app.api("/api/v1/allocations/5", &admin).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("indicator", "5"),
        ("parent", "91"),
        ("g.899", "3"),
        ("g.900", "1 lớp"),
        ("g.902", "1"),
        ("action", "manual"),
    ];
    let r = client.post(format!("{}/allocations", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("Chưa lưu gì."), "the refusal says nothing was saved");
    let input = |code: &str| {
        let start = body.find(&format!("name=\"g.{code}\"")).expect("the box");
        let end = start + body[start..].find('>').expect("end of the box");
        body[start..end].to_string()
    };
    assert!(input("899").contains("value=\"3\""), "what was typed stays: {}", input("899"));
    assert!(input("902").contains("value=\"1\""), "what was typed stays: {}", input("902"));
    let bad = input("900");
    assert!(bad.contains("value=\"1 lớp\""), "the bad box keeps its text: {bad}");
    assert!(bad.contains("aria-invalid=\"true\"") && bad.contains("aria-describedby=\"e-g-900\""), "{bad}");
    assert!(!input("899").contains("aria-invalid"), "only the bad box is marked");
    assert!(body.contains("id=\"e-g-900\">"), "the message is next to the box");
    let after: Value = app.api("/api/v1/allocations/5", &admin).await;
    assert_eq!(after["parts"], before["parts"], "nothing was saved");
}
