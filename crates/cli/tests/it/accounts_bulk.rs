//! Accounts in bulk: a list previewed with every bad row named (nothing created), then
//! all created at once with printable one-time password slips; deactivate and reset
//! many at the end of a term; the same through the API and the CLI.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, xlsx};

const PW: &str = "mat-khau-thu-nghiem-1";

async fn upload(client: &reqwest::Client, base: &str, csrf: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    client.post(format!("{base}/admin/users/import")).multipart(form).send().await.expect("upload")
}

#[tokio::test]
async fn a_list_creates_every_account_or_none_and_hands_out_slips() {
    let app = spawn_app().await;
    add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.0.2").await.status(), StatusCode::SEE_OTHER);
    let page =
        client.get(format!("{}/admin/users/import", app.base)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&page);

    // A list with mistakes: each bad row named with its value; nobody created.
    let bad = "Đơn vị,Họ và tên,E-mail,Điện thoại\r\n899,Nguyễn Văn A,a@example.vn,0297 3862 123\r\nHuyện đoàn Không Có,Trần B,,\r\n903,Lê C,khong-phai-email,12\r\n";
    let r = upload(&client, &app.base, &csrf, "danh-sach.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("<strong>Dòng 3</strong>") && html.contains("<strong>Dòng 4</strong>"), "{html}");
    assert!(!html.contains("<strong>Dòng 2</strong>"), "row 2 is right");
    assert!(
        html.contains("Huyện đoàn Không Có") && html.contains("khong-phai-email") && html.contains("&#34;12&#34;"),
        "{html}"
    );
    assert!(html.contains("chưa tạo tài khoản nào"));
    let before = phongtrao_storage::users::list(&app.db).await.expect("users").len();

    // The corrected list, as a workbook: previewed, then created with slips.
    let good = xlsx(&[
        &["STT", "Đơn vị", "Họ và tên", "E-mail", "Điện thoại"],
        &["1", "899", "Nguyễn Văn A", "a@example.vn", "0297 3862 123"],
        &["2", "903", "Lê Thị C", "", "0912 345 678"],
        &["3", "904", "Phạm D", "", ""],
    ]);
    let r = upload(&client, &app.base, &csrf, "danh-sach.xlsx", good).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Nguyễn Văn A") && html.contains("Lê Thị C") && html.contains("3 tài khoản"), "{html}");
    assert_eq!(
        phongtrao_storage::users::list(&app.db).await.expect("users").len(),
        before,
        "a preview creates nothing"
    );
    let confirm =
        html.split("action=\"/admin/users/import/").nth(1).and_then(|s| s.split('"').next()).expect("confirm action");
    let r = client
        .post(format!("{}/admin/users/import/{confirm}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store", "slips hold passwords");
    let slips = r.text().await.expect("body");
    assert!(slips.contains("Phiếu mật khẩu dùng một lần") && slips.contains("Cách đăng nhập"));
    assert_eq!(slips.matches("class=\"slip\"").count(), 3);
    let created: Vec<_> = phongtrao_storage::users::list(&app.db)
        .await
        .expect("users")
        .into_iter()
        .filter(|u| u.display_name == "Nguyễn Văn A" || u.display_name == "Lê Thị C" || u.display_name == "Phạm D")
        .collect();
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|u| u.role == "unit" && u.must_change_password && u.active));
    // The slip's password logs the person in, straight to choosing their own.
    let a = created.iter().find(|u| u.display_name == "Nguyễn Văn A").expect("a");
    let secret = slips
        .split(&format!("<code class=\"secret\">{}</code>", a.username))
        .nth(1)
        .and_then(|s| s.split("<code class=\"secret\">").nth(1))
        .and_then(|s| s.split('<').next())
        .expect("password on the slip")
        .to_string();
    let person = browser();
    let r = app.login_form(&person, &a.username, &secret, "10.0.0.3").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account?first=1");
    let units = phongtrao_storage::users::unit_ids(&app.db, a.id).await.expect("units");
    assert_eq!(units, vec![phongtrao_storage::units::by_code(&app.db, "899").await.expect("q").expect("899").id]);
    // Confirming twice creates nothing more.
    let r = client
        .post(format!("{}/admin/users/import/{confirm}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // End of term: reset two (new slips), then deactivate them.
    let ids: Vec<String> = created.iter().take(2).map(|u| u.id.to_string()).collect();
    let mut form = vec![("csrf".to_string(), csrf.clone()), ("action".to_string(), "reset".to_string())];
    form.extend(ids.iter().map(|id| ("u".to_string(), id.clone())));
    let r = client.post(format!("{}/admin/users/bulk", app.base)).form(&form).send().await.expect("reset");
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("body").matches("class=\"slip\"").count(), 2);
    form[1].1 = "deactivate".to_string();
    let r = client.post(format!("{}/admin/users/bulk", app.base)).form(&form).send().await.expect("deactivate");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(format!("{}/admin/users?deactivated=2", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Đã khóa số tài khoản: 2"));
    for u in created.iter().take(2) {
        assert!(!phongtrao_storage::users::by_id(&app.db, u.id).await.expect("q").expect("user").active);
    }
    // One's own account is refused, nothing changes.
    let me = phongtrao_storage::users::by_username(&app.db, "vanphong").await.expect("q").expect("me");
    let r = client
        .post(format!("{}/admin/users/bulk", app.base))
        .form(&[("csrf", csrf.as_str()), ("action", "deactivate"), ("u", &me.id.to_string())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(phongtrao_storage::users::by_id(&app.db, me.id).await.expect("q").expect("me").active);
}

#[tokio::test]
async fn the_api_and_the_cli_create_from_a_list_with_the_same_checks() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let reporter = add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let reporter_token = add_token(&app.db, reporter).await;
    let post = |token: String, body: Value| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/users/import", app.base);
        async move { client.post(url).bearer_auth(token).json(&body).send().await.expect("post") }
    };
    let people = json!([{"unit": "903", "name": "Lê Thị C"}, {"unit": "904", "name": "Phạm D", "role": "admin"}]);
    let r = post(reporter_token, json!({"accounts": people})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(token.clone(), json!({"accounts": people})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a list never creates an administrator");
    let e: Value = r.json().await.expect("json");
    assert!(e["error"]["message_vi"].as_str().is_some_and(|m| m.contains("tài khoản 2") && m.contains("admin")), "{e}");
    let good =
        json!([{"unit": "903", "name": "Lê Thị C"}, {"unit": "904", "name": "Phạm D", "username": "bt.tanhiep"}]);
    let r = post(token.clone(), json!({"accounts": good, "dry_run": true})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(phongtrao_storage::users::by_username(&app.db, "bt.tanhiep").await.expect("q").is_none(), "dry run");
    let r = post(token.clone(), json!({"accounts": good})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["created"][1]["username"], "bt.tanhiep");
    assert_eq!(created["created"][1]["one_time_password"].as_str().map(str::len), Some(16));
    // The same name again: refused, nothing created.
    let r = post(token, json!({"accounts": [{"unit": "899", "name": "X", "username": "bt.tanhiep"}]})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The CLI: checks without --yes, creates with it, slips in a file only its owner reads.
    let dir = tempfile::tempdir().expect("dir");
    let list = dir.path().join("ds.csv");
    std::fs::write(&list, "Đơn vị,Họ tên,E-mail\n908,Võ E,e@example.vn\n").expect("write");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .expect("cli")
    };
    let list_arg = list.to_string_lossy().to_string();
    let out = run(&["user", "import", &list_arg]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--yes"));
    let count = |db| async move { phongtrao_storage::users::list(db).await.expect("users").len() };
    let before = count(&app.db).await;
    let slips = dir.path().join("phieu.csv");
    let out = run(&["user", "import", &list_arg, "--yes", "--slips", &slips.to_string_lossy()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&app.db).await, before + 1);
    let text = std::fs::read_to_string(&slips).expect("slips");
    assert!(text.contains("Võ E") && text.contains("one_time_password"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&slips).expect("meta").permissions().mode() & 0o777, 0o600);
    }
    std::fs::write(&list, "Đơn vị,Họ tên\nKhông có đơn vị này,Võ F\n").expect("write");
    let out = run(&["user", "import", &list_arg, "--yes"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Không có đơn vị này"));
    assert_eq!(count(&app.db).await, before + 1, "nothing created");
    let out = run(&["user", "deactivate", "bt.tanhiep"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!phongtrao_storage::users::by_username(&app.db, "bt.tanhiep").await.expect("q").expect("u").active);
}
