//! The `phongtrao` binary, run as a user runs it.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn phongtrao() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phongtrao"));
    c.env_remove("DATABASE_URL").env_remove("PHONGTRAO_DATA_DIR").env("RUST_LOG", "warn");
    c
}

#[test]
fn plan_check_json_reports_the_builtin_plan() {
    let out = phongtrao().args(["plan", "check", "--json"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["target_count"], 18, "targets 1–19 as numbered in the document, which has no target 3");
    assert_eq!(v["targets"].as_array().map(Vec::len), Some(18));
    assert_eq!(v["missing_target_numbers"], serde_json::json!([3]));
    assert_eq!(v["indicator_count"], 26);
    assert_eq!(v["event_count"], 10);
    assert_eq!(v["events"].as_array().map(Vec::len), Some(10));
    // Each indicator with its key, target number, label, kind and goal.
    let indicators = v["indicators"].as_array().expect("indicators listed");
    assert_eq!(indicators.len(), 26);
    let first = &indicators[0];
    assert_eq!(first["key"], "1");
    assert_eq!(first["target"], 1);
    assert_eq!(first["kind"], "percent_of_base");
    assert_eq!(first["goal"], 100.0);
    assert_eq!(first["base"], "doan_vien");
    assert!(first["label"].as_str().is_some_and(|l| !l.is_empty()));
    let trees = indicators.iter().find(|i| i["key"] == "5").expect("indicator 5");
    assert_eq!(
        (trees["target"].clone(), trees["kind"].clone(), trees["goal"].clone()),
        (5.into(), "count".into(), 20000.0.into())
    );
    assert_eq!(v["problems"], serde_json::json!([]));
    let periods = v["periods"].as_array().expect("periods");
    assert_eq!(periods.len(), 5);
    assert_eq!(periods[0]["start"], "2023-02-25");
    assert_eq!(periods[0]["end"], "2023-03-03");
    assert_eq!(periods[0]["deadline"], "2023-03-03T16:00:00+07:00");
    let ends: Vec<&str> = periods.iter().filter_map(|p| p["end"].as_str()).collect();
    assert_eq!(ends, ["2023-03-03", "2023-03-10", "2023-03-17", "2023-03-24", "2023-03-31"]);
}

fn check_broken(edit: impl Fn(&str) -> String) -> (bool, String, serde_json::Value) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("plan.toml");
    std::fs::write(&path, edit(phongtrao_domain::builtin::PLAN_TOML)).expect("write");
    let text = phongtrao().args(["plan", "check"]).arg(&path).output().expect("run");
    let json = phongtrao().args(["plan", "check", "--json"]).arg(&path).output().expect("run");
    assert_eq!(text.status.success(), json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    (text.status.success(), String::from_utf8_lossy(&text.stderr).into_owned(), v)
}

#[test]
fn broken_plan_files_are_rejected_with_where_and_why() {
    let (ok, stderr, v) = check_broken(|s| s.replacen("goal = 20000", "goal = -20000", 1));
    assert!(!ok);
    assert!(stderr.contains("dòng ") && stderr.contains("negative"), "{stderr}");
    assert_eq!(v["problems"].as_array().map(Vec::len), Some(1));

    let (ok, stderr, _) = check_broken(|s| s.replacen("label =", "lable =", 1));
    assert!(!ok);
    assert!(stderr.contains("lable") && stderr.contains("trường không xác định"), "{stderr}");

    let (ok, stderr, _) = check_broken(|s| s.replacen("2023-02-24", "2023-02-30", 1));
    assert!(!ok);
    assert!(stderr.contains("ngày giờ không hợp lệ") && stderr.contains("dòng "), "{stderr}");

    let (ok, stderr, _) = check_broken(|s| s.replacen("number = 19", "number = 18", 1));
    assert!(!ok);
    assert!(stderr.contains("chỉ tiêu số 18 bị trùng"), "{stderr}");

    let out = phongtrao().args(["plan", "check", "/nonexistent/plan.toml"]).output().expect("run");
    assert!(!out.status.success());
}

/// The README's run command, as a process: first start prints the admin password
/// and the URL; after kill -9 the data is still there and no second admin is made.
#[test]
fn serve_survives_kill_9_and_keeps_its_data() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let start = || {
        phongtrao()
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let mut first = start();
    wait_healthy(port);
    first.kill().expect("kill -9");
    let out = first.wait_with_output().expect("output");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("Mật khẩu dùng một lần"), "{printed}");
    assert!(printed.contains(&format!("http://127.0.0.1:{port}/")), "{printed}");

    let mut second = start();
    wait_healthy(port);
    let body = http_get(port, "/api/v1/units/909");
    assert!(body.contains("Huyện đoàn An Minh"), "{body}");
    second.kill().expect("kill");
    let out = second.wait_with_output().expect("output");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Mật khẩu dùng một lần"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn wait_healthy(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if http_get(port, "/healthz").contains("ok") {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server did not become healthy on port {port}");
}

fn http_get(port: u16, path: &str) -> String {
    use std::io::Read;
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body
}

#[test]
fn user_commands_create_reset_and_list_accounts() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        let out = phongtrao().args(args).arg("--data-dir").arg(dir.path()).output().expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, _, err) = run(&["migrate"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "user",
        "add",
        "huyen.hondat",
        "--role",
        "unit",
        "--units",
        "903",
        "--name",
        "Huyện đoàn Hòn Đất",
        "--email",
        " hondat@example.test ",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Mật khẩu dùng một lần"));
    let (ok, _, err) =
        run(&["user", "add", "e.e", "--role", "unit", "--units", "903", "--email", "không phải địa chỉ"]);
    assert!(!ok && err.contains("e-mail"), "{err}");
    // The unit's reminders go to the address given, and the refused account is not there.
    let emails = tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        let db = phongtrao_storage::Db::open_data_dir(dir.path()).await.expect("db");
        let unit = phongtrao_storage::units::by_code(&db, "903").await.expect("q").expect("unit");
        assert!(phongtrao_storage::users::by_username(&db, "e.e").await.expect("q").is_none());
        phongtrao_storage::reminder_deliveries::emails_of_units(&db, &[unit.id]).await.expect("emails")
    });
    assert_eq!(emails.into_values().collect::<Vec<_>>(), [["hondat@example.test"]]);
    let (ok, _, err) = run(&["user", "add", "x.y", "--role", "unit"]);
    assert!(!ok && err.contains("needs at least one unit"), "{err}");
    let (ok, _, err) = run(&["user", "add", "z.z", "--role", "boss"]);
    assert!(!ok && err.contains("role"), "{err}");
    let (ok, out, _) = run(&["user", "passwd", "huyen.hondat"]);
    assert!(ok && out.contains("huyen.hondat"));
    let (ok, out, _) = run(&["user", "list", "--json"]);
    assert!(ok);
    let list: serde_json::Value = serde_json::from_str(&out).expect("json");
    let user =
        list.as_array().expect("array").iter().find(|u| u["username"] == "huyen.hondat").expect("listed").clone();
    assert_eq!(user["units"], serde_json::json!(["903"]));
    assert_eq!(user["role"], "unit");
}
