use super::*;

fn plan() -> Plan {
    crate::plan::parse_plan(crate::builtin::PLAN_TOML).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn points_read_and_write_as_people_do() {
    assert_eq!(Points::parse("16,5"), Ok(Points(1650)));
    assert_eq!(Points::parse("16.25"), Ok(Points(1625)));
    assert_eq!(Points::parse(" 8 "), Ok(Points(800)));
    assert!(Points::parse("-1").is_err());
    assert!(Points::parse("1,234").is_err(), "three decimals");
    assert!(Points::parse("tám").is_err());
    assert_eq!(Points(1650).vi(), "16,5");
    assert_eq!(Points(1650).en(), "16.5");
    assert_eq!(Points(800).vi(), "8");
    assert_eq!(Points(833).en(), "8.33");
}

#[test]
fn goal_points_are_the_share_of_the_goal_capped_at_the_maximum() {
    let max = Points::whole(10);
    assert_eq!(goal_points(max, false, Some(0.85)), Points(850));
    assert_eq!(goal_points(max, false, Some(1.4)), max, "never above the maximum");
    assert_eq!(goal_points(max, false, None), Points::ZERO, "no goal: nothing");
    assert_eq!(goal_points(max, true, Some(0.99)), Points::ZERO);
    assert_eq!(goal_points(max, true, Some(1.0)), max);
}

#[test]
fn each_late_or_missing_report_deducts_its_points_never_below_zero() {
    let (max, late, missing) = (Points::whole(8), Points::whole(1), Points::whole(2));
    assert_eq!(reporting_points(max, late, missing, 0, 0), max);
    assert_eq!(reporting_points(max, late, missing, 1, 0), Points::whole(7));
    assert_eq!(reporting_points(max, late, missing, 1, 2), Points::whole(3));
    assert_eq!(reporting_points(max, late, missing, 3, 5), Points::ZERO);
}

#[test]
fn a_self_score_outside_zero_to_max_is_refused() {
    let c =
        Criterion { number: "3".into(), title: "Hoạt động".into(), max: Points::whole(22), rule: Rule::Assessed };
    assert!(check_score(&c, Points::whole(22)).is_ok());
    assert!(check_score(&c, Points::ZERO).is_ok());
    let (vi, en) = check_score(&c, Points::whole(23)).expect_err("above max");
    assert!(vi.contains("từ 0 đến 22") && en.contains("between 0 and 22"), "{vi} / {en}");
    let auto = Criterion { rule: Rule::ReportsOnTime { per_late: Points(100), per_missing: Points(200) }, ..c };
    assert!(check_score(&auto, Points::whole(1)).is_err(), "automatic criteria take no self-score");
}

#[test]
fn equal_totals_share_the_rank_and_are_listed_by_name() {
    let e = [
        Ranked { name: "Hòn Đất", total: Points(8000) },
        Ranked { name: "An Biên", total: Points(9000) },
        Ranked { name: "Giồng Riềng", total: Points(8000) },
        Ranked { name: "Châu Thành", total: Points(7000) },
    ];
    assert_eq!(rank(&e), vec![(1, 1), (2, 2), (0, 2), (3, 4)]);
}

#[test]
fn rules_are_read_from_their_words() {
    assert_eq!(parse_rule("Tự chấm"), Ok(Rule::Assessed));
    assert_eq!(
        parse_rule("Hoàn thành chỉ tiêu 15a"),
        Ok(Rule::GoalCompletion { indicator: "15a".into(), all_or_nothing: false })
    );
    assert_eq!(
        parse_rule("chỉ tiêu 5, đạt mới có điểm"),
        Ok(Rule::GoalCompletion { indicator: "5".into(), all_or_nothing: true })
    );
    assert_eq!(
        parse_rule("Báo cáo đúng hạn: trừ 1 mỗi báo cáo trễ, 2,5 mỗi báo cáo thiếu"),
        Ok(Rule::ReportsOnTime { per_late: Points(100), per_missing: Points(250) })
    );
    assert!(parse_rule("báo cáo").is_err(), "deductions required");
    assert!(parse_rule("tùy").is_err());
    // The words the sheet shows read back as the same rule.
    for rule in [
        Rule::Assessed,
        Rule::GoalCompletion { indicator: "17".into(), all_or_nothing: true },
        Rule::GoalCompletion { indicator: "17".into(), all_or_nothing: false },
        Rule::ReportsOnTime { per_late: Points(150), per_missing: Points(200) },
    ] {
        assert_eq!(parse_rule(&rule.text_vi()), Ok(rule.clone()));
        assert_eq!(parse_rule(&rule.text_en()), Ok(rule.clone()));
    }
}

#[test]
fn the_default_sheet_shares_70_points_among_the_indicators_and_totals_100() {
    let plan = plan();
    let sheet = default_sheet(&plan);
    assert!(check_sheet(&sheet, &plan).is_empty(), "{:?}", check_sheet(&sheet, &plan));
    assert_eq!(total_max(&sheet), Points::whole(100));
    let goals: i64 = sheet.iter().filter(|c| matches!(c.rule, Rule::GoalCompletion { .. })).map(|c| c.max.0).sum();
    assert_eq!(goals, 7000);
    assert_eq!(sheet.iter().filter(|c| c.rule.is_assessed()).count(), 1);
}

#[test]
fn a_bad_sheet_names_every_problem_by_row() {
    let plan = plan();
    let sheet = vec![
        Criterion { number: "1".into(), title: "".into(), max: Points(0), rule: Rule::Assessed },
        Criterion {
            number: "1".into(),
            title: "Chỉ tiêu lạ".into(),
            max: Points(500),
            rule: Rule::GoalCompletion { indicator: "99z".into(), all_or_nothing: false },
        },
    ];
    let problems = check_sheet(&sheet, &plan);
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![1, 1, 2, 2], "{problems:?}");
    assert!(problems.iter().any(|p| p.vi.contains("99z")));
}

#[test]
fn self_assessment_closes_at_its_deadline_unless_reopened() {
    let d = chrono::DateTime::parse_from_rfc3339("2023-03-31T17:00:00Z").map(|d| d.with_timezone(&Utc)).ok();
    let before = d.map(|d| d - chrono::Duration::minutes(1)).unwrap_or_default();
    let after = d.map(|d| d + chrono::Duration::minutes(1)).unwrap_or_default();
    assert!(self_assessment_open(d, false, before));
    assert!(!self_assessment_open(d, false, after));
    assert!(self_assessment_open(d, true, after));
    assert!(self_assessment_open(None, false, after));
}

#[test]
fn cluster_codes_split_on_commas_spaces_and_lines() {
    assert_eq!(split_codes("899, 900;903\n899  904"), vec!["899", "900", "903", "904"]);
}

#[test]
fn evidence_reads_as_a_document_reference() {
    let e = Evidence {
        doc_number: "125".into(),
        doc_symbol: "KH/ĐTN".into(),
        doc_date: chrono::NaiveDate::from_ymd_opt(2023, 3, 3),
        text: String::new(),
    };
    assert_eq!(e.reference(), "Số 125-KH/ĐTN ngày 03/03/2023");
}
