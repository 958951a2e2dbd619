//! Operating it for years (issue #17): forwarded addresses only from the proxy,
//! backups that are secrets, restores that never destroy, rebuilds safe under load,
//! upgrades and rollbacks, failures that look like failures, logs.

use std::process::Command;

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_user, browser, spawn_app_with};

const PW: &str = "mat-khau-van-hanh-1";

fn pg_url() -> Option<String> {
    std::env::var("PHONGTRAO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// Runs the binary; (success, exit code, stdout + stderr).
fn phongtrao(args: &[&str], env: &[(&str, &str)]) -> (bool, Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phongtrao"));
    cmd.env_remove("DATABASE_URL").env_remove("PHONGTRAO_DATA_DIR").env("RUST_LOG", "warn").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run");
    (
        out.status.success(),
        out.status.code(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

// ---------------------------------------------------------------- 5. proxies

/// A peer that is not a listed proxy cannot choose its address with X-Forwarded-For:
/// failed logins with a new forged address each time are still throttled.
#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored_and_throttling_applies() {
    // The proxy is 10.9.9.9; the test client connects from 127.0.0.1, a stranger.
    let app = spawn_app_with(|s| {
        s.trusted_proxies = phongtrao_web::auth::client::TrustedProxy::parse_list("10.9.9.9").expect("list")
    })
    .await;
    add_user(&app.db, "huyendoan899", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for i in 0..6 {
        let r = app.login_form(&attacker, "huyendoan899", "doan-sai", &format!("203.0.113.{i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_form(&attacker, "huyendoan899", PW, "198.51.100.77").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "a new forged address must not escape the wait");
}

/// Behind the listed proxy, the client is the right-most hop the proxy appended:
/// an address the client wrote itself to the left is not believed.
#[tokio::test]
async fn behind_the_listed_proxy_the_right_most_hop_is_the_client() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = phongtrao_web::auth::client::TrustedProxy::parse_list("127.0.0.1,::1").expect("list")
    })
    .await;
    add_user(&app.db, "huyendoan899", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for i in 0..6 {
        // The attacker prepends a new address each time; nginx appends the real one.
        let chain = format!("192.0.2.{i}, 203.0.113.7");
        let r = app.login_form(&attacker, "huyendoan899", "doan-sai", &chain).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_form(&attacker, "huyendoan899", PW, "192.0.2.99, 203.0.113.7").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The real user behind the same proxy, from elsewhere, gets in.
    let user = browser();
    let r = app.login_form(&user, "huyendoan899", PW, "198.51.100.20").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
