//! Each role is shown only what it may do: a unit's reporter sees its own documents
//! and reads the goals given to its units without a form to change the province's.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_user, browser, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn a_reporter_sees_only_its_own_units_documents_and_no_province_allocation_form() {
    let app = spawn_app().await;
    add_user(&app.db, "dt.hondat", Role::Unit, &["903"], PW).await;
    add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let reporter = browser();
    assert_eq!(app.login_form(&reporter, "dt.hondat", PW, "10.0.1.1").await.status(), StatusCode::SEE_OTHER);
    let docs = reporter.get(format!("{}/documents", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(docs.contains("value=\"903\""), "its own unit");
    assert!(!docs.contains("value=\"899\"") && !docs.contains("value=\"91\""), "no other unit's documents offered");
    // The goals its district received among its communes: a form (it allocates them).
    let own = reporter.get(format!("{}/allocations", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(own.contains("name=\"g."), "its own communes' goals can be set");
    // The province's split is not its to change: no inputs, no buttons.
    let r = reporter.get(format!("{}/allocations?parent=91", app.base)).send().await.expect("get");
    if r.status() == StatusCode::OK {
        let html = r.text().await.expect("body");
        assert!(!html.contains("name=\"g.") && !html.contains("value=\"proportional\""), "{html}");
    } else {
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // The office sees the province form.
    let office = browser();
    assert_eq!(app.login_form(&office, "vanphong", PW, "10.0.1.2").await.status(), StatusCode::SEE_OTHER);
    let html = office.get(format!("{}/allocations", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("name=\"g.899\"") && html.contains("value=\"proportional\""));
    let docs = office.get(format!("{}/documents", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(docs.contains("value=\"91\"") && docs.contains("value=\"899\""));
}
