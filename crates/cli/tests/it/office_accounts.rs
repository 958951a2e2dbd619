//! The office creates accounts on the page: what was typed survives an error, and no
//! account becomes an administrator unless the officer chose it and confirmed.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_user, browser, csrf_of, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

/// The `<option>` of the new-account form's role select that is selected, if any.
fn selected_role(html: &str) -> Option<String> {
    let form = &html[html.find("action=\"/admin/users\"")?..];
    let select = &form[form.find("<select name=\"role\"")?..];
    let select = &select[..select.find("</select>")?];
    select.split("<option").find(|o| o.contains(" selected")).and_then(|o| o.split('"').nth(1)).map(str::to_string)
}

#[tokio::test]
async fn a_mistyped_unit_keeps_the_chosen_role_and_an_admin_needs_confirmation() {
    let app = spawn_app().await;
    add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.0.1").await.status(), StatusCode::SEE_OTHER);
    let page = client.get(format!("{}/admin/users", app.base)).send().await.expect("get").text().await.expect("body");
    // No role is chosen for the officer: the empty choice comes first and is selected.
    assert_eq!(selected_role(&page).as_deref(), Some(""), "the form must not preselect a role");
    let csrf = csrf_of(&page);
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        client.post(format!("{}/admin/users", app.base)).form(&form).send()
    };

    // A mistyped unit code: refused, and every field comes back as typed — the role too.
    let r = post(vec![
        ("username", "dt.rachgia"),
        ("display_name", "Nguyễn Văn A"),
        ("role", "unit"),
        ("units", "89"),
        ("email", "bt.rachgia@example.vn"),
    ])
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("Không tìm thấy đơn vị «89»"), "the error names the bad code");
    assert_eq!(selected_role(&html).as_deref(), Some("unit"), "the role must stay what the officer chose");
    assert!(html.contains("value=\"Nguyễn Văn A\"") && html.contains("value=\"bt.rachgia@example.vn\""));
    assert!(phongtrao_storage::users::by_username(&app.db, "dt.rachgia").await.expect("q").is_none());

    // Corrected and sent again: a unit reporter, with the e-mail address, never an admin.
    let r = post(vec![
        ("username", "dt.rachgia"),
        ("display_name", "Nguyễn Văn A"),
        ("role", "unit"),
        ("units", "899"),
        ("email", "bt.rachgia@example.vn"),
    ])
    .await
    .expect("post");
    assert_eq!(r.status(), 200);
    let created = phongtrao_storage::users::by_username(&app.db, "dt.rachgia").await.expect("q").expect("created");
    assert_eq!(created.role, "unit");

    // Units chosen by name, as the officer types them (accents optional).
    let r =
        post(vec![("username", "dt.hai.huyen"), ("role", "unit"), ("units", "hon dat; Tân Hiệp")]).await.expect("post");
    assert_eq!(r.status(), 200);
    let two = phongtrao_storage::users::by_username(&app.db, "dt.hai.huyen").await.expect("q").expect("created");
    let mut codes = Vec::new();
    for id in phongtrao_storage::users::unit_ids(&app.db, two.id).await.expect("units") {
        codes.push(phongtrao_storage::units::by_id(&app.db, id).await.expect("q").expect("unit").code);
    }
    codes.sort();
    assert_eq!(codes, ["903", "904"]);

    // No role chosen: refused in words, nothing created.
    let r = post(vec![("username", "khong.vai.tro"), ("role", "")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Hãy chọn vai trò"));
    assert!(phongtrao_storage::users::by_username(&app.db, "khong.vai.tro").await.expect("q").is_none());

    // The administrator role asks first; nothing exists until confirmed.
    let r = post(vec![("username", "quan.tri.moi"), ("role", "admin")]).await.expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Tạo tài khoản QUẢN TRỊ?") && html.contains("name=\"confirm_admin\""));
    assert!(!html.contains("Mật khẩu dùng một lần của"));
    assert!(phongtrao_storage::users::by_username(&app.db, "quan.tri.moi").await.expect("q").is_none());
    let r = post(vec![("username", "quan.tri.moi"), ("role", "admin"), ("confirm_admin", "on")]).await.expect("post");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("body").contains("Mật khẩu dùng một lần của"));
    let admin = phongtrao_storage::users::by_username(&app.db, "quan.tri.moi").await.expect("q").expect("created");
    assert_eq!(admin.role, "admin");

    // A bad e-mail address is refused in words.
    let r = post(vec![("username", "sai.email"), ("role", "viewer"), ("email", "khong hop le")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Địa chỉ e-mail"));
}
