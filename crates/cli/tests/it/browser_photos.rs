//! Photos made smaller on the phone before upload (issue 23, item 4), at 360×740 in
//! Debian's headless chromium: a 4000×3000 photo chosen for the evidence of a report
//! is redrawn at most 1600 px (JPEG 0.8) before the form sends it, the sizes before
//! and after are shown, and the stored picture is at most 1600 px; with "giữ vị trí"
//! ticked the original goes unchanged, so the server still reads where it was taken.

use fantoccini::Locator;
use phongtrao_domain::role::Role;
use serde_json::{json, Value};

use crate::browser::{
    chromedriver, chromium, click_to_next_page, keep_screenshot, loaded, log_in, thursday_of_week_1, wait_for, PW,
};
use crate::support::add_user;

/// Waits until the note under the file input says what will be sent; returns the
/// sizes it gives (before, after) and what the file input holds now (bytes, width,
/// height).
async fn chosen(c: &fantoccini::Client) -> Result<(u64, u64, Value), fantoccini::error::CmdError> {
    for _ in 0..200 {
        let v = c
            .execute(
                "const n = document.querySelector('#evidence .resize-note'); \
                 return n && n.getAttribute('data-after') ? [n.getAttribute('data-before'), n.getAttribute('data-after')] : null",
                vec![],
            )
            .await?;
        if let Some(pair) = v.as_array() {
            let before: u64 = pair[0].as_str().unwrap_or("0").parse().unwrap_or(0);
            let after: u64 = pair[1].as_str().unwrap_or("0").parse().unwrap_or(0);
            let file = c
                .execute_async(
                    "const done = arguments[0]; const f = document.querySelector('#evidence input[type=file]').files[0]; \
                     createImageBitmap(f).then(b => done({size: f.size, type: f.type, w: b.width, h: b.height, \
                       note: document.querySelector('#evidence .resize-note').textContent}), () => done(null));",
                    vec![],
                )
                .await?;
            return Ok((before, after, file));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the photo was never prepared for sending");
}

#[tokio::test]
async fn a_large_photo_is_made_smaller_on_the_phone_and_kept_original_when_its_location_is_kept() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "ev.rachgia", Role::Unit, &["899"], PW).await;
    let files = tempfile::tempdir().expect("dir");
    let big = files.path().join("IMG_20230301_0815.jpg");
    let big_bytes = crate::attachments::photo(4000, 3000);
    std::fs::write(&big, &big_bytes).expect("photo");
    let located = files.path().join("IMG_20230301_0930.jpg");
    let located_bytes = crate::attachments::photo_with_gps(4000, 3000);
    std::fs::write(&located, &located_bytes).expect("photo");
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "ev.rachgia").await?;
        loaded(&c, "/home").await?;
        c.goto(&format!("{}/reports/899/2023-03-03", app.base)).await?;
        wait_for(&c, "#report-form").await?;
        c.execute("const d = document.querySelector('#quiet-fields'); if (d) d.open = true;", vec![]).await?;
        c.find(Locator::Css("input[name='v.5']")).await?.send_keys("1.200").await?;
        click_to_next_page(&c, "#report-form button[value=save]").await?;
        wait_for(&c, "#evidence form.evidence-upload").await?;

        // A 4000×3000 photo: made smaller before it is sent.
        c.find(Locator::Css("#evidence input[type=file]")).await?.send_keys(&big.display().to_string()).await?;
        let (before, after, file) = chosen(&c).await?;
        eprintln!("photo resized on the phone: {before} bytes 4000×3000 -> {after} bytes {file}");
        assert_eq!(before, big_bytes.len() as u64, "the size before is the chosen file's");
        assert_eq!(file["size"], json!(after), "the file input now holds the smaller photo");
        assert_eq!((file["w"].as_u64(), file["h"].as_u64()), (Some(1600), Some(1200)), "{file}");
        assert_eq!(file["type"], "image/jpeg");
        assert!(after * 3 < before, "much smaller: {before} -> {after}");
        let note = file["note"].as_str().unwrap_or_default();
        assert!(note.contains("Ảnh được thu nhỏ trước khi gửi: 4000×3000") && note.contains("→ 1600×1200"), "{note}");
        c.execute("document.querySelector('#evidence .resize-note').scrollIntoView({block: 'center'})", vec![]).await?;
        keep_screenshot(&c, "evidence-photo-resized-360.png").await?;
        c.find(Locator::Css("#evidence input[name=caption]")).await?.send_keys("Ảnh thu nhỏ").await?;
        click_to_next_page(&c, "#evidence form.evidence-upload button[type=submit]").await?;
        wait_for(&c, "#evidence .evidence-file img").await?;

        // The same with "giữ vị trí" ticked after choosing: the original goes.
        c.find(Locator::Css("#evidence input[type=file]")).await?.send_keys(&located.display().to_string()).await?;
        let (_, small, _) = chosen(&c).await?;
        assert!(small * 3 < located_bytes.len() as u64, "made smaller first");
        c.execute("document.querySelector('#evidence .resize-note').setAttribute('data-after', '')", vec![]).await?;
        c.find(Locator::Css("#evidence input[name=keep_location]")).await?.click().await?;
        let (before, after, file) = chosen(&c).await?;
        assert_eq!((before, after), (located_bytes.len() as u64, located_bytes.len() as u64), "the original");
        assert_eq!(file["size"], json!(located_bytes.len()), "the file input holds the original again");
        assert_eq!((file["w"].as_u64(), file["h"].as_u64()), (Some(4000), Some(3000)));
        assert!(file["note"].as_str().unwrap_or_default().contains("Gửi ảnh gốc (để giữ vị trí)"), "{file}");
        c.find(Locator::Css("#evidence input[name=caption]")).await?.send_keys("Ảnh giữ vị trí").await?;
        click_to_next_page(&c, "#evidence form.evidence-upload button[type=submit]").await?;
        wait_for(&c, "#evidence .evidence-file img").await?;
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "no horizontal scroll at 360 px");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    let small = phongtrao_storage::attachments::get(&app.db, 1).await.expect("q").expect("the smaller photo");
    let original = phongtrao_storage::attachments::get(&app.db, 2).await.expect("q").expect("the original");
    assert_eq!(small.caption, "Ảnh thu nhỏ");
    assert!(small.width.unwrap_or(0).max(small.height.unwrap_or(0)) <= 1600, "stored at most 1600 px");
    assert!((small.size as usize) * 3 < big_bytes.len(), "stored much smaller than the original");
    assert_eq!(small.lat, None, "a redrawn photo has no location");
    assert_eq!(original.caption, "Ảnh giữ vị trí");
    assert!(original.lat.is_some() && original.lon.is_some(), "the original reached the server: its location read");
}
