//! Accounts, sessions, CSRF, throttling, authorization and the audit log.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

async fn audit_actions(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r =
        app.client.get(format!("{}/api/v1/audit?{query}", app.base)).bearer_auth(token).send().await.expect("audit");
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.expect("json")["entries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn first_login_forces_a_password_change_and_the_password_is_never_logged() {
    let app = spawn_app().await;
    let one_time = app.prepared.admin_password.clone().expect("admin password");
    let client = browser();
    let r = app.login_form(&client, "admin", &one_time, "10.1.0.1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account?first=1");
    // Every other page sends the user back to the password form until it is changed.
    let r = client.get(format!("{}/admin/users", app.base)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let account = client.get(format!("{}/account", app.base)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&account);
    let r = client
        .post(format!("{}/account/password", app.base))
        .form(&[("csrf", csrf.as_str()), ("current", one_time.as_str()), ("new", "short"), ("confirm", "short")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Mật khẩu cần từ 10"));
    let r = client
        .post(format!("{}/account/password", app.base))
        .form(&[("csrf", csrf.as_str()), ("current", one_time.as_str()), ("new", PW), ("confirm", PW)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let users = client.get(format!("{}/admin/users", app.base)).send().await.expect("get");
    assert_eq!(users.status(), 200);
    assert!(users.text().await.expect("body").contains("Tạo tài khoản"));
    // The audit log has the logins and the change, never a password.
    let admin = phongtrao_storage::users::by_username(&app.db, "admin").await.expect("q").expect("admin");
    let token = add_token(&app.db, admin.id).await;
    let entries = audit_actions(&app, &token, "user=admin").await;
    let text = serde_json::to_string(&entries).expect("json");
    assert!(text.contains("login.success") && text.contains("user.password_change"), "{text}");
    assert!(!text.contains(PW) && !text.contains(&one_time) && !text.contains("argon2"), "no secret in the audit log");
}

#[tokio::test]
async fn failed_logins_are_slowed_and_logged_but_the_real_user_gets_in_from_elsewhere() {
    let app = spawn_app().await;
    add_user(&app.db, "huyendoan899", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for _ in 0..5 {
        let r = app.login_form(&attacker, "huyendoan899", "doan-sai", "203.0.113.7").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.expect("body").contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    }
    let r = app.login_form(&attacker, "huyendoan899", "doan-sai", "203.0.113.7").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the sixth failure is counted, then a wait starts");
    // Now even the right password must wait from that address...
    let r = app.login_form(&attacker, "huyendoan899", PW, "203.0.113.7").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.expect("body").contains("Vui lòng thử lại sau"));
    // ...but the real user, from another address, logs in at once.
    let user = browser();
    let r = app.login_form(&user, "huyendoan899", PW, "198.51.100.20").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/home", "a unit reporter lands on the unit's home page");
    // IPv6 neighbours in one /64 share a counter.
    let admin_id = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, admin_id).await;
    let entries = audit_actions(&app, &token, "action=login").await;
    let failures = entries.iter().filter(|e| e["action"] == "login.failure").count();
    let throttled = entries.iter().filter(|e| e["action"] == "login.throttled").count();
    assert_eq!((failures, throttled), (6, 1));
    assert!(entries.iter().any(|e| e["action"] == "login.failure" && e["client"] == "203.0.113.7"));
}

/// A viewer, a unit's reporter or a unit's office reaches only its units: without
/// one, every page of its menu would refuse it. The office is told so when creating
/// such an account or taking its last unit away, and nothing changes.
#[tokio::test]
async fn an_account_that_works_through_units_cannot_be_left_without_one() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "o.units", Role::Admin, &[], PW).await).await;
    let post = |body: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app.client.post(format!("{}/api/v1/users", app.base)).bearer_auth(admin).json(&body).send().await;
            let r = r.expect("post");
            (r.status(), r.text().await.unwrap_or_default())
        }
    };
    for role in ["viewer", "unit", "unit_office"] {
        let (status, body) = post(json!({"username": format!("x.{role}"), "role": role})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{role}: {body}");
        assert!(body.contains("cần ít nhất một đơn vị") && body.contains("needs at least one unit"), "{body}");
        assert!(phongtrao_storage::users::by_username(&app.db, &format!("x.{role}")).await.expect("q").is_none());
    }
    let (status, body) = post(json!({"username": "x.viewer", "role": "viewer", "units": ["903"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = phongtrao_storage::users::by_username(&app.db, "x.viewer").await.expect("q").expect("created").id;
    let r = app
        .client
        .patch(format!("{}/api/v1/users/{id}", app.base))
        .bearer_auth(&admin)
        .json(&json!({"username": "x.viewer", "role": "viewer", "units": []}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(phongtrao_storage::users::unit_ids(&app.db, id).await.expect("units").len(), 1, "unit kept");
}

/// A commune official's account page speaks plainly: the access tokens for software
/// are folded away (with what they are for), and the chat notice says chat group.
#[tokio::test]
async fn a_reporters_account_page_folds_away_the_tokens_and_says_no_jargon() {
    let app = spawn_app().await;
    add_user(&app.db, "bc.xa", Role::Unit, &["899"], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "bc.xa", PW, "10.0.0.7").await.status(), StatusCode::SEE_OTHER);
    let page = client.get(format!("{}/account", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("<details id=\"tokens\">"), "folded away");
    assert!(page.contains("Nộp báo cáo hằng tuần không cần mã này"), "{page}");
    assert!(!page.contains("Webhook"), "no jargon");
}

#[tokio::test]
async fn csrf_token_and_origin_are_required_for_cookie_writes() {
    let app = spawn_app().await;
    add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.0.1").await.status(), StatusCode::SEE_OTHER);
    let page = client.get(format!("{}/admin/users", app.base)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&page);
    assert_eq!(csrf.len(), 64);
    let form = |token: &str| {
        vec![
            ("csrf", token.to_string()),
            ("username", "moi.nguoi".to_string()),
            ("role", "viewer".to_string()),
            ("units", "899".to_string()),
        ]
    };
    let r = client.post(format!("{}/admin/users", app.base)).form(&form("")).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token");
    let r = client
        .post(format!("{}/admin/users", app.base))
        .form(&form("0".repeat(64).as_str()))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "wrong token");
    let r = client
        .post(format!("{}/admin/users", app.base))
        .header("origin", "https://evil.example")
        .form(&form(&csrf))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "foreign origin");
    assert!(phongtrao_storage::users::by_username(&app.db, "moi.nguoi").await.expect("q").is_none(), "nothing stored");
    let r = client.post(format!("{}/admin/users", app.base)).form(&form(&csrf)).send().await.expect("post");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("body").contains("Mật khẩu dùng một lần của"));
    // The JSON API with the cookie needs the header too.
    let r = client.post(format!("{}/api/v1/tokens", app.base)).json(&json!({"name": "x"})).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(format!("{}/api/v1/tokens", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("phongtrao_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
}

#[tokio::test]
async fn a_stolen_session_id_stops_working_after_logout_and_sessions_are_shared_by_instances() {
    let app = spawn_app().await;
    add_user(&app.db, "bcd.thanhvien", Role::Steering, &["903"], PW).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": "bcd.thanhvien", "password": PW}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 200);
    let cookie = session_cookie(&r).expect("session cookie");
    let set_cookie = r.headers()["set-cookie"].to_str().expect("str").to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let body: Value = r.json().await.expect("json");
    let csrf = body["csrf_token"].as_str().expect("csrf").to_string();
    // A second app instance on the same database accepts the session.
    let other = crate::support::spawn_on(app.db.clone()).await;
    let me = client.get(format!("{other}/api/v1/me")).header("cookie", &cookie).send().await.expect("me");
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.expect("json")["user"]["username"], "bcd.thanhvien");
    // Logout on the first instance...
    let r = client
        .delete(format!("{}/api/v1/session", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // ...and the copied cookie is worthless everywhere.
    for base in [&app.base, &other] {
        let r = client.get(format!("{base}/api/v1/me")).header("cookie", &cookie).send().await.expect("me");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn login_gives_a_new_session_id() {
    let app = spawn_app().await;
    add_user(&app.db, "xem", Role::Viewer, &["899"], PW).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let page = client.get(format!("{}/login", app.base)).send().await.expect("page");
    // No session (and no session row) before login: the form's token rides on a
    // signed pre-login cookie.
    assert!(session_cookie(&page).is_none(), "no anonymous session for the form's token");
    let prelogin = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("phongtrao_prelogin="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
        .expect("pre-login cookie");
    let csrf = csrf_of(&page.text().await.expect("body"));
    // A session id planted by someone else is never taken over.
    let before = "phongtrao_session=planted-by-an-attacker".to_string();
    let r = client
        .post(format!("{}/login", app.base))
        .header("cookie", format!("{before}; {prelogin}"))
        .form(&[("username", "xem"), ("password", PW), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = session_cookie(&r).expect("new cookie");
    assert_ne!(before, after, "session fixation: the id changes at login");
}

/// Every state-changing API route × every role × own unit and another unit.
#[tokio::test]
async fn authorization_matrix_of_every_write_by_role_and_unit() {
    let app = spawn_app().await;
    let db = &app.db;
    // District 899 (Rạch Giá) owns commune 30733; district 903 (Hòn Đất) is another district.
    let admin = add_token(db, add_user(db, "m.admin", Role::Admin, &[], PW).await).await;
    let steering = add_token(db, add_user(db, "m.steering", Role::Steering, &["899"], PW).await).await;
    let own = add_token(db, add_user(db, "m.unit899", Role::Unit, &["899"], PW).await).await;
    let other = add_token(db, add_user(db, "m.unit903", Role::Unit, &["903"], PW).await).await;
    let viewer = add_token(db, add_user(db, "m.viewer", Role::Viewer, &["899"], PW).await).await;
    let target_user = add_user(db, "m.target", Role::Viewer, &[], PW).await;
    let roles: [(&str, Option<&str>); 6] = [
        ("admin", Some(&admin)),
        ("steering", Some(&steering)),
        ("unit-own", Some(&own)),
        ("unit-other", Some(&other)),
        ("viewer", Some(&viewer)),
        ("anonymous", None),
    ];

    struct Route {
        method: &'static str,
        path: String,
        body: Value,
        /// Which of the six callers may do it.
        allowed: [bool; 6],
    }
    let routes = vec![
        Route {
            method: "POST",
            path: "/api/v1/units".into(),
            body: json!({"code": "M-NEW", "name": "Đoàn Khối Doanh nghiệp", "kind": "affiliated", "parent_code": "91"}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "PATCH",
            path: "/api/v1/units/30733".into(),
            body: json!({"name": "Đoàn phường Vĩnh Thanh (mới)"}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "PUT",
            path: "/api/v1/units/30733/base-figures".into(),
            body: json!({"doan_vien": 120}),
            allowed: [true, false, true, false, false, false],
        },
        Route {
            method: "PUT",
            path: "/api/v1/units/899/base-figures".into(),
            body: json!({"thanh_nien": 9000}),
            allowed: [true, false, true, false, false, false],
        },
        Route {
            method: "PUT",
            path: "/api/v1/units/91/base-figures".into(),
            body: json!({"thanh_nien": 9000}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "POST",
            path: "/api/v1/users".into(),
            body: json!({"username": "m.created", "role": "viewer", "units": ["903"]}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "PATCH",
            path: format!("/api/v1/users/{target_user}"),
            body: json!({"username": "m.target", "role": "viewer", "units": ["903"]}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "POST",
            path: format!("/api/v1/users/{target_user}/password-reset"),
            body: json!({}),
            allowed: [true, false, false, false, false, false],
        },
        Route {
            method: "GET",
            path: "/api/v1/audit?unit=30733".into(),
            body: json!(null),
            allowed: [true, true, true, false, false, false],
        },
        Route {
            method: "GET",
            path: "/api/v1/users".into(),
            body: json!(null),
            allowed: [true, false, false, false, false, false],
        },
    ];
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    for route in &routes {
        for (i, (role, token)) in roles.iter().enumerate() {
            let units_before = phongtrao_storage::campaigns::table_counts(db).await.expect("counts");
            let url = format!("{}{}", app.base, route.path);
            let mut request = match route.method {
                "POST" => http.post(&url).json(&route.body),
                "PATCH" => http.patch(&url).json(&route.body),
                "PUT" => http.put(&url).json(&route.body),
                _ => http.get(&url),
            };
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            let status = request.send().await.expect("request").status();
            let expected_ok = route.allowed[i];
            let ok = status.is_success();
            let denied = status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED;
            if expected_ok != ok || (!expected_ok && !denied) {
                failures.push(format!("{} {} as {role}: {status}", route.method, route.path));
            }
            if !expected_ok && route.method != "GET" {
                let units_after = phongtrao_storage::campaigns::table_counts(db).await.expect("counts");
                if units_before != units_after {
                    failures.push(format!("{} {} as {role} changed the database", route.method, route.path));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Refusals are in the audit log.
    let denied = audit_actions(&app, &admin, "action=access.denied").await;
    assert!(denied.len() >= 20, "{}", denied.len());
}

#[tokio::test]
async fn a_unit_reporter_edits_its_own_base_figures_through_the_form_only() {
    let app = spawn_app().await;
    add_user(&app.db, "doan899", Role::Unit, &["899"], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "doan899", PW, "10.0.0.9").await.status(), StatusCode::SEE_OTHER);
    let page = client.get(format!("{}/units/899", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("action=\"/units/899/figures\""), "own unit has the form");
    let csrf = csrf_of(&page);
    let r = client
        .post(format!("{}/units/899/figures", app.base))
        .form(&[("csrf", csrf.as_str()), ("doan_vien", "12.500"), ("thanh_nien", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let api = app.office_json("/api/v1/units/899").await;
    assert_eq!(api["base_figures"]["doan_vien"], 12500);
    assert!(api["base_figures"]["thanh_nien"].is_null());
    let other = client.get(format!("{}/units/903", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(!other.contains("action=\"/units/903/figures\""), "no form for another district");
    let r = client
        .post(format!("{}/units/903/figures", app.base))
        .form(&[("csrf", csrf.as_str()), ("doan_vien", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(format!("{}/units/899/figures", app.base))
        .form(&[("csrf", csrf.as_str()), ("doan_vien", "-5")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.office_json("/api/v1/units/899").await["base_figures"]["doan_vien"], 12500, "nothing partial");
}

fn workbook(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("write");
        }
    }
    wb.save_to_buffer().expect("save")
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, confirm: bool) -> (StatusCode, Value) {
    let path = if confirm { "/api/v1/units/import?confirm=true" } else { "/api/v1/units/import" };
    app.upload(token, path, name, bytes).await
}

#[tokio::test]
async fn importing_a_units_workbook_with_three_bad_rows_stores_nothing_and_names_them() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "nhap.lieu", Role::Admin, &[], PW).await).await;
    let before = app.json("/api/v1/units").await["count"].clone();
    let bad = workbook(&[
        ["code", "parent_code", "kind", "name", "doan_vien"],
        ["KCQ", "91", "affiliated", "Đoàn Khối Các cơ quan tỉnh", "1.200"],
        ["KDN", "91", "bogus", "Đoàn Khối Doanh nghiệp tỉnh", "800"],
        ["CA", "9999", "affiliated", "Đoàn Công an tỉnh", "500"],
        ["899", "", "", "", "-3"],
        ["DHKG", "91", "affiliated", "Đoàn Trường Đại học Kiên Giang", "2.300"],
    ]);
    let (status, body) = upload(&app, &admin, "don-vi.xlsx", bad, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rows: Vec<i64> = body["rows"].as_array().expect("rows").iter().filter_map(|r| r["row"].as_i64()).collect();
    assert_eq!(rows, vec![3, 4, 5]);
    assert!(body["rows"][0]["message"].as_str().unwrap_or("").contains("bogus"));
    assert_eq!(app.json("/api/v1/units").await["count"], before, "nothing stored");
    // Fixed, it goes in whole.
    let good = workbook(&[
        ["code", "parent_code", "kind", "name", "doan_vien"],
        ["KCQ", "91", "affiliated", "Đoàn Khối Các cơ quan tỉnh", "1.200"],
        ["899", "", "", "", "15.000"],
    ]);
    let (status, body) = upload(&app, &admin, "don-vi.xlsx", good, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["created"].as_i64(), body["updated"].as_i64()), (Some(1), Some(1)));
    assert_eq!(app.office_json("/api/v1/units/KCQ").await["base_figures"]["doan_vien"], 1200);
    assert_eq!(app.office_json("/api/v1/units/899").await["base_figures"]["doan_vien"], 15000);
}

#[tokio::test]
async fn files_that_are_not_what_they_claim_are_refused() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "nhap.lieu", Role::Admin, &[], PW).await).await;
    let (status, body) = upload(&app, &admin, "fake.xlsx", b"this is not a workbook".to_vec(), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("không phải bảng tính"), "{body}");
    let (status, _) = upload(&app, &admin, "big.csv", vec![b'a'; 6 * 1024 * 1024], false).await;
    assert!(status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    let (status, body) = upload(
        &app,
        &admin,
        "don-vi.csv",
        "code,parent_code,kind,name\nTN1,91,affiliated,Đoàn Thanh niên Công an tỉnh\n".as_bytes().to_vec(),
        false,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["preview"][0]["code"], "TN1");
    assert_eq!(app.get("/api/v1/units/TN1").await.status(), 404, "a preview stores nothing");
}

#[tokio::test]
async fn units_are_renamed_moved_and_deactivated_keeping_their_id_and_history() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp", Role::Admin, &[], PW).await).await;
    let before = phongtrao_storage::units::by_code(&app.db, "30763").await.expect("q").expect("unit");
    let r = app
        .client
        .patch(format!("{}/api/v1/units/30763", app.base))
        .bearer_auth(&admin)
        .json(&json!({"name": "Đoàn xã Phi Thông (sáp nhập)", "parent_code": "900", "active": false}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let after = phongtrao_storage::units::by_code(&app.db, "30763").await.expect("q").expect("unit");
    assert_eq!(after.id, before.id);
    assert!(!after.active);
    assert_eq!(after.parent_id, phongtrao_storage::units::by_code(&app.db, "900").await.expect("q").map(|u| u.id));
    let entries = audit_actions(&app, &admin, "unit=30763").await;
    let change = entries.iter().find(|e| e["action"] == "unit.update").expect("audit entry");
    assert_eq!(change["before"]["name"], "Đoàn xã Phi Thông");
    assert_eq!(change["after"]["name"], "Đoàn xã Phi Thông (sáp nhập)");
    // A unit cannot move under a unit of its own level.
    let r = app
        .client
        .patch(format!("{}/api/v1/units/30763", app.base))
        .bearer_auth(&admin)
        .json(&json!({"parent_code": "30766"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Export holds the same table.
    let csv =
        app.client.get(format!("{}/admin/export/units.csv", app.base)).bearer_auth(&admin).send().await.expect("csv");
    assert_eq!(csv.status(), 200);
    let bytes = csv.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(&bytes).contains("30763,900,commune,3,Đoàn xã Phi Thông (sáp nhập),false"));
}
