//! Reminders: a local SMTP sink and a local webhook receiver started by the test;
//! the scheduler's tick at given instants; each unit that has not submitted gets
//! exactly one reminder of each kind, whatever the number of ticks and instances.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use phongtrao_domain::role::Role;
use phongtrao_web::metrics::Metrics;
use phongtrao_web::reminders::{ReminderConfig, Reminders};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::{add_token, add_user, spawn_app};

/// One message the SMTP sink received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

/// A tiny SMTP server: enough of RFC 5321 for lettre, on a free loopback port.
pub async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_string());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().expect("lock").push(Mail { to: std::mem::take(&mut to), data });
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        // MAIL FROM, RSET, NOOP, ...
                        b"250 OK\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, mails)
}

/// A webhook receiver: records every JSON body POSTed to /hook.
pub async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let store = store.clone();
            async move {
                store.lock().expect("lock").push(body);
                "ok"
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind hook");
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().expect("addr").port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
}

#[tokio::test]
async fn units_that_have_not_submitted_get_exactly_one_reminder_each_across_ticks_and_instances() {
    let app = spawn_app().await;
    let (smtp_port, mails) = smtp_sink().await;
    let (hook_url, hooks) = webhook_receiver().await;
    let db = &app.db;

    // Reporters with e-mail addresses for two districts; 899 submits week 1, 903 does not.
    let own = add_user(db, "reporter899", Role::Unit, &["899"], "mat-khau-thu-nghiem-1").await;
    let other = add_user(db, "reporter903", Role::Unit, &["903"], "mat-khau-thu-nghiem-1").await;
    phongtrao_storage::users::set_email(db, own, Some("bt899@example.test")).await.expect("email");
    phongtrao_storage::users::set_email(db, other, Some("bt903@example.test")).await.expect("email");
    let token = add_token(db, own).await;
    let r = app.submit(&token, "899", "2023-03-03", json!({"values": {"5": "12"}})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

    // The units expected to report: every active unit of the reporting levels.
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let levels = &campaign.plan.reporting.levels;
    let expected: Vec<String> = phongtrao_storage::units::list(db)
        .await
        .expect("units")
        .into_iter()
        .filter(|u| u.active && u.level().is_some_and(|l| levels.contains(&l)))
        .map(|u| u.code)
        .filter(|c| c != "899")
        .collect();
    assert!(expected.len() > 10 && expected.contains(&"903".to_string()));

    let config = ReminderConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        webhook_url: Some(hook_url),
        ..Default::default()
    };
    let first = Reminders::new(db.clone(), config.clone(), Metrics::new()).expect("scheduler");
    let second = Reminders::new(db.clone(), config, Metrics::new()).expect("scheduler");

    // Thursday: nothing is due yet.
    let o = first.tick(at("2023-03-02T10:00:00+07:00")).await.expect("tick");
    assert_eq!((o.ran, o.claimed), (true, 0));
    // Friday 09:00 (7 hours before 16:00): every unit but 899 is reminded.
    let o = first.tick(at("2023-03-03T09:00:00+07:00")).await.expect("tick");
    assert_eq!(o.claimed as usize, expected.len(), "{o:?}");
    assert_eq!(o.sent as usize, expected.len(), "{o:?}");
    // Again, by the same instance, and by a second instance while the first holds the lease.
    assert_eq!(first.tick(at("2023-03-03T09:01:00+07:00")).await.expect("tick").claimed, 0);
    let o = second.tick(at("2023-03-03T09:01:00+07:00")).await.expect("tick");
    assert!(!o.ran, "the second instance must not run while the lease is held");
    // The first instance stops: the second takes over and has nothing left to send.
    first.release().await.expect("release");
    let o = second.tick(at("2023-03-03T10:00:00+07:00")).await.expect("tick");
    assert_eq!((o.ran, o.claimed), (true, 0));

    {
        let hooks = hooks.lock().expect("lock");
        let mut per_unit: BTreeMap<String, usize> = BTreeMap::new();
        for h in hooks.iter() {
            *per_unit.entry(h["unit"].as_str().unwrap_or("").to_string()).or_default() += 1;
            assert_eq!(h["kind"], "before");
            assert_eq!(h["period"], "2023-03-03");
            assert_eq!(h["deadline"], "2023-03-03T16:00:00+07:00");
            assert!(h["message_vi"].as_str().unwrap_or("").contains("16h00 ngày 03/03/2023"), "{h}");
            assert!(h["message_en"].as_str().unwrap_or("").contains("weekly report 1"), "{h}");
        }
        assert!(!per_unit.contains_key("899"), "899 has submitted");
        assert_eq!(per_unit.len(), expected.len());
        assert!(per_unit.values().all(|n| *n == 1), "{per_unit:?}");
        // E-mail: only 903 has an address among the units reminded.
        let mails = mails.lock().expect("lock");
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].to, vec!["bt903@example.test".to_string()]);
        assert!(mails[0].data.contains("Subject:"), "{}", mails[0].data);
    }

    // 904 submits before the deadline; after 16:00 the missing
    // ones are reminded once more ("after"), 904 is not.
    let r904 = add_user(db, "reporter904", Role::Unit, &["904"], "mat-khau-thu-nghiem-1").await;
    let t904 = add_token(db, r904).await;
    let r = app.submit(&t904, "904", "2023-03-03", json!({"values": {"5": "3"}})).await;
    assert_eq!(r.status(), 201);
    // Catch-up after downtime: the server comes back on Saturday morning.
    let o = second.tick(at("2023-03-04T08:00:00+07:00")).await.expect("tick");
    assert_eq!(o.claimed as usize, expected.len() - 1, "{o:?}");
    assert_eq!(second.tick(at("2023-03-04T08:05:00+07:00")).await.expect("tick").claimed, 0);
    {
        let hooks = hooks.lock().expect("lock");
        let after: Vec<&Value> = hooks.iter().filter(|h| h["kind"] == "after").collect();
        assert_eq!(after.len(), expected.len() - 1);
        assert!(after.iter().all(|h| h["unit"] != "904" && h["unit"] != "899"));
        assert_eq!(mails.lock().expect("lock").len(), 2);
    }

    // The office sees them: the API and the page.
    let admin = add_user(db, "office", Role::Admin, &[], "mat-khau-thu-nghiem-1").await;
    let admin_token = add_token(db, admin).await;
    let list: Value = app.api("/api/v1/reminders/deliveries?limit=1000", &admin_token).await;
    let rows = list["reminders"].as_array().expect("rows");
    assert_eq!(rows.len(), 2 * expected.len() - 1);
    assert!(rows.iter().all(|r| r["status"] == "sent"), "{list}");
    assert!(rows.iter().any(|r| r["deadline"] == "2023-03-03T16:00:00+07:00"), "Vietnam time: {list}");
    let office = crate::support::browser();
    app.login_form(&office, "office", "mat-khau-thu-nghiem-1", "198.51.100.9").await;
    let page = office.get(format!("{}/admin/reminders", app.base)).send().await.expect("page");
    let html = page.text().await.expect("html");
    // Each cell carries its label (stacked on a phone): the deadline and the result.
    assert!(html.contains("data-label=\"Hạn\">16h00 03/03/2023</td>"), "{html}");
    assert!(html.contains("data-label=\"Kết quả\">Đã gửi</td>") && html.contains("e-mail: đã gửi"), "{html}");
    assert!(html.contains("webhook: đã gửi (HTTP 200)") && !html.contains("vi.ops_"), "{html}");
    assert!(!html.contains(">sent<") && !html.contains(": sent"), "a stored code shown raw: {html}");
    let reporter = app
        .client
        .get(format!("{}/api/v1/reminders/deliveries", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list");
    assert_eq!(reporter.status(), 403);
    let doc = app.json("/api/v1/openapi.json").await;
    assert!(doc["paths"].get("/api/v1/reminders/deliveries").is_some(), "openapi lacks /api/v1/reminders/deliveries");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_submissions() {
    let app = spawn_app().await;
    let user = add_user(&app.db, "reporter899", Role::Unit, &["899"], "mat-khau-thu-nghiem-1").await;
    let token = add_token(&app.db, user).await;
    let r = app.submit(&token, "899", "2023-03-03", json!({"values": {"5": "12"}})).await;
    assert_eq!(r.status(), 201);
    let _ = app.get("/units/nothing-here").await;
    let metrics = format!("{}/metrics", app.base);
    let text = app.client.get(metrics).bearer_auth(crate::support::METRICS_TOKEN).send().await.expect("metrics");
    let text = text.text().await.expect("body");
    assert!(text.contains("phongtrao_report_submissions_total 1"), "{text}");
    assert!(
        text.contains(r#"phongtrao_http_requests_total{method="POST",route="/api/v1/reports/{unit}/{period}/submit",status="201"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"phongtrao_http_request_duration_seconds_count{class="api"}"#), "{text}");
    assert!(text.contains("phongtrao_reminder_runs_total 0"), "{text}");
}
