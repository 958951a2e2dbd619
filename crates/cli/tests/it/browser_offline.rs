//! Offline on an island (issue 23), in Debian's headless chromium at 360×740 through
//! chromedriver: the reporter's form is kept by the service worker; the network goes
//! down (chromedriver's network conditions, the DevTools emulation); a report sent
//! with "Gửi" waits on the phone (IndexedDB), survives a reload of the page without
//! a connection and goes, once, when the connection returns. A change made on the
//! server meanwhile is shown as differences and the reporter chooses.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Locator;
use phongtrao_domain::report::ReportKind;
use phongtrao_domain::role::Role;
use serde_json::json;

use crate::browser::{chromedriver, chromium, keep_screenshot, loaded, log_in, thursday_of_week_1, wait_for, PW};
use crate::support::{add_token, add_user, spawn_app_at, TestApp};

/// The island's link: the browser reaches the server through this proxy, which can
/// cut every connection and refuse new ones (the server unreachable, for the page
/// AND its service worker, which the DevTools emulation does not cover).
struct Link {
    base: String,
    /// The server's address the proxy connects to (another server may take over:
    /// the same database with its clock later).
    target: Arc<std::sync::Mutex<String>>,
    up: Arc<AtomicBool>,
    cut: Arc<Notify>,
    /// Bytes from the server to the browser (headers and bodies, as on the wire).
    down: Arc<AtomicU64>,
}

/// Copies one way, counting.
async fn pump<R, W>(mut from: R, mut to: W, count: Option<Arc<AtomicU64>>)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if let Some(c) = &count {
                    c.fetch_add(n as u64, Ordering::SeqCst);
                }
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

impl Link {
    async fn to(server: &str) -> Link {
        let target = Arc::new(std::sync::Mutex::new(server.trim_start_matches("http://").to_string()));
        let target2 = target.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let up = Arc::new(AtomicBool::new(true));
        let cut = Arc::new(Notify::new());
        let down = Arc::new(AtomicU64::new(0));
        let (up2, cut2, down2) = (up.clone(), cut.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let _ = inbound.set_nodelay(true);
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target2.lock().map(|t| t.clone()).unwrap_or_default();
                let (cut, down) = (cut2.clone(), down2.clone());
                tokio::spawn(async move {
                    let Ok(outbound) = tokio::net::TcpStream::connect(&target).await else { return };
                    let (in_r, in_w) = inbound.split();
                    let (out_r, out_w) = {
                        let (r, w) = tokio::io::split(outbound);
                        (r, w)
                    };
                    tokio::select! {
                        _ = async { tokio::join!(pump(in_r, out_w, None), pump(out_r, in_w, Some(down))) } => {}
                        _ = cut.notified() => {}
                    }
                });
            }
        });
        Link { base, target, up, cut, down }
    }

    /// From now on, connections go to `server` instead.
    fn retarget(&self, server: &str) {
        if let Ok(mut t) = self.target.lock() {
            *t = server.trim_start_matches("http://").to_string();
        }
    }

    /// Down: the page's network too (navigator.onLine, the "online" event) through
    /// chromedriver's network conditions. Up: both back.
    async fn set(&self, c: &fantoccini::Client, up: bool) -> Result<(), fantoccini::error::CmdError> {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.notify_waiters();
        }
        network(c, up).await
    }
}

/// chromedriver's own command: POST /session/{id}/chromium/network_conditions.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/chromium/network_conditions", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": self.offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1}});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

async fn network(c: &fantoccini::Client, online: bool) -> Result<(), fantoccini::error::CmdError> {
    c.issue_cmd(NetworkConditions { offline: !online }).await?;
    Ok(())
}

/// Polls a script until it returns true.
async fn until(c: &fantoccini::Client, script: &str, what: &str) -> Result<(), fantoccini::error::CmdError> {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        if let Ok(v) = c.execute(script, vec![]).await {
            if v == json!(true) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            let text = c.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
            panic!("{what}: never happened; the page says:\n{}", text.as_str().unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

const FORM: &str = "/reports/899/2023-03-03";

/// Logs in, opens this week's form once the service worker controls the page and
/// has kept the form; returns the report's version then.
async fn open_form_kept_offline(c: &fantoccini::Client, base: &str) -> Result<(), fantoccini::error::CmdError> {
    log_in(c, base, "dt.rachgia").await?;
    loaded(c, "/home").await?;
    until(c, "return !!navigator.serviceWorker.controller", "the service worker controls the home page").await?;
    c.goto(&format!("{base}{FORM}")).await?;
    loaded(c, FORM).await?;
    wait_for(c, "#report-form").await?;
    c.execute(
        "window.__kept = false; caches.open('phongtrao-v1').then(c => c.match(location.origin + location.pathname)).then(r => { window.__kept = !!r; });",
        vec![],
    )
    .await?;
    until(c, "return window.__kept === true", "the form is kept for offline use").await?;
    Ok(())
}

async fn report_now(app: &TestApp) -> Option<phongtrao_storage::reports::ReportRow> {
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(&app.db, "899").await.expect("q").expect("unit");
    let key = phongtrao_storage::reports::ReportKey {
        campaign_id: campaign.row.id,
        unit_id: unit.id,
        kind: ReportKind::Weekly,
        period_seq: 1,
    };
    phongtrao_storage::reports::get(&app.db, &key).await.expect("q")
}

/// Types the two figures and presses "Gửi báo cáo" with the network down.
async fn fill_and_send_offline(c: &fantoccini::Client) -> Result<(), fantoccini::error::CmdError> {
    // Indicators with nothing yet for this unit are behind "không phát sinh trong tuần".
    c.execute("const d = document.querySelector('#quiet-fields'); if (d) d.open = true;", vec![]).await?;
    c.find(Locator::Css("input[name='v.5']")).await?.send_keys("1.200").await?;
    c.find(Locator::Css("input[name='v.17']")).await?.send_keys("25").await?;
    c.execute("document.querySelector('#submit-report').scrollIntoView({block: 'center'})", vec![]).await?;
    c.find(Locator::Css("#submit-report")).await?.click().await?;
    until(
        c,
        "const e = document.querySelector('#outbox [data-state=waiting]'); \
         return !!e && e.textContent.includes('Chưa gửi — sẽ tự gửi khi có mạng')",
        "the report is shown as waiting",
    )
    .await
}

#[tokio::test]
async fn a_report_sent_offline_survives_a_reload_and_is_stored_once_when_the_connection_returns() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let link = Link::to(&app.base).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        open_form_kept_offline(&c, &link.base).await?;
        link.set(&c, false).await?;
        // The page itself has lost the server: a request fails.
        let reached = c
            .execute_async(
                "const done = arguments[0]; fetch('/healthz').then(() => done(true), () => done(false));",
                vec![],
            )
            .await?;
        assert_eq!(reached, json!(false), "the network is down");
        fill_and_send_offline(&c).await?;
        // Reloaded without a connection: the kept page, and the report still waiting.
        c.refresh().await?;
        wait_for(&c, "#report-form").await?;
        let from_network =
            c.execute("return performance.getEntriesByType('navigation')[0].transferSize", vec![]).await?;
        assert_eq!(from_network, json!(0), "the form came from the phone's copy");
        until(&c, "return !!document.querySelector('#outbox [data-state=waiting]')", "still waiting after a reload")
            .await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if let Err(e) = result {
        c.close().await.ok();
        panic!("offline part: {e}");
    }
    assert!(report_now(&app).await.is_none(), "nothing reached the server while offline");
    let result = async {
        link.set(&c, true).await?;
        loaded(&c, "saved=submit").await?;
        wait_for(&c, ".status-submitted").await?;
        // Nothing waits any more.
        c.execute("window.__left = -1; window.Outbox.all().then(a => { window.__left = a.length; });", vec![]).await?;
        until(&c, "return window.__left === 0", "the outbox is empty").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("online part");
    let report = report_now(&app).await.expect("one report on the server");
    assert_eq!(report.status, "submitted");
    assert_eq!(report.version, 1, "stored once: one version, the submission");
    let values = phongtrao_storage::reports::values(&app.db, report.id).await.expect("values");
    assert_eq!((values["5"], values["17"]), (1200, 25), "the values typed offline");
}

#[tokio::test]
async fn a_report_sent_offline_after_a_change_on_the_server_shows_the_differences_and_the_reporter_chooses() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let colleague = add_token(&app.db, add_user(&app.db, "dt.rachgia.2", Role::Unit, &["899"], PW).await).await;
    let link = Link::to(&app.base).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        open_form_kept_offline(&c, &link.base).await?;
        link.set(&c, false).await?;
        fill_and_send_offline(&c).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if let Err(e) = result {
        c.close().await.ok();
        panic!("offline part: {e}");
    }
    // Meanwhile a colleague saves the report from the office's connection.
    let response = app
        .client
        .put(format!("{}/api/v1/reports/899/2023-03-03/draft", app.base))
        .bearer_auth(&colleague)
        .json(&json!({"version": 0, "input": {"values": {"5": "999"}, "highlights": "Bản của đồng chí Hòa"}}))
        .send()
        .await
        .expect("colleague's save");
    assert!(response.status().is_success(), "{}", response.status());
    let result = async {
        link.set(&c, true).await?;
        until(
            &c,
            "return !!document.querySelector('#outbox [data-state=conflict] table.outbox-diff')",
            "the differences",
        )
        .await?;
        let diff = c.find(Locator::Css("#outbox table.outbox-diff")).await?.text().await?;
        assert!(diff.contains("1.200") && diff.contains("999"), "both figures of indicator 5: {diff}");
        assert!(diff.contains("Bản của đồng chí Hòa"), "the colleague's note: {diff}");
        assert!(!diff.contains("25\n") || diff.contains("17"), "{diff}");
        // The reporter keeps the version typed on the phone.
        c.find(Locator::Css("#outbox-keep-mine")).await?.click().await?;
        loaded(&c, "saved=submit").await?;
        wait_for(&c, ".status-submitted").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("online part");
    let report = report_now(&app).await.expect("report");
    assert_eq!(report.status, "submitted");
    assert_eq!(report.version, 2, "the colleague's draft, then the one submission");
    let values = phongtrao_storage::reports::values(&app.db, report.id).await.expect("values");
    assert_eq!((values["5"], values["17"]), (1200, 25), "the reporter's choice");
}

/// What one reporter's week costs on the form: fields filled, taps, screens of form.
#[derive(Debug, Default)]
struct Cost {
    fields: u32,
    taps: u32,
    screens: f64,
}

impl Cost {
    /// At 5 s per field filled (the issue's measure).
    fn seconds(&self) -> u32 {
        self.fields * 5
    }
}

/// Types into a field as a person does: a tap, then the keys.
async fn type_in(
    c: &fantoccini::Client,
    cost: &mut Cost,
    css: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    c.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", vec![json!(css)]).await?;
    // Element Send Keys focuses the field itself (the tap counted below).
    c.find(Locator::Css(css)).await?.send_keys(text).await?;
    cost.fields += 1;
    cost.taps += 1;
    Ok(())
}

/// Opens the form and fills in a week as a reporter does; a returning reporter uses
/// "lặp lại hoạt động tuần trước" when the form offers it.
async fn report_a_week(
    c: &fantoccini::Client,
    base: &str,
    period: &str,
    day: &str,
    figures: &[(&str, &str)],
) -> Result<Cost, fantoccini::error::CmdError> {
    let mut cost = Cost::default();
    c.goto(&format!("{base}/reports/899/{period}")).await?;
    loaded(c, period).await?;
    wait_for(c, "#report-form").await?;
    let screens = c.execute("return document.documentElement.scrollHeight / window.innerHeight", vec![]).await?;
    cost.screens = screens.as_f64().unwrap_or(0.0);
    for (key, value) in figures {
        // A figure behind "không phát sinh trong tuần" needs a tap to open it.
        let hidden = c
            .execute(
                "const d = document.querySelector(arguments[0]).closest('details'); if (d && !d.open) { d.open = true; return true; } return false;",
                vec![json!(format!("input[name='v.{key}']"))],
            )
            .await?;
        if hidden == json!(true) {
            cost.taps += 1;
        }
        type_in(c, &mut cost, &format!("input[name='v.{key}']"), value).await?;
    }
    let repeat = c.find(Locator::Css("#repeat-last")).await.is_ok();
    if repeat {
        c.execute("document.querySelector('#repeat-last').scrollIntoView({block: 'center'})", vec![]).await?;
        c.find(Locator::Css("#repeat-last")).await?.click().await?;
        cost.taps += 1;
        wait_for(c, "input[name='a.0.title']").await?;
        until(c, "return document.querySelector(\"input[name='a.0.title']\").value !== ''", "last week's activity")
            .await?;
    } else {
        let activities = [
            ("Ra quân trồng cây xanh", "2.1", "Phường Vĩnh Thanh", "120", "Trồng 1.200 cây"),
            ("Hiến máu tình nguyện", "3.1", "Nhà văn hóa thành phố", "85", "85 đơn vị máu"),
        ];
        for (i, (title, area, place, people, result)) in activities.iter().enumerate() {
            let at = |f: &str| format!("[name='a.{i}.{f}']");
            type_in(c, &mut cost, &format!("input{}", at("title")), title).await?;
            c.execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
                vec![json!(at("held_on"))],
            )
            .await?;
            crate::browser::set(c, &format!("input{}", at("held_on")), day).await?;
            cost.fields += 1;
            cost.taps += 2; // the date picker: open, choose
            crate::browser::set(c, &format!("select{}", at("area")), area).await?;
            cost.fields += 1;
            cost.taps += 2; // the list: open, choose
            type_in(c, &mut cost, &format!("input{}", at("place")), place).await?;
            type_in(c, &mut cost, &format!("input{}", at("participants")), people).await?;
            type_in(c, &mut cost, &format!("input{}", at("result")), result).await?;
        }
    }
    type_in(c, &mut cost, "#highlights", "Ra quân đồng loạt").await?;
    c.execute("document.querySelector('#submit-report').scrollIntoView({block: 'center'})", vec![]).await?;
    c.find(Locator::Css("#submit-report")).await?.click().await?;
    cost.taps += 1;
    until(c, "return location.href.includes('saved=submit') && document.readyState === 'complete'", "the week sent")
        .await?;
    wait_for(c, ".status-submitted").await?;
    Ok(cost)
}

/// The figures of docs/field-use.md: a first reporter (week 1) and the same
/// reporter the next week, at 360×740.
#[tokio::test]
async fn a_returning_reporter_sends_the_week_in_under_a_minute_at_360() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app_at(crate::browser::thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &app.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        let first =
            report_a_week(&c, &app.base, "2023-03-03", "2023-03-02", &[("5", "1.200"), ("17", "25"), ("7", "3")])
                .await?;
        Ok::<Cost, fantoccini::error::CmdError>(first)
    }
    .await;
    let first = match result {
        Ok(f) => f,
        Err(e) => {
            c.close().await.ok();
            panic!("first week: {e}");
        }
    };
    c.close().await.ok();
    // The next week: the server's clock a week later, the same reporter.
    let later = crate::support::spawn_on_at(app.db.clone(), crate::browser::thursday_of_week_2()).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        log_in(&c, &later, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        report_a_week(&c, &later, "2023-03-10", "2023-03-09", &[("5", "800"), ("17", "10"), ("7", "2")]).await
    }
    .await;
    c.close().await.ok();
    let returning = result.expect("second week");
    let line = |who: &str, k: &Cost| {
        format!(
            "{who}: {} fields, {} taps, {:.1} screens of form, {} s at 5 s per field",
            k.fields,
            k.taps,
            k.screens,
            k.seconds()
        )
    };
    let report = format!("{}\n{}\n", line("first reporter", &first), line("returning reporter", &returning));
    eprintln!("{report}");
    std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/field-use.txt"), &report).ok();
    assert!(returning.seconds() <= 60, "a returning reporter's week in a minute: {report}");
}

/// Waits until nothing more comes down the link for a while; the bytes so far.
async fn settled(link: &Link) -> u64 {
    let mut last = link.down.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let now = link.down.load(Ordering::SeqCst);
        if now == last {
            return now;
        }
        last = now;
    }
}

/// Low data (issue 23, item 4): the bytes the reporter's phone receives, counted on
/// the wire (gzip as the server sends it), for the home page and this week's form.
#[tokio::test]
async fn the_reporters_pages_weigh_under_100_kb_first_and_under_10_kb_again() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app_at(thursday_of_week_1()).await;
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let link = Link::to(&app.base).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        // A phone that has never opened the site: the login page, the home page (where
        // the login leads) and this week's form, with every file they need.
        let start = settled(&link).await;
        log_in(&c, &link.base, "dt.rachgia").await?;
        loaded(&c, "/home").await?;
        let home = settled(&link).await - start;
        c.goto(&format!("{}{FORM}", link.base)).await?;
        loaded(&c, FORM).await?;
        let form = settled(&link).await - start - home;
        // Again, another day: the pages again, their files from the phone.
        let again_start = link.down.load(Ordering::SeqCst);
        c.goto(&format!("{}/home", link.base)).await?;
        loaded(&c, "/home").await?;
        let home_again = settled(&link).await - again_start;
        c.goto(&format!("{}{FORM}", link.base)).await?;
        loaded(&c, FORM).await?;
        let form_again = settled(&link).await - again_start - home_again;
        Ok::<_, fantoccini::error::CmdError>((home, form, home_again, form_again))
    }
    .await;
    c.close().await.ok();
    let (home, form, home_again, form_again) = result.expect("browser flow");
    let report = format!(
        "first visit: login and home {home} B, this week's form {form} B (total {} B); again: home {home_again} B, form {form_again} B",
        home + form
    );
    eprintln!("{report}");
    std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/field-bytes.txt"), &report).ok();
    assert!(home + form < 100 * 1024, "{report}");
    assert!(home_again < 10 * 1024 && form_again < 10 * 1024, "{report}");
}

/// "Giờ bấm Gửi" (issue 23 item 2): with the campaign's setting on, a report sent
/// with "Gửi" at 15:00 on Friday while offline, that reaches the server only at
/// 17:30 (after the 16:00 deadline: the server that answers then has its clock
/// there), counts on time and is marked "gửi muộn do mất kết nối". The phone's
/// clock is the simulated day's, as the server's is.
#[tokio::test]
async fn with_the_setting_on_a_report_sent_offline_before_the_deadline_lands_on_time_and_marked() {
    let Some(driver) = chromedriver() else { return };
    let tz = chrono::FixedOffset::east_opt(7 * 3600).expect("offset");
    let vn = |h: u32, m: u32| {
        use chrono::TimeZone;
        tz.with_ymd_and_hms(2023, 3, 3, h, m, 0).single().expect("time").with_timezone(&chrono::Utc)
    };
    let before = vn(15, 0);
    let app = spawn_app_at(before).await;
    // The phone's clock: the simulated day, moving on as the server's does.
    let shift_ms = (before - chrono::Utc::now()).num_milliseconds();
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    phongtrao_storage::campaigns::set_deadline_by_pressed_at(
        &app.db,
        campaign.row.id,
        true,
        &phongtrao_storage::audit::Who::system(),
        before,
    )
    .await
    .expect("setting on");
    add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let link = Link::to(&app.base).await;
    let profile = tempfile::tempdir().expect("profile");
    let c = chromium(&driver, profile.path(), (360, 740), true).await;
    let result = async {
        open_form_kept_offline(&c, &link.base).await?;
        c.execute(
            &format!(
                "const D = Date, shift = {shift_ms}; window.Date = class extends D {{ \
                   constructor(...a) {{ if (a.length === 0) super(D.now() + shift); else super(...a); }} \
                   static now() {{ return D.now() + shift; }} }};"
            ),
            vec![],
        )
        .await?;
        link.set(&c, false).await?;
        fill_and_send_offline(&c).await?;
        // What waits on the phone carries the time "Gửi" was pressed.
        c.execute("window.__pressed = null; window.Outbox.all().then(a => { window.__pressed = a.length ? a[0].pressed_at : ''; });", vec![]).await?;
        until(&c, "return typeof window.__pressed === 'string'", "the waiting report is read").await?;
        let pressed = c.execute("return window.__pressed", vec![]).await?;
        let pressed: chrono::DateTime<chrono::Utc> =
            pressed.as_str().unwrap_or_default().parse().expect("pressed_at kept on the phone");
        assert!(pressed >= before && pressed < vn(15, 10), "pressed on the phone at about 15:00: {pressed}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if let Err(e) = result {
        c.close().await.ok();
        panic!("offline part: {e}");
    }
    assert!(report_now(&app).await.is_none(), "nothing reached the server while offline");
    // The deadline passes while offline: the server that answers now is at 17:30.
    let later = crate::support::spawn_on_at(app.db.clone(), vn(17, 30)).await;
    link.retarget(&later);
    let result = async {
        link.set(&c, true).await?;
        loaded(&c, "saved=submit").await?;
        wait_for(&c, ".status-submitted").await?;
        wait_for(&c, ".offline-mark").await?;
        let note = c.find(Locator::Css("#offline-note")).await?.text().await?;
        assert!(note.contains("Gửi muộn do mất kết nối: bấm “Gửi” lúc 15h0"), "{note}");
        assert!(note.contains("máy chủ nhận lúc 17h3"), "{note}");
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
        assert_eq!(fits, json!(true), "no horizontal scroll at 360 px with the mark");
        keep_screenshot(&c, "report-sent-late-offline-360.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("online part");
    let report = report_now(&app).await.expect("one report on the server");
    assert_eq!((report.status.as_str(), report.version), ("submitted", 1));
    assert!(report.first_submitted_at.expect("received") >= vn(17, 30), "received after the deadline");
    assert!(report.pressed_at.is_some_and(|p| p < vn(16, 0)), "the pressed time is kept: {:?}", report.pressed_at);
    assert_eq!(report.timeliness.as_deref(), Some("on_time"), "counted on time");
    assert!(report.sent_late_for_connection(), "marked: sent late for lack of connection");
}
