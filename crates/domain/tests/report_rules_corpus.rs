//! The same checks offline as on the server: every report of the corpus
//! (tests/fixtures/report_rules_corpus.json) is checked by the server's `check` (the
//! rule set evaluated in Rust) and by the page's evaluator (crates/web/static/rules.js,
//! run with node on the same rule set as JSON); both must give the same errors and
//! warnings (field, code and both messages), and the ones the corpus expects.
//! `PHONGTRAO_BLESS=1` writes the Rust results into the corpus' `expect`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a failed test

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

use chrono::NaiveDate;
use phongtrao_domain::builtin::PLAN_TOML;
use phongtrao_domain::plan::{parse_plan, Level, Plan};
use phongtrao_domain::report::{check, fields_for, Field, ReportContext, ReportInput, ReportKind, RuleSet};
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use serde_json::{json, Value};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report_rules_corpus.json");
const RULES_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/static/rules.js");

struct Setup {
    plan: Plan,
    fields: Vec<Field>,
    kind: ReportKind,
    base: BTreeMap<BaseFigure, i64>,
    before: HashMap<String, i64>,
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).expect("day")
}

fn setup(name: &str) -> Setup {
    let mut plan = parse_plan(PLAN_TOML).expect("plan");
    let (level, unit_kind) = match name {
        "commune" | "commune_done" => (Level::Grassroots, UnitKind::Commune),
        _ => (Level::District, UnitKind::District),
    };
    if name == "no_areas" {
        plan.areas.clear();
    }
    if name == "retired" {
        for t in &mut plan.targets {
            for i in &mut t.indicators {
                if i.key == "6" {
                    i.retired = true;
                }
            }
        }
    }
    let fields = fields_for(&plan, level, unit_kind, &|_| 12);
    let mut base = BTreeMap::new();
    base.insert(BaseFigure::DoanVien, 1000);
    let mut before = HashMap::new();
    let kind = if name == "unit_plan" { ReportKind::UnitPlan } else { ReportKind::Weekly };
    if kind == ReportKind::Weekly {
        before.insert("1".to_string(), 900);
        before.insert("16".to_string(), 10);
        if name == "commune_done" {
            before.insert("18a".to_string(), 1);
        }
        // Earlier weeks (confirmed) already passed the base and the units expected.
        if name == "above_base" {
            before.insert("1".to_string(), 1_100);
            before.insert("16".to_string(), 13);
        }
    }
    Setup { plan, fields, kind, base, before }
}

fn ctx(s: &Setup) -> ReportContext<'_> {
    ReportContext {
        plan: &s.plan,
        fields: &s.fields,
        kind: s.kind,
        window: if s.kind == ReportKind::Weekly { (d(3, 4), d(3, 10)) } else { (d(2, 25), d(3, 31)) },
        base: &s.base,
        cumulative_before: &s.before,
    }
}

/// The result as both evaluators give it: {ok, errors, warnings}.
fn rust_result(s: &Setup, input: &ReportInput) -> Value {
    match check(&ctx(s), input) {
        Ok(c) => json!({"ok": true, "errors": [], "warnings": c.warnings}),
        Err(errors) => json!({"ok": false, "errors": errors, "warnings": []}),
    }
}

fn summary(result: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (list, mark) in [("errors", ""), ("warnings", "~")] {
        for p in result[list].as_array().into_iter().flatten() {
            out.push(format!("{mark}{} {}", p["field"].as_str().unwrap_or(""), p["code"].as_str().unwrap_or("")));
        }
    }
    out
}

#[test]
fn the_page_and_the_server_check_the_corpus_alike() {
    let text = std::fs::read_to_string(CORPUS).expect("corpus");
    let mut corpus: Value = serde_json::from_str(&text).expect("corpus json");
    let cases = corpus["cases"].as_array().expect("cases").clone();
    let mut for_node = Vec::new();
    let mut rust = Vec::new();
    for case in &cases {
        let s = setup(case["context"].as_str().expect("context"));
        let input: ReportInput = serde_json::from_value(case["input"].clone()).expect("input");
        let rules = RuleSet::build(&ctx(&s));
        // The rule set goes to the page as JSON: what node gets is what it reads.
        let rules_json = serde_json::to_value(&rules).expect("rules");
        let back: RuleSet = serde_json::from_value(rules_json.clone()).expect("rules read back");
        assert_eq!(back, rules, "the rule set survives JSON");
        for_node.push(json!({"rules": rules_json, "input": case["input"]}));
        rust.push(rust_result(&s, &input));
    }

    let dir = std::env::temp_dir().join(format!("pt-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let cases_file = dir.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_string(&for_node).expect("json")).expect("write");
    let script = format!(
        "const r = require({:?}); const cases = require({:?}); \
         process.stdout.write(JSON.stringify(cases.map(c => r.evaluate(c.rules, c.input))));",
        RULES_JS,
        cases_file.to_string_lossy()
    );
    let out = Command::new("node").arg("-e").arg(&script).output().expect("node is installed (/usr/bin/node)");
    assert!(out.status.success(), "node: {}", String::from_utf8_lossy(&out.stderr));
    let js: Vec<Value> = serde_json::from_slice(&out.stdout).expect("node's answer");
    let _ = std::fs::remove_dir_all(&dir);

    let bless = std::env::var("PHONGTRAO_BLESS").is_ok();
    let (mut valid, mut invalid) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap_or("");
        assert_eq!(js[i], rust[i], "case {name:?}: rules.js (left) and the server (right) differ");
        if rust[i]["ok"] == json!(true) {
            valid += 1;
        } else {
            invalid += 1;
        }
        let got = summary(&rust[i]);
        if bless {
            corpus["cases"][i]["expect"] = json!(got);
        } else {
            let expected: Vec<String> = serde_json::from_value(case["expect"].clone()).unwrap_or_default();
            assert_eq!(got, expected, "case {name:?}");
        }
    }
    assert!(valid >= 10 && invalid >= 20, "a corpus of valid ({valid}) and invalid ({invalid}) reports");
    if bless {
        std::fs::write(CORPUS, serde_json::to_string_pretty(&corpus).expect("json") + "\n").expect("bless");
    }
}
