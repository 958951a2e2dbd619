//! From plan text to a checked `Plan`: parse, then check every rule, collecting
//! every problem with the line it is on.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use chrono::NaiveTime;
use toml::Spanned;

use super::file::{IndicatorFile, MilestoneFile, PlanFile, TargetFile};
use super::model::*;
use super::values::{Goal, IndicatorKind};
use crate::text::nfc;
use crate::unit::{BaseFigure, UnitKind};

/// One problem in a plan file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanProblem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted path of the field ("targets[4].indicators[0].goal"), when known.
    pub field: Option<String>,
    pub message: String,
}

impl PlanProblem {
    /// The problem in one language: "dòng 4, … : …" or "line 4, … : …" (a message
    /// written "vi / en" keeps its own half).
    pub fn in_language(&self, english: bool) -> String {
        let place = match (self.line, english) {
            (Some(line), false) => format!("dòng {line}"),
            (Some(line), true) => format!("line {line}"),
            (None, false) => "tệp".to_string(),
            (None, true) => "file".to_string(),
        };
        let field = self.field.as_ref().map(|f| format!(", {f}")).unwrap_or_default();
        let (vi, en) = crate::unit_import::split_pair(&self.message);
        format!("{place}{field}: {}", if english { en } else { vi })
    }
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "dòng {line} (line {line})")?,
            None => f.write_str("tệp (file)")?,
        }
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in a plan file; never empty.
#[derive(Debug, Clone)]
pub struct PlanErrors(pub Vec<PlanProblem>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Tệp kế hoạch không hợp lệ / invalid plan file ({} lỗi / problems):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}

struct Checker<'a> {
    source: &'a str,
    problems: Vec<PlanProblem>,
}

impl Checker<'_> {
    fn line_of(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.source.len());
        self.source[..end].bytes().filter(|b| *b == b'\n').count() + 1
    }

    fn at<T>(&mut self, spanned: &Spanned<T>, field: String, message: impl Into<String>) {
        let line = self.line_of(spanned.span());
        self.problems.push(PlanProblem { line: Some(line), field: Some(field), message: message.into() });
    }

    fn file(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(PlanProblem { line: None, field: Some(field.into()), message: message.into() });
    }
}

/// Translates the TOML reader's most common messages; the original stays after "/".
fn bilingual(message: &str) -> String {
    let vi = if message.starts_with("unknown field") {
        "trường không xác định"
    } else if message.starts_with("missing field") {
        "thiếu trường bắt buộc"
    } else if message.starts_with("invalid type") {
        "sai kiểu dữ liệu"
    } else if message.starts_with("unknown variant") {
        "giá trị không được phép"
    } else if message.starts_with("duplicate key") {
        "khóa bị trùng"
    } else if message.contains("invalid date") || message.contains("invalid time") {
        "ngày giờ không hợp lệ"
    } else {
        return message.to_string();
    };
    format!("{vi} / {message}")
}

/// Parses and checks a plan file.
pub fn parse_plan(source: &str) -> Result<Plan, PlanErrors> {
    let source_nfc = nfc(source);
    let file: PlanFile = match toml::from_str(&source_nfc) {
        Ok(file) => file,
        Err(e) => {
            let checker = Checker { source: &source_nfc, problems: Vec::new() };
            let line = e.span().map(|s| checker.line_of(s));
            return Err(PlanErrors(vec![PlanProblem { line, field: None, message: bilingual(e.message().trim()) }]));
        }
    };
    let mut c = Checker { source: &source_nfc, problems: Vec::new() };
    placeholders(&mut c);
    let plan = convert(file, &mut c);
    if c.problems.is_empty() {
        Ok(plan)
    } else {
        Err(PlanErrors(c.problems))
    }
}

/// The mark the importer leaves where it could not read a value (the value itself,
/// or a comment after a stand-in value such as `goal = 0` or `year = 0`).
pub const PLACEHOLDER: &str = "CHƯA CÓ / MISSING";

/// Every line that still carries the importer's placeholder is an error: a draft
/// with "⚠ CHƯA CÓ / MISSING" in its theme, signatory, dates or goals is not a plan
/// (a stand-in `goal = 0` is never taken as a goal). Comment lines that only explain
/// the mark are not values.
fn placeholders(c: &mut Checker) {
    let mut found = Vec::new();
    for (n, line) in c.source.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || !line.contains(PLACEHOLDER) {
            continue;
        }
        let key = trimmed.split('=').next().unwrap_or("").trim().trim_matches('"').to_string();
        found.push((n + 1, key));
    }
    for (line, key) in found {
        let what = if key.is_empty() { "giá trị".to_string() } else { format!("\"{key}\"") };
        let what_en = if key.is_empty() { "a value".to_string() } else { format!("\"{key}\"") };
        c.problems.push(PlanProblem {
            line: Some(line),
            field: (!key.is_empty()).then(|| key.clone()),
            message: format!(
                "{what} còn là chỗ trống \"⚠ {PLACEHOLDER}\": hãy điền trước khi xác nhận / {what_en} is still the placeholder: fill it in before confirming"
            ),
        });
    }
}

fn convert(file: PlanFile, c: &mut Checker) -> Plan {
    let cf = file.campaign;
    let timezone = cf.timezone.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
        c.file("campaign.timezone", format!("múi giờ không hợp lệ / unknown time zone \"{}\"", cf.timezone));
        chrono_tz::Asia::Ho_Chi_Minh
    });
    if cf.starts_on > cf.ends_on {
        c.file("campaign.ends_on", "ngày kết thúc trước ngày bắt đầu / the campaign ends before it starts");
    }
    // Impossible dates: a year no campaign has, a campaign far from its own year, a
    // document issued after the campaign ended.
    if !(2000..=2100).contains(&cf.year) {
        c.file(
            "campaign.year",
            format!("năm {} không hợp lệ (2000–2100) / the year {} is not a campaign's year", cf.year, cf.year),
        );
    } else {
        use chrono::Datelike;
        let (from, to) = (cf.starts_on.0.year(), cf.ends_on.0.year());
        if cf.year < from - 1 || cf.year > to + 1 {
            c.file(
                "campaign.starts_on",
                format!(
                    "chiến dịch năm {} nhưng diễn ra từ {} đến {} / the campaign of {} runs from {} to {}",
                    cf.year, cf.starts_on.0, cf.ends_on.0, cf.year, cf.starts_on.0, cf.ends_on.0
                ),
            );
        }
    }
    if let Some(issued) = &cf.issued_on {
        if issued.0 > cf.ends_on.0 {
            c.file(
                "campaign.issued_on",
                "văn bản ban hành sau khi chiến dịch đã kết thúc / the plan is dated after the campaign ended",
            );
        }
    }
    let campaign = Campaign {
        code: cf.code,
        title: cf.title,
        short_title: cf.short_title,
        year: cf.year,
        theme: cf.theme,
        superior_body: cf.superior_body,
        issuing_body: cf.issuing_body,
        document_type: cf.document_type,
        document_number: cf.document_number.filter(|s| !s.trim().is_empty()),
        place: cf.place,
        issued_on: cf.issued_on.map(|d| d.0),
        basis: cf.basis,
        starts_on: cf.starts_on.0,
        ends_on: cf.ends_on.0,
        timezone,
        signatory: cf.signatory,
        contact: cf.contact,
    };

    let mut area_numbers = HashSet::new();
    let mut areas = Vec::new();
    for (i, a) in file.areas.into_iter().enumerate() {
        let number = a.number.get_ref().trim().to_string();
        let valid =
            !number.is_empty() && number.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            c.at(
                &a.number,
                format!("areas[{i}].number"),
                format!("số mục không hợp lệ / bad area number \"{number}\" (1, 2.1, ...)"),
            );
        }
        if !area_numbers.insert(number.clone()) {
            c.at(&a.number, format!("areas[{i}].number"), format!("mục {number} bị trùng / duplicate area {number}"));
        }
        let parent = number.rsplit_once('.').map(|(p, _)| p.to_string());
        if let Some(p) = &parent {
            if !area_numbers.contains(p) {
                c.at(
                    &a.number,
                    format!("areas[{i}].number"),
                    format!("mục cha {p} phải đứng trước / parent area {p} must come first"),
                );
            }
        }
        areas.push(Area { number, parent, title: a.title, items: a.items, groups: a.groups });
    }

    let mut group_keys = HashSet::new();
    let mut target_groups = Vec::new();
    for (i, g) in file.target_groups.into_iter().enumerate() {
        if !group_keys.insert(g.key.get_ref().clone()) {
            c.at(&g.key, format!("target_groups[{i}].key"), "nhóm chỉ tiêu bị trùng / duplicate target group");
        }
        target_groups.push(TargetGroup { key: g.key.into_inner(), title: g.title });
    }

    let mut targets = Vec::new();
    let mut numbers = HashSet::new();
    let mut indicator_keys = HashSet::new();
    for (i, t) in file.targets.into_iter().enumerate() {
        targets.push(convert_target(i, t, c, &mut numbers, &mut indicator_keys, &group_keys, &area_numbers));
    }
    if targets.is_empty() {
        c.file("targets", "kế hoạch chưa có chỉ tiêu nào / the plan has no targets");
    }

    let mut events = Vec::new();
    let mut event_numbers = HashSet::new();
    for (i, e) in file.events.into_iter().enumerate() {
        if !event_numbers.insert(*e.number.get_ref()) {
            c.at(
                &e.number,
                format!("events[{i}].number"),
                format!("hoạt động số {} bị trùng / duplicate event number", e.number.get_ref()),
            );
        }
        if let (Some(s), Some(end)) = (e.starts_on, e.ends_on) {
            if end < s {
                c.at(
                    &e.number,
                    format!("events[{i}].ends_on"),
                    "ngày kết thúc trước ngày bắt đầu / ends before it starts",
                );
            }
        }
        events.push(Event {
            number: e.number.into_inner(),
            title: e.title,
            starts_on: e.starts_on.map(|d| d.0),
            ends_on: e.ends_on.map(|d| d.0),
            place: e.place,
            host_unit: e.host_unit,
            note: e.note,
        });
    }

    let mut milestones = Vec::new();
    let mut milestone_keys = HashSet::new();
    for (i, m) in file.milestones.into_iter().enumerate() {
        if !milestone_keys.insert(m.key.get_ref().clone()) {
            c.at(&m.key, format!("milestones[{i}].key"), "mốc bị trùng / duplicate milestone key");
        }
        if let Some(milestone) = convert_milestone(i, m, c) {
            milestones.push(milestone);
        }
    }

    let r = file.reporting;
    let due_time = parse_time(&r.weekly.due_time).unwrap_or_else(|| {
        c.file(
            "reporting.weekly.due_time",
            format!("giờ không hợp lệ / bad time \"{}\" (16:00 hoặc/or 16h00)", r.weekly.due_time),
        );
        NaiveTime::MIN
    });
    let (first, last) = (r.weekly.first_period_end.0, r.weekly.last_period_end.0);
    if last < first {
        c.file("reporting.weekly.last_period_end", "kỳ cuối trước kỳ đầu / the last period ends before the first");
    } else if (last - first).num_days() % 7 != 0 {
        c.file("reporting.weekly.last_period_end", "kỳ cuối phải cách kỳ đầu một số tròn tuần / the last period must end a whole number of weeks after the first");
    }
    if r.levels.is_empty() {
        c.file("reporting.levels", "cần ít nhất một cấp báo cáo / at least one reporting level is needed");
    }
    // A weekly report due before the plan exists, or a reporting week that ends
    // before the campaign starts or starts after it ends, cannot be.
    if let Some(issued) = campaign.issued_on {
        if first < issued {
            c.file(
                "reporting.weekly.first_period_end",
                format!("kỳ báo cáo đầu tiên kết thúc ({}) trước ngày ban hành kế hoạch ({}) / the first weekly period ends before the plan is issued", first, issued),
            );
        }
    }
    if first < campaign.starts_on {
        c.file(
            "reporting.weekly.first_period_end",
            format!("kỳ báo cáo đầu tiên kết thúc ({}) trước khi chiến dịch bắt đầu ({}) / the first weekly period ends before the campaign starts", first, campaign.starts_on),
        );
    }
    if last - chrono::Duration::days(6) > campaign.ends_on {
        c.file(
            "reporting.weekly.last_period_end",
            format!("kỳ báo cáo cuối bắt đầu sau khi chiến dịch kết thúc ({}) / the last weekly period starts after the campaign ends", campaign.ends_on),
        );
    }
    let reporting = Reporting {
        levels: r.levels,
        send_to: r.send_to,
        lock_after_days: r.lock_after_days,
        weekly: WeeklyRule { first_period_end: first, last_period_end: last, due_time, rule_text: r.weekly.rule_text },
    };

    Plan {
        campaign,
        purpose: file.purpose,
        areas,
        target_groups,
        targets,
        events,
        milestones,
        reporting,
        duties: file.duties,
        recipients: file.recipients,
    }
}

fn convert_target(
    i: usize,
    t: TargetFile,
    c: &mut Checker,
    numbers: &mut HashSet<u32>,
    indicator_keys: &mut HashSet<String>,
    group_keys: &HashSet<String>,
    area_numbers: &HashSet<String>,
) -> Target {
    let number = *t.number.get_ref();
    if number == 0 {
        c.at(&t.number, format!("targets[{i}].number"), "số chỉ tiêu phải từ 1 / target numbers start at 1");
    }
    if !numbers.insert(number) {
        c.at(
            &t.number,
            format!("targets[{i}].number"),
            format!("chỉ tiêu số {number} bị trùng / duplicate target number {number}"),
        );
    }
    if !group_keys.contains(t.group.get_ref()) {
        c.at(
            &t.group,
            format!("targets[{i}].group"),
            format!("nhóm \"{}\" chưa khai báo trong target_groups / unknown target group", t.group.get_ref()),
        );
    }
    if let Some(area) = &t.area {
        if !area_numbers.contains(area.get_ref()) {
            c.at(
                area,
                format!("targets[{i}].area"),
                format!("không có mục {} trong nội dung hoạt động / unknown activity area", area.get_ref()),
            );
        }
    }
    if t.indicators.is_empty() {
        c.at(
            &t.number,
            format!("targets[{i}].indicators"),
            format!("chỉ tiêu {number} chưa có chỉ số nào / target {number} has no indicator"),
        );
    }
    let own_keys: Vec<String> = t.indicators.iter().map(|ind| ind.key.get_ref().clone()).collect();
    let indicators = t
        .indicators
        .into_iter()
        .enumerate()
        .map(|(j, ind)| {
            convert_indicator(&format!("targets[{i}].indicators[{j}]"), number, ind, c, indicator_keys, &own_keys)
        })
        .collect();
    Target { number, group: t.group.into_inner(), text: t.text, area: t.area.map(Spanned::into_inner), indicators }
}

fn convert_indicator(
    path: &str,
    target_number: u32,
    ind: IndicatorFile,
    c: &mut Checker,
    indicator_keys: &mut HashSet<String>,
    own_keys: &[String],
) -> Indicator {
    let key = ind.key.get_ref().trim().to_string();
    if key.is_empty() || !indicator_keys.insert(key.clone()) {
        c.at(
            &ind.key,
            format!("{path}.key"),
            format!("mã chỉ số \"{key}\" trống hoặc bị trùng / empty or duplicate indicator key"),
        );
    }
    let goal = *ind.goal.get_ref();
    if ind.kind.goal_is_percent() && goal.value() > 100.0 {
        c.at(&ind.goal, format!("{path}.goal"), format!("tỉ lệ trên 100% / a percentage above 100: {}", goal.value()));
    }
    if ind.kind == IndicatorKind::Count && !goal.is_whole() {
        c.at(&ind.goal, format!("{path}.goal"), "chỉ tiêu đếm phải là số nguyên / a count goal must be whole");
    }
    let base = match (&ind.base, ind.kind) {
        (Some(b), _) => match BaseFigure::parse(b.get_ref()) {
            Some(fig) => Some(fig),
            None => {
                let allowed: Vec<_> = BaseFigure::ALL.iter().map(|f| f.as_str()).collect();
                c.at(
                    b,
                    format!("{path}.base"),
                    format!(
                        "số liệu nền không xác định / unknown base figure \"{}\" ({})",
                        b.get_ref(),
                        allowed.join(", ")
                    ),
                );
                None
            }
        },
        (None, IndicatorKind::PercentOfBase) => {
            c.at(
                &ind.key,
                format!("{path}.base"),
                "chỉ số tỉ lệ cần số liệu nền (base) / a percent_of_base indicator needs a base",
            );
            None
        }
        (None, _) => None,
    };
    if matches!(ind.kind, IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit) && ind.levels.is_empty() {
        c.at(&ind.key, format!("{path}.levels"), "cần nêu cấp đơn vị (levels) / levels are needed for this kind");
    }
    let mut unit_kinds = Vec::new();
    for k in &ind.unit_kinds {
        match UnitKind::parse(k) {
            Some(kind) => unit_kinds.push(kind),
            None => c.at(
                &ind.key,
                format!("{path}.unit_kinds"),
                format!("loại đơn vị không xác định / unknown unit kind \"{k}\""),
            ),
        }
    }
    let per_unit_minimum = ind.per_unit_minimum.as_ref().map(|m| m.get_ref().value());
    if ind.kind == IndicatorKind::MinimumPerUnit && per_unit_minimum.is_none() {
        c.at(
            &ind.key,
            format!("{path}.per_unit_minimum"),
            "chỉ số tối thiểu mỗi đơn vị cần per_unit_minimum / minimum_per_unit needs per_unit_minimum",
        );
    }
    if let Some(p) = &ind.part_of {
        if !own_keys.contains(p.get_ref()) || p.get_ref() == &key {
            c.at(
                p,
                format!("{path}.part_of"),
                format!(
                    "\"{}\" không phải chỉ số khác của cùng chỉ tiêu / not another indicator of the same target",
                    p.get_ref()
                ),
            );
        }
    }
    Indicator {
        key,
        target_number,
        label: ind.label,
        kind: ind.kind,
        comparison: ind.comparison,
        goal: Goal::value(goal),
        unit_label: ind.unit_label,
        base,
        levels: ind.levels,
        unit_kinds,
        per_unit_minimum,
        part_of: ind.part_of.map(Spanned::into_inner),
        note: ind.note,
        retired: ind.retired,
    }
}

fn convert_milestone(i: usize, m: MilestoneFile, c: &mut Checker) -> Option<Milestone> {
    let when = match (m.on, m.from, m.to, m.before) {
        (Some(on), None, None, None) => When::On { date: on.0 },
        (None, Some(from), Some(to), None) => {
            if to < from {
                c.at(
                    &m.key,
                    format!("milestones[{i}].to"),
                    "ngày kết thúc trước ngày bắt đầu / the window ends before it starts",
                );
            }
            When::Window { from: from.0, to: to.0 }
        }
        (None, None, None, Some(before)) => When::Before { date: before.0 },
        _ => {
            c.at(&m.key, format!("milestones[{i}]"), "cần đúng một cách ghi thời gian: on, from + to, hoặc before / give exactly one of: on, from + to, before");
            return None;
        }
    };
    Some(Milestone {
        key: m.key.into_inner(),
        title: m.title,
        level: m.level,
        when,
        place: m.place,
        host_unit: m.host_unit,
        source: m.source,
        note: m.note,
    })
}

/// "16:00" or "16h00" or "16h".
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim().to_lowercase().replace('h', ":");
    let t = if t.ends_with(':') { format!("{t}00") } else { t };
    NaiveTime::parse_from_str(&t, "%H:%M").ok()
}
