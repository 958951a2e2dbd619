//! The OpenAPI document against the server it describes. The document is generated
//! from the API's handlers and types (utoipa): a golden copy is kept in
//! docs/openapi.json and a change of the generated document fails here until it is
//! blessed (`PHONGTRAO_BLESS=1 cargo test -p phongtrao --test it openapi`), so a
//! change of the API's contract is always a reviewed change of that file. Every
//! documented operation is served and no method of a documented path is served
//! undocumented; every `$ref` resolves; the errors each kind of operation can answer
//! are documented; bounds the document states are the server's (a deliveries
//! `limit` above the maximum is refused with the bilingual error, not capped).

use std::collections::BTreeSet;
use std::path::PathBuf;

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The golden copy of the generated document.
fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

fn document_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                out.insert((path.clone(), method.to_string()));
            }
        }
    }
    out
}

/// Every `$ref` in `value`, with where it is.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push((at.to_string(), v.as_str().unwrap_or_default().to_string()));
                } else {
                    refs(v, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The JSON pointers where `a` and `b` differ (at most `max`).
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>, max: usize) {
    if out.len() >= max {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => differences(v, w, &here, out, max),
                    (Some(_), None) => out.push(format!("{here}: only in the golden copy")),
                    (None, Some(_)) => out.push(format!("{here}: only in the generated document")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{at}/{i}"), out, max);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{at}: golden {a} ≠ generated {b}")),
    }
}

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json"));
    r.json().await.expect("json")
}

#[tokio::test]
async fn the_served_document_is_the_golden_copy() {
    let app = spawn_app().await;
    let served = document(&app).await;
    // The document the server serves is the one the web crate generates.
    let generated = serde_json::to_value(phongtrao_web::openapi()).expect("document");
    assert_eq!(served, generated, "the served document is not the generated one");

    let path = golden_path();
    let text = serde_json::to_string_pretty(&served).expect("text") + "\n";
    if std::env::var("PHONGTRAO_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("write the golden copy");
        return;
    }
    let golden: Value =
        std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    let mut diff = Vec::new();
    differences(&golden, &served, "", &mut diff, 40);
    assert!(
        diff.is_empty(),
        "The API's generated OpenAPI document differs from its golden copy {}:\n  {}\n\
         If the change of the API's contract is intended, re-bless the copy and commit it:\n\
         \n    PHONGTRAO_BLESS=1 cargo test -p phongtrao --test it openapi::the_served_document_is_the_golden_copy\n",
        path.display(),
        diff.join("\n  ")
    );
}

#[tokio::test]
async fn the_document_describes_every_operation_and_every_reference_resolves() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = document_operations(&doc);
    assert!(documented.len() >= 50, "only {} operations documented", documented.len());

    let mut all = Vec::new();
    refs(&doc, "#", &mut all);
    assert!(!all.is_empty());
    for (at, target) in &all {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{at}: external $ref {target}"));
        assert!(doc.pointer(pointer).is_some(), "{at}: $ref {target} does not resolve");
    }

    // What every kind of operation can answer is documented: 401 where a login is
    // needed, and the refusals of a JSON body (not JSON, wrong content type, too
    // large, wrong types).
    let global_security = doc["security"].as_array().is_some_and(|s| !s.is_empty());
    let error = json!("#/components/schemas/Error");
    let detail = json!("#/components/schemas/ErrorDetail");
    for (path, method) in &documented {
        let op = &doc["paths"][path][method];
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}: no responses"));
        let public = op.get("security").map_or(!global_security, |s| {
            s.as_array()
                .is_some_and(|list| list.is_empty() || list.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())))
        });
        if !public {
            assert!(responses.contains_key("401"), "{method} {path} needs a login but does not document 401");
        }
        if op["requestBody"]["content"].get("application/json").is_some() {
            for code in ["400", "413", "415", "422"] {
                assert!(responses.contains_key(code), "{method} {path} takes JSON but does not document {code}");
            }
        }
        for (code, response) in responses {
            assert!(code.len() == 3 && code.parse::<u16>().is_ok(), "{method} {path}: response {code}");
            if !code.starts_with('4') {
                continue;
            }
            // Every refusal is the API's JSON error, or extends it (its `error` is the
            // same detail).
            let schema = &response["content"]["application/json"]["schema"];
            let named = schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')).and_then(|p| doc.pointer(p));
            let is_error = schema["$ref"] == error || named.is_some_and(|s| s["properties"]["error"]["$ref"] == detail);
            assert!(is_error, "{method} {path}: {code} is not the JSON error: {schema}");
        }
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_no_other_method_is() {
    // Each operation, without credentials, reaches its handler: neither 405 (no such
    // method on the path) nor the API's "no such route". And a method the document
    // does not give a path is not served there (405): the router serves nothing the
    // document does not describe (its operations are registered only with their
    // description, see `api_router`).
    let app = spawn_app().await;
    let doc = document(&app).await;
    // Undocumented methods are tried with a token, past the CSRF check of writes.
    let office = add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let placeholder = |segment: &str| match segment {
        "{id}" => "1".to_string(),
        "{period}" | "{end}" => "2023-03-03".to_string(),
        "{verb}" => "lock".to_string(),
        "{doc}" => "final_report".to_string(),
        "{file}" => "plan.docx".to_string(),
        "{kind}" => "launch".to_string(),
        s if s.starts_with('{') => "899".to_string(),
        s => s.to_string(),
    };
    let documented = document_operations(&doc);
    let paths: BTreeSet<&String> = documented.iter().map(|(p, _)| p).collect();
    for path in paths {
        let url: Vec<String> = path.split('/').map(placeholder).collect();
        let url = format!("{}{}", app.base, url.join("/"));
        for method in METHODS {
            let request = match method {
                "get" => app.client.get(&url),
                "post" => app.client.post(&url),
                "put" => app.client.put(&url),
                "patch" => app.client.patch(&url),
                _ => app.client.delete(&url),
            };
            let documented_here = documented.contains(&(path.clone(), method.to_string()));
            let request = if documented_here { request } else { request.bearer_auth(&token) };
            let r = request.send().await.expect("request");
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            if documented_here {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let fallback = body["error"]["message_en"].as_str().is_some_and(|m| m.contains("API route"));
                assert!(!fallback, "{method} {path} answered the API's fallback: {body}");
                assert!(!status.is_server_error(), "{method} {path}: {status}");
            } else {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is served but not documented");
            }
        }
    }
}

/// The document's roles are the server's: every role an account can have (the API
/// accepts and returns them all) is in the enum, and no other.
#[tokio::test]
async fn the_documented_roles_are_every_role_the_server_knows() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let documented: BTreeSet<String> = doc["components"]["schemas"]["Role"]["enum"]
        .as_array()
        .expect("Role enum")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let known: BTreeSet<String> = Role::ALL.iter().map(|r| r.as_str().to_string()).collect();
    assert_eq!(documented, known);
}

#[tokio::test]
async fn bounds_the_document_states_are_the_servers() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let doc = document(&app).await;

    let get = |path: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("get");
            let status = r.status();
            (status, r.json::<Value>().await.expect("json"))
        }
    };
    // A limit out of range is refused with the bilingual error (it used to be capped).
    for (path, bound) in [("/api/v1/reminders/deliveries", 5000), ("/api/v1/audit", 1000)] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().expect("parameters");
        let limit = params.iter().find(|p| p["name"] == "limit").expect("limit");
        assert_eq!(limit["schema"]["minimum"], 1, "{path}");
        let max = limit["schema"]["maximum"].as_i64().expect("maximum");
        assert_eq!(max, bound, "{path}: the document's maximum");
        let (status, body) = get(format!("{path}?limit={}", max + 1)).await;
        assert_eq!(status, 400, "{path}?limit={}: {body}", max + 1);
        let error = &body["error"];
        assert_eq!(error["code"], "bad_request");
        assert!(error["message_vi"].as_str().is_some_and(|m| m.contains("limit") && m.contains("từ 1 đến")), "{body}");
        assert!(error["message_en"].as_str().is_some_and(|m| m.contains(&format!("between 1 and {max}"))), "{body}");
        let (status, _) = get(format!("{path}?limit=0")).await;
        assert_eq!(status, 400, "{path}?limit=0");
        let (status, body) = get(format!("{path}?limit={max}")).await;
        assert_eq!(status, 200, "{path}?limit={max}: {body}");
        let (status, _) = get(path.to_string()).await;
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn json_bodies_are_objects_and_whole_numbers_may_be_written_with_a_fraction_of_zero() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "office", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let send = |method: reqwest::Method, path: &str, body: &str| {
        app.client
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };

    // serde builds a struct from a JSON array (fields by position): refused.
    for (method, path, body) in [
        (reqwest::Method::PUT, "/api/v1/document-texts/final_report", "[]"),
        (reqwest::Method::PUT, "/api/v1/document-texts/final_report", "[\"BCH\", \"45-BC\"]"),
        (reqwest::Method::POST, "/api/v1/tokens", "[\"script\"]"),
        (reqwest::Method::PUT, "/api/v1/reports/899/2023-03-03/draft", "{\"version\": 0, \"input\": []}"),
        (reqwest::Method::PUT, "/api/v1/reports/899/2023-03-03/draft", "{\"input\": {\"activities\": [[\"x\"]]}}"),
    ] {
        let r = send(method.clone(), path, body).await.expect("send");
        assert_eq!(r.status(), 422, "{method} {path} {body}");
        let e: Value = r.json().await.expect("json");
        assert!(e["error"]["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        assert!(e["error"]["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    }
    let texts = app.api("/api/v1/document-texts/final_report", &token).await;
    assert_eq!(texts["number"], "", "nothing stored");

    // JSON Schema's integer 1500.0 is 1500; a fraction or more than 15 digits is refused.
    let r =
        send(reqwest::Method::PUT, "/api/v1/units/899/base-figures", "{\"doan_vien\": 1500.0}").await.expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(app.api("/api/v1/units/899", &token).await["base_figures"]["doan_vien"], 1500);
    for body in ["{\"doan_vien\": 1.5}", "{\"doan_vien\": 1000000000000000}", "{\"doan_vien\": -1}"] {
        let r = send(reqwest::Method::PUT, "/api/v1/units/899/base-figures", body).await.expect("send");
        assert_eq!(r.status(), 422, "{body}");
    }
    assert_eq!(app.api("/api/v1/units/899", &token).await["base_figures"]["doan_vien"], 1500);

    // A reminder for a day that ends no period: 422 naming the periods, as the exports answer.
    let r = send(reqwest::Method::POST, "/api/v1/reminders", &json!({"period_end": "2023-03-04"}).to_string())
        .await
        .expect("send");
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.expect("json");
    assert!(e["error"]["message_en"].as_str().is_some_and(|m| m.contains("2023-03-03")), "{e}");
    let r = app
        .client
        .get(format!("{}/api/v1/exports/weekly-report.docx?period_end=2023-03-04", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 422);
}
