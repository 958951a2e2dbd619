//! Evidence from a phone (issue #22 item 5): at 360×740 a reporter saves a draft
//! with an activity, takes a photo for it through the file input (the camera on a
//! phone), submits the week, and the submitted report shows the photo.

use std::time::Duration;

use fantoccini::Locator;
use phongtrao_domain::role::Role;
use serde_json::json;

use crate::browser::{
    chromedriver, chromium, click_to_next_page, keep_screenshot, loaded, log_in, set, thursday_of_week_1, wait_for,
};
use crate::support::add_user;

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn on_a_360_phone_a_reporter_attaches_a_photo_to_an_activity_and_submits_the_week() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "ev.rachgia", Role::Unit, &["899"], PW).await;
    let files = tempfile::tempdir().expect("dir");
    let photo = files.path().join("IMG_20230301_0815.jpg");
    std::fs::write(&photo, crate::attachments::photo_with_gps(1800, 1200)).expect("photo");
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "ev.rachgia").await?;
        loaded(&c, "/home").await?;
        c.goto(&format!("{}/reports/899/2023-03-03", app.base)).await?;
        wait_for(&c, "#report-form").await?;
        // Indicators with nothing yet for the unit are folded under "không phát sinh trong tuần".
        c.find(Locator::Css("#quiet-fields > summary")).await?.click().await?;
        c.find(Locator::Css("input[name='v.5']")).await?.send_keys("1.200").await?;
        c.find(Locator::Css("input[name='v.17']")).await?.send_keys("25").await?;
        c.find(Locator::Css("input[name='a.0.title']")).await?.send_keys("Ra quân Ngày Chủ nhật xanh").await?;
        set(&c, "input[name='a.0.held_on']", "2023-03-01").await?;
        c.find(Locator::Css("input[name='a.0.place']")).await?.send_keys("Phường Vĩnh Thanh").await?;
        click_to_next_page(&c, "#report-form button[value=save]").await?;
        // The attachments box, below the report's form, offers the saved activity.
        wait_for(&c, "#evidence form.evidence-upload").await?;
        let capture = c
            .execute("const i = document.querySelector('#evidence input[type=file]'); return [i.accept, i.getAttribute('capture')]", vec![])
            .await?;
        assert_eq!(capture, json!(["image/*,application/pdf", "environment"]), "the phone's camera");
        c.find(Locator::Css("#evidence input[type=file]")).await?.send_keys(&photo.display().to_string()).await?;
        set(&c, "#evidence select[name=activity]", "0").await?;
        c.find(Locator::Css("#evidence input[name=caption]")).await?.send_keys("Đoàn viên ra quân dọn vệ sinh").await?;
        c.execute("document.querySelector('#evidence').scrollIntoView()", vec![]).await?;
        keep_screenshot(&c, "report-evidence-form-360.png").await?;
        click_to_next_page(&c, "#evidence form.evidence-upload button[type=submit]").await?;
        wait_for(&c, "#evidence .evidence-file img").await?;
        let listed = c.find(Locator::Css("#evidence .evidence-file")).await?.text().await?;
        assert!(listed.contains("Đoàn viên ra quân dọn vệ sinh"), "{listed}");
        assert!(listed.contains("Hoạt động 1: Ra quân Ngày Chủ nhật xanh"), "{listed}");
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll with the attachments at 360 px");
        // Submit the week.
        click_to_next_page(&c, "#submit-report").await?;
        loaded(&c, "saved=submit").await?;
        wait_for(&c, ".status-submitted").await?;
        wait_for(&c, "#evidence .evidence-file img").await?;
        // The photo is shown (loaded from the server), and no more upload once submitted.
        let mut shown = json!(false);
        for _ in 0..50 {
            shown = c
                .execute("const i = document.querySelector('#evidence .evidence-file img'); return i.complete && i.naturalWidth > 0", vec![])
                .await?;
            if shown == json!(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, json!(true), "the submitted report shows the photo");
        assert!(c.find(Locator::Css("#evidence form.evidence-upload")).await.is_err(), "no upload after submitting");
        c.execute("document.querySelector('#evidence').scrollIntoView()", vec![]).await?;
        keep_screenshot(&c, "report-evidence-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    let (count, _) = phongtrao_storage::attachments::totals(&app.db).await.expect("totals");
    assert_eq!(count, 1);
}
