//! The plan as the office edits it in the browser: every field is the text a person
//! typed ("1.200", "24/02/2023", "80%"), so that a wrong value is shown back beside
//! its field with what is wrong, never lost or half-stored.
//!
//! The plan file (TOML) stays the storage and exchange format: [`PlanEdit::from_toml`]
//! reads one (an imported draft with its "⚠ CHƯA CÓ" placeholders, or a running
//! plan to amend), [`PlanEdit::check`] checks every field and, when they all read,
//! writes the plan file and runs the plan's own checks (`parse_plan`) and linter,
//! each note attached to the field it concerns by its dotted path
//! ("targets[2].indicators[0].goal", the same paths as the plan's errors and the
//! importer's extracted values).
//!
//! Items keep an `origin` (the path they had when read) so that the sentence a value
//! was read from ([`Source`]) stays beside the field after items are added, removed
//! or moved. Pure: no IO.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::lint;
use super::load::{parse_plan, parse_time, PLACEHOLDER};
use super::model::Plan;
use super::values::{Comparison, FileDate, IndicatorKind, Level};
use crate::import::{Extracted, ImportDraft};
use crate::unit::{BaseFigure, UnitKind};

/// The longest text one field of the editor takes (a plan's longest sentence is a
/// few hundred characters).
pub const MAX_FIELD_CHARS: usize = 5_000;

/// The most items one list of the editor holds (a plan has tens).
pub const MAX_ITEMS: usize = 300;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanEdit {
    pub campaign: CampaignEdit,
    pub aims: Vec<String>,
    pub requirements: Vec<String>,
    pub areas: Vec<AreaEdit>,
    pub target_groups: Vec<GroupEdit>,
    pub targets: Vec<TargetEdit>,
    pub events: Vec<EventEdit>,
    pub milestones: Vec<MilestoneEdit>,
    pub reporting: ReportingEdit,
    pub duties: Vec<DutyEdit>,
    pub recipients: Vec<String>,
    /// Where values were read from (an imported document), by origin path and field.
    pub sources: BTreeMap<String, Source>,
}

/// The sentence of the document a value was read from, and how sure the reader was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub value: String,
    pub sentence: String,
    /// 1-based line of the document; 0 when derived.
    pub line: usize,
    /// "low", "medium" or "high".
    pub confidence: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignEdit {
    pub code: String,
    pub title: String,
    pub short_title: String,
    pub year: String,
    pub theme: String,
    pub superior_body: String,
    pub issuing_body: String,
    pub document_type: String,
    pub document_number: String,
    pub place: String,
    pub issued_on: String,
    pub basis: String,
    pub starts_on: String,
    pub ends_on: String,
    pub timezone: String,
    pub signatory_on_behalf_of: String,
    pub signatory_title: String,
    pub signatory_name: String,
    pub contact_office: String,
    pub contact_email: String,
    pub contact_phone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AreaEdit {
    pub origin: String,
    pub number: String,
    pub title: String,
    pub items: Vec<String>,
    pub groups: Vec<AreaGroupEdit>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AreaGroupEdit {
    pub heading: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupEdit {
    pub origin: String,
    pub key: String,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetEdit {
    pub origin: String,
    pub number: String,
    pub group: String,
    pub text: String,
    pub area: String,
    pub indicators: Vec<IndicatorEdit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorEdit {
    pub origin: String,
    pub key: String,
    pub label: String,
    /// "count", "percent_of_base", "share_of_units", "minimum_per_unit".
    pub kind: String,
    /// ">=" or ">".
    pub comparison: String,
    pub goal: String,
    pub unit_label: String,
    pub base: String,
    pub levels: Vec<String>,
    pub unit_kinds: Vec<String>,
    pub per_unit_minimum: String,
    pub part_of: String,
    pub note: String,
    /// No new figures are asked for; its figures stay visible.
    pub retired: bool,
}

impl Default for IndicatorEdit {
    fn default() -> Self {
        IndicatorEdit {
            origin: String::new(),
            key: String::new(),
            label: String::new(),
            kind: "count".into(),
            comparison: ">=".into(),
            goal: String::new(),
            unit_label: String::new(),
            base: String::new(),
            levels: Vec::new(),
            unit_kinds: Vec::new(),
            per_unit_minimum: String::new(),
            part_of: String::new(),
            note: String::new(),
            retired: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventEdit {
    pub origin: String,
    pub number: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
    pub place: String,
    pub host_unit: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneEdit {
    pub origin: String,
    pub key: String,
    pub title: String,
    /// "province", "district", "grassroots", "branch".
    pub level: String,
    /// "on" (a day), "window" (from … to …), "before" (due before a day).
    pub when: String,
    pub date: String,
    pub until: String,
    pub place: String,
    pub host_unit: String,
    pub source: String,
    pub note: String,
}

impl Default for MilestoneEdit {
    fn default() -> Self {
        MilestoneEdit {
            origin: String::new(),
            key: String::new(),
            title: String::new(),
            level: "province".into(),
            when: "on".into(),
            date: String::new(),
            until: String::new(),
            place: String::new(),
            host_unit: String::new(),
            source: String::new(),
            note: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportingEdit {
    pub levels: Vec<String>,
    pub send_to: String,
    pub first_period_end: String,
    pub last_period_end: String,
    pub due_time: String,
    pub rule_text: String,
    pub lock_after_days: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DutyEdit {
    pub origin: String,
    pub party: String,
    /// "", "standing_agency", "steering", "district_units", "host", "issuer".
    pub role: String,
    pub unit: String,
    pub items: Vec<String>,
}

/// One note of the checks, on one field (its dotted path) or on the whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub path: Option<String>,
    /// An error refuses the plan; otherwise it is the linter's note to look at.
    pub error: bool,
    pub vi: String,
    pub en: String,
}

/// The editor's checks: every note, and the plan file and plan when they read.
#[derive(Debug, Clone)]
pub struct Checked {
    pub notes: Vec<Note>,
    pub toml: Option<String>,
    pub plan: Option<Plan>,
}

impl Checked {
    pub fn is_valid(&self) -> bool {
        self.plan.is_some() && !self.notes.iter().any(|n| n.error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(|n| n.error)
    }

    /// The notes on one field.
    pub fn on(&self, path: &str) -> Vec<&Note> {
        self.notes.iter().filter(|n| n.path.as_deref() == Some(path)).collect()
    }
}

/// The kinds of indicator in the office's words.
pub const KINDS: [(&str, &str, &str); 4] = [
    ("count", "Số lượng", "A count"),
    (
        "percent_of_base",
        "Tỉ lệ trên số đoàn viên/thanh niên… (số liệu nền)",
        "A share of a base figure (members, youth…)",
    ),
    ("share_of_units", "Tỉ lệ đơn vị thực hiện", "A share of units"),
    ("minimum_per_unit", "Mỗi đơn vị ít nhất", "At least so many per unit"),
];

/// The roles a duty can give in the product, in the office's words ("" = none).
pub const DUTY_ROLES: [(&str, &str, &str); 6] = [
    ("", "—", "—"),
    ("standing_agency", "Cơ quan thường trực", "Standing agency"),
    ("steering", "Ban Chỉ đạo", "Steering committee"),
    ("district_units", "Các đơn vị cấp huyện", "District-level units"),
    ("host", "Đơn vị đăng cai", "Host"),
    ("issuer", "Cơ quan ban hành", "Issuing body"),
];

fn kind_label(kind: &str) -> &str {
    KINDS.iter().find(|k| k.0 == kind).map(|k| k.1).unwrap_or(kind)
}

// ---------------------------------------------------------------- reading a file

fn is_placeholder(text: &str) -> bool {
    text.contains(PLACEHOLDER)
}

/// The text of a value as the editor shows it: dates as dd/mm/yyyy, numbers in the
/// Vietnamese way, the importer's placeholder as an empty field.
fn text_of(value: Option<&toml::Value>) -> String {
    match value {
        None => String::new(),
        Some(toml::Value::String(s)) if is_placeholder(s) => String::new(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Integer(i)) => crate::format::number(*i as f64, 0),
        Some(toml::Value::Float(f)) => crate::format::number(*f, 6),
        Some(toml::Value::Boolean(b)) => b.to_string(),
        Some(toml::Value::Datetime(dt)) => match dt.date {
            Some(d) => format!("{:02}/{:02}/{}", d.day, d.month, d.year),
            None => dt.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// A date field: a TOML date or a text date, shown as dd/mm/yyyy.
fn date_of(value: Option<&toml::Value>) -> String {
    let text = text_of(value);
    match FileDate::parse(&text) {
        Ok(d) => d.0.format("%d/%m/%Y").to_string(),
        Err(_) => text,
    }
}

fn strings_of(value: Option<&toml::Value>) -> Vec<String> {
    match value {
        Some(toml::Value::Array(items)) => {
            items.iter().map(|v| text_of(Some(v))).filter(|s| !s.trim().is_empty()).collect()
        }
        Some(v) => {
            let s = text_of(Some(v));
            if s.trim().is_empty() {
                Vec::new()
            } else {
                vec![s]
            }
        }
        None => Vec::new(),
    }
}

fn tables<'a>(t: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    match t.get(key) {
        Some(toml::Value::Array(items)) => items.iter().filter_map(|v| v.as_table()).collect(),
        _ => Vec::new(),
    }
}

fn table<'a>(t: &'a toml::Table, key: &str) -> Option<&'a toml::Table> {
    t.get(key).and_then(|v| v.as_table())
}

/// A line whose value (or whose comment) carries the importer's placeholder becomes
/// `key = "⚠ CHƯA CÓ / MISSING"`, so that a stand-in such as `goal = 0  # ⚠ CHƯA CÓ`
/// is read as a missing value, never as a goal of 0.
fn mark_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') && is_placeholder(line) {
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim();
                if !key.is_empty() && !key.starts_with('"') && !key.contains('[') {
                    let _ = writeln!(out, "{key} = \"⚠ {PLACEHOLDER}\"");
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

impl PlanEdit {
    /// Reads a plan file, valid or not (a draft with placeholders, an old plan), as
    /// long as it is TOML. Every item's origin is its path in that file.
    pub fn from_toml(text: &str) -> Result<PlanEdit, String> {
        let marked = mark_placeholders(&crate::text::nfc(text));
        let root: toml::Table = marked.parse().map_err(|e: toml::de::Error| {
            format!(
                "Tệp kế hoạch không đọc được (sai cú pháp): {} / the plan file is not readable TOML: {}",
                e.message().trim(),
                e.message().trim()
            )
        })?;
        let mut edit = PlanEdit::default();
        let empty = toml::Table::new();
        let c = table(&root, "campaign").unwrap_or(&empty);
        let sig = table(c, "signatory").unwrap_or(&empty);
        let contact = table(c, "contact").unwrap_or(&empty);
        edit.campaign = CampaignEdit {
            code: text_of(c.get("code")),
            title: text_of(c.get("title")),
            short_title: text_of(c.get("short_title")),
            year: text_of(c.get("year")).replace('.', ""),
            theme: text_of(c.get("theme")),
            superior_body: text_of(c.get("superior_body")),
            issuing_body: text_of(c.get("issuing_body")),
            document_type: text_of(c.get("document_type")),
            document_number: text_of(c.get("document_number")),
            place: text_of(c.get("place")),
            issued_on: date_of(c.get("issued_on")),
            basis: text_of(c.get("basis")),
            starts_on: date_of(c.get("starts_on")),
            ends_on: date_of(c.get("ends_on")),
            timezone: text_of(c.get("timezone")),
            signatory_on_behalf_of: text_of(sig.get("on_behalf_of")),
            signatory_title: text_of(sig.get("title")),
            signatory_name: text_of(sig.get("name")),
            contact_office: text_of(contact.get("office")),
            contact_email: text_of(contact.get("email")),
            contact_phone: text_of(contact.get("phone")),
        };
        if edit.campaign.year == "0" {
            edit.campaign.year.clear();
        }
        let purpose = table(&root, "purpose").unwrap_or(&empty);
        edit.aims = strings_of(purpose.get("aims"));
        edit.requirements = strings_of(purpose.get("requirements"));
        for (i, a) in tables(&root, "areas").into_iter().enumerate() {
            edit.areas.push(AreaEdit {
                origin: format!("areas[{i}]"),
                number: text_of(a.get("number")),
                title: text_of(a.get("title")),
                items: strings_of(a.get("items")),
                groups: tables(a, "groups")
                    .into_iter()
                    .map(|g| AreaGroupEdit { heading: text_of(g.get("heading")), items: strings_of(g.get("items")) })
                    .collect(),
            });
        }
        for (i, g) in tables(&root, "target_groups").into_iter().enumerate() {
            edit.target_groups.push(GroupEdit {
                origin: format!("target_groups[{i}]"),
                key: text_of(g.get("key")),
                title: text_of(g.get("title")),
            });
        }
        for (i, t) in tables(&root, "targets").into_iter().enumerate() {
            let mut target = TargetEdit {
                origin: format!("targets[{i}]"),
                number: text_of(t.get("number")),
                group: text_of(t.get("group")),
                text: text_of(t.get("text")),
                area: text_of(t.get("area")),
                indicators: Vec::new(),
            };
            for (j, ind) in tables(t, "indicators").into_iter().enumerate() {
                target.indicators.push(IndicatorEdit {
                    origin: format!("targets[{i}].indicators[{j}]"),
                    key: text_of(ind.get("key")),
                    label: text_of(ind.get("label")),
                    kind: text_of(ind.get("kind")),
                    comparison: text_of(ind.get("comparison")),
                    goal: text_of(ind.get("goal")),
                    unit_label: text_of(ind.get("unit_label")),
                    base: text_of(ind.get("base")),
                    levels: strings_of(ind.get("levels")),
                    unit_kinds: strings_of(ind.get("unit_kinds")),
                    per_unit_minimum: text_of(ind.get("per_unit_minimum")),
                    part_of: text_of(ind.get("part_of")),
                    note: text_of(ind.get("note")),
                    retired: matches!(ind.get("retired"), Some(toml::Value::Boolean(true))),
                });
            }
            edit.targets.push(target);
        }
        for (i, e) in tables(&root, "events").into_iter().enumerate() {
            edit.events.push(EventEdit {
                origin: format!("events[{i}]"),
                number: text_of(e.get("number")),
                title: text_of(e.get("title")),
                starts_on: date_of(e.get("starts_on")),
                ends_on: date_of(e.get("ends_on")),
                place: text_of(e.get("place")),
                host_unit: text_of(e.get("host_unit")),
                note: text_of(e.get("note")),
            });
        }
        for (i, m) in tables(&root, "milestones").into_iter().enumerate() {
            let (when, date, until) = if m.contains_key("from") || m.contains_key("to") {
                ("window", date_of(m.get("from")), date_of(m.get("to")))
            } else if m.contains_key("before") {
                ("before", date_of(m.get("before")), String::new())
            } else {
                ("on", date_of(m.get("on")), String::new())
            };
            edit.milestones.push(MilestoneEdit {
                origin: format!("milestones[{i}]"),
                key: text_of(m.get("key")),
                title: text_of(m.get("title")),
                level: text_of(m.get("level")),
                when: when.into(),
                date,
                until,
                place: text_of(m.get("place")),
                host_unit: text_of(m.get("host_unit")),
                source: text_of(m.get("source")),
                note: text_of(m.get("note")),
            });
        }
        let r = table(&root, "reporting").unwrap_or(&empty);
        let w = table(r, "weekly").unwrap_or(&empty);
        edit.reporting = ReportingEdit {
            levels: strings_of(r.get("levels")),
            send_to: text_of(r.get("send_to")),
            first_period_end: date_of(w.get("first_period_end")),
            last_period_end: date_of(w.get("last_period_end")),
            due_time: text_of(w.get("due_time")),
            rule_text: text_of(w.get("rule_text")),
            lock_after_days: text_of(r.get("lock_after_days")),
        };
        for (i, d) in tables(&root, "duties").into_iter().enumerate() {
            edit.duties.push(DutyEdit {
                origin: format!("duties[{i}]"),
                party: text_of(d.get("party")),
                role: text_of(d.get("role")),
                unit: text_of(d.get("unit")),
                items: strings_of(d.get("items")),
            });
        }
        edit.recipients = strings_of(root.get("recipients"));
        edit.canonical_order();
        Ok(edit)
    }

    /// Levels and kinds of units are sets: kept in one order (the order of the
    /// editor's boxes), whatever order a file gave them in.
    pub fn canonical_order(&mut self) {
        let level_rank = |s: &String| Level::ALL.iter().position(|l| l.as_str() == s).unwrap_or(usize::MAX);
        let kind_rank = |s: &String| UnitKind::ALL.iter().position(|k| k.as_str() == s).unwrap_or(usize::MAX);
        self.reporting.levels.sort_by_key(level_rank);
        for t in &mut self.targets {
            for i in &mut t.indicators {
                i.levels.sort_by_key(level_rank);
                i.unit_kinds.sort_by_key(kind_rank);
            }
        }
    }

    /// Whether a list holds more items than a plan can (see [`MAX_ITEMS`]).
    pub fn is_too_large(&self) -> bool {
        let lists = [
            self.aims.len(),
            self.requirements.len(),
            self.areas.len(),
            self.target_groups.len(),
            self.targets.len(),
            self.events.len(),
            self.milestones.len(),
            self.duties.len(),
            self.recipients.len(),
        ];
        lists.iter().any(|n| *n > MAX_ITEMS)
            || self.targets.iter().any(|t| t.indicators.len() > MAX_ITEMS)
            || self.areas.iter().any(|a| a.groups.len() > MAX_ITEMS || a.items.len() > MAX_ITEMS)
    }

    /// The importer's draft in the editor, each value beside the sentence it came from.
    pub fn from_import(draft: &ImportDraft) -> Result<PlanEdit, String> {
        let mut edit = PlanEdit::from_toml(&draft.to_toml())?;
        edit.attach_sources(&draft.items);
        Ok(edit)
    }

    /// Keeps where each value was read (by the path the importer gave it).
    pub fn attach_sources(&mut self, items: &[Extracted]) {
        for item in items {
            self.sources.insert(
                item.field.clone(),
                Source {
                    value: item.value.clone(),
                    sentence: item.source.clone(),
                    line: item.line,
                    confidence: item.confidence.as_str().to_string(),
                },
            );
        }
    }

    /// The source of the field `field` of the item read at `origin` ("" for a
    /// campaign or reporting field given by its whole path).
    pub fn source(&self, origin: &str, field: &str) -> Option<&Source> {
        if origin.is_empty() {
            return self.sources.get(field);
        }
        self.sources.get(&format!("{origin}.{field}"))
    }

    /// The editor's path of every value read from the document, today, with its
    /// source: what the reviewer looks at (low confidence first).
    pub fn sourced_fields(&self) -> Vec<(String, &Source)> {
        let mut out = Vec::new();
        let mut by_origin: BTreeMap<String, String> = BTreeMap::new();
        for (i, a) in self.areas.iter().enumerate() {
            by_origin.insert(a.origin.clone(), format!("areas[{i}]"));
        }
        for (i, g) in self.target_groups.iter().enumerate() {
            by_origin.insert(g.origin.clone(), format!("target_groups[{i}]"));
        }
        for (i, t) in self.targets.iter().enumerate() {
            by_origin.insert(t.origin.clone(), format!("targets[{i}]"));
            for (j, ind) in t.indicators.iter().enumerate() {
                by_origin.insert(ind.origin.clone(), format!("targets[{i}].indicators[{j}]"));
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            by_origin.insert(e.origin.clone(), format!("events[{i}]"));
        }
        for (i, m) in self.milestones.iter().enumerate() {
            by_origin.insert(m.origin.clone(), format!("milestones[{i}]"));
        }
        by_origin.remove("");
        for (key, source) in &self.sources {
            if key.starts_with("campaign.") || key.starts_with("reporting.") || key.starts_with("recipients") {
                let path = if key.starts_with("recipients") { "recipients".to_string() } else { key.clone() };
                out.push((path, source));
                continue;
            }
            // The longest origin that prefixes the key: "targets[4].indicators[0]".
            let found = by_origin
                .iter()
                .filter(|(origin, _)| key.starts_with(&format!("{origin}.")))
                .max_by_key(|(origin, _)| origin.len());
            if let Some((origin, now)) = found {
                let field = &key[origin.len()..];
                let field = if field == ".when" { ".date" } else { field };
                out.push((format!("{now}{field}"), source));
            }
        }
        out.sort_by(|a, b| a.1.confidence.cmp(&b.1.confidence).then(a.0.cmp(&b.0)));
        out
    }
}

// ---------------------------------------------------------------- the form

/// One step of a path: `targets[2]` is ("targets", Some(2)).
fn segments(path: &str) -> Option<Vec<(&str, Option<usize>)>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((name, rest)) => {
                let index = rest.strip_suffix(']')?.parse::<usize>().ok()?;
                out.push((name, Some(index)));
            }
            None => out.push((part, None)),
        }
    }
    Some(out)
}

/// The item at `index`, adding it when it is the next one (a form lists items in
/// order); None for an index beyond that or the limit.
fn slot<T: Default>(list: &mut Vec<T>, index: usize) -> Option<&mut T> {
    if index >= MAX_ITEMS {
        return None;
    }
    if index == list.len() {
        list.push(T::default());
    }
    list.get_mut(index)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

impl PlanEdit {
    /// The plan as the editor's form sent it: every field by its path, lists of lines
    /// in text boxes, several values for check boxes. Sources are not in the form:
    /// keep them from the stored draft.
    pub fn from_form(pairs: &[(String, String)], sources: BTreeMap<String, Source>) -> PlanEdit {
        let mut edit = PlanEdit { sources, ..PlanEdit::default() };
        for (path, value) in pairs {
            edit.set(path, value);
        }
        edit
    }

    fn set(&mut self, path: &str, value: &str) {
        let Some(segs) = segments(path) else { return };
        let v = value.replace("\r\n", "\n");
        let one = v.trim().to_string();
        match segs.as_slice() {
            [("campaign", None), (field, None)] => {
                let c = &mut self.campaign;
                let slot = match *field {
                    "code" => &mut c.code,
                    "title" => &mut c.title,
                    "short_title" => &mut c.short_title,
                    "year" => &mut c.year,
                    "theme" => &mut c.theme,
                    "superior_body" => &mut c.superior_body,
                    "issuing_body" => &mut c.issuing_body,
                    "document_type" => &mut c.document_type,
                    "document_number" => &mut c.document_number,
                    "place" => &mut c.place,
                    "issued_on" => &mut c.issued_on,
                    "basis" => &mut c.basis,
                    "starts_on" => &mut c.starts_on,
                    "ends_on" => &mut c.ends_on,
                    "timezone" => &mut c.timezone,
                    _ => return,
                };
                *slot = one;
            }
            [("campaign", None), ("signatory", None), (field, None)] => {
                let c = &mut self.campaign;
                match *field {
                    "on_behalf_of" => c.signatory_on_behalf_of = one,
                    "title" => c.signatory_title = one,
                    "name" => c.signatory_name = one,
                    _ => {}
                }
            }
            [("campaign", None), ("contact", None), (field, None)] => {
                let c = &mut self.campaign;
                match *field {
                    "office" => c.contact_office = one,
                    "email" => c.contact_email = one,
                    "phone" => c.contact_phone = one,
                    _ => {}
                }
            }
            [("purpose", None), ("aims", None)] => self.aims = lines(&v),
            [("purpose", None), ("requirements", None)] => self.requirements = lines(&v),
            [("recipients", None)] => self.recipients = lines(&v),
            [("areas", Some(i)), ("groups", Some(j)), (field, None)] => {
                if let Some(g) = slot(&mut self.areas, *i).and_then(|a| slot(&mut a.groups, *j)) {
                    match *field {
                        "heading" => g.heading = one,
                        "items" => g.items = lines(&v),
                        _ => {}
                    }
                }
            }
            [("areas", Some(i)), (field, None)] => {
                if let Some(a) = slot(&mut self.areas, *i) {
                    match *field {
                        "origin" => a.origin = one,
                        "number" => a.number = one,
                        "title" => a.title = one,
                        "items" => a.items = lines(&v),
                        _ => {}
                    }
                }
            }
            [("target_groups", Some(i)), (field, None)] => {
                if let Some(g) = slot(&mut self.target_groups, *i) {
                    match *field {
                        "origin" => g.origin = one,
                        "key" => g.key = one,
                        "title" => g.title = one,
                        _ => {}
                    }
                }
            }
            [("targets", Some(i)), ("indicators", Some(j)), (field, None)] => {
                let Some(ind) = slot(&mut self.targets, *i).and_then(|t| slot(&mut t.indicators, *j)) else {
                    return;
                };
                match *field {
                    "origin" => ind.origin = one,
                    "key" => ind.key = one,
                    "label" => ind.label = one,
                    "kind" => ind.kind = one,
                    "comparison" => ind.comparison = one,
                    "goal" => ind.goal = one,
                    "unit_label" => ind.unit_label = one,
                    "base" => ind.base = one,
                    "levels" if !one.is_empty() && !ind.levels.contains(&one) => ind.levels.push(one),
                    "unit_kinds" if !one.is_empty() && !ind.unit_kinds.contains(&one) => ind.unit_kinds.push(one),
                    "per_unit_minimum" => ind.per_unit_minimum = one,
                    "part_of" => ind.part_of = one,
                    "note" => ind.note = one,
                    "retired" => ind.retired = matches!(one.as_str(), "1" | "true" | "on"),
                    _ => {}
                }
            }
            [("targets", Some(i)), (field, None)] => {
                if let Some(t) = slot(&mut self.targets, *i) {
                    match *field {
                        "origin" => t.origin = one,
                        "number" => t.number = one,
                        "group" => t.group = one,
                        "text" => t.text = one,
                        "area" => t.area = one,
                        _ => {}
                    }
                }
            }
            [("events", Some(i)), (field, None)] => {
                if let Some(e) = slot(&mut self.events, *i) {
                    match *field {
                        "origin" => e.origin = one,
                        "number" => e.number = one,
                        "title" => e.title = one,
                        "starts_on" => e.starts_on = one,
                        "ends_on" => e.ends_on = one,
                        "place" => e.place = one,
                        "host_unit" => e.host_unit = one,
                        "note" => e.note = one,
                        _ => {}
                    }
                }
            }
            [("milestones", Some(i)), (field, None)] => {
                if let Some(m) = slot(&mut self.milestones, *i) {
                    match *field {
                        "origin" => m.origin = one,
                        "key" => m.key = one,
                        "title" => m.title = one,
                        "level" => m.level = one,
                        "when" => m.when = one,
                        "date" => m.date = one,
                        "until" => m.until = one,
                        "place" => m.place = one,
                        "host_unit" => m.host_unit = one,
                        "source" => m.source = one,
                        "note" => m.note = one,
                        _ => {}
                    }
                }
            }
            [("reporting", None), (field, None)] => {
                let r = &mut self.reporting;
                match *field {
                    "levels" if !one.is_empty() && !r.levels.contains(&one) => r.levels.push(one),
                    "send_to" => r.send_to = one,
                    "lock_after_days" => r.lock_after_days = one,
                    _ => {}
                }
            }
            [("reporting", None), ("weekly", None), (field, None)] => {
                let r = &mut self.reporting;
                match *field {
                    "first_period_end" => r.first_period_end = one,
                    "last_period_end" => r.last_period_end = one,
                    "due_time" => r.due_time = one,
                    "rule_text" => r.rule_text = one,
                    _ => {}
                }
            }
            [("duties", Some(i)), (field, None)] => {
                if let Some(d) = slot(&mut self.duties, *i) {
                    match *field {
                        "origin" => d.origin = one,
                        "party" => d.party = one,
                        "role" => d.role = one,
                        "unit" => d.unit = one,
                        "items" => d.items = lines(&v),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- add, remove, move

/// What a button of the editor does to a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Add,
    Remove,
    Up,
    Down,
}

fn apply_to<T: Default + Clone>(list: &mut Vec<T>, how: Move, index: Option<usize>) -> Result<(), String> {
    match (how, index) {
        (Move::Add, None) if list.len() < MAX_ITEMS => list.push(T::default()),
        (Move::Add, None) => return Err(format!("Tối đa {MAX_ITEMS} mục / at most {MAX_ITEMS} items")),
        (Move::Remove, Some(i)) if i < list.len() => {
            list.remove(i);
        }
        (Move::Up, Some(i)) if i > 0 && i < list.len() => list.swap(i - 1, i),
        (Move::Down, Some(i)) if i + 1 < list.len() => list.swap(i, i + 1),
        (Move::Up | Move::Down, Some(_)) => {}
        _ => return Err("Thao tác không hợp lệ / invalid operation".into()),
    }
    Ok(())
}

impl PlanEdit {
    /// Applies one button of the editor: "add:targets", "add:targets[2].indicators",
    /// "remove:targets[2].indicators[1]", "up:events[3]", "down:milestones[0]",
    /// "renumber:targets". New items get the next document number and key.
    pub fn apply(&mut self, op: &str) -> Result<(), String> {
        let (verb, path) = op.split_once(':').ok_or("Thao tác không hợp lệ / invalid operation")?;
        if verb == "renumber" && path == "targets" {
            self.renumber_targets();
            return Ok(());
        }
        let how = match verb {
            "add" => Move::Add,
            "remove" => Move::Remove,
            "up" => Move::Up,
            "down" => Move::Down,
            _ => return Err("Thao tác không hợp lệ / invalid operation".into()),
        };
        let segs = segments(path).ok_or("Thao tác không hợp lệ / invalid operation")?;
        let bad = || "Thao tác không hợp lệ / invalid operation".to_string();
        match segs.as_slice() {
            [("areas", i)] => {
                apply_to(&mut self.areas, how, *i)?;
                if how == Move::Add {
                    let n = self.areas.iter().filter(|a| !a.number.contains('.')).count();
                    if let Some(a) = self.areas.last_mut() {
                        a.number = n.to_string();
                    }
                }
            }
            [("areas", Some(a)), ("groups", j)] => {
                apply_to(&mut self.areas.get_mut(*a).ok_or_else(bad)?.groups, how, *j)?;
            }
            [("target_groups", i)] => apply_to(&mut self.target_groups, how, *i)?,
            [("targets", i)] => {
                apply_to(&mut self.targets, how, *i)?;
                if how == Move::Add {
                    let next = self.targets.iter().filter_map(|t| t.number.parse::<u32>().ok()).max().unwrap_or(0) + 1;
                    let group = self
                        .targets
                        .iter()
                        .rev()
                        .nth(1)
                        .map(|t| t.group.clone())
                        .or_else(|| self.target_groups.first().map(|g| g.key.clone()))
                        .unwrap_or_default();
                    if let Some(t) = self.targets.last_mut() {
                        t.number = next.to_string();
                        t.group = group;
                        t.indicators.push(IndicatorEdit { key: next.to_string(), ..IndicatorEdit::default() });
                    }
                }
            }
            [("targets", Some(t)), ("indicators", j)] => {
                let target = self.targets.get_mut(*t).ok_or_else(bad)?;
                apply_to(&mut target.indicators, how, *j)?;
                if how == Move::Add {
                    let keys: BTreeSet<String> = target.indicators.iter().map(|i| i.key.clone()).collect();
                    let key = ('a'..='z')
                        .map(|c| format!("{}{c}", target.number))
                        .find(|k| !keys.contains(k))
                        .unwrap_or_default();
                    if let Some(ind) = target.indicators.last_mut() {
                        ind.key = key;
                    }
                }
            }
            [("events", i)] => {
                apply_to(&mut self.events, how, *i)?;
                if how == Move::Add {
                    let next = self.events.iter().filter_map(|e| e.number.parse::<u32>().ok()).max().unwrap_or(0) + 1;
                    if let Some(e) = self.events.last_mut() {
                        e.number = next.to_string();
                    }
                }
            }
            [("milestones", i)] => {
                apply_to(&mut self.milestones, how, *i)?;
                if how == Move::Add {
                    let keys: BTreeSet<String> = self.milestones.iter().map(|m| m.key.clone()).collect();
                    let key = (1..).map(|n| format!("moc-{n}")).find(|k| !keys.contains(k)).unwrap_or_default();
                    if let Some(m) = self.milestones.last_mut() {
                        m.key = key;
                    }
                }
            }
            [("duties", i)] => apply_to(&mut self.duties, how, *i)?,
            _ => return Err(bad()),
        }
        Ok(())
    }

    /// Numbers the targets 1, 2, 3 … in their order; an indicator keyed by its
    /// target's number ("4", "4a", "4b") follows it, and "trong đó" links follow.
    fn renumber_targets(&mut self) {
        for (i, t) in self.targets.iter_mut().enumerate() {
            let old = t.number.clone();
            let new = (i + 1).to_string();
            let mut renamed = BTreeMap::new();
            for ind in &mut t.indicators {
                if let Some(rest) = ind.key.strip_prefix(old.as_str()) {
                    if rest.chars().all(|c| c.is_ascii_lowercase()) {
                        let key = format!("{new}{rest}");
                        renamed.insert(ind.key.clone(), key.clone());
                        ind.key = key;
                    }
                }
            }
            for ind in &mut t.indicators {
                if let Some(k) = renamed.get(&ind.part_of) {
                    ind.part_of = k.clone();
                }
            }
            t.number = new;
        }
    }
}

// ---------------------------------------------------------------- checks and the file

/// Reads a goal as people type it: "1.200", "1 200", "80%", "7,5", "7.5".
pub fn parse_number(text: &str) -> Option<f64> {
    let t: String = text.trim().trim_end_matches('%').chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let normal = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else if t.matches('.').count() > 1 || t.split_once('.').is_some_and(|(_, frac)| frac.len() == 3) {
        // "1.200", "20.000", "1.000.000": thousands.
        t.replace('.', "")
    } else {
        t
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn q(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn toml_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A required text, or the placeholder when it is empty.
fn req(text: &str) -> String {
    if text.trim().is_empty() {
        q(&format!("⚠ {PLACEHOLDER}"))
    } else {
        q(text.trim())
    }
}

/// A whole number, or a stand-in marked as the placeholder.
fn number_or_missing<T: std::fmt::Display>(n: Option<T>) -> String {
    match n {
        Some(n) => n.to_string(),
        None => format!("0  # ⚠ {PLACEHOLDER}"),
    }
}

fn toml_list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let mut out = String::from("[\n");
    for i in items {
        let _ = writeln!(out, "  {},", q(i));
    }
    out.push(']');
    out
}

/// Lower-case ASCII words joined by "-": a code from a title.
pub fn slug(text: &str) -> String {
    let folded = crate::text::fold(text);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(60).collect::<String>().trim_end_matches('-').to_string()
}

struct Notes(Vec<Note>);

impl Notes {
    fn error(&mut self, path: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) {
        self.0.push(Note { path: Some(path.into()), error: true, vi: vi.into(), en: en.into() });
    }

    fn required(&mut self, path: &str, value: &str, what_vi: &str, what_en: &str) {
        if value.trim().is_empty() {
            self.error(path, format!("Chưa điền {what_vi}."), format!("{what_en} is missing."));
        }
    }

    fn date(&mut self, path: &str, value: &str, required: bool) -> Option<chrono::NaiveDate> {
        if value.trim().is_empty() {
            if required {
                self.error(path, "Chưa điền ngày.", "The date is missing.");
            }
            return None;
        }
        match FileDate::parse(value) {
            Ok(d) => Some(d.0),
            Err(_) => {
                self.error(
                    path,
                    format!("\"{value}\" không phải một ngày (ghi dd/mm/yyyy, ví dụ 24/02/2023)."),
                    format!("\"{value}\" is not a date (write dd/mm/yyyy, e.g. 24/02/2023)."),
                );
                None
            }
        }
    }

    fn whole(&mut self, path: &str, value: &str, required: bool) -> Option<u32> {
        if value.trim().is_empty() {
            if required {
                self.error(path, "Chưa điền số.", "The number is missing.");
            }
            return None;
        }
        match value.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    path,
                    format!("\"{value}\" không phải số thứ tự (1, 2, 3…)."),
                    format!("\"{value}\" is not a number (1, 2, 3…)."),
                );
                None
            }
        }
    }
}

impl PlanEdit {
    /// Fills what the office need not type: the campaign's code from its title and
    /// year, a group's key from its title, an indicator's key from its target's
    /// number, the time zone.
    pub fn complete(&mut self) {
        let c = &mut self.campaign;
        if c.code.trim().is_empty() && !c.title.trim().is_empty() {
            let year = c.year.trim();
            let base = slug(if c.short_title.trim().is_empty() { &c.title } else { &c.short_title });
            c.code = if base.ends_with(year) || year.is_empty() { base } else { format!("{base}-{year}") };
        }
        if c.timezone.trim().is_empty() {
            c.timezone = "Asia/Ho_Chi_Minh".into();
        }
        let mut used: BTreeSet<String> = self.target_groups.iter().map(|g| g.key.clone()).collect();
        for (i, g) in self.target_groups.iter_mut().enumerate() {
            if g.key.trim().is_empty() {
                let base = match slug(&g.title) {
                    s if s.is_empty() => format!("nhom-{}", i + 1),
                    s => s,
                };
                let key = (1..)
                    .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
                    .find(|k| !used.contains(k))
                    .unwrap_or(base);
                used.insert(key.clone());
                g.key = key;
            }
        }
        for t in &mut self.targets {
            let single = t.indicators.len() == 1;
            for (j, ind) in t.indicators.iter_mut().enumerate() {
                if ind.key.trim().is_empty() && !t.number.trim().is_empty() {
                    let letter = (b'a' + (j as u8 % 26)) as char;
                    ind.key = if single { t.number.trim().to_string() } else { format!("{}{letter}", t.number.trim()) };
                }
            }
            if t.group.trim().is_empty() && self.target_groups.len() == 1 {
                t.group = self.target_groups[0].key.clone();
            }
        }
    }

    /// Every field checked; when they all read, the plan file written and checked as
    /// a plan (its errors on their fields) and linted (notes to look at).
    pub fn check(&self) -> Checked {
        let mut n = Notes(Vec::new());
        let c = &self.campaign;
        for (path, value, vi, en) in [
            ("campaign.title", &c.title, "tên kế hoạch", "The title"),
            ("campaign.theme", &c.theme, "chủ đề", "The theme"),
            ("campaign.issuing_body", &c.issuing_body, "cơ quan ban hành", "The issuing body"),
            ("campaign.place", &c.place, "địa danh", "The place"),
            ("campaign.signatory.on_behalf_of", &c.signatory_on_behalf_of, "thẩm quyền ký (TM. …)", "On behalf of"),
            ("campaign.signatory.title", &c.signatory_title, "chức vụ người ký", "The signatory's title"),
            ("campaign.signatory.name", &c.signatory_name, "họ tên người ký", "The signatory's name"),
            ("campaign.contact.office", &c.contact_office, "bộ phận đầu mối", "The contact office"),
            ("campaign.code", &c.code, "mã chiến dịch", "The campaign code"),
        ] {
            n.required(path, value, vi, en);
        }
        let year = if c.year.trim().is_empty() {
            n.error("campaign.year", "Chưa điền năm.", "The year is missing.");
            None
        } else {
            match c.year.trim().replace('.', "").parse::<i32>() {
                Ok(y) => Some(y),
                Err(_) => {
                    n.error(
                        "campaign.year",
                        format!("\"{}\" không phải một năm.", c.year),
                        format!("\"{}\" is not a year.", c.year),
                    );
                    None
                }
            }
        };
        let issued_on = n.date("campaign.issued_on", &c.issued_on, false);
        let starts_on = n.date("campaign.starts_on", &c.starts_on, true);
        let ends_on = n.date("campaign.ends_on", &c.ends_on, true);
        if !c.code.is_empty() && c.code != slug(&c.code) {
            n.error(
                "campaign.code",
                "Mã chiến dịch chỉ gồm chữ không dấu, số và dấu gạch (-).",
                "The campaign code takes only plain letters, digits and hyphens.",
            );
        }

        let mut areas = BTreeSet::new();
        for (i, a) in self.areas.iter().enumerate() {
            n.required(&format!("areas[{i}].number"), &a.number, "số mục", "The number");
            n.required(&format!("areas[{i}].title"), &a.title, "tên mục", "The title");
            areas.insert(a.number.trim().to_string());
        }
        let group_keys: BTreeSet<&str> = self.target_groups.iter().map(|g| g.key.as_str()).collect();
        for (i, g) in self.target_groups.iter().enumerate() {
            n.required(&format!("target_groups[{i}].title"), &g.title, "tên nhóm chỉ tiêu", "The group's title");
        }
        let mut goals = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let p = format!("targets[{i}]");
            n.whole(&format!("{p}.number"), &t.number, true);
            n.required(&format!("{p}.text"), &t.text, "nội dung chỉ tiêu", "The target's sentence");
            if t.group.trim().is_empty() || !group_keys.contains(t.group.as_str()) {
                n.error(
                    format!("{p}.group"),
                    "Chọn nhóm chỉ tiêu (thêm nhóm ở mục \"Nhóm chỉ tiêu\" nếu chưa có).",
                    "Choose the target's group (add one under \"Target groups\" if there is none).",
                );
            }
            if !t.area.trim().is_empty() && !areas.contains(t.area.trim()) {
                n.error(
                    format!("{p}.area"),
                    format!("Không có mục {} trong nội dung hoạt động.", t.area),
                    format!("There is no activity area {}.", t.area),
                );
            }
            if t.indicators.is_empty() {
                n.error(
                    format!("{p}.text"),
                    "Chỉ tiêu cần ít nhất một con số để theo dõi (thêm chỉ số).",
                    "A target needs at least one figure to follow (add an indicator).",
                );
            }
            for (j, ind) in t.indicators.iter().enumerate() {
                let p = format!("{p}.indicators[{j}]");
                n.required(&format!("{p}.label"), &ind.label, "tên chỉ số", "The indicator's label");
                let kind = IndicatorKind::parse(&ind.kind);
                if kind.is_none() {
                    n.error(format!("{p}.kind"), "Chọn loại chỉ số.", "Choose the kind of indicator.");
                }
                if Comparison::parse(&ind.comparison).is_none() {
                    n.error(format!("{p}.comparison"), "Chọn cách so sánh (≥ hoặc >).", "Choose ≥ or >.");
                }
                if ind.goal.trim().is_empty() {
                    n.error(
                        format!("{p}.goal"),
                        "Chưa có mục tiêu: hãy điền con số của văn bản.",
                        "The goal is missing: fill in the document's figure.",
                    );
                } else {
                    match parse_number(&ind.goal) {
                        Some(v) => goals.push((format!("{p}.goal"), v)),
                        None => n.error(
                            format!("{p}.goal"),
                            format!("\"{}\" không phải một số (ví dụ 1.200 hoặc 85).", ind.goal),
                            format!("\"{}\" is not a number (e.g. 1.200 or 85).", ind.goal),
                        ),
                    }
                }
                if kind == Some(IndicatorKind::PercentOfBase) && BaseFigure::parse(&ind.base).is_none() {
                    n.error(
                        format!("{p}.base"),
                        "Chọn số liệu nền (tỉ lệ trên số đoàn viên, thanh niên…).",
                        "Choose the base figure (a share of members, youth…).",
                    );
                }
                if matches!(kind, Some(IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit)) {
                    if ind.levels.is_empty() {
                        n.error(
                            format!("{p}.levels"),
                            "Chọn cấp đơn vị được tính.",
                            "Choose the levels of units counted.",
                        );
                    }
                    if kind == Some(IndicatorKind::MinimumPerUnit) && parse_number(&ind.per_unit_minimum).is_none() {
                        n.error(
                            format!("{p}.per_unit_minimum"),
                            "Điền số tối thiểu mỗi đơn vị.",
                            "Fill in the minimum per unit.",
                        );
                    }
                }
                for level in &ind.levels {
                    if !Level::ALL.iter().any(|l| l.as_str() == level) {
                        n.error(format!("{p}.levels"), "Cấp không hợp lệ.", "Unknown level.");
                    }
                }
                for k in &ind.unit_kinds {
                    if UnitKind::parse(k).is_none() {
                        n.error(format!("{p}.unit_kinds"), "Loại đơn vị không hợp lệ.", "Unknown unit kind.");
                    }
                }
                if !ind.per_unit_minimum.trim().is_empty() && parse_number(&ind.per_unit_minimum).is_none() {
                    n.error(
                        format!("{p}.per_unit_minimum"),
                        format!("\"{}\" không phải một số.", ind.per_unit_minimum),
                        format!("\"{}\" is not a number.", ind.per_unit_minimum),
                    );
                }
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            n.whole(&format!("events[{i}].number"), &e.number, true);
            n.required(&format!("events[{i}].title"), &e.title, "tên hoạt động", "The event's title");
            n.date(&format!("events[{i}].starts_on"), &e.starts_on, false);
            n.date(&format!("events[{i}].ends_on"), &e.ends_on, false);
        }
        for (i, m) in self.milestones.iter().enumerate() {
            n.required(&format!("milestones[{i}].title"), &m.title, "nội dung mốc", "The milestone's title");
            n.date(&format!("milestones[{i}].date"), &m.date, true);
            if m.when == "window" {
                n.date(&format!("milestones[{i}].until"), &m.until, true);
            }
            if !Level::ALL.iter().any(|l| l.as_str() == m.level) {
                n.error(format!("milestones[{i}].level"), "Chọn cấp thực hiện.", "Choose the level.");
            }
        }
        let r = &self.reporting;
        if r.levels.is_empty() {
            n.error("reporting.levels", "Chọn ít nhất một cấp báo cáo.", "Choose at least one reporting level.");
        }
        let first = n.date("reporting.weekly.first_period_end", &r.first_period_end, true);
        let last = n.date("reporting.weekly.last_period_end", &r.last_period_end, true);
        if r.due_time.trim().is_empty() {
            n.error(
                "reporting.weekly.due_time",
                "Chưa điền giờ hạn nộp (ví dụ 16:00).",
                "The due time is missing (e.g. 16:00).",
            );
        } else if parse_time(&r.due_time).is_none() {
            n.error(
                "reporting.weekly.due_time",
                format!("\"{}\" không phải giờ (ghi 16:00 hoặc 16h00).", r.due_time),
                format!("\"{}\" is not a time (write 16:00 or 16h00).", r.due_time),
            );
        }
        if !r.lock_after_days.trim().is_empty() && r.lock_after_days.trim().parse::<u32>().is_err() {
            n.error("reporting.lock_after_days", "Số ngày phải là số nguyên.", "Days must be a whole number.");
        }
        for (i, d) in self.duties.iter().enumerate() {
            n.required(&format!("duties[{i}].party"), &d.party, "đơn vị thực hiện", "Who");
        }
        self.placeholders(&mut n);

        let _ = (year, issued_on, starts_on, ends_on, first, last, goals);
        if n.0.iter().any(|x| x.error) {
            return Checked { notes: n.0, toml: None, plan: None };
        }
        let toml = self.to_toml();
        match parse_plan(&toml) {
            Ok(plan) => {
                for f in lint::lint(&plan) {
                    n.0.push(Note { path: None, error: false, vi: f.message_vi, en: f.message_en });
                }
                Checked { notes: n.0, toml: Some(toml), plan: Some(plan) }
            }
            Err(errors) => {
                for p in errors.0 {
                    let path = p.field.map(|f| editor_path(&f));
                    let (vi, en) = crate::unit_import::split_pair(&p.message);
                    n.0.push(Note { path, error: true, vi, en });
                }
                Checked { notes: n.0, toml: Some(toml), plan: None }
            }
        }
    }

    /// A value still holding the importer's placeholder is an error on its field.
    fn placeholders(&self, n: &mut Notes) {
        let mut hit = |path: String, value: &str| {
            if value.chars().count() > MAX_FIELD_CHARS {
                n.error(
                    path.clone(),
                    format!("Quá dài (tối đa {MAX_FIELD_CHARS} ký tự): đây không giống nội dung của ô này."),
                    format!("Too long (at most {MAX_FIELD_CHARS} characters): this does not look like this field."),
                );
            }
            if is_placeholder(value) {
                n.error(
                    path,
                    "Còn là chỗ trống \"⚠ CHƯA CÓ\": hãy điền trước khi xác nhận.",
                    "Still the placeholder: fill it in before confirming.",
                );
            }
        };
        let c = &self.campaign;
        for (path, v) in [
            ("campaign.title", &c.title),
            ("campaign.short_title", &c.short_title),
            ("campaign.theme", &c.theme),
            ("campaign.superior_body", &c.superior_body),
            ("campaign.issuing_body", &c.issuing_body),
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
            hit(path.to_string(), v);
        }
        for (i, t) in self.targets.iter().enumerate() {
            hit(format!("targets[{i}].text"), &t.text);
            for (j, ind) in t.indicators.iter().enumerate() {
                hit(format!("targets[{i}].indicators[{j}].label"), &ind.label);
                hit(format!("targets[{i}].indicators[{j}].unit_label"), &ind.unit_label);
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            hit(format!("events[{i}].title"), &e.title);
            hit(format!("events[{i}].place"), &e.place);
        }
        for (i, m) in self.milestones.iter().enumerate() {
            hit(format!("milestones[{i}].title"), &m.title);
        }
        for r in &self.recipients {
            hit("recipients".into(), r);
        }
    }

    /// The plan file. Only meaningful when the field checks pass (otherwise values
    /// that do not read are left out and the plan's own checks name them).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let c = &self.campaign;
        let opt = |out: &mut String, key: &str, value: &str| {
            if !value.trim().is_empty() {
                let _ = writeln!(out, "{key} = {}", req(value));
            }
        };
        // A date: written when it reads; a required one that does not, or an optional
        // one typed wrong, becomes the placeholder (never left out, never invented).
        let date_or = |out: &mut String, key: &str, value: &str, required: bool| match FileDate::parse(value) {
            Ok(d) => {
                let _ = writeln!(out, "{key} = {}", d.0.format("%Y-%m-%d"));
            }
            Err(_) if required || !value.trim().is_empty() => {
                let _ = writeln!(out, "{key} = 2000-01-01  # ⚠ {PLACEHOLDER}");
            }
            Err(_) => {}
        };
        let date = |out: &mut String, key: &str, value: &str| date_or(out, key, value, false);
        let required_date = |out: &mut String, key: &str, value: &str| date_or(out, key, value, true);
        if !self.recipients.is_empty() {
            let _ = writeln!(out, "recipients = {}\n", toml_list(&self.recipients));
        }
        out.push_str("[campaign]\n");
        let _ = writeln!(out, "code = {}", req(&c.code));
        let _ = writeln!(out, "title = {}", req(&c.title));
        opt(&mut out, "short_title", &c.short_title);
        let _ = writeln!(out, "year = {}", number_or_missing(c.year.trim().replace('.', "").parse::<i32>().ok()));
        let _ = writeln!(out, "theme = {}", req(&c.theme));
        opt(&mut out, "superior_body", &c.superior_body);
        let _ = writeln!(out, "issuing_body = {}", req(&c.issuing_body));
        opt(&mut out, "document_type", &c.document_type);
        opt(&mut out, "document_number", &c.document_number);
        let _ = writeln!(out, "place = {}", req(&c.place));
        date(&mut out, "issued_on", &c.issued_on);
        opt(&mut out, "basis", &c.basis);
        required_date(&mut out, "starts_on", &c.starts_on);
        required_date(&mut out, "ends_on", &c.ends_on);
        opt(&mut out, "timezone", &c.timezone);
        out.push_str("\n[campaign.signatory]\n");
        let _ = writeln!(out, "on_behalf_of = {}", req(&c.signatory_on_behalf_of));
        let _ = writeln!(out, "title = {}", req(&c.signatory_title));
        let _ = writeln!(out, "name = {}", req(&c.signatory_name));
        out.push_str("\n[campaign.contact]\n");
        let _ = writeln!(out, "office = {}", req(&c.contact_office));
        opt(&mut out, "email", &c.contact_email);
        opt(&mut out, "phone", &c.contact_phone);
        if !self.aims.is_empty() || !self.requirements.is_empty() {
            out.push_str("\n[purpose]\n");
            let _ = writeln!(out, "aims = {}", toml_list(&self.aims));
            let _ = writeln!(out, "requirements = {}", toml_list(&self.requirements));
        }
        for a in &self.areas {
            out.push_str("\n[[areas]]\n");
            let _ = writeln!(out, "number = {}", req(&a.number));
            let _ = writeln!(out, "title = {}", req(&a.title));
            if !a.items.is_empty() {
                let _ = writeln!(out, "items = {}", toml_list(&a.items));
            }
            for g in &a.groups {
                out.push_str("\n[[areas.groups]]\n");
                let _ = writeln!(out, "heading = {}", req(&g.heading));
                let _ = writeln!(out, "items = {}", toml_list(&g.items));
            }
        }
        for g in &self.target_groups {
            let _ = writeln!(out, "\n[[target_groups]]\nkey = {}\ntitle = {}", req(&g.key), req(&g.title));
        }
        for t in &self.targets {
            out.push_str("\n[[targets]]\n");
            let _ = writeln!(out, "number = {}", number_or_missing(t.number.trim().parse::<u32>().ok()));
            let _ = writeln!(out, "group = {}", req(&t.group));
            let _ = writeln!(out, "text = {}", req(&t.text));
            opt(&mut out, "area", &t.area);
            for ind in &t.indicators {
                out.push_str("\n[[targets.indicators]]\n");
                let _ = writeln!(out, "key = {}", req(&ind.key));
                let _ = writeln!(out, "label = {}", req(&ind.label));
                let _ = writeln!(out, "kind = {}", req(&ind.kind));
                let _ = writeln!(out, "comparison = {}", req(&ind.comparison));
                let _ = writeln!(
                    out,
                    "goal = {}",
                    parse_number(&ind.goal).map(toml_number).unwrap_or_else(|| format!("0  # ⚠ {PLACEHOLDER}"))
                );
                opt(&mut out, "unit_label", &ind.unit_label);
                opt(&mut out, "base", &ind.base);
                if !ind.levels.is_empty() {
                    let _ =
                        writeln!(out, "levels = [{}]", ind.levels.iter().map(|l| q(l)).collect::<Vec<_>>().join(", "));
                }
                if !ind.unit_kinds.is_empty() {
                    let _ = writeln!(
                        out,
                        "unit_kinds = [{}]",
                        ind.unit_kinds.iter().map(|l| q(l)).collect::<Vec<_>>().join(", ")
                    );
                }
                if let Some(m) = parse_number(&ind.per_unit_minimum) {
                    let _ = writeln!(out, "per_unit_minimum = {}", toml_number(m));
                }
                opt(&mut out, "part_of", &ind.part_of);
                opt(&mut out, "note", &ind.note);
                if ind.retired {
                    out.push_str("retired = true\n");
                }
            }
        }
        for e in &self.events {
            out.push_str("\n[[events]]\n");
            let _ = writeln!(out, "number = {}", number_or_missing(e.number.trim().parse::<u32>().ok()));
            let _ = writeln!(out, "title = {}", req(&e.title));
            date(&mut out, "starts_on", &e.starts_on);
            date(&mut out, "ends_on", &e.ends_on);
            opt(&mut out, "place", &e.place);
            opt(&mut out, "host_unit", &e.host_unit);
            opt(&mut out, "note", &e.note);
        }
        for m in &self.milestones {
            out.push_str("\n[[milestones]]\n");
            let _ = writeln!(out, "key = {}", req(&m.key));
            let _ = writeln!(out, "title = {}", req(&m.title));
            let _ = writeln!(out, "level = {}", req(&m.level));
            match m.when.as_str() {
                "window" => {
                    required_date(&mut out, "from", &m.date);
                    required_date(&mut out, "to", &m.until);
                }
                "before" => required_date(&mut out, "before", &m.date),
                _ => required_date(&mut out, "on", &m.date),
            }
            opt(&mut out, "place", &m.place);
            opt(&mut out, "host_unit", &m.host_unit);
            opt(&mut out, "source", &m.source);
            opt(&mut out, "note", &m.note);
        }
        let r = &self.reporting;
        out.push_str("\n[reporting]\n");
        let _ = writeln!(out, "levels = [{}]", r.levels.iter().map(|l| q(l)).collect::<Vec<_>>().join(", "));
        opt(&mut out, "send_to", &r.send_to);
        if let Ok(days) = r.lock_after_days.trim().parse::<u32>() {
            let _ = writeln!(out, "lock_after_days = {days}");
        }
        out.push_str("\n[reporting.weekly]\n");
        required_date(&mut out, "first_period_end", &r.first_period_end);
        required_date(&mut out, "last_period_end", &r.last_period_end);
        let _ = writeln!(out, "due_time = {}", req(&r.due_time));
        opt(&mut out, "rule_text", &r.rule_text);
        for d in &self.duties {
            out.push_str("\n[[duties]]\n");
            let _ = writeln!(out, "party = {}", req(&d.party));
            opt(&mut out, "role", &d.role);
            opt(&mut out, "unit", &d.unit);
            let _ = writeln!(out, "items = {}", toml_list(&d.items));
        }
        out
    }

    /// What the editor says of a field path in words ("Chỉ tiêu 4 · chỉ số 4a · mục tiêu").
    pub fn describe(&self, path: &str, english: bool) -> String {
        let Some(segs) = segments(path) else { return path.to_string() };
        let field = |f: &str| field_label(f, english).to_string();
        match segs.as_slice() {
            [("targets", Some(i)), ("indicators", Some(j)), (f, None)] => {
                let t = self.targets.get(*i);
                let number = t.map(|t| t.number.as_str()).unwrap_or("?");
                let key = t.and_then(|t| t.indicators.get(*j)).map(|x| x.key.as_str()).unwrap_or("?");
                if english {
                    format!("Target {number} · indicator {key} · {}", field(f))
                } else {
                    format!("Chỉ tiêu {number} · chỉ số {key} · {}", field(f))
                }
            }
            [("targets", Some(i)), (f, None)] => {
                let number = self.targets.get(*i).map(|t| t.number.as_str()).unwrap_or("?");
                if english {
                    format!("Target {number} · {}", field(f))
                } else {
                    format!("Chỉ tiêu {number} · {}", field(f))
                }
            }
            [("events", Some(i)), (f, None)] => {
                let number = self.events.get(*i).map(|e| e.number.as_str()).unwrap_or("?");
                if english {
                    format!("Event {number} · {}", field(f))
                } else {
                    format!("Hoạt động {number} · {}", field(f))
                }
            }
            [("milestones", Some(i)), (f, None)] => {
                let title = self.milestones.get(*i).map(|m| m.title.as_str()).unwrap_or("?");
                let title: String = title.chars().take(40).collect();
                format!("{title} · {}", field(f))
            }
            [("areas", Some(i)), (f, None)] => {
                let number = self.areas.get(*i).map(|a| a.number.as_str()).unwrap_or("?");
                if english {
                    format!("Area {number} · {}", field(f))
                } else {
                    format!("Mục {number} · {}", field(f))
                }
            }
            [("target_groups", Some(i)), (f, None)] => {
                if english {
                    format!("Target group {} · {}", i + 1, field(f))
                } else {
                    format!("Nhóm chỉ tiêu {} · {}", i + 1, field(f))
                }
            }
            [("duties", Some(i)), (f, None)] => {
                if english {
                    format!("Duty {} · {}", i + 1, field(f))
                } else {
                    format!("Nhiệm vụ {} · {}", i + 1, field(f))
                }
            }
            [("campaign", None), ("signatory", None), (f, None)] => {
                format!("{} · {}", if english { "Signatory" } else { "Người ký" }, field(f))
            }
            [("campaign", None), ("contact", None), (f, None)] => {
                format!("{} · {}", if english { "Contact" } else { "Đầu mối" }, field(f))
            }
            [("campaign", None), (f, None)] => {
                format!("{} · {}", if english { "The document" } else { "Văn bản" }, field(f))
            }
            [("reporting", None), .., (f, None)] => {
                format!("{} · {}", if english { "Weekly reports" } else { "Báo cáo tuần" }, field(f))
            }
            [.., (f, None)] => field(f),
            _ => path.to_string(),
        }
    }
}

/// A plan error's field in the editor's terms (a milestone's `from`/`on`/`before`
/// is its date, its `to` the end of its window).
fn editor_path(field: &str) -> String {
    if let Some(base) = field.strip_suffix(".to") {
        return format!("{base}.until");
    }
    for end in [".on", ".from", ".before"] {
        if let Some(base) = field.strip_suffix(end) {
            return format!("{base}.date");
        }
    }
    if field.starts_with("milestones[") && !field.contains("].") {
        return format!("{field}.date");
    }
    field.to_string()
}

/// A field's name in words.
pub fn field_label(field: &str, english: bool) -> &'static str {
    let (vi, en) = match field {
        "code" => ("mã chiến dịch", "campaign code"),
        "title" => ("tên", "title"),
        "short_title" => ("tên ngắn", "short title"),
        "year" => ("năm", "year"),
        "theme" => ("chủ đề", "theme"),
        "superior_body" => ("cơ quan cấp trên", "superior body"),
        "issuing_body" => ("cơ quan ban hành", "issuing body"),
        "document_type" => ("loại văn bản", "document type"),
        "document_number" => ("số ký hiệu", "document number"),
        "place" => ("địa điểm", "place"),
        "issued_on" => ("ngày ban hành", "issued on"),
        "basis" => ("căn cứ", "basis"),
        "starts_on" => ("ngày bắt đầu", "starts on"),
        "ends_on" => ("ngày kết thúc", "ends on"),
        "on_behalf_of" => ("thẩm quyền ký", "on behalf of"),
        "name" => ("họ tên", "name"),
        "office" => ("bộ phận đầu mối", "contact office"),
        "email" => ("thư điện tử", "email"),
        "phone" => ("điện thoại", "phone"),
        "number" => ("số thứ tự", "number"),
        "group" => ("nhóm", "group"),
        "text" => ("nội dung", "text"),
        "area" => ("nội dung hoạt động", "activity area"),
        "key" => ("số chỉ số", "indicator number"),
        "label" => ("tên chỉ số", "label"),
        "kind" => ("loại", "kind"),
        "comparison" => ("so sánh", "comparison"),
        "goal" => ("mục tiêu", "goal"),
        "unit_label" => ("đơn vị tính", "unit of measure"),
        "base" => ("số liệu nền", "base figure"),
        "levels" => ("cấp", "levels"),
        "unit_kinds" => ("loại đơn vị", "unit kinds"),
        "per_unit_minimum" => ("tối thiểu mỗi đơn vị", "minimum per unit"),
        "part_of" => ("thuộc chỉ số", "part of"),
        "note" => ("ghi chú", "note"),
        "date" | "when" => ("thời gian", "date"),
        "until" => ("đến ngày", "until"),
        "level" => ("cấp thực hiện", "level"),
        "first_period_end" => ("ngày kết thúc kỳ báo cáo đầu", "first period ends"),
        "last_period_end" => ("ngày kết thúc kỳ báo cáo cuối", "last period ends"),
        "due_time" => ("giờ hạn nộp", "due time"),
        "recipients" => ("nơi nhận", "recipients"),
        "party" => ("đơn vị thực hiện", "who"),
        "heading" => ("tiêu đề", "heading"),
        _ => ("giá trị", "value"),
    };
    if english {
        en
    } else {
        vi
    }
}

/// The kind of an indicator in words, for pages that list them.
pub fn kind_in_words(kind: &str) -> &str {
    kind_label(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_2023() -> &'static str {
        crate::builtin::PLAN_TOML
    }

    /// A plan as JSON with its sets (levels, kinds of unit) in one order.
    fn canonical(mut plan: Plan) -> serde_json::Value {
        for t in &mut plan.targets {
            for i in &mut t.indicators {
                i.levels.sort();
                i.unit_kinds.sort_by_key(|k| UnitKind::ALL.iter().position(|x| x == k));
            }
        }
        plan.reporting.levels.sort();
        serde_json::to_value(&plan).unwrap()
    }

    #[test]
    fn the_2023_plan_reads_into_the_editor_and_back_to_the_same_plan() {
        let original = parse_plan(plan_2023()).unwrap();
        let edit = PlanEdit::from_toml(plan_2023()).unwrap();
        assert_eq!(edit.targets.len(), original.targets.len());
        let trees = edit.targets.iter().flat_map(|t| &t.indicators).find(|i| i.goal == "20.000");
        assert!(trees.is_some(), "goals in the Vietnamese way");
        assert_eq!(edit.campaign.starts_on, "24/02/2023");
        let checked = edit.check();
        assert!(checked.is_valid(), "{:?}", checked.errors().collect::<Vec<_>>());
        let again = checked.plan.unwrap();
        assert_eq!(canonical(again), canonical(original));
    }

    #[test]
    fn every_shipped_plan_survives_the_editor() {
        for text in [plan_2023(), include_str!("../../../../plans/kien-giang-he-2024-demo.toml")] {
            let original = parse_plan(text).unwrap();
            let checked = PlanEdit::from_toml(text).unwrap().check();
            let again = checked.plan.expect("valid");
            assert_eq!(canonical(again), canonical(original));
        }
    }

    #[test]
    fn numbers_read_as_people_type_them() {
        assert_eq!(parse_number("1.200"), Some(1200.0));
        assert_eq!(parse_number("20.000"), Some(20000.0));
        assert_eq!(parse_number("1 200"), Some(1200.0));
        assert_eq!(parse_number("80%"), Some(80.0));
        assert_eq!(parse_number("7,5"), Some(7.5));
        assert_eq!(parse_number("7.5"), Some(7.5));
        assert_eq!(parse_number("1.000.000"), Some(1_000_000.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("-5"), None);
    }

    #[test]
    fn a_stand_in_goal_is_a_missing_goal_never_zero() {
        let text = plan_2023().replacen("goal = 100", "goal = 0  # ⚠ CHƯA CÓ / MISSING", 1);
        let edit = PlanEdit::from_toml(&text).unwrap();
        assert_eq!(edit.targets[0].indicators[0].goal, "");
        let checked = edit.check();
        assert!(!checked.is_valid());
        assert_eq!(checked.on("targets[0].indicators[0].goal").len(), 1);
    }

    #[test]
    fn the_file_of_an_unfinished_draft_never_passes_as_a_plan() {
        let mut edit = PlanEdit::from_toml(plan_2023()).unwrap();
        edit.targets[0].indicators[0].goal.clear();
        edit.campaign.signatory_name.clear();
        edit.campaign.starts_on = "ba mươi".into();
        edit.reporting.first_period_end.clear();
        edit.campaign.theme = "chủ đề ".repeat(1000);
        assert!(!edit.check().on("campaign.theme").is_empty(), "a field of 7.000 characters is refused");
        let toml = edit.to_toml();
        let errors = parse_plan(&toml).expect_err("a missing goal is never a goal of 0");
        let text = errors.to_string();
        for key in ["goal", "name", "starts_on", "first_period_end"] {
            assert!(text.contains(&format!("\"{key}\"")), "{key} named: {text}");
        }
        // Read back, the missing values are empty fields again.
        let back = PlanEdit::from_toml(&toml).unwrap();
        assert_eq!(back.targets[0].indicators[0].goal, "");
        assert_eq!(back.campaign.starts_on, "");
    }

    #[test]
    fn field_errors_sit_on_their_field_and_nothing_reads_as_valid() {
        let mut edit = PlanEdit::from_toml(plan_2023()).unwrap();
        edit.targets[1].indicators[0].goal = "tám mươi".into();
        edit.campaign.signatory_name.clear();
        edit.reporting.due_time = "25:99".into();
        let checked = edit.check();
        assert!(!checked.is_valid());
        assert!(!checked.on("targets[1].indicators[0].goal").is_empty());
        assert!(!checked.on("campaign.signatory.name").is_empty());
        assert!(!checked.on("reporting.weekly.due_time").is_empty());
    }

    #[test]
    fn plan_rules_come_back_on_the_field() {
        let mut edit = PlanEdit::from_toml(plan_2023()).unwrap();
        // A percentage above 100 is a rule of the plan, not of the field.
        let (i, j) = edit
            .targets
            .iter()
            .enumerate()
            .find_map(|(i, t)| t.indicators.iter().position(|x| x.kind == "percent_of_base").map(|j| (i, j)))
            .unwrap();
        edit.targets[i].indicators[j].goal = "120".into();
        let checked = edit.check();
        assert!(!checked.is_valid());
        assert!(!checked.on(&format!("targets[{i}].indicators[{j}].goal")).is_empty(), "{:?}", checked.notes);
    }

    #[test]
    fn the_form_round_trips_and_buttons_add_move_and_renumber() {
        let edit = PlanEdit::from_toml(plan_2023()).unwrap();
        let mut pairs = Vec::new();
        pairs.push(("campaign.title".to_string(), edit.campaign.title.clone()));
        for (i, t) in edit.targets.iter().enumerate() {
            pairs.push((format!("targets[{i}].number"), t.number.clone()));
            for (j, ind) in t.indicators.iter().enumerate() {
                pairs.push((format!("targets[{i}].indicators[{j}].goal"), ind.goal.clone()));
                for l in &ind.levels {
                    pairs.push((format!("targets[{i}].indicators[{j}].levels"), l.clone()));
                }
            }
        }
        // An index far beyond the list is ignored (never a huge allocation).
        pairs.push(("targets[99999999].number".into(), "1".into()));
        let mut back = PlanEdit::from_form(&pairs, BTreeMap::new());
        assert_eq!(back.targets.len(), edit.targets.len());
        assert_eq!(back.targets[3].indicators.len(), edit.targets[3].indicators.len());
        back.apply("add:targets").unwrap();
        let last = back.targets.last().unwrap();
        let max = edit.targets.iter().map(|t| t.number.parse::<u32>().unwrap()).max().unwrap();
        assert_eq!(last.number, (max + 1).to_string());
        assert_eq!(last.indicators[0].key, last.number);
        back.apply("up:targets[1]").unwrap();
        assert_eq!(back.targets[0].number, edit.targets[1].number);
        back.apply("renumber:targets").unwrap();
        let numbers: Vec<String> = back.targets.iter().map(|t| t.number.clone()).collect();
        assert_eq!(numbers[..3], ["1".to_string(), "2".to_string(), "3".to_string()]);
        assert!(back.apply("remove:targets[5000]").is_err());
        assert!(back.apply("explode:targets").is_err());
    }

    #[test]
    fn a_new_plan_gets_its_code_and_keys_from_its_words() {
        let mut edit = PlanEdit::default();
        edit.campaign.title = "Kế hoạch Tháng Thanh niên năm 2027".into();
        edit.campaign.year = "2027".into();
        edit.target_groups
            .push(GroupEdit { title: "Nhóm chỉ tiêu về tuyên truyền".into(), ..Default::default() });
        edit.apply("add:targets").unwrap();
        edit.complete();
        assert_eq!(edit.campaign.code, "ke-hoach-thang-thanh-nien-nam-2027");
        assert_eq!(edit.target_groups[0].key, "nhom-chi-tieu-ve-tuyen-truyen");
        assert_eq!(edit.targets[0].group, "nhom-chi-tieu-ve-tuyen-truyen");
        assert_eq!(edit.targets[0].indicators[0].key, "1");
    }
}
