//! In Debian's headless chromium at phone size, through chromedriver: a unit
//! reporter logs in, fills in a weekly report (the draft autosaves) and submits it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use phongtrao_domain::role::Role;
use serde_json::json;

use crate::support::{add_user, spawn_app};

pub(crate) const PW: &str = "mat-khau-thu-nghiem-1";

pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver on a free port. Where it is not installed the test is
/// skipped, except in CI (CI=true), where .ci/run installs it and it must run.
pub(crate) fn chromedriver() -> Option<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child =
        Command::new("chromedriver").arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(std::env::var("CI").is_err(), "chromedriver is required in CI: {e}");
            eprintln!("chromedriver not found: browser test skipped ({e})");
            return None;
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Driver { child, port });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not start");
}

/// A session of Debian's headless chromium at the given window size, its profile in
/// `profile`; `phone`: the page also sees a phone's screen (mobile emulation).
pub(crate) async fn chromium(
    driver: &Driver,
    profile: &std::path::Path,
    (w, h): (u32, u32),
    phone: bool,
) -> fantoccini::Client {
    let mut options = json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync", format!("--window-size={w},{h}"),
                 format!("--user-data-dir={}", profile.display())],
    });
    if phone {
        options["mobileEmulation"] = json!({"deviceMetrics": {"width": w, "height": h, "pixelRatio": 1}});
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("webdriver session")
}

/// Waits until the page at a URL containing `needle` has finished loading.
pub(crate) async fn loaded(c: &fantoccini::Client, needle: &str) -> Result<(), fantoccini::error::CmdError> {
    let script = "return location.href.includes(arguments[0]) && document.readyState === 'complete'";
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Between two documents the script may fail: that is "not yet".
        if let Ok(done) = c.execute(script, vec![json!(needle)]).await {
            if done == json!(true) {
                return Ok(());
            }
        }
        assert!(Instant::now() < deadline, "no page at {needle} was loaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_reporter_on_a_phone_logs_in_fills_in_and_submits_a_weekly_report() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (390, 844), false).await;
    let result = async {
        c.set_window_size(390, 844).await?;
        c.goto(&format!("{}/login", app.base)).await?;
        c.find(Locator::Css("#username")).await?.send_keys("dt.rachgia").await?;
        c.find(Locator::Css("#password")).await?.send_keys(PW).await?;
        c.find(Locator::Css("form[action='/login'] button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::Css("a[href='/reports']")).await?;
        c.goto(&format!("{}/reports", app.base)).await?;
        c.find(Locator::Css("a[href='/reports/899/2023-03-03']")).await?.click().await?;
        c.wait().for_element(Locator::Css("#report-form")).await?;
        // The phone layout never scrolls sideways.
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll on the report form at 390 px");
        // Indicators with nothing yet for the unit are folded under "không phát sinh trong tuần".
        c.find(Locator::Css("#quiet-fields > summary")).await?.click().await?;
        c.find(Locator::Css("input[name='v.5']")).await?.send_keys("1.200").await?;
        c.find(Locator::Css("input[name='v.17']")).await?.send_keys("25").await?;
        c.find(Locator::Css("input[name='a.0.title']")).await?.send_keys("Ra quân Ngày Chủ nhật xanh").await?;
        c.execute("document.querySelector(\"input[name='a.0.held_on']\").value = '2023-03-01'", vec![]).await?;
        c.find(Locator::Css("input[name='a.0.place']")).await?.send_keys("Phường Vĩnh Thanh").await?;
        c.find(Locator::Css("input[name='a.0.funds']")).await?.send_keys("1.500.000").await?;
        c.find(Locator::Css("#highlights")).await?.send_keys("Ra quân đồng loạt").await?;
        // The draft autosaves through the API while the person types.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = c.find(Locator::Css(".autosave-status")).await?.text().await?;
            if text.contains("Đã tự lưu nháp") {
                break;
            }
            assert!(Instant::now() < deadline, "no autosave: {text:?}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        keep_screenshot(&c, "report-form-phone.png").await?;
        c.find(Locator::Css("#submit-report")).await?.click().await?;
        loaded(&c, "saved=").await?;
        c.wait().for_element(Locator::Css(".status-submitted")).await?;
        let body = c.find(Locator::Css("main")).await?.text().await?;
        assert!(body.contains("Đã gửi báo cáo"), "{body}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    // What the browser sent is what is stored.
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(&app.db, "899").await.expect("q").expect("unit");
    let key = phongtrao_storage::reports::ReportKey {
        campaign_id: campaign.row.id,
        unit_id: unit.id,
        kind: phongtrao_domain::report::ReportKind::Weekly,
        period_seq: 1,
    };
    let report = phongtrao_storage::reports::get(&app.db, &key).await.expect("q").expect("report");
    assert_eq!(report.status, "submitted");
    let values = phongtrao_storage::reports::values(&app.db, report.id).await.expect("values");
    assert_eq!((values["5"], values["17"]), (1200, 25));
    let activities = phongtrao_storage::reports::activities(&app.db, report.id).await.expect("activities");
    assert_eq!(activities[0].funds_vnd, Some(1_500_000));
    let versions = phongtrao_storage::reports::versions(&app.db, report.id).await.expect("versions");
    assert!(versions.iter().any(|v| v.action == "save_draft"), "autosaved drafts are in the history");
}

#[tokio::test]
async fn the_dashboard_on_a_360_px_phone_never_scrolls_sideways_and_shows_the_json_figures() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let admin = crate::support::add_token(&app.db, add_user(&app.db, "b.office", Role::Admin, &[], PW).await).await;
    let unit = crate::support::add_token(&app.db, add_user(&app.db, "b.899", Role::Unit, &["899"], PW).await).await;
    app.set_members(&admin, "899", 4000).await;
    for (week, trees) in [("2023-03-03", "1.234"), ("2023-03-10", "2.345")] {
        let r = app.submit(&unit, "899", week, json!({"values": {"5": trees, "2a": "321", "17": "12"}})).await;
        assert!(r.status().is_success());
    }
    let progress: serde_json::Value = app.api("/api/v1/progress?at=2023-03-31", &admin).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 800), true).await;
    let result = async {
        c.goto(&format!("{}/login", app.base)).await?;
        c.find(Locator::Css("#username")).await?.send_keys("b.office").await?;
        c.find(Locator::Css("#password")).await?.send_keys(PW).await?;
        c.find(Locator::Css("form[action='/login'] button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::Css("a[href='/dashboard']")).await?;
        // On a phone the menu is folded behind its button.
        c.find(Locator::Css(".menu-button")).await?.click().await?;
        c.find(Locator::Css("ul.menu a[href='/dashboard']")).await?.click().await?;
        c.wait().for_element(Locator::Css("#targets-h")).await?;
        // Choose the date with the form, as a person would.
        c.execute("document.querySelector('#dash-at').value = '2023-03-31'", vec![]).await?;
        c.find(Locator::Css("form[action='/dashboard'] button[type=submit]")).await?.click().await?;
        // The old page has the same elements: wait for the new one to have loaded.
        loaded(&c, "at=2023-03-31").await?;
        c.wait().for_element(Locator::Css("li[data-indicator='5']")).await?;
        let width = c.execute("return window.innerWidth", vec![]).await?;
        assert_eq!(width, json!(360), "a 360 px viewport");
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll on the dashboard at 360 px");
        let at = c.find(Locator::Css(".dash-at")).await?.text().await?;
        assert_eq!(at, "31/03/2023");
        for i in progress["indicators"].as_array().expect("indicators") {
            let key = i["indicator"].as_str().expect("key");
            let li = c.find(Locator::Css(&format!("li[data-indicator='{key}']"))).await?;
            let verdict = li.find(Locator::Css(".badge")).await?.text().await?;
            assert_eq!(verdict, i["text_vi"].as_str().expect("verdict"), "{key}");
            if i["kind"] == "count" && i["goal"].is_number() {
                let figures = li.find(Locator::Css(".pl-figures")).await?.text().await?;
                let achieved = phongtrao_domain::format::integer(i["sum"].as_i64().expect("sum"));
                assert!(figures.starts_with(&format!("{achieved} / ")), "{key}: {figures} vs {achieved}");
            }
        }
        // Opened, the earlier weeks and the chart's figures scroll inside their own box too.
        c.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await?;
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll on the dashboard at 360 px with its tables opened");
        c.execute("document.querySelectorAll('details').forEach(d => d.open = false)", vec![]).await?;
        // The wide unit × indicator table scrolls inside its own box.
        let table = c
            .execute("const f = document.querySelector('figure.scroll-x'); return [f.scrollWidth > f.clientWidth, f.getBoundingClientRect().right <= window.innerWidth]", vec![])
            .await?;
        assert_eq!(table, json!([true, true]));
        keep_screenshot(&c, "dashboard-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

/// Keeps a screenshot of the page as it is now under `target/tmp/screenshots/NAME`
/// (to look at; a failed write does not fail the test).
pub(crate) async fn keep_screenshot(c: &fantoccini::Client, name: &str) -> Result<(), fantoccini::error::CmdError> {
    let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/screenshots");
    std::fs::create_dir_all(dir).ok();
    let png = c.screenshot().await?;
    std::fs::write(format!("{dir}/{name}"), png).ok();
    Ok(())
}

/// Logs in through the form of the page at `base`.
pub(crate) async fn log_in(c: &fantoccini::Client, base: &str, user: &str) -> Result<(), fantoccini::error::CmdError> {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Css("#username")).await?.send_keys(user).await?;
    c.find(Locator::Css("#password")).await?.send_keys(PW).await?;
    c.find(Locator::Css("form[action='/login'] button[type=submit]")).await?.click().await?;
    Ok(())
}

/// Thursday 2 March 2023, 10:00 in Vietnam: week 1 (deadline Friday 3 March, 16:00) is open.
pub(crate) fn thursday_of_week_1() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2023-03-02T10:00:00+07:00").expect("time").with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn on_a_360_phone_a_reporter_reaches_this_weeks_form_in_one_tap_and_submits_while_the_autosave_is_in_flight() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "dt.rachgia").await?;
        // The unit's home page, not the plan overview.
        loaded(&c, "/home").await?;
        let button = c.find(Locator::Css("#open-next")).await?;
        assert_eq!(button.text().await?, "Báo cáo tuần này");
        // Tap 1: this week's form.
        button.click().await?;
        loaded(&c, "/reports/899/2023-03-03").await?;
        c.wait().for_element(Locator::Css("#report-form")).await?;
        let width = c.execute("return window.innerWidth", vec![]).await?;
        assert_eq!(width, json!(360));
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll on the report form at 360 px");
        let first_visible = c
            .execute(
                "const i = document.querySelector('#report-form input[name^=\"v.\"]'); \
                 const r = i.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight",
                vec![],
            )
            .await?;
        assert_eq!(first_visible, json!(true), "the form's first input is on the first screen");
        keep_screenshot(&c, "report-form-360.png").await?;
        // A slow network: every answer of the server arrives 1.5 s after the request.
        c.execute(
            "window.__inflight = 0; const real = window.fetch; \
             window.fetch = function () { window.__inflight++; \
               return real.apply(this, arguments).then(function (r) { \
                 return new Promise(function (ok) { setTimeout(function () { window.__inflight--; ok(r); }, 1500); }); }); };",
            vec![],
        )
        .await?;
        c.find(Locator::Css("#quiet-fields > summary")).await?.click().await?;
        c.find(Locator::Css("input[name='v.5']")).await?.send_keys("1.200").await?;
        // The autosave starts 2 s after the last keystroke; wait until it is on its way.
        let deadline = Instant::now() + Duration::from_secs(10);
        while c.execute("return window.__inflight", vec![]).await? != json!(1) {
            assert!(Instant::now() < deadline, "the autosave never started");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Then one more figure and "Gửi báo cáo" at once, the autosave still in flight.
        c.find(Locator::Css("input[name='v.17']")).await?.send_keys("25").await?;
        c.find(Locator::Css("#submit-report")).await?.click().await?;
        loaded(&c, "saved=submit").await?;
        c.wait().for_element(Locator::Css(".status-submitted")).await?;
        let body = c.find(Locator::Css("main")).await?.text().await?;
        assert!(!body.contains("vừa được"), "no conflict with oneself: {body}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(&app.db, "899").await.expect("q").expect("unit");
    let key = phongtrao_storage::reports::ReportKey {
        campaign_id: campaign.row.id,
        unit_id: unit.id,
        kind: phongtrao_domain::report::ReportKind::Weekly,
        period_seq: 1,
    };
    let report = phongtrao_storage::reports::get(&app.db, &key).await.expect("q").expect("report");
    assert_eq!(report.status, "submitted");
    assert_eq!(report.timeliness.as_deref(), Some("on_time"));
    let values = phongtrao_storage::reports::values(&app.db, report.id).await.expect("values");
    assert_eq!((values["5"], values["17"]), (1200, 25), "both figures, the one typed during the autosave too");
}

#[tokio::test]
async fn a_reporters_pages_at_360_px_fit_the_screen_with_44_px_tap_targets() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        // The menu is folded behind one button; opened, each entry is a 44 px target.
        let menu_hidden = c.execute("return getComputedStyle(document.querySelector('ul.menu')).display", vec![]).await?;
        assert_eq!(menu_hidden, json!("none"), "the menu is folded on a phone");
        let button_h = c.execute("return document.querySelector('.menu-button').getBoundingClientRect().height", vec![]).await?;
        assert!(button_h.as_f64().unwrap_or(0.0) >= 44.0, "menu button {button_h}");
        c.find(Locator::Css(".menu-button")).await?.click().await?;
        let smallest = c
            .execute(
                "return Math.min(...[...document.querySelectorAll('ul.menu a, ul.menu button')].map(e => e.getBoundingClientRect().height))",
                vec![],
            )
            .await?;
        assert!(smallest.as_f64().unwrap_or(0.0) >= 44.0, "menu entries {smallest}");
        for path in ["/home", "/reports", "/calendar", "/", "/reports/899/2023-03-03", "/reports/899/plan", "/targets", "/units"] {
            c.goto(&format!("{}{path}", app.base)).await?;
            loaded(&c, path).await?;
            c.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await?;
            let fits = c
                .execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![])
                .await?;
            assert!(fits[0].as_f64() <= fits[1].as_f64(), "{path} is wider than the screen: {fits}");
            // Links in lists are 44 px tap targets (those of summaries too, opened).
            let small = c
                .execute(
                    "return [...document.querySelectorAll('main li > a')].filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).map(e => e.textContent.trim()).slice(0, 5)",
                    vec![],
                )
                .await?;
            assert_eq!(small, json!([]), "links in lists under 44 px on {path}");
            let name = if path == "/" { "overview".to_string() } else { path.trim_start_matches('/').replace('/', "-") };
            keep_screenshot(&c, &format!("360-{name}.png")).await?;
        }
        // Reports: this week first, and the links of lists and grid cells are 44 px targets.
        c.goto(&format!("{}/reports", app.base)).await?;
        loaded(&c, "/reports").await?;
        let first = c.find(Locator::Css("main section.this-week a")).await?.attr("href").await?;
        assert_eq!(first.as_deref(), Some("/reports/899/2023-03-03"));
        let small = c
            .execute(
                "return [...document.querySelectorAll('.report-lines li a, table.report-grid td a')].filter(e => e.getBoundingClientRect().height < 44).length",
                vec![],
            )
            .await?;
        assert_eq!(small, json!(0), "links under 44 px on /reports");
        keep_screenshot(&c, "reports-360.png").await?;
        c.goto(&format!("{}/home", app.base)).await?;
        loaded(&c, "/home").await?;
        let small = c
            .execute(
                "return [...document.querySelectorAll('.report-lines li a')].filter(e => e.getBoundingClientRect().height < 44).length",
                vec![],
            )
            .await?;
        assert_eq!(small, json!(0), "links under 44 px on /home");
        keep_screenshot(&c, "home-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

#[tokio::test]
async fn restoring_a_draft_kept_offline_brings_back_its_activities() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        c.goto(&format!("{}/reports/899/2023-03-03", app.base)).await?;
        loaded(&c, "/reports/899/2023-03-03").await?;
        // What the page kept on the phone when the connection dropped: three activities
        // (the page has two empty rows), a figure and a note.
        let kept = json!({"pending": true, "input": {
            "values": {"5": "300"}, "highlights": "Ra quân", "difficulties": "", "proposals": "",
            "confirm_above_base": false, "nothing_to_report": false,
            "activities": [
                {"title": "Trồng cây", "held_on": "2023-02-26", "area": "2.1", "place": "Vĩnh Thanh", "participants": "40", "funds": "", "result": ""},
                {"title": "Hiến máu", "held_on": "2023-02-28", "area": "3.1", "place": "", "participants": "25", "funds": "1.500.000", "result": "", "tag": "launch"},
                {"title": "Dạy bơi", "held_on": "2023-03-01", "area": "3.3", "place": "", "participants": "", "funds": "", "result": "12 em"}
            ]}});
        c.execute("localStorage.setItem('pt-899-2023-03-03', JSON.stringify(arguments[0]))", vec![kept]).await?;
        c.refresh().await?;
        loaded(&c, "/reports/899/2023-03-03").await?;
        c.wait().for_element(Locator::Css("#report-form > button.secondary")).await?.click().await?;
        let got = c
            .execute(
                "const v = n => (document.querySelector(`[name='${n}']`) || {}).value; \
                 return [v('v.5'), v('highlights'), v('a.0.title'), v('a.1.funds'), v('a.2.title'), v('a.2.result'), v('a.2.area'), \
                         document.querySelector(\"[name='a.1.tag']\").checked]",
                vec![],
            )
            .await?;
        assert_eq!(got, json!(["300", "Ra quân", "Trồng cây", "1.500.000", "Dạy bơi", "12 em", "3.3", true]));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

/// At 1366×768 the office locks week 1 (ticking the confirmation), sees it on the
/// grid; the reporter's form for that week shows the lock before anything is typed;
/// a reviewer finds the review actions at the top, still in view down the form.
#[tokio::test]
async fn at_1366_the_office_locks_a_week_after_confirming_and_the_reporter_sees_it_before_typing() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "vp.tinh", Role::Admin, &[], PW).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let hondat =
        crate::support::add_token(&app.db, add_user(&app.db, "dt.hondat", Role::Unit, &["903"], PW).await).await;
    let r = app.submit(&hondat, "903", "2023-03-03", json!({"values": {"5": "800"}, "highlights": "Ra quân"})).await;
    assert_eq!(r.status(), 201);
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (1366, 768), false).await;
    let result = async {
        log_in(&c, &app.base, "vp.tinh").await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while c.execute("return location.pathname === '/login' || document.readyState !== 'complete'", vec![]).await.ok() != Some(json!(false)) {
            assert!(Instant::now() < deadline, "still on the login page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        c.goto(&format!("{}/reports", app.base)).await?;
        loaded(&c, "/reports").await?;
        let lock = c.find(Locator::Css("#week-2023-03-03 a[href*='verb=lock']")).await?;
        assert_eq!(lock.text().await?, "Khóa kỳ báo cáo");
        lock.click().await?;
        loaded(&c, "confirm=2023-03-03").await?;
        c.wait().for_element(Locator::Css("#confirm-lock")).await?;
        c.find(Locator::Css("#confirm-lock-check")).await?.click().await?;
        c.find(Locator::Css("#confirm-lock-go")).await?.click().await?;
        loaded(&c, "done=lock").await?;
        let message = c.find(Locator::Css("#lock-message")).await?.text().await?;
        assert!(message.starts_with("Đã khóa kỳ báo cáo Tuần 1"), "{message}");
        let header = c.find(Locator::Css("#week-2023-03-03")).await?.text().await?;
        assert!(header.contains("Đã khóa") && header.contains("Mở lại"), "{header}");
        c.execute("document.querySelector('table.report-grid').scrollIntoView()", vec![]).await?;
        keep_screenshot(&c, "office-grid-locked-1366.png").await?;
        // The reviewer's report page: the review box first, and still in view far down.
        c.goto(&format!("{}/reports/903/2023-03-03", app.base)).await?;
        loaded(&c, "/reports/903/").await?;
        keep_screenshot(&c, "review-top-1366.png").await?;
        let first_screen = c
            .execute("return document.querySelector('#review').getBoundingClientRect().bottom <= window.innerHeight", vec![])
            .await?;
        assert_eq!(first_screen, json!(true), "the review actions on the first screen");
        c.execute("window.scrollTo(0, 3000)", vec![]).await?;
        let still = c
            .execute(
                "const r = document.querySelector('#review').getBoundingClientRect(); return r.top >= 0 && r.top < 5",
                vec![],
            )
            .await?;
        assert_eq!(still, json!(true), "the review box stays in view (sticky)");
        // The reporter, in their own session: the lock before typing.
        c.delete_all_cookies().await?;
        log_in(&c, &app.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        let home = c.find(Locator::Css("#home-locked")).await?.text().await?;
        assert!(home.contains("đã được khóa"), "{home}");
        c.find(Locator::Css("#open-next")).await?.click().await?;
        loaded(&c, "/reports/899/2023-03-03").await?;
        let notice = c.find(Locator::Css("#locked")).await?;
        let visible = c
            .execute("const r = document.querySelector('#locked').getBoundingClientRect(); return r.top < window.innerHeight", vec![])
            .await?;
        assert_eq!(visible, json!(true), "the notice is on the first screen");
        assert!(notice.text().await?.contains("liên hệ Ban Phong trào"));
        let disabled = c.execute("return document.querySelector('#report-form input[name=\"v.5\"]').matches(':disabled')", vec![]).await?;
        assert_eq!(disabled, json!(true), "nothing can be typed");
        keep_screenshot(&c, "form-locked-1366.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

/// Thursday 9 March 2023, 10:00 in Vietnam: week 1 is past, week 2 open.
pub(crate) fn thursday_of_week_2() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2023-03-09T10:00:00+07:00").expect("time").with_timezone(&chrono::Utc)
}

/// Sets a form field by CSS selector (works for inputs, selects and textareas).
pub(crate) async fn set(c: &fantoccini::Client, css: &str, value: &str) -> Result<(), fantoccini::error::CmdError> {
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('change', {bubbles: true})); return e.value";
    let got = c.execute(script, vec![json!(css), json!(value)]).await?;
    assert_eq!(got, json!(value), "{css} took the value");
    Ok(())
}

/// Waits for an element; on timeout, fails with the page's address and text.
pub(crate) async fn wait_for(c: &fantoccini::Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if c.find(Locator::Css(css)).await.is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let text = c.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
            panic!("no {css} on {url}:\n{}", text.as_str().unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks what submits a form or follows a link, and waits until the NEXT page has
/// loaded (the old document is marked first, so it can never be mistaken for the new).
pub(crate) async fn click_to_next_page(c: &fantoccini::Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    c.execute("document.documentElement.dataset.leaving = '1'", vec![]).await?;
    // In the middle of the window: never under a sticky bar.
    c.execute(
        "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'center'});",
        vec![json!(css)],
    )
    .await?;
    c.find(Locator::Css(css)).await?.click().await?;
    let script = "return document.documentElement.dataset.leaving !== '1' && document.readyState === 'complete'";
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(done) = c.execute(script, vec![]).await {
            if done == json!(true) {
                return Ok(());
            }
        }
        assert!(Instant::now() < deadline, "no next page after clicking {css}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text_of(c: &fantoccini::Client, css: &str) -> Result<String, fantoccini::error::CmdError> {
    c.find(Locator::Css(css)).await?.text().await
}

/// The province office's week at 1366×768, as issue 16 asks: an account after a
/// mistyped unit (not an admin), the review queue (one returned, two accepted at
/// once), a lock seen on the grid and on the reporter's form, a reminder for a past
/// week seen in the reminders list, and a unit move read as a sentence in the log.
#[tokio::test]
async fn at_1366_the_officers_week_from_a_new_account_to_a_move_in_the_audit_log() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_2()).await;
    add_user(&app.db, "vp.tinh", Role::Admin, &[], PW).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let admin = crate::support::add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    for (user, unit) in [("dt.hondat", "903"), ("dt.tanhiep", "904"), ("dt.chauthanh", "905")] {
        let token = crate::support::add_token(&app.db, add_user(&app.db, user, Role::Unit, &[unit], PW).await).await;
        let r = app
            .submit(
                &token,
                unit,
                "2023-03-03",
                json!({"values": {"5": "800"}, "highlights": format!("Ra quân {unit}")}),
            )
            .await;
        assert_eq!(r.status(), 201, "{unit}");
    }
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (1366, 768), false).await;
    let result = async {
        log_in(&c, &app.base, "vp.tinh").await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while c
            .execute("return location.pathname === '/login' || document.readyState !== 'complete'", vec![])
            .await
            .ok()
            != Some(json!(false))
        {
            assert!(Instant::now() < deadline, "still on the login page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // 1. A reporter for Rạch Giá, the unit code mistyped first.
        c.goto(&format!("{}/admin/users", app.base)).await?;
        loaded(&c, "/admin/users").await?;
        let role = "form[action='/admin/users'] select[name=role]";
        assert_eq!(
            c.execute(&format!("return document.querySelector(\"{role}\").value"), vec![]).await?,
            json!(""),
            "no role chosen in advance"
        );
        set(&c, "form[action='/admin/users'] input[name=username]", "bcv.rachgia").await?;
        set(&c, "form[action='/admin/users'] input[name=display_name]", "Nguyễn Thị Lan").await?;
        set(&c, role, "unit").await?;
        set(&c, "form[action='/admin/users'] input[name=units]", "8999").await?;
        click_to_next_page(&c, "form[action='/admin/users'] button[type=submit]").await?;
        wait_for(&c, "form[action='/admin/users'] .error, [role=alert]").await?;
        let kept = c.execute(&format!("return document.querySelector(\"{role}\").value"), vec![]).await?;
        assert_eq!(kept, json!("unit"), "the role chosen is kept after the error, never admin");
        set(&c, "form[action='/admin/users'] input[name=units]", "899").await?;
        click_to_next_page(&c, "form[action='/admin/users'] button[type=submit]").await?;
        wait_for(&c, ".secret-box").await?;
        let users = app.api("/api/v1/users", &admin).await;
        let created = users["users"]
            .as_array()
            .and_then(|a| a.iter().find(|u| u["username"] == "bcv.rachgia").cloned())
            .expect("created");
        assert_eq!(created["role"], "unit", "{created}");

        // 2. The review queue: return one with a comment, accept the two others at once.
        c.goto(&format!("{}/review", app.base)).await?;
        loaded(&c, "/review").await?;
        // For the README: the whole page in one picture, then back to 1366×768.
        c.set_window_size(1366, 1300).await?;
        keep_screenshot(&c, "review-queue-1366.png").await?;
        c.set_window_size(1366, 768).await?;
        let queue = text_of(&c, "ul.queue").await?;
        assert!(queue.contains("Hòn Đất") && queue.contains("Tân Hiệp") && queue.contains("Châu Thành"), "{queue}");
        click_to_next_page(&c, "ul.queue a[href*='/reports/903/']").await?;
        set(&c, "#review textarea[name=comment]", "Bổ sung số liệu thanh niên tham gia.").await?;
        click_to_next_page(&c, "#review button[value=return]").await?;
        loaded(&c, "saved=return").await?;
        c.goto(&format!("{}/review", app.base)).await?;
        loaded(&c, "/review").await?;
        let queue = text_of(&c, "ul.queue").await?;
        assert!(!queue.contains("Hòn Đất"), "the returned report left the queue: {queue}");
        let all = c.find(Locator::Css("button[name=all]")).await?;
        assert!(all.text().await?.contains("(2)"));
        drop(all);
        click_to_next_page(&c, "button[name=all]").await?;
        let after = c.execute("return document.querySelector('ul.queue') === null", vec![]).await?;
        assert_eq!(after, json!(true), "the queue is empty");
        for (unit, status) in [("903", "returned"), ("904", "accepted"), ("905", "accepted")] {
            let r = app.api(&format!("/api/v1/reports/{unit}/2023-03-03"), &admin).await;
            assert_eq!(r["report"]["status"], status, "{unit}");
        }

        // 3. Remind Rạch Giá for the past week 1; the reminders list shows it.
        c.goto(&format!("{}/admin/reminders", app.base)).await?;
        loaded(&c, "/admin/reminders").await?;
        set(&c, "form[action='/admin/reminders/send'] select[name=period]", "2023-03-03").await?;
        set(&c, "form[action='/admin/reminders/send'] input[name=unit]", "899").await?;
        click_to_next_page(&c, "form[action='/admin/reminders/send'] button[type=submit]").await?;
        wait_for(&c, "main [role=status], main [role=alert]").await?;
        let listed = c.execute("return document.querySelector('main').innerText", vec![]).await?;
        let listed = listed.as_str().unwrap_or_default().to_string();
        assert!(listed.contains("Rạch Giá") && listed.contains("Tuần 1"), "{listed}");

        // 4. Lock week 1: seen on the grid (and on the reporter's form, below).
        c.goto(&format!("{}/reports", app.base)).await?;
        loaded(&c, "/reports").await?;
        let lock = c.find(Locator::Css("#week-2023-03-03 a[href*='verb=lock']")).await?;
        assert_eq!(lock.text().await?, "Khóa kỳ báo cáo");
        drop(lock);
        click_to_next_page(&c, "#week-2023-03-03 a[href*='verb=lock']").await?;
        loaded(&c, "confirm=2023-03-03").await?;
        wait_for(&c, "#confirm-lock").await?;
        c.find(Locator::Css("#confirm-lock-check")).await?.click().await?;
        click_to_next_page(&c, "#confirm-lock-go").await?;
        loaded(&c, "done=lock").await?;
        let message = text_of(&c, "#lock-message").await?;
        assert!(message.starts_with("Đã khóa kỳ báo cáo Tuần 1"), "{message}");
        let header = text_of(&c, "#week-2023-03-03").await?;
        assert!(header.contains("Đã khóa") && header.contains("Mở lại"), "{header}");

        // 5. Move Đoàn xã Bình Sơn from Hòn Đất to Tân Hiệp, confirmed, then read it in the log.
        c.goto(&format!("{}/units/30823/edit", app.base)).await?;
        loaded(&c, "/units/30823/edit").await?;
        set(&c, "input[name=parent_code]", "904").await?;
        click_to_next_page(&c, "main form[method=post] button[type=submit]").await?;
        wait_for(&c, ".confirm-box").await?;
        c.find(Locator::Css(".confirm-box input[name=confirm]")).await?.click().await?;
        click_to_next_page(&c, "main form[method=post] button[type=submit]").await?;
        loaded(&c, "/units/30823").await?;
        c.goto(&format!("{}/audit?unit=30823", app.base)).await?;
        loaded(&c, "/audit").await?;
        // For the README: the whole page in one picture, then back to 1366×768.
        c.set_window_size(1366, 1300).await?;
        keep_screenshot(&c, "audit-log-1366.png").await?;
        c.set_window_size(1366, 768).await?;
        let log = c.execute("return document.querySelector('main').innerText", vec![]).await?;
        let log = log.as_str().unwrap_or_default().to_string();
        assert!(
            log.contains(
                "chuyển Đoàn xã Bình Sơn (mã 30823) từ Huyện đoàn Hòn Đất (mã 903) sang Huyện đoàn Tân Hiệp (mã 904)"
            ),
            "the move reads as a sentence with names and codes: {log}"
        );
        assert!(!log.contains("parent_id"), "no internal ids: {log}");

        // Rạch Giá's reporter, in their own session: week 1 is locked before typing.
        c.delete_all_cookies().await?;
        log_in(&c, &app.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        c.goto(&format!("{}/reports/899/2023-03-03", app.base)).await?;
        loaded(&c, "/reports/899/2023-03-03").await?;
        assert!(text_of(&c, "#locked").await?.contains("liên hệ Ban Phong trào"));
        let disabled = c
            .execute("return document.querySelector('#report-form input[name=\"v.5\"]').matches(':disabled')", vec![])
            .await?;
        assert_eq!(disabled, json!(true), "nothing can be typed in a locked week");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

/// Issue 20: at 1366×768 the office imports a .docx whose trees target lost its
/// number and whose signatory lost his name; the editor lists both on their fields
/// (and the values read with low confidence), the checks follow as the office types
/// (JavaScript), and the confirmed campaign runs with what was typed.
#[tokio::test]
async fn at_1366_the_office_fixes_an_imported_plan_in_the_editor_and_it_runs_with_those_values() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    add_user(&app.db, "vp.kehoach", Role::Admin, &[], PW).await;
    let token = crate::support::add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    let files = tempfile::tempdir().expect("files");
    let docx = files.path().join("ke-hoach-2023-ban-nhap.docx");
    std::fs::write(
        &docx,
        crate::plan_edit::docx_with(&[("20.000 cây xanh", "nhiều cây xanh"), ("Phan Đình Nhân", "")]),
    )
    .expect("docx");
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (1366, 768), false).await;
    let result = async {
        log_in(&c, &app.base, "vp.kehoach").await?;
        loaded(&c, "/").await?;
        c.goto(&format!("{}/admin/plan/import", app.base)).await?;
        loaded(&c, "/admin/plan/import").await?;
        c.find(Locator::Css("input[type=file]")).await?.send_keys(&docx.display().to_string()).await?;
        click_to_next_page(&c, "form[action='/admin/plan/import'] button[type=submit]").await?;
        loaded(&c, "/admin/plan/drafts/").await?;
        let errors = text_of(&c, ".pe-errors").await?;
        assert!(errors.contains("Người ký · họ tên") && errors.contains("Chưa điền họ tên người ký"), "{errors}");
        assert!(errors.contains("Chỉ tiêu 5") && errors.contains("mục tiêu"), "{errors}");
        let flags = text_of(&c, ".pe-flags").await?;
        assert!(flags.contains("Giá trị đọc chưa chắc chắn"), "{flags}");
        c.set_window_size(1366, 1300).await?;
        keep_screenshot(&c, "plan-editor-import-1366.png").await?;
        c.set_window_size(1366, 768).await?;

        // The trees target: its goal and label, found by the item that holds the sentence.
        let item = "return Array.from(document.querySelectorAll('article.pe-item')).find(a => \
                    Array.from(a.querySelectorAll('textarea')).some(t => t.value.includes('nhiều cây xanh'))).id";
        let item = c.execute(item, vec![]).await?;
        let item = item.as_str().unwrap_or_default().to_string();
        assert!(!item.is_empty(), "the trees target is on the page");
        let goal = format!("#{item} input[name$='indicators[0].goal']");
        let goal_notes =
            c.execute("return document.querySelector(arguments[0]).id + '-notes'", vec![json!(goal)]).await?;
        let goal_notes = format!("#{}", goal_notes.as_str().unwrap_or_default());
        assert!(text_of(&c, &goal_notes).await?.contains("Chưa có mục tiêu"));
        set(&c, &goal, "20.000").await?;
        set(&c, &format!("#{item} input[name$='indicators[0].label']"), "Cây xanh trồng mới và chăm sóc").await?;
        set(&c, &format!("#{item} input[name$='indicators[0].unit_label']"), "cây").await?;
        // Checked as the office types: the note beside the goal goes away.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !text_of(&c, &goal_notes).await?.is_empty() {
            assert!(Instant::now() < deadline, "the goal's note stays");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        set(&c, "#f-campaign-signatory-name", "Phan Đình Nhân").await?;
        set(&c, "#f-campaign-code", "kg-ttn-2023-ban-sua").await?;
        click_to_next_page(&c, "button[name=action][value=confirm]").await?;
        loaded(&c, "activated=1").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    let campaign = app.api("/api/v1/campaign?campaign=kg-ttn-2023-ban-sua", &token).await;
    assert_eq!(campaign["plan"]["campaign"]["signatory"]["name"], "Phan Đình Nhân", "{campaign}");
    let trees = campaign["plan"]["targets"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["number"] == 5))
        .map(|t| (t["indicators"][0]["goal"].clone(), t["indicators"][0]["unit_label"].clone()));
    assert_eq!(trees, Some((json!(20000.0), json!("cây"))));
    let running = app.api("/api/v1/campaigns", &token).await;
    assert!(running.to_string().contains("kg-ttn-2023-ban-sua"), "{running}");
}

/// Issue 20: mid-campaign the office amends the trees goal (20.000 → 25.000) in the
/// editor — adding then removing an indicator with the no-JavaScript buttons on the
/// way — previews the change, applies it with its reason and document, and sees
/// version 2; the progress is re-evaluated against the new goal and the amendment
/// is in the audit log.
#[tokio::test]
async fn at_1366_the_office_amends_a_goal_mid_campaign_and_the_progress_follows() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_2()).await;
    add_user(&app.db, "vp.dieuchinh", Role::Admin, &[], PW).await;
    let admin = crate::support::add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    let token =
        crate::support::add_token(&app.db, add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await).await;
    let r = app.submit(&token, "899", "2023-03-03", json!({"values": {"5": "5.000"}})).await;
    assert_eq!(r.status(), 201);
    let trees = |p: &serde_json::Value| {
        p["indicators"].as_array().and_then(|a| a.iter().find(|i| i["indicator"] == "5").cloned()).expect("trees")
    };
    let before = trees(&app.api("/api/v1/progress", &admin).await);
    assert_eq!((before["goal"].as_f64(), before["sum"].as_i64()), (Some(20000.0), Some(5000)));
    let code =
        app.api("/api/v1/campaign", &admin).await["plan"]["campaign"]["code"].as_str().unwrap_or_default().to_string();
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (1366, 768), false).await;
    let result = async {
        log_in(&c, &app.base, "vp.dieuchinh").await?;
        loaded(&c, "/").await?;
        c.goto(&format!("{}/campaigns/{code}/plan", app.base)).await?;
        loaded(&c, "/plan").await?;
        assert!(text_of(&c, "#version-1").await?.contains("Phiên bản 1"));
        click_to_next_page(&c, "form[action$='/plan/amend'] button[type=submit]").await?;
        loaded(&c, "/admin/plan/drafts/").await?;
        let item = "return document.querySelector(\"input[name$='.key'][value='5']\").closest('article.pe-item').id";
        let item = c.execute(item, vec![]).await?.as_str().unwrap_or_default().to_string();
        assert!(!item.is_empty());
        // The buttons work without JavaScript: add an indicator to target 5, then remove it.
        click_to_next_page(&c, &format!("#{item} button[value$='.indicators']")).await?;
        let keys =
            format!("return Array.from(document.querySelectorAll(\"#{item} input[name$='.key']\")).map(e => e.value)");
        assert_eq!(c.execute(&keys, vec![]).await?, json!(["5", "5a"]));
        click_to_next_page(&c, &format!("#{item} .pe-child:last-of-type button[value^='remove:']")).await?;
        assert_eq!(c.execute(&keys, vec![]).await?, json!(["5"]));
        set(&c, &format!("#{item} input[name$='indicators[0].goal']"), "25.000").await?;
        set(&c, "#amendment-reason", "Tăng chỉ tiêu trồng cây theo chỉ đạo của Ban Thường vụ").await?;
        set(&c, "#amendment-number", "52-KH/TĐTN-BPT").await?;
        set(&c, "#amendment-date", "08/03/2023").await?;
        click_to_next_page(&c, "button[name=action][value=preview]").await?;
        let preview = text_of(&c, ".pe-preview").await?;
        assert!(preview.contains("20.000") && preview.contains("25.000"), "{preview}");
        assert!(preview.contains("(1)"), "only the goal changed, nothing else moved through the editor: {preview}");
        c.set_window_size(1366, 1300).await?;
        keep_screenshot(&c, "plan-amend-preview-1366.png").await?;
        c.set_window_size(1366, 768).await?;
        click_to_next_page(&c, "button[name=action][value=apply]").await?;
        loaded(&c, "amended=2").await?;
        let v2 = text_of(&c, "#version-2").await?;
        assert!(v2.contains("Phiên bản 2") && v2.contains("52-KH/TĐTN-BPT") && v2.contains("25.000"), "{v2}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
    let after = trees(&app.api("/api/v1/progress", &admin).await);
    assert_eq!((after["goal"].as_f64(), after["sum"].as_i64()), (Some(25000.0), Some(5000)), "{after}");
    assert!((after["ratio"].as_f64().unwrap_or(0.0) - 0.2).abs() < 1e-9, "{after}");
    let audit = app.api("/api/v1/audit?action=plan.amend", &admin).await;
    assert!(audit.to_string().contains("52-KH/TĐTN-BPT"), "{audit}");
}

/// Issue 21: An Biên's office opens its part of the province's campaign, writes its
/// own plan from the province's in the editor (the allocated goal is there), issues
/// it; its communes report in it; the office opens week 1's report up, sees their
/// sum computed, adds what the district itself did and sends it; the province's
/// figure is that total.
#[tokio::test]
async fn at_1366_a_district_office_writes_its_plan_from_the_provinces_and_sends_its_week_up() {
    let Some(driver) = chromedriver() else { return };
    let tz = chrono::FixedOffset::east_opt(7 * 3600).expect("offset");
    let now = chrono::TimeZone::with_ymd_and_hms(&tz, 2023, 3, 9, 9, 0, 0).single().expect("time");
    let app = crate::support::spawn_app_at(now.with_timezone(&chrono::Utc)).await;
    let db = &app.db;
    let office = crate::support::add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let an_bien = crate::support::add_token(db, add_user(db, "anbien.vp", Role::UnitOffice, &["908"], PW).await).await;
    let thu_ba = crate::support::add_token(db, add_user(db, "thuba.bc", Role::Unit, &["30985"], PW).await).await;
    let r = app
        .client
        .post(format!("{}/api/v1/allocations/5", app.base))
        .bearer_auth(&office)
        .json(&json!({"goals": {"908": 1500}}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (1366, 768), false).await;
    let result = async {
        log_in(&c, &app.base, "anbien.vp").await?;
        loaded(&c, "/").await?;
        c.find(Locator::Css("a[href='/unit-plan']")).await?.click().await?;
        loaded(&c, "/units/908/plan").await?;
        let part = text_of(&c, "main").await?;
        assert!(part.contains("Chỉ tiêu cấp trên giao") && part.contains("1.500"), "{part}");
        click_to_next_page(&c, "form[action$='/units/908/plan'] button[type=submit]").await?;
        loaded(&c, "/admin/plan/drafts/").await?;
        let issuer = c.find(Locator::Css("#f-campaign-issuing-body")).await?.prop("value").await?.unwrap_or_default();
        assert_eq!(issuer, "Ban Thường vụ Huyện đoàn An Biên");
        set(&c, "#f-campaign-signatory-name", "Nguyễn Văn An").await?;
        set(&c, "#f-campaign-contact-office", "Văn phòng Huyện đoàn An Biên").await?;
        click_to_next_page(&c, "button[name=action][value=confirm]").await?;
        loaded(&c, "confirmed=").await?;
        assert!(text_of(&c, "main").await?.contains("Đã ban hành kế hoạch của đơn vị"));
        c.set_window_size(1366, 1100).await?;
        keep_screenshot(&c, "cascade-unit-plan-1366.png").await?;
        c.set_window_size(1366, 768).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if let Err(e) = result {
        c.close().await.ok();
        panic!("browser flow, the plan: {e}");
    }
    // A commune of An Biên reports in the district's plan (its week 1 ends Thursday 2 March).
    let part = app.api("/api/v1/campaigns/kien-giang-thang-thanh-nien-2023/units/908/plan", &an_bien).await;
    let own = part["own_campaign"].as_str().expect("the district's plan").to_string();
    let r = app
        .client
        .post(format!("{}/api/v1/reports/30985/2023-03-02/submit?campaign={own}", app.base))
        .bearer_auth(&thu_ba)
        .json(&json!({"version": 0, "input": {"values": {"5": "650"}}}))
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let result = async {
        c.goto(&format!("{}/unit-plan", app.base)).await?;
        loaded(&c, "/units/908/plan").await?;
        click_to_next_page(&c, "a[href*='/reports/908/2023-03-03/up']").await?;
        loaded(&c, "/up").await?;
        assert_eq!(text_of(&c, "#up-5 .from-units").await?, "650");
        set(&c, "#up-5 input[name='own.5']", "30").await?;
        click_to_next_page(&c, "form[action*='/up'] button[type=submit]").await?;
        loaded(&c, "sent=1").await?;
        assert!(text_of(&c, "main").await?.contains("Đã gửi báo cáo lên cấp trên"));
        assert_eq!(text_of(&c, "#up-5 .total").await?, "680");
        c.set_window_size(1366, 1100).await?;
        keep_screenshot(&c, "cascade-report-up-1366.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow, the week up");
    let province = app.api("/api/v1/progress", &office).await;
    let five = province["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == "5")).expect("5");
    assert_eq!(five["sum"], json!(680), "{province}");
}

/// The office reads the automatic reminders on a phone: each one stacked, every cell
/// (unit, week, deadline, result, channels) inside a 360 px screen, none cut off.
#[tokio::test]
async fn the_office_reads_the_reminders_on_a_360_px_phone_without_a_cell_cut_off() {
    let Some(driver) = chromedriver() else { return };
    let app = crate::support::spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let reminders = phongtrao_web::reminders::Reminders::new(
        app.db.clone(),
        phongtrao_web::reminders::ReminderConfig::default(),
        phongtrao_web::metrics::Metrics::new(),
    )
    .expect("scheduler");
    let friday =
        chrono::DateTime::parse_from_rfc3339("2023-03-03T09:00:00+07:00").expect("time").with_timezone(&chrono::Utc);
    let outcome = reminders.tick(friday).await.expect("tick");
    assert!(outcome.claimed > 10, "{outcome:?}");
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "office").await?;
        // Logged in: the office lands on its overview, away from the login form.
        c.wait().for_element(Locator::Css("form[action='/logout']")).await?;
        c.goto(&format!("{}/admin/reminders", app.base)).await?;
        loaded(&c, "/admin/reminders").await?;
        let rows = c.execute("return document.querySelectorAll('main table tbody tr').length", vec![]).await?;
        assert_eq!(rows.as_u64(), Some(outcome.claimed), "one row per reminder");
        let widest = c
            .execute(
                "return [Math.max(...[...document.querySelectorAll('main td')].map(e => e.getBoundingClientRect().right)), window.innerWidth]",
                vec![],
            )
            .await?;
        assert!(widest[0].as_f64() <= widest[1].as_f64(), "a reminder's cell goes past the screen: {widest}");
        let text = c.find(Locator::Css("main table tbody tr")).await?.text().await?;
        assert!(text.contains("Chưa có kênh gửi"), "the result of the reminder is shown: {text}");
        keep_screenshot(&c, "reminders-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}

/// The accounts page on a 360 px phone: every account's role is read in full in its
/// list box (no "Cán bộ báo c…"), whatever the role, and the page fits the screen.
#[tokio::test]
async fn on_a_360_px_phone_each_accounts_role_is_read_in_full() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    add_user(&app.db, "office", Role::Admin, &[], PW).await;
    add_user(&app.db, "r.steering", Role::Steering, &[], PW).await;
    add_user(&app.db, "r.office", Role::UnitOffice, &["899"], PW).await;
    add_user(&app.db, "r.unit", Role::Unit, &["899"], PW).await;
    add_user(&app.db, "r.viewer", Role::Viewer, &[], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "office").await?;
        c.wait().for_element(Locator::Css("form[action='/logout']")).await?;
        c.goto(&format!("{}/admin/users", app.base)).await?;
        loaded(&c, "/admin/users").await?;
        // The selected role's text, in the list box's font, against the room inside it.
        let script = "const m = document.createElement('canvas').getContext('2d'); \
            return [...document.querySelectorAll('main select[name=role]')].map(s => { \
              const cs = getComputedStyle(s); m.font = cs.font; \
              const text = s.options[s.selectedIndex].text; \
              const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); \
              return [text, m.measureText(text).width <= room, s.getBoundingClientRect().right <= window.innerWidth]; })";
        let roles = c.execute(script, vec![]).await?;
        let roles = roles.as_array().expect("the role boxes");
        assert!(roles.len() >= 5, "one box per account: {roles:?}");
        for r in roles {
            assert_eq!((&r[1], &r[2]), (&json!(true), &json!(true)), "a role cut off at 360 px: {r}");
        }
        assert!(roles.iter().any(|r| r[0] == "Cán bộ báo cáo của đơn vị"), "{roles:?}");
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "horizontal scroll on the accounts page at 360 px");
        keep_screenshot(&c, "accounts-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser flow");
}
