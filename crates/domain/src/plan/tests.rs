use super::*;
use crate::builtin::PLAN_TOML;

fn builtin() -> Plan {
    parse_plan(PLAN_TOML).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn builtin_plan_has_the_documents_targets_and_indicators() {
    let plan = builtin();
    let numbers: Vec<u32> = plan.targets.iter().map(|t| t.number).collect();
    assert_eq!(numbers, vec![1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert_eq!(plan.indicators().count(), 26);
    assert_eq!(plan.events.len(), 10);
    assert_eq!(plan.missing_target_numbers(), vec![3]);
    assert_eq!(plan.target_groups.len(), 3);
}

#[test]
fn builtin_goals_and_comparisons_follow_the_text() {
    let plan = builtin();
    let trees = plan.indicator("5").unwrap();
    assert_eq!((trees.kind, trees.goal, trees.unit_label.as_deref()), (IndicatorKind::Count, 20000.0, Some("cây")));
    let members = plan.indicator("17").unwrap();
    assert_eq!(members.goal, 7000.0);
    // "trên 7%" is strict, "tối thiểu 7%" is not.
    assert_eq!(plan.indicator("15a").unwrap().comparison, Comparison::MoreThan);
    assert_eq!(plan.indicator("15b").unwrap().comparison, Comparison::AtLeast);
    assert_eq!(plan.indicator("2b").unwrap().goal, 70.0);
    assert_eq!(plan.indicator("4b").unwrap().part_of.as_deref(), Some("4a"));
    assert_eq!(plan.indicator("16").unwrap().kind, IndicatorKind::ShareOfUnits);
    assert_eq!(plan.indicator("14b").unwrap().kind, IndicatorKind::MinimumPerUnit);
}

#[test]
fn builtin_dates_of_section_v() {
    let plan = builtin();
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(plan.milestone("province-launch").unwrap().when, When::On { date: d(2023, 2, 24) });
    assert_eq!(plan.milestone("province-closing").unwrap().when, When::On { date: d(2023, 4, 5) });
    assert_eq!(
        plan.milestone("district-launch").unwrap().when,
        When::Window { from: d(2023, 3, 1), to: d(2023, 3, 5) }
    );
    assert_eq!(plan.milestone("district-closing").unwrap().when, When::Before { date: d(2023, 4, 10) });
    assert_eq!(plan.milestone("final-report").unwrap().when, When::Before { date: d(2023, 3, 30) });
    assert_eq!(plan.milestone("unit-plan").unwrap().when, When::Before { date: d(2023, 3, 1) });
    let periods = plan.periods();
    assert_eq!(periods.len(), 5);
    assert_eq!(periods[0].start, d(2023, 2, 25));
    assert_eq!(periods[0].deadline_rfc3339(), "2023-03-03T16:00:00+07:00");
    assert_eq!(plan.campaign.contact.email.as_deref(), Some("banphongtraotdkg@gmail.com"));
    assert_eq!(plan.campaign.signatory.name, "Phan Đình Nhân");
    assert_eq!(plan.recipients.len(), 13);
}

#[test]
fn linter_shows_the_plans_own_inconsistencies() {
    let findings = lint::lint(&builtin());
    let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"missing-target-number"), "{rules:?}");
    let deadline =
        findings.iter().find(|f| f.rule == "deadline-before-last-weekly-report").expect("final report before 31/3");
    assert!(deadline.message_vi.contains("30/03/2023"), "{}", deadline.message_vi);
    assert!(rules.contains(&"final-report-before-closing"));
}

/// A small valid plan to break in the tests below.
const SMALL: &str = r#"
[campaign]
code = "t"
title = "Kế hoạch thử"
year = 2023
theme = "Thử"
issuing_body = "BTV"
place = "Kiên Giang"
starts_on = 2023-02-24
ends_on = "10/4/2023"
[campaign.signatory]
on_behalf_of = "TM. BTV"
title = "BÍ THƯ"
name = "A"
[campaign.contact]
office = "Ban Phong trào"

[[target_groups]]
key = "g"
title = "Nhóm"

[[targets]]
number = 1
group = "g"
text = "Trồng 20.000 cây xanh."
[[targets.indicators]]
key = "1"
label = "Cây xanh"
kind = "count"
comparison = ">="
goal = 20000
unit_label = "cây"

[reporting]
levels = ["district"]
[reporting.weekly]
first_period_end = 2023-03-03
last_period_end = 2023-03-31
due_time = "16h00"
"#;

fn problems(source: &str) -> Vec<PlanProblem> {
    match parse_plan(source) {
        Ok(_) => panic!("expected the plan to be rejected"),
        Err(e) => e.0,
    }
}

#[test]
fn small_plan_is_valid() {
    let plan = parse_plan(SMALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.periods().len(), 5);
}

#[test]
fn unknown_field_names_the_field_and_line() {
    let source = SMALL.replace("unit_label = \"cây\"", "unit_label = \"cây\"\ngoall = 5");
    let p = problems(&source);
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("goall"), "{}", p[0].message);
    assert!(p[0].message.contains("trường không xác định"), "{}", p[0].message);
    assert_eq!(p[0].line, Some(source.lines().position(|l| l.starts_with("goall")).unwrap() + 1));
}

#[test]
fn negative_goal_is_rejected_on_its_line() {
    let source = SMALL.replace("goal = 20000", "goal = -5");
    let p = problems(&source);
    assert!(p[0].message.contains("âm") && p[0].message.contains("negative"), "{}", p[0].message);
    assert_eq!(p[0].line, Some(source.lines().position(|l| l == "goal = -5").unwrap() + 1));
}

#[test]
fn bad_date_is_rejected_with_its_text() {
    let source = SMALL.replace("ends_on = \"10/4/2023\"", "ends_on = \"31/4/2023\"");
    let p = problems(&source);
    assert!(p[0].message.contains("31/4/2023"), "{}", p[0].message);
    assert_eq!(p[0].line, Some(source.lines().position(|l| l.starts_with("ends_on")).unwrap() + 1));
}

#[test]
fn duplicate_target_number_points_at_the_second() {
    let second = "\n[[targets]]\nnumber = 1\ngroup = \"g\"\ntext = \"Lặp\"\n[[targets.indicators]]\nkey = \"1b\"\nlabel = \"x\"\nkind = \"count\"\ncomparison = \">=\"\ngoal = 1\n";
    let source = SMALL.replace("\n[reporting]", &format!("{second}\n[reporting]"));
    let p = problems(&source);
    let dup = p.iter().find(|p| p.message.contains("bị trùng")).expect("duplicate reported");
    let expected_line = source.match_indices("number = 1").nth(1).map(|(i, _)| source[..i].lines().count() + 1);
    assert_eq!(dup.line, expected_line);
    assert_eq!(dup.field.as_deref(), Some("targets[1].number"));
}

#[test]
fn percentages_above_100_and_missing_base_are_rejected() {
    let source = SMALL.replace("kind = \"count\"", "kind = \"percent_of_base\"").replace("goal = 20000", "goal = 120");
    let p = problems(&source);
    assert!(p.iter().any(|p| p.message.contains("100")));
    assert!(p.iter().any(|p| p.field.as_deref() == Some("targets[0].indicators[0].base")));
}

#[test]
fn a_broken_toml_file_says_where() {
    let p = problems("[campaign\ncode = 1");
    assert_eq!(p[0].line, Some(1));
}

#[test]
fn placeholders_and_impossible_dates_are_errors() {
    let fields = |source: &str| -> Vec<String> { problems(source).into_iter().filter_map(|p| p.field).collect() };
    // The importer's placeholder, as a value or after a stand-in value.
    let theme = PLAN_TOML.replacen(
        "theme = \"Tuổi trẻ Kiên Giang tiên phong chuyển đổi số\"",
        "theme = \"⚠ CHƯA CÓ / MISSING\"",
        1,
    );
    assert_eq!(fields(&theme), vec!["theme"]);
    let goal = PLAN_TOML.replacen("goal = 85\n", "goal = 0  # ⚠ CHƯA CÓ / MISSING\n", 1);
    let p = problems(&goal);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].line.is_some() && p[0].message.contains("fill it in"), "{p:?}");
    // A year no campaign has; a first weekly report due before the plan is issued or
    // before the campaign starts; the last week starting after it ends.
    assert!(fields(&PLAN_TOML.replacen("year = 2023", "year = 0", 1)).contains(&"campaign.year".to_string()));
    let issued = PLAN_TOML.replacen("place = \"Kiên Giang\"", "place = \"Kiên Giang\"\nissued_on = 2023-03-10", 1);
    assert_eq!(fields(&issued), vec!["reporting.weekly.first_period_end"]);
    let early = PLAN_TOML.replacen("first_period_end = 2023-03-03", "first_period_end = 2023-02-17", 1);
    assert!(fields(&early).contains(&"reporting.weekly.first_period_end".to_string()));
    let late = PLAN_TOML.replacen("last_period_end = 2023-03-31", "last_period_end = 2023-04-21", 1);
    assert!(fields(&late).contains(&"reporting.weekly.last_period_end".to_string()));
    // The plan itself has none of these.
    assert!(parse_plan(PLAN_TOML).is_ok());
}
