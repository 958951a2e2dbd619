//! Amending a running plan (issue #20): what changes between two versions of a
//! plan, said in words an office worker reads ("Chỉ tiêu 2a (…): mục tiêu 80% →
//! 85%"), and what an amendment may not do once units have reported (delete an
//! indicator with figures — retire it instead —, remove or renumber a week that has
//! reports, change the campaign's code, change the kind of an indicator with
//! figures). Pure: the caller says what has been reported.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{Event, Indicator, Milestone, Plan, When};
use super::values::IndicatorKind;
use crate::format;

/// What has been reported in a campaign so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reported {
    /// Keys of the indicators with any stored value.
    pub indicators: BTreeSet<String>,
    /// Last days of the periods with any weekly report.
    pub periods: BTreeSet<NaiveDate>,
}

/// One difference between the running plan and the amended one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A field of the campaign's header (title, theme, dates, document number,
    /// signatory, contact …).
    Campaign {
        field: &'static str,
        old: String,
        new: String,
    },
    TargetAdded {
        number: u32,
        text: String,
    },
    TargetRemoved {
        number: u32,
        text: String,
    },
    TargetChanged {
        number: u32,
        field: &'static str,
        old: String,
        new: String,
    },
    IndicatorAdded {
        key: String,
        label: String,
        goal: String,
    },
    IndicatorRemoved {
        key: String,
        label: String,
    },
    IndicatorRetired {
        key: String,
        label: String,
    },
    IndicatorUnretired {
        key: String,
        label: String,
    },
    /// The goal of an indicator: `old` and `new` as the documents write them.
    Goal {
        key: String,
        label: String,
        old: String,
        new: String,
        old_value: f64,
        new_value: f64,
    },
    /// Another field of an indicator (label, kind, comparison, base, levels, unit,
    /// per-unit minimum …).
    IndicatorChanged {
        key: String,
        label: String,
        field: &'static str,
        old: String,
        new: String,
    },
    PeriodAdded {
        end: NaiveDate,
    },
    PeriodRemoved {
        end: NaiveDate,
    },
    /// The weekly rule: due time, first or last period end, its sentence.
    Deadline {
        field: &'static str,
        old: String,
        new: String,
    },
    EventAdded {
        number: u32,
        title: String,
    },
    EventRemoved {
        number: u32,
        title: String,
    },
    EventChanged {
        number: u32,
        title: String,
        fields: Vec<&'static str>,
    },
    MilestoneAdded {
        key: String,
        title: String,
    },
    MilestoneRemoved {
        key: String,
        title: String,
    },
    MilestoneChanged {
        key: String,
        title: String,
        fields: Vec<&'static str>,
    },
    /// A whole section changed (purpose, activity areas, target groups, reporting
    /// levels, duties, recipients).
    Section {
        section: &'static str,
    },
}

/// The Vietnamese and English names of the fields a change can name.
fn field_names(field: &str) -> (&'static str, &'static str) {
    match field {
        "code" => ("mã chiến dịch", "campaign code"),
        "title" => ("tên kế hoạch", "title"),
        "short_title" => ("tên ngắn", "short title"),
        "year" => ("năm", "year"),
        "theme" => ("chủ đề", "theme"),
        "superior_body" => ("cơ quan cấp trên", "superior body"),
        "issuing_body" => ("cơ quan ban hành", "issuing body"),
        "document_type" => ("loại văn bản", "document type"),
        "document_number" => ("số văn bản", "document number"),
        "place" => ("địa danh", "place"),
        "issued_on" => ("ngày ban hành", "issue date"),
        "basis" => ("căn cứ", "basis"),
        "starts_on" => ("ngày bắt đầu", "start date"),
        "ends_on" => ("ngày kết thúc", "end date"),
        "timezone" => ("múi giờ", "time zone"),
        "signatory.on_behalf_of" => ("người ký: thay mặt", "signatory: on behalf of"),
        "signatory.title" => ("người ký: chức vụ", "signatory: title"),
        "signatory.name" => ("người ký: họ tên", "signatory: name"),
        "contact.office" => ("đầu mối liên hệ", "contact office"),
        "contact.email" => ("thư điện tử liên hệ", "contact e-mail"),
        "contact.phone" => ("điện thoại liên hệ", "contact phone"),
        "group" => ("nhóm chỉ tiêu", "target group"),
        "text" => ("nội dung", "text"),
        "area" => ("nội dung hoạt động", "activity area"),
        "label" => ("tên chỉ số", "label"),
        "kind" => ("loại chỉ số", "kind"),
        "comparison" => ("so sánh", "comparison"),
        "base" => ("số liệu nền", "base figure"),
        "levels" => ("cấp đơn vị", "levels"),
        "unit_kinds" => ("loại đơn vị", "unit kinds"),
        "unit_label" => ("đơn vị tính", "unit of measure"),
        "per_unit_minimum" => ("mức tối thiểu mỗi đơn vị", "per-unit minimum"),
        "part_of" => ("thuộc chỉ số", "part of"),
        "note" => ("ghi chú", "note"),
        "target" => ("thuộc chỉ tiêu số", "target number"),
        "due_time" => ("giờ hạn nộp báo cáo tuần", "weekly due time"),
        "first_period_end" => ("ngày kết thúc kỳ báo cáo đầu", "end of the first period"),
        "last_period_end" => ("ngày kết thúc kỳ báo cáo cuối", "end of the last period"),
        "rule_text" => ("câu quy định báo cáo tuần", "weekly rule sentence"),
        "starts" => ("ngày bắt đầu", "start"),
        "ends" => ("ngày kết thúc", "end"),
        "when" => ("thời gian", "date"),
        "level" => ("cấp", "level"),
        "host_unit" => ("đơn vị chủ trì", "host unit"),
        "source" => ("nguồn", "source"),
        "purpose" => ("mục đích, yêu cầu", "purpose and requirements"),
        "areas" => ("nội dung hoạt động", "activity areas"),
        "target_groups" => ("nhóm chỉ tiêu", "target groups"),
        "reporting" => ("cấp báo cáo, nơi nhận báo cáo, khóa kỳ", "reporting levels, recipient, period locking"),
        "duties" => ("tổ chức thực hiện (nhiệm vụ)", "duties"),
        "recipients" => ("nơi nhận", "recipients"),
        _ => ("nội dung khác", "other content"),
    }
}

fn shown(value: &str) -> String {
    if value.trim().is_empty() {
        "(trống)".to_string()
    } else {
        value.to_string()
    }
}

fn shown_en(value: &str) -> String {
    if value.trim().is_empty() {
        "(empty)".to_string()
    } else {
        value.to_string()
    }
}

fn list_vi(fields: &[&'static str]) -> String {
    fields.iter().map(|f| field_names(f).0).collect::<Vec<_>>().join(", ")
}

fn list_en(fields: &[&'static str]) -> String {
    fields.iter().map(|f| field_names(f).1).collect::<Vec<_>>().join(", ")
}

impl Change {
    /// The change as the office reads it, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Change::Campaign { field, old, new } => {
                format!("Kế hoạch: {} {} → {}", field_names(field).0, shown(old), shown(new))
            }
            Change::TargetAdded { number, text } => format!("Thêm chỉ tiêu {number}: {text}"),
            Change::TargetRemoved { number, text } => format!("Bỏ chỉ tiêu {number}: {text}"),
            Change::TargetChanged { number, field, old, new } => {
                format!("Chỉ tiêu {number}: {} {} → {}", field_names(field).0, shown(old), shown(new))
            }
            Change::IndicatorAdded { key, label, goal } => format!("Thêm chỉ tiêu {key} ({label}): mục tiêu {goal}"),
            Change::IndicatorRemoved { key, label } => format!("Bỏ chỉ tiêu {key} ({label})"),
            Change::IndicatorRetired { key, label } => {
                format!("Chỉ tiêu {key} ({label}): ngừng theo dõi (số liệu đã báo cáo vẫn được giữ)")
            }
            Change::IndicatorUnretired { key, label } => format!("Chỉ tiêu {key} ({label}): theo dõi trở lại"),
            Change::Goal { key, label, old, new, .. } => format!("Chỉ tiêu {key} ({label}): mục tiêu {old} → {new}"),
            Change::IndicatorChanged { key, label, field, old, new } => {
                format!("Chỉ tiêu {key} ({label}): {} {} → {}", field_names(field).0, shown(old), shown(new))
            }
            Change::PeriodAdded { end } => format!("Thêm kỳ báo cáo tuần kết thúc ngày {}", format::date(*end)),
            Change::PeriodRemoved { end } => format!("Bỏ kỳ báo cáo tuần kết thúc ngày {}", format::date(*end)),
            Change::Deadline { field, old, new } => {
                format!("Báo cáo tuần: {} {} → {}", field_names(field).0, shown(old), shown(new))
            }
            Change::EventAdded { number, title } => format!("Thêm hoạt động {number}: {title}"),
            Change::EventRemoved { number, title } => format!("Bỏ hoạt động {number}: {title}"),
            Change::EventChanged { number, title, fields } => {
                format!("Hoạt động {number} ({title}): đổi {}", list_vi(fields))
            }
            Change::MilestoneAdded { key, title } => format!("Thêm mốc {key}: {title}"),
            Change::MilestoneRemoved { key, title } => format!("Bỏ mốc {key}: {title}"),
            Change::MilestoneChanged { key, title, fields } => {
                format!("Mốc {key} ({title}): đổi {}", list_vi(fields))
            }
            Change::Section { section } => format!("Thay đổi phần {}", field_names(section).0),
        }
    }

    /// The change in English.
    pub fn message_en(&self) -> String {
        match self {
            Change::Campaign { field, old, new } => {
                format!("Plan: {} {} → {}", field_names(field).1, shown_en(old), shown_en(new))
            }
            Change::TargetAdded { number, text } => format!("Target {number} added: {text}"),
            Change::TargetRemoved { number, text } => format!("Target {number} removed: {text}"),
            Change::TargetChanged { number, field, old, new } => {
                format!("Target {number}: {} {} → {}", field_names(field).1, shown_en(old), shown_en(new))
            }
            Change::IndicatorAdded { key, label, goal } => format!("Indicator {key} added ({label}): goal {goal}"),
            Change::IndicatorRemoved { key, label } => format!("Indicator {key} removed ({label})"),
            Change::IndicatorRetired { key, label } => {
                format!("Indicator {key} ({label}): retired (its reported figures are kept)")
            }
            Change::IndicatorUnretired { key, label } => format!("Indicator {key} ({label}): followed again"),
            Change::Goal { key, label, old, new, .. } => format!("Indicator {key} ({label}): goal {old} → {new}"),
            Change::IndicatorChanged { key, label, field, old, new } => {
                format!("Indicator {key} ({label}): {} {} → {}", field_names(field).1, shown_en(old), shown_en(new))
            }
            Change::PeriodAdded { end } => format!("Weekly period ending {} added", format::date(*end)),
            Change::PeriodRemoved { end } => format!("Weekly period ending {} removed", format::date(*end)),
            Change::Deadline { field, old, new } => {
                format!("Weekly reports: {} {} → {}", field_names(field).1, shown_en(old), shown_en(new))
            }
            Change::EventAdded { number, title } => format!("Event {number} added: {title}"),
            Change::EventRemoved { number, title } => format!("Event {number} removed: {title}"),
            Change::EventChanged { number, title, fields } => {
                format!("Event {number} ({title}): {} changed", list_en(fields))
            }
            Change::MilestoneAdded { key, title } => format!("Milestone {key} added: {title}"),
            Change::MilestoneRemoved { key, title } => format!("Milestone {key} removed: {title}"),
            Change::MilestoneChanged { key, title, fields } => {
                format!("Milestone {key} ({title}): {} changed", list_en(fields))
            }
            Change::Section { section } => format!("Section changed: {}", field_names(section).1),
        }
    }
}

/// A goal as the documents write it: "≥ 85%", "20.000 cây", "> 5 lớp".
pub fn goal_text(indicator: &Indicator) -> String {
    goal_text_of(indicator, indicator.goal)
}

fn goal_text_of(indicator: &Indicator, goal: f64) -> String {
    if indicator.kind.goal_is_percent() {
        indicator.comparison.percent_goal_text(goal)
    } else {
        indicator.comparison.count_goal_text(goal, indicator.unit_label.as_deref())
    }
}

fn kind_vi(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Count => "số lượng",
        IndicatorKind::PercentOfBase => "tỉ lệ trên số liệu nền",
        IndicatorKind::ShareOfUnits => "tỉ lệ đơn vị",
        IndicatorKind::MinimumPerUnit => "mỗi đơn vị ít nhất",
    }
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn opt_date(value: Option<NaiveDate>) -> String {
    value.map(format::date).unwrap_or_default()
}

fn opt_number(value: Option<f64>) -> String {
    value.map(|v| format::number(v, 2)).unwrap_or_default()
}

/// Every difference from `old` to `new`, in the order of the document: the header,
/// the targets and their indicators, the weekly rule and its periods, events,
/// milestones, then the other sections.
pub fn diff(old: &Plan, new: &Plan) -> Vec<Change> {
    let mut out = Vec::new();
    campaign_changes(old, new, &mut out);
    target_changes(old, new, &mut out);
    period_changes(old, new, &mut out);
    event_changes(&old.events, &new.events, &mut out);
    milestone_changes(&old.milestones, &new.milestones, &mut out);
    section_changes(old, new, &mut out);
    out
}

fn campaign_changes(old: &Plan, new: &Plan, out: &mut Vec<Change>) {
    let (a, b) = (&old.campaign, &new.campaign);
    let fields: Vec<(&'static str, String, String)> = vec![
        ("code", a.code.clone(), b.code.clone()),
        ("title", a.title.clone(), b.title.clone()),
        ("short_title", opt(&a.short_title), opt(&b.short_title)),
        ("year", a.year.to_string(), b.year.to_string()),
        ("theme", a.theme.clone(), b.theme.clone()),
        ("superior_body", opt(&a.superior_body), opt(&b.superior_body)),
        ("issuing_body", a.issuing_body.clone(), b.issuing_body.clone()),
        ("document_type", opt(&a.document_type), opt(&b.document_type)),
        ("document_number", opt(&a.document_number), opt(&b.document_number)),
        ("place", a.place.clone(), b.place.clone()),
        ("issued_on", opt_date(a.issued_on), opt_date(b.issued_on)),
        ("basis", opt(&a.basis), opt(&b.basis)),
        ("starts_on", format::date(a.starts_on), format::date(b.starts_on)),
        ("ends_on", format::date(a.ends_on), format::date(b.ends_on)),
        ("timezone", a.timezone.name().to_string(), b.timezone.name().to_string()),
        ("signatory.on_behalf_of", a.signatory.on_behalf_of.clone(), b.signatory.on_behalf_of.clone()),
        ("signatory.title", a.signatory.title.clone(), b.signatory.title.clone()),
        ("signatory.name", a.signatory.name.clone(), b.signatory.name.clone()),
        ("contact.office", a.contact.office.clone(), b.contact.office.clone()),
        ("contact.email", opt(&a.contact.email), opt(&b.contact.email)),
        ("contact.phone", opt(&a.contact.phone), opt(&b.contact.phone)),
    ];
    for (field, old, new) in fields {
        if old != new {
            out.push(Change::Campaign { field, old, new });
        }
    }
}

fn target_changes(old: &Plan, new: &Plan, out: &mut Vec<Change>) {
    // Targets and indicators of the new plan in its order, then those removed.
    for t in &new.targets {
        match old.target(t.number) {
            None => out.push(Change::TargetAdded { number: t.number, text: t.text.clone() }),
            Some(o) => {
                for (field, a, b) in [
                    ("group", o.group.clone(), t.group.clone()),
                    ("text", o.text.clone(), t.text.clone()),
                    ("area", opt(&o.area), opt(&t.area)),
                ] {
                    if a != b {
                        out.push(Change::TargetChanged { number: t.number, field, old: a, new: b });
                    }
                }
            }
        }
        for i in &t.indicators {
            match old.indicator(&i.key) {
                None => {
                    out.push(Change::IndicatorAdded { key: i.key.clone(), label: i.label.clone(), goal: goal_text(i) })
                }
                Some(o) => indicator_changes(o, i, out),
            }
        }
    }
    for o in old.indicators() {
        if new.indicator(&o.key).is_none() {
            out.push(Change::IndicatorRemoved { key: o.key.clone(), label: o.label.clone() });
        }
    }
    for o in &old.targets {
        if new.target(o.number).is_none() {
            out.push(Change::TargetRemoved { number: o.number, text: o.text.clone() });
        }
    }
}

fn indicator_changes(o: &Indicator, i: &Indicator, out: &mut Vec<Change>) {
    let (key, label) = (i.key.clone(), i.label.clone());
    if o.retired != i.retired {
        out.push(if i.retired {
            Change::IndicatorRetired { key: key.clone(), label: label.clone() }
        } else {
            Change::IndicatorUnretired { key: key.clone(), label: label.clone() }
        });
    }
    if o.goal != i.goal {
        out.push(Change::Goal {
            key: key.clone(),
            label: label.clone(),
            // Both written the new way (kind, comparison, unit), so that only the number differs.
            old: goal_text_of(i, o.goal),
            new: goal_text(i),
            old_value: o.goal,
            new_value: i.goal,
        });
    }
    // Levels and kinds are sets: their order in the file means nothing.
    let levels = |ind: &Indicator| {
        let mut l = ind.levels.clone();
        l.sort();
        l.iter().map(|l| l.label_vi()).collect::<Vec<_>>().join(", ")
    };
    let kinds = |ind: &Indicator| {
        let mut k = ind.unit_kinds.clone();
        k.sort_by_key(|k| crate::unit::UnitKind::ALL.iter().position(|x| x == k));
        k.iter().map(|k| k.label_vi()).collect::<Vec<_>>().join(", ")
    };
    let fields: Vec<(&'static str, String, String)> = vec![
        ("label", o.label.clone(), i.label.clone()),
        ("target", o.target_number.to_string(), i.target_number.to_string()),
        ("kind", kind_vi(o.kind).to_string(), kind_vi(i.kind).to_string()),
        ("comparison", o.comparison.symbol().to_string(), i.comparison.symbol().to_string()),
        (
            "base",
            o.base.map(|b| b.label_vi().to_string()).unwrap_or_default(),
            i.base.map(|b| b.label_vi().to_string()).unwrap_or_default(),
        ),
        ("levels", levels(o), levels(i)),
        ("unit_kinds", kinds(o), kinds(i)),
        ("unit_label", opt(&o.unit_label), opt(&i.unit_label)),
        ("per_unit_minimum", opt_number(o.per_unit_minimum), opt_number(i.per_unit_minimum)),
        ("part_of", opt(&o.part_of), opt(&i.part_of)),
        ("note", opt(&o.note), opt(&i.note)),
    ];
    for (field, a, b) in fields {
        if a != b {
            out.push(Change::IndicatorChanged { key: key.clone(), label: label.clone(), field, old: a, new: b });
        }
    }
}

fn period_changes(old: &Plan, new: &Plan, out: &mut Vec<Change>) {
    let (a, b) = (&old.reporting.weekly, &new.reporting.weekly);
    for (field, x, y) in [
        ("due_time", format::time(a.due_time), format::time(b.due_time)),
        ("first_period_end", format::date(a.first_period_end), format::date(b.first_period_end)),
        ("last_period_end", format::date(a.last_period_end), format::date(b.last_period_end)),
        ("rule_text", opt(&a.rule_text), opt(&b.rule_text)),
    ] {
        if x != y {
            out.push(Change::Deadline { field, old: x, new: y });
        }
    }
    let old_ends: BTreeSet<NaiveDate> = old.periods().iter().map(|p| p.end).collect();
    let new_ends: BTreeSet<NaiveDate> = new.periods().iter().map(|p| p.end).collect();
    for end in new_ends.difference(&old_ends) {
        out.push(Change::PeriodAdded { end: *end });
    }
    for end in old_ends.difference(&new_ends) {
        out.push(Change::PeriodRemoved { end: *end });
    }
}

fn event_changes(old: &[Event], new: &[Event], out: &mut Vec<Change>) {
    for e in new {
        match old.iter().find(|o| o.number == e.number) {
            None => out.push(Change::EventAdded { number: e.number, title: e.title.clone() }),
            Some(o) => {
                let mut fields = Vec::new();
                if o.title != e.title {
                    fields.push("title");
                }
                if o.starts_on != e.starts_on {
                    fields.push("starts");
                }
                if o.ends_on != e.ends_on {
                    fields.push("ends");
                }
                if o.place != e.place {
                    fields.push("place");
                }
                if o.host_unit != e.host_unit {
                    fields.push("host_unit");
                }
                if o.note != e.note {
                    fields.push("note");
                }
                if !fields.is_empty() {
                    out.push(Change::EventChanged { number: e.number, title: e.title.clone(), fields });
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|e| e.number == o.number) {
            out.push(Change::EventRemoved { number: o.number, title: o.title.clone() });
        }
    }
}

fn milestone_changes(old: &[Milestone], new: &[Milestone], out: &mut Vec<Change>) {
    for m in new {
        match old.iter().find(|o| o.key == m.key) {
            None => out.push(Change::MilestoneAdded { key: m.key.clone(), title: m.title.clone() }),
            Some(o) => {
                let mut fields = Vec::new();
                if o.title != m.title {
                    fields.push("title");
                }
                if o.level != m.level {
                    fields.push("level");
                }
                if !same_when(o.when, m.when) {
                    fields.push("when");
                }
                if o.place != m.place {
                    fields.push("place");
                }
                if o.host_unit != m.host_unit {
                    fields.push("host_unit");
                }
                if o.source != m.source {
                    fields.push("source");
                }
                if o.note != m.note {
                    fields.push("note");
                }
                if !fields.is_empty() {
                    out.push(Change::MilestoneChanged { key: m.key.clone(), title: m.title.clone(), fields });
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|m| m.key == o.key) {
            out.push(Change::MilestoneRemoved { key: o.key.clone(), title: o.title.clone() });
        }
    }
}

fn same_when(a: When, b: When) -> bool {
    a == b
}

fn section_changes(old: &Plan, new: &Plan, out: &mut Vec<Change>) {
    fn value<T: Serialize>(value: &T) -> Option<toml::Value> {
        toml::Value::try_from(value).ok()
    }
    let sorted = |l: &[crate::plan::Level]| {
        let mut l = l.to_vec();
        l.sort();
        l
    };
    let reporting_changed = sorted(&old.reporting.levels) != sorted(&new.reporting.levels)
        || old.reporting.send_to != new.reporting.send_to
        || old.reporting.lock_after_days != new.reporting.lock_after_days;
    let sections: [(&'static str, bool); 6] = [
        ("purpose", value(&old.purpose) != value(&new.purpose)),
        ("areas", value(&old.areas) != value(&new.areas)),
        ("target_groups", value(&old.target_groups) != value(&new.target_groups)),
        ("reporting", reporting_changed),
        ("duties", value(&old.duties) != value(&new.duties)),
        ("recipients", old.recipients != new.recipients),
    ];
    for (section, changed) in sections {
        if changed {
            out.push(Change::Section { section });
        }
    }
}

/// Why an amendment is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmendProblem {
    /// "indicator_reported", "period_reported", "periods_renumbered", "code_changed",
    /// "kind_changed", "no_change"
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl AmendProblem {
    fn new(code: &'static str, vi: String, en: String) -> AmendProblem {
        AmendProblem { code, vi, en }
    }
}

/// What an amendment from `old` to `new` may not do, given what has been reported.
/// Empty: it may apply.
pub fn check(old: &Plan, new: &Plan, reported: &Reported) -> Vec<AmendProblem> {
    let mut out = Vec::new();
    if old.campaign.code != new.campaign.code {
        out.push(AmendProblem::new(
            "code_changed",
            format!(
                "Không thể đổi mã chiến dịch (\"{}\" → \"{}\"): báo cáo, tài liệu và đường dẫn đều gắn với mã này; muốn một chiến dịch mới hãy tạo kế hoạch mới",
                old.campaign.code, new.campaign.code
            ),
            format!(
                "The campaign code cannot change (\"{}\" → \"{}\"): reports, documents and links use it; make a new plan for a new campaign",
                old.campaign.code, new.campaign.code
            ),
        ));
    }
    for o in old.indicators() {
        let has_reports = reported.indicators.contains(&o.key);
        match new.indicator(&o.key) {
            None if has_reports => out.push(AmendProblem::new(
                "indicator_reported",
                format!(
                    "Chỉ tiêu {} ({}) đã có số liệu báo cáo nên không thể xóa; hãy chuyển sang 'ngừng theo dõi' (retired = true): số liệu vẫn được giữ",
                    o.key, o.label
                ),
                format!(
                    "Indicator {} ({}) has reported figures and cannot be removed: retire it instead (retired = true); its figures are kept",
                    o.key, o.label
                ),
            )),
            Some(n) if has_reports && n.kind != o.kind => out.push(AmendProblem::new(
                "kind_changed",
                format!(
                    "Chỉ tiêu {} ({}) đã có số liệu báo cáo nên không thể đổi loại ({} → {}): số liệu đã báo cáo sẽ đổi nghĩa; hãy ngừng theo dõi chỉ tiêu này và thêm một chỉ tiêu mới",
                    o.key,
                    o.label,
                    kind_vi(o.kind),
                    kind_vi(n.kind)
                ),
                format!(
                    "Indicator {} ({}) has reported figures and its kind cannot change ({} → {}): its figures would change meaning; retire it and add a new indicator",
                    o.key,
                    o.label,
                    o.kind.as_str(),
                    n.kind.as_str()
                ),
            )),
            _ => {}
        }
    }
    let new_periods = new.periods();
    for end in &reported.periods {
        if !new_periods.iter().any(|p| p.end == *end) {
            out.push(AmendProblem::new(
                "period_reported",
                format!("Kỳ báo cáo tuần kết thúc ngày {} đã có báo cáo nên không thể bỏ", format::date(*end)),
                format!("The weekly period ending {} has reports and cannot be removed", format::date(*end)),
            ));
        }
    }
    // Weeks are numbered from the first period: once a week has reports, moving the
    // first period would renumber it.
    let old_periods = old.periods();
    let renumbered = reported.periods.iter().any(|end| {
        let before = old_periods.iter().find(|p| p.end == *end).map(|p| p.seq);
        let after = new_periods.iter().find(|p| p.end == *end).map(|p| p.seq);
        before.is_some() && after.is_some() && before != after
    });
    if renumbered {
        out.push(AmendProblem::new(
            "periods_renumbered",
            format!(
                "Không thể dời kỳ báo cáo đầu tiên ({} → {}) khi đã có báo cáo tuần: các tuần đã báo cáo sẽ bị đánh số lại",
                format::date(old.reporting.weekly.first_period_end),
                format::date(new.reporting.weekly.first_period_end)
            ),
            format!(
                "The first weekly period cannot move ({} → {}) once weeks have reports: they would be renumbered",
                format::date(old.reporting.weekly.first_period_end),
                format::date(new.reporting.weekly.first_period_end)
            ),
        ));
    }
    if diff(old, new).is_empty() {
        out.push(AmendProblem::new(
            "no_change",
            "Bản điều chỉnh không thay đổi gì so với kế hoạch đang chạy".to_string(),
            "The amendment changes nothing in the running plan".to_string(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn builtin() -> Plan {
        parse_plan(crate::builtin::PLAN_TOML).expect("built-in plan")
    }

    fn amended(edit: impl Fn(String) -> String) -> Plan {
        let text = edit(crate::builtin::PLAN_TOML.to_string());
        parse_plan(&text).expect("amended plan")
    }

    /// Replaces the first `goal = old` after `key = "k"`.
    fn with_goal(text: String, key: &str, old: &str, new: &str) -> String {
        let at = text.find(&format!("key = \"{key}\"")).expect("indicator");
        let (head, tail) = text.split_at(at);
        format!("{head}{}", tail.replacen(&format!("goal = {old}"), &format!("goal = {new}"), 1))
    }

    fn with_retired(text: String, key: &str) -> String {
        text.replacen(&format!("key = \"{key}\"\n"), &format!("key = \"{key}\"\nretired = true\n"), 1)
    }

    /// Removes the `[[targets.indicators]]` table of one indicator.
    fn without_indicator(text: String, key: &str) -> String {
        let at = text.find(&format!("key = \"{key}\"")).expect("indicator");
        let start = text[..at].rfind("[[targets.indicators]]").expect("table");
        let end = text[at..].find("\n[[").map(|e| at + e + 1).unwrap_or(text.len());
        format!("{}{}", &text[..start], &text[end..])
    }

    #[test]
    fn the_same_plan_has_no_change_and_is_refused_as_an_amendment() {
        let plan = builtin();
        assert!(diff(&plan, &plan).is_empty());
        let problems = check(&plan, &plan, &Reported::default());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "no_change");
    }

    #[test]
    fn a_goal_change_reads_in_vietnamese_format() {
        let old = builtin();
        let new = amended(|t| with_goal(t, "2a", "85", "90"));
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:?}");
        let vi = changes[0].message_vi();
        assert!(vi.starts_with("Chỉ tiêu 2a ("), "{vi}");
        assert!(vi.ends_with("mục tiêu ≥ 85% → ≥ 90%"), "{vi}");
        assert!(changes[0].message_en().ends_with("goal ≥ 85% → ≥ 90%"));
        let count = amended(|t| with_goal(t, "5", "20000", "25000"));
        let vi = diff(&old, &count)[0].message_vi();
        assert!(vi.contains("20.000") && vi.contains("25.000"), "{vi}");
        assert!(check(&old, &new, &Reported::default()).is_empty());
    }

    #[test]
    fn an_indicator_with_reports_is_retired_not_removed() {
        let old = builtin();
        let reported = Reported { indicators: ["4b".to_string()].into(), periods: BTreeSet::new() };
        let removed = amended(|t| without_indicator(t, "4b"));
        let changes = diff(&old, &removed);
        assert!(matches!(&changes[..], [Change::IndicatorRemoved { key, .. }] if key == "4b"), "{changes:?}");
        let problems = check(&old, &removed, &reported);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code, "indicator_reported");
        assert!(problems[0].vi.contains("ngừng theo dõi"));
        assert!(problems[0].en.contains("retire it instead"));
        // Without reports it may go.
        assert!(check(&old, &removed, &Reported::default()).is_empty());
        let retired = amended(|t| with_retired(t, "4b"));
        assert!(retired.indicator("4b").is_some_and(|i| i.retired));
        assert_eq!(retired.active_indicators().count() + 1, retired.indicators().count());
        let changes = diff(&old, &retired);
        assert!(matches!(&changes[..], [Change::IndicatorRetired { key, .. }] if key == "4b"), "{changes:?}");
        assert!(changes[0].message_vi().contains("ngừng theo dõi"));
        assert!(check(&old, &retired, &reported).is_empty());
        let back = diff(&retired, &old);
        assert!(matches!(&back[..], [Change::IndicatorUnretired { .. }]));
    }

    #[test]
    fn a_kind_change_is_refused_once_the_indicator_has_figures() {
        let old = builtin();
        let text = crate::builtin::PLAN_TOML.to_string();
        let at = text.find("key = \"5\"").expect("indicator 5");
        let (head, tail) = text.split_at(at);
        let new_text = format!(
            "{head}{}",
            tail.replacen(
                "kind = \"count\"",
                "kind = \"minimum_per_unit\"\nlevels = [\"district\"]\nper_unit_minimum = 1",
                1
            )
            .replacen("goal = 20000", "goal = 100", 1)
        );
        let new = parse_plan(&new_text).expect("plan");
        let reported = Reported { indicators: ["5".to_string()].into(), periods: BTreeSet::new() };
        let problems = check(&old, &new, &reported);
        assert!(problems.iter().any(|p| p.code == "kind_changed"), "{problems:?}");
        assert!(check(&old, &new, &Reported::default()).is_empty());
    }

    #[test]
    fn reported_periods_cannot_be_removed_nor_renumbered_but_weeks_can_be_added() {
        let old = builtin();
        let w = &old.reporting.weekly;
        let (first, last) = (w.first_period_end, w.last_period_end);
        let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let find =
            |text: &str, needle: &str| text.lines().find(|l| l.trim_start().starts_with(needle)).map(str::to_string);
        let src = crate::builtin::PLAN_TOML;
        let last_line = find(src, "last_period_end").expect("last line");
        let first_line = find(src, "first_period_end").expect("first line");
        let shorter = parse_plan(&src.replacen(
            &last_line,
            &format!("last_period_end = {}", iso(last - chrono::Duration::days(7))),
            1,
        ))
        .expect("shorter");
        let later_start = parse_plan(&src.replacen(
            &first_line,
            &format!("first_period_end = {}", iso(first + chrono::Duration::days(7))),
            1,
        ));
        let reported_last = Reported { indicators: BTreeSet::new(), periods: [last].into() };
        let changes = diff(&old, &shorter);
        assert!(changes.contains(&Change::PeriodRemoved { end: last }), "{changes:?}");
        let problems = check(&old, &shorter, &reported_last);
        assert!(problems.iter().any(|p| p.code == "period_reported"), "{problems:?}");
        assert!(problems[0].vi.contains(&format::date(last)));
        let reported_first = Reported { indicators: BTreeSet::new(), periods: [first].into() };
        assert!(check(&old, &shorter, &reported_first).is_empty());
        if let Ok(later) = later_start {
            let problems = check(&old, &later, &Reported { indicators: BTreeSet::new(), periods: [last].into() });
            assert!(problems.iter().any(|p| p.code == "periods_renumbered"), "{problems:?}");
        }
    }

    #[test]
    fn the_code_cannot_change_and_header_changes_are_named() {
        let old = builtin();
        let code_line = crate::builtin::PLAN_TOML.lines().find(|l| l.starts_with("code =")).expect("code");
        let new = amended(|t| t.replacen(code_line, "code = \"khac-2023\"", 1));
        let problems = check(&old, &new, &Reported::default());
        assert!(problems.iter().any(|p| p.code == "code_changed"));
        let number = amended(|t| t.replacen("[campaign]\n", "[campaign]\ndocument_number = \"45-KH/TĐTN-BPT\"\n", 1));
        let changes = diff(&old, &number);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].message_vi().contains("số văn bản (trống) → 45-KH/TĐTN-BPT"), "{}", changes[0].message_vi());
    }

    #[test]
    fn changed_sections_are_named() {
        let old = builtin();
        let new = amended(|t| {
            t.replacen(
                "title = \"Tuyên truyền, giáo dục về truyền thống",
                "title = \"Tuyên truyền, giáo dục sâu rộng về truyền thống",
                1,
            )
            .replacen("  \"Ban Bí thư TW Đoàn\",\n", "", 1)
        });
        let changes = diff(&old, &new);
        assert_eq!(
            changes,
            vec![Change::Section { section: "areas" }, Change::Section { section: "recipients" }],
            "{changes:?}"
        );
        assert_eq!(changes[0].message_vi(), "Thay đổi phần nội dung hoạt động");
    }
}
