//! The draft plan: what the readers found, with provenance; the placeholders
//! for what they did not; the list of extracted items; the plan file text.

use chrono::{Datelike, NaiveDate};

use super::structure::{Document, Part};
use super::{duties, header, people, schedule, targets, Confidence, Extracted};
use crate::plan::{IndicatorKind, Level, When};
use crate::unit::{BaseFigure, UnitKind};

/// A value with the sentence it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found<T> {
    pub value: T,
    pub source: String,
    pub line: usize,
    pub confidence: Confidence,
}

impl<T> Found<T> {
    pub fn new(value: T, source: &str, line: usize, confidence: Confidence) -> Self {
        Found { value, source: source.to_string(), line, confidence }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Found<U> {
        Found { value: f(self.value), source: self.source, line: self.line, confidence: self.confidence }
    }
}

/// Marks every value the reviewer must fill in.
pub(crate) const MISSING: &str = "⚠ CHƯA CÓ / MISSING";

#[derive(Debug, Clone, Default)]
pub(crate) struct CampaignDraft {
    pub code: Option<Found<String>>,
    pub title: Option<Found<String>>,
    pub short_title: Option<Found<String>>,
    pub year: Option<Found<i32>>,
    pub theme: Option<Found<String>>,
    pub superior_body: Option<Found<String>>,
    pub issuing_body: Option<Found<String>>,
    pub document_type: Option<Found<String>>,
    pub document_number: Option<Found<String>>,
    pub place: Option<Found<String>>,
    pub issued_on: Option<Found<NaiveDate>>,
    pub basis: Option<Found<String>>,
    pub starts_on: Option<Found<NaiveDate>>,
    pub ends_on: Option<Found<NaiveDate>>,
    pub signatory_on_behalf_of: Option<Found<String>>,
    pub signatory_title: Option<Found<String>>,
    pub signatory_name: Option<Found<String>>,
    pub contact_office: Option<Found<String>>,
    pub contact_email: Option<Found<String>>,
    pub contact_phone: Option<Found<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AreaDraft {
    pub number: String,
    pub title: Found<String>,
    pub items: Vec<String>,
    pub groups: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupDraft {
    pub key: String,
    pub title: Found<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndicatorDraft {
    pub key: String,
    pub label: String,
    pub kind: Found<IndicatorKind>,
    pub comparison: Found<crate::plan::Comparison>,
    pub goal: Found<f64>,
    pub unit_label: Option<Found<String>>,
    pub base: Option<Found<BaseFigure>>,
    pub levels: Vec<Level>,
    pub unit_kinds: Vec<UnitKind>,
    pub per_unit_minimum: Option<f64>,
    pub part_of: Option<String>,
    pub note: Option<String>,
    /// No figure was read: the goal is a placeholder the reviewer fills in.
    pub goal_missing: bool,
    /// Read from running text outside a targets section: a suggestion the
    /// reviewer confirms (the plan file refuses it until then).
    pub suggested: bool,
}

impl IndicatorDraft {
    /// The stand-in indicator of a target whose sentence gave no figure: its
    /// wording as the label, no goal (a placeholder), every reading low.
    pub fn missing(number: u32, text: &str, source: &str, line: usize) -> IndicatorDraft {
        let label = super::text::capitalise(super::text::strip_bullet(super::text::trim_clause(text)));
        IndicatorDraft {
            key: number.to_string(),
            label: if label.is_empty() { MISSING.to_string() } else { label },
            kind: Found::new(IndicatorKind::Count, source, line, Confidence::Low),
            comparison: Found::new(crate::plan::Comparison::AtLeast, source, line, Confidence::Low),
            goal: Found::new(0.0, source, line, Confidence::Low),
            unit_label: None,
            base: None,
            levels: Vec::new(),
            unit_kinds: Vec::new(),
            per_unit_minimum: None,
            part_of: None,
            note: None,
            goal_missing: true,
            suggested: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetDraft {
    pub number: Found<u32>,
    pub group: String,
    pub text: String,
    pub indicators: Vec<IndicatorDraft>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventDraft {
    pub number: u32,
    pub title: Found<String>,
    pub starts_on: Option<Found<NaiveDate>>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<Found<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MilestoneDraft {
    pub key: String,
    /// The words of the plan that name it ("Tổ chức Lễ khởi động").
    pub label: String,
    pub title: String,
    pub level: Level,
    pub when: Found<When>,
    pub place: Option<Found<String>>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeeklyDraft {
    pub first_period_end: Found<NaiveDate>,
    pub last_period_end: Found<NaiveDate>,
    pub due_time: Found<String>,
    pub rule_text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DutyDraft {
    pub party: String,
    pub role: Option<&'static str>,
    pub items: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PlanDraft {
    pub campaign: CampaignDraft,
    pub aims: Vec<String>,
    pub requirements: Vec<String>,
    pub areas: Vec<AreaDraft>,
    pub groups: Vec<GroupDraft>,
    pub targets: Vec<TargetDraft>,
    pub events: Vec<EventDraft>,
    pub milestones: Vec<MilestoneDraft>,
    pub reporting_levels: Vec<Level>,
    pub send_to: Option<Found<String>>,
    pub weekly: Option<WeeklyDraft>,
    pub duties: Vec<DutyDraft>,
    pub recipients: Vec<Found<String>>,
    /// Roman numerals of the sections, in order (for the numbering lint).
    pub section_numbers: Vec<u32>,
}

/// Reads every part of the document into a draft, and lists what is missing.
pub(crate) fn build(doc: &Document) -> (PlanDraft, Vec<String>) {
    let mut problems = Vec::new();
    let mut plan = PlanDraft {
        section_numbers: doc.sections.iter().map(|s| s.value).filter(|v| *v > 0).collect(),
        ..Default::default()
    };
    if doc.head.is_empty() && doc.sections.is_empty() && doc.tail.is_empty() {
        problems.push(
            "Văn bản trống hoặc không đọc được chữ nào / the document is empty or has no readable text".to_string(),
        );
    }
    let head = header::read(doc);
    let year = head.year.as_ref().map(|y| y.value);
    if let Some(section) = doc.section(Part::Purpose) {
        let (aims, requirements) = targets::purpose(section);
        plan.aims = aims;
        plan.requirements = requirements;
    }
    if let Some(section) = doc.section(Part::Content) {
        plan.areas = targets::areas(section);
    }
    match doc.section(Part::Targets) {
        Some(section) => {
            let (groups, list) = targets::read(section, &mut problems);
            plan.groups = groups;
            plan.targets = list;
        }
        None => problems.push(
            "Không tìm thấy mục chỉ tiêu (CHỈ TIÊU / Nhóm chỉ tiêu) / no targets section found (CHỈ TIÊU / Nhóm chỉ tiêu)".to_string(),
        ),
    }
    if plan.targets.is_empty() {
        let (group, suggested) = targets::suggestions(doc, &mut problems);
        plan.groups.extend(group);
        plan.targets = suggested;
    }
    plan.duties = duties::read(doc);
    plan.reporting_levels = duties::reporting_levels(&plan.duties);
    let subject = head.subject.as_deref().map(|s| header::subject_core(s).to_string());
    let sched = schedule::read(doc, year, subject.as_deref(), plan.reporting_levels[0], &mut problems);
    plan.events = sched.events;
    plan.milestones = sched.milestones;
    plan.weekly = sched.weekly;
    plan.send_to = sched.send_to.clone();
    plan.recipients = people::recipients(&doc.tail);
    let signature = people::signatory(&doc.tail);
    let contact = people::contact(doc, sched.send_to.as_ref(), &plan.duties);

    let c = &mut plan.campaign;
    c.title = head.title;
    c.document_type = head.document_type;
    c.document_number = head.document_number;
    c.superior_body = head.superior_body;
    c.place = head.place;
    c.issued_on = head.issued_on;
    c.basis = head.basis;
    c.theme = head.theme;
    c.year = head.year.or_else(|| derived_year(&plan_dates(&plan.milestones)));
    c.short_title = subject.as_deref().map(|s| Found::new(short_title(s), s, 0, Confidence::Medium));
    c.code = code(c.place.as_ref(), subject.as_deref(), c.year.as_ref().map(|y| y.value));
    c.signatory_on_behalf_of = signature.on_behalf_of;
    c.signatory_title = signature.title;
    c.signatory_name = signature.name;
    c.issuing_body = people::issuing_body(c.signatory_on_behalf_of.as_ref(), doc, c.place.as_ref());
    c.contact_office = contact.office;
    c.contact_email = contact.email;
    c.contact_phone = contact.phone;
    let (starts, ends) =
        sched.span.unwrap_or_else(|| schedule::derived_span(&plan.milestones, &plan.events, plan.weekly.as_ref()));
    c.starts_on = starts;
    c.ends_on = ends;
    missing_parts(&plan, &mut problems);
    (plan, problems)
}

fn plan_dates(milestones: &[MilestoneDraft]) -> Vec<NaiveDate> {
    milestones.iter().map(|m| m.when.value.first_day()).collect()
}

fn derived_year(dates: &[NaiveDate]) -> Option<Found<i32>> {
    let first = dates.iter().min()?;
    Some(Found::new(first.year(), "", 0, Confidence::Low))
}

/// "Tháng Thanh niên năm 2023" → "Tháng Thanh niên 2023".
fn short_title(subject: &str) -> String {
    let words: Vec<&str> = subject.split(' ').collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let next_is_year = words.get(i + 1).is_some_and(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()));
        if super::text::fold(w) == "nam" && next_is_year {
            continue;
        }
        out.push(w);
    }
    out.join(" ")
}

/// The campaign code: place, subject without the year, year ("kien-giang-thang-thanh-nien-2023").
fn code(place: Option<&Found<String>>, subject: Option<&str>, year: Option<i32>) -> Option<Found<String>> {
    let subject = subject?;
    let year = year?;
    let mut base = super::text::slug(&short_title(subject));
    let year_suffix = format!("-{year}");
    if let Some(stripped) = base.strip_suffix(&year_suffix) {
        base = stripped.to_string();
    }
    let place_slug = place.map(|p| super::text::slug(&p.value)).unwrap_or_default();
    let code = if place_slug.is_empty() || base.contains(&place_slug) {
        format!("{base}-{year}")
    } else {
        format!("{place_slug}-{base}-{year}")
    };
    Some(Found::new(code, subject, 0, Confidence::Medium))
}

fn missing_parts(plan: &PlanDraft, problems: &mut Vec<String>) {
    let c = &plan.campaign;
    let required: [(&str, &str, bool); 12] = [
        ("campaign.title", "tên văn bản (KẾ HOẠCH ...)", c.title.is_some()),
        ("campaign.year", "năm", c.year.is_some()),
        ("campaign.theme", "chủ đề", c.theme.is_some()),
        ("campaign.issuing_body", "cơ quan ban hành", c.issuing_body.is_some()),
        ("campaign.place", "địa danh", c.place.is_some()),
        ("campaign.code", "mã kế hoạch", c.code.is_some()),
        ("campaign.starts_on", "ngày bắt đầu", c.starts_on.is_some()),
        ("campaign.ends_on", "ngày kết thúc", c.ends_on.is_some()),
        (
            "campaign.signatory",
            "người ký (TM. ... / chức vụ / họ tên)",
            c.signatory_name.is_some() && c.signatory_title.is_some() && c.signatory_on_behalf_of.is_some(),
        ),
        ("campaign.contact.office", "nơi nhận báo cáo", c.contact_office.is_some()),
        ("reporting.weekly", "lịch báo cáo hàng tuần (thứ, giờ)", plan.weekly.is_some()),
        ("recipients", "nơi nhận", !plan.recipients.is_empty()),
    ];
    for (field, what, present) in required {
        if !present {
            problems.push(format!(
                "Không tìm thấy {what}: đã điền chỗ trống \"{MISSING}\" để người duyệt bổ sung / {field} not found: a placeholder was filled in for the reviewer"
            ));
        }
    }
    if c.document_number.is_none() {
        problems.push("Văn bản không ghi số ký hiệu (Số: ...) / the document gives no number and symbol".to_string());
    }
    if c.issued_on.is_none() {
        problems.push(
            "Văn bản không ghi ngày ban hành (..., ngày ... tháng ... năm ...) / the document gives no date of issue"
                .to_string(),
        );
    }
}

// ---------------------------------------------------------------------------
// Extracted items

struct Items(Vec<Extracted>);

impl Items {
    fn push<T: ToString>(&mut self, field: impl Into<String>, found: &Found<T>) {
        self.0.push(Extracted {
            field: field.into(),
            value: found.value.to_string(),
            source: found.source.clone(),
            line: found.line,
            confidence: found.confidence,
        });
    }

    fn opt<T: ToString>(&mut self, field: &str, found: &Option<Found<T>>) {
        if let Some(f) = found {
            self.push(field, f);
        }
    }
}

pub(crate) fn when_text(when: When) -> String {
    crate::plan::lint::describe(when)
}

impl PlanDraft {
    /// Every value read, with where it came from, in plan order.
    pub fn items(&self) -> Vec<Extracted> {
        let mut it = Items(Vec::new());
        let c = &self.campaign;
        for (field, f) in [
            ("campaign.title", &c.title),
            ("campaign.short_title", &c.short_title),
            ("campaign.code", &c.code),
            ("campaign.theme", &c.theme),
            ("campaign.superior_body", &c.superior_body),
            ("campaign.issuing_body", &c.issuing_body),
            ("campaign.document_type", &c.document_type),
            ("campaign.document_number", &c.document_number),
            ("campaign.place", &c.place),
            ("campaign.basis", &c.basis),
            ("campaign.signatory.on_behalf_of", &c.signatory_on_behalf_of),
            ("campaign.signatory.title", &c.signatory_title),
            ("campaign.signatory.name", &c.signatory_name),
            ("campaign.contact.office", &c.contact_office),
            ("campaign.contact.email", &c.contact_email),
            ("campaign.contact.phone", &c.contact_phone),
        ] {
            it.opt(field, f);
        }
        it.opt("campaign.year", &c.year);
        for (field, f) in [
            ("campaign.issued_on", &c.issued_on),
            ("campaign.starts_on", &c.starts_on),
            ("campaign.ends_on", &c.ends_on),
        ] {
            it.opt(field, f);
        }
        for (i, a) in self.areas.iter().enumerate() {
            it.push(format!("areas[{i}].title"), &a.title);
        }
        for (i, g) in self.groups.iter().enumerate() {
            it.push(format!("target_groups[{i}].title"), &g.title);
        }
        for (i, t) in self.targets.iter().enumerate() {
            it.push(format!("targets[{i}].number"), &t.number);
            for (j, ind) in t.indicators.iter().enumerate() {
                let p = format!("targets[{i}].indicators[{j}]");
                if ind.goal_missing {
                    it.push(format!("{p}.goal"), &ind.goal.clone().map(|_| MISSING));
                } else {
                    it.push(format!("{p}.goal"), &ind.goal);
                }
                it.push(format!("{p}.comparison"), &ind.comparison.clone().map(|c| c.as_str()));
                it.push(format!("{p}.kind"), &ind.kind.clone().map(|k| k.as_str()));
                it.opt(&format!("{p}.unit_label"), &ind.unit_label);
                it.opt(&format!("{p}.base"), &ind.base.clone().map(|b| b.map(|b| b.as_str())));
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            it.push(format!("events[{i}].title"), &e.title);
            it.opt(&format!("events[{i}].starts_on"), &e.starts_on);
            it.opt(&format!("events[{i}].place"), &e.place);
        }
        for (i, m) in self.milestones.iter().enumerate() {
            it.push(format!("milestones[{i}].when"), &m.when.clone().map(when_text));
            it.opt(&format!("milestones[{i}].place"), &m.place);
        }
        it.opt("reporting.send_to", &self.send_to);
        if let Some(w) = &self.weekly {
            it.push("reporting.weekly.first_period_end", &w.first_period_end);
            it.push("reporting.weekly.last_period_end", &w.last_period_end);
            it.push("reporting.weekly.due_time", &w.due_time);
        }
        for (i, r) in self.recipients.iter().enumerate() {
            it.push(format!("recipients[{i}]"), r);
        }
        it.0
    }
}
