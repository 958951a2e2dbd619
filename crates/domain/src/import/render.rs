//! The draft as a plan file (the format of `crate::plan`, every table with
//! `deny_unknown_fields`): values read, placeholders where a required value is
//! missing, and `# nguồn / source:` comments so a reviewer sees where each came from.

use std::fmt::Write;

use chrono::NaiveDate;

use super::draft::{Found, IndicatorDraft, PlanDraft, MISSING};
use super::Confidence;
use crate::plan::When;

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| format!("  {},\n", q(s.as_ref()))).collect();
    if items.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n{}]", items.concat())
    }
}

fn inline_list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// A comment line with no line break or control character in it.
fn comment(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("# {}\n", clean.trim())
}

fn source_comment<T>(f: &Found<T>) -> String {
    if f.source.is_empty() {
        return String::new();
    }
    let line = if f.line > 0 { format!(" (dòng/line {})", f.line) } else { String::new() };
    comment(&format!("nguồn / source{line}: {}", f.source))
}

fn check(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "",
        Confidence::Medium => "  # kiểm tra / check (medium)",
        Confidence::Low => "  # ⚠ kiểm tra / check (low)",
    }
}

fn string_field(out: &mut String, key: &str, value: &Option<Found<String>>, required: bool) {
    match value {
        Some(f) => {
            let _ = writeln!(out, "{key} = {}{}", q(&f.value), check(f.confidence));
        }
        None if required => {
            let _ = writeln!(out, "{key} = {}", q(MISSING));
        }
        None => {}
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.is_finite() {
        format!("{v:?}")
    } else {
        "0".to_string()
    }
}

fn indicator(out: &mut String, ind: &IndicatorDraft) {
    out.push_str("\n[[targets.indicators]]\n");
    let _ = writeln!(out, "key = {}", q(&ind.key));
    let _ = writeln!(out, "label = {}", q(&ind.label));
    let _ = writeln!(out, "kind = {}{}", q(ind.kind.value.as_str()), check(ind.kind.confidence));
    let _ = writeln!(out, "comparison = {}{}", q(ind.comparison.value.as_str()), check(ind.comparison.confidence));
    if ind.goal_missing {
        // No figure was read: a stand-in the plan checker refuses until a person fills it in.
        let _ = writeln!(out, "goal = 0  # {MISSING}");
    } else if ind.suggested {
        let _ = writeln!(
            out,
            "goal = {}  # {MISSING}: gợi ý từ câu văn, người duyệt xác nhận / suggested from running text: a reviewer confirms it",
            number(ind.goal.value)
        );
    } else {
        let _ = writeln!(out, "goal = {}{}", number(ind.goal.value), check(ind.goal.confidence));
    }
    if let Some(u) = &ind.unit_label {
        let _ = writeln!(out, "unit_label = {}{}", q(&u.value), check(u.confidence));
    }
    if let Some(b) = &ind.base {
        let _ = writeln!(out, "base = {}{}", q(b.value.as_str()), check(b.confidence));
    }
    if !ind.levels.is_empty() {
        let _ = writeln!(out, "levels = {}", inline_list(ind.levels.iter().map(|l| l.as_str())));
    }
    if !ind.unit_kinds.is_empty() {
        let _ = writeln!(out, "unit_kinds = {}", inline_list(ind.unit_kinds.iter().map(|k| k.as_str())));
    }
    if let Some(m) = ind.per_unit_minimum {
        let _ = writeln!(out, "per_unit_minimum = {}", number(m));
    }
    if let Some(p) = &ind.part_of {
        let _ = writeln!(out, "part_of = {}", q(p));
    }
    if let Some(n) = &ind.note {
        let _ = writeln!(out, "note = {}", q(n));
    }
}

impl PlanDraft {
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("# Bản nháp nhập tự động từ văn bản kế hoạch: người duyệt kiểm tra rồi xác nhận.\n");
        out.push_str("# Draft imported from the plan document: a person reviews and confirms it.\n");
        let _ = writeln!(out, "# \"{MISSING}\" đánh dấu chỗ cần điền / marks what must be filled in.\n");

        // Top-level keys come before the first table.
        let _ = writeln!(out, "recipients = {}\n", list(self.recipients.iter().map(|r| &r.value)));

        let c = &self.campaign;
        let year = c.year.as_ref().map(|y| y.value);
        out.push_str("[campaign]\n");
        string_field(&mut out, "code", &c.code, true);
        string_field(&mut out, "title", &c.title, true);
        string_field(&mut out, "short_title", &c.short_title, false);
        match &c.year {
            Some(y) => {
                let _ = writeln!(out, "year = {}{}", y.value, check(y.confidence));
            }
            None => {
                let _ = writeln!(out, "year = 0  # {MISSING}");
            }
        }
        string_field(&mut out, "theme", &c.theme, true);
        string_field(&mut out, "superior_body", &c.superior_body, false);
        string_field(&mut out, "issuing_body", &c.issuing_body, true);
        string_field(&mut out, "document_type", &c.document_type, false);
        string_field(&mut out, "document_number", &c.document_number, false);
        string_field(&mut out, "place", &c.place, true);
        if let Some(d) = &c.issued_on {
            let _ = writeln!(out, "issued_on = {}", date(d.value));
        }
        string_field(&mut out, "basis", &c.basis, false);
        let fallback = NaiveDate::from_ymd_opt(year.filter(|y| (1900..=2200).contains(y)).unwrap_or(2000), 1, 1)
            .unwrap_or_default();
        for (key, value) in [("starts_on", &c.starts_on), ("ends_on", &c.ends_on)] {
            match value {
                Some(d) => {
                    let _ = writeln!(out, "{key} = {}{}", date(d.value), check(d.confidence));
                }
                None => {
                    let _ = writeln!(out, "{key} = {}  # {MISSING}", date(fallback));
                }
            }
        }
        out.push_str("timezone = \"Asia/Ho_Chi_Minh\"\n\n[campaign.signatory]\n");
        string_field(&mut out, "on_behalf_of", &c.signatory_on_behalf_of, true);
        string_field(&mut out, "title", &c.signatory_title, true);
        string_field(&mut out, "name", &c.signatory_name, true);
        out.push_str("\n[campaign.contact]\n");
        string_field(&mut out, "office", &c.contact_office, true);
        string_field(&mut out, "email", &c.contact_email, false);
        string_field(&mut out, "phone", &c.contact_phone, false);

        let _ = writeln!(out, "\n[purpose]\naims = {}\nrequirements = {}", list(&self.aims), list(&self.requirements));

        for a in &self.areas {
            let _ = writeln!(out, "\n[[areas]]\nnumber = {}\ntitle = {}", q(&a.number), q(&a.title.value));
            if !a.items.is_empty() {
                let _ = writeln!(out, "items = {}", list(&a.items));
            }
            for (heading, items) in &a.groups {
                let _ = writeln!(out, "\n[[areas.groups]]\nheading = {}\nitems = {}", q(heading), list(items));
            }
        }

        for g in &self.groups {
            let _ = writeln!(out, "\n[[target_groups]]\nkey = {}\ntitle = {}", q(&g.key), q(&g.title.value));
        }

        for t in &self.targets {
            out.push('\n');
            out.push_str(&source_comment(&t.number));
            let _ = writeln!(
                out,
                "[[targets]]\nnumber = {}\ngroup = {}\ntext = {}",
                t.number.value,
                q(&t.group),
                q(&t.text)
            );
            if t.indicators.iter().any(|i| i.goal_missing) {
                out.push_str(&comment(&format!(
                    "⚠ Câu chỉ tiêu {} không có số liệu: điền chỉ số bằng tay / no number read: enter the indicator",
                    t.number.value
                )));
            }
            for ind in &t.indicators {
                indicator(&mut out, ind);
            }
            if t.indicators.is_empty() {
                out.push_str(&comment(&format!(
                    "⚠ Câu chỉ tiêu {} không có số liệu: điền chỉ số bằng tay / no number read: enter the indicator",
                    t.number.value
                )));
                let _ = writeln!(
                    out,
                    "\n[[targets.indicators]]\nkey = {}\nlabel = {}\nkind = \"count\"\ncomparison = \">=\"\ngoal = 0  # {MISSING}",
                    q(&t.number.value.to_string()),
                    q(MISSING)
                );
            }
        }

        for e in &self.events {
            let _ = writeln!(out, "\n[[events]]\nnumber = {}\ntitle = {}", e.number, q(&e.title.value));
            if let Some(s) = &e.starts_on {
                let _ = writeln!(out, "starts_on = {}{}", date(s.value), check(s.confidence));
            }
            if let Some(d) = e.ends_on {
                let _ = writeln!(out, "ends_on = {}", date(d));
            }
            if let Some(p) = &e.place {
                let _ = writeln!(out, "place = {}", q(&p.value));
            }
        }

        for m in &self.milestones {
            out.push('\n');
            out.push_str(&source_comment(&m.when));
            let _ = writeln!(
                out,
                "[[milestones]]\nkey = {}\ntitle = {}\nlevel = {}",
                q(&m.key),
                q(&m.title),
                q(m.level.as_str())
            );
            let check = check(m.when.confidence);
            let _ = match m.when.value {
                When::On { date: d } => writeln!(out, "on = {}{check}", date(d)),
                When::Window { from, to } => {
                    writeln!(out, "from = {}{check}\nto = {}", date(from), date(to))
                }
                When::Before { date: d } => writeln!(out, "before = {}{check}", date(d)),
            };
            if let Some(p) = &m.place {
                let _ = writeln!(out, "place = {}", q(&p.value));
            }
            if let Some(s) = &m.source {
                let _ = writeln!(out, "source = {}", q(s));
            }
            if let Some(n) = &m.note {
                let _ = writeln!(out, "note = {}", q(n));
            }
        }

        let _ =
            writeln!(out, "\n[reporting]\nlevels = {}", inline_list(self.reporting_levels.iter().map(|l| l.as_str())));
        string_field(&mut out, "send_to", &self.send_to, false);
        out.push_str("\n[reporting.weekly]\n");
        match &self.weekly {
            Some(w) => {
                out.push_str(&source_comment(&w.first_period_end));
                let _ = writeln!(
                    out,
                    "first_period_end = {}{}",
                    date(w.first_period_end.value),
                    check(w.first_period_end.confidence)
                );
                let _ = writeln!(
                    out,
                    "last_period_end = {}{}",
                    date(w.last_period_end.value),
                    check(w.last_period_end.confidence)
                );
                let _ = writeln!(out, "due_time = {}{}", q(&w.due_time.value), check(w.due_time.confidence));
                let _ = writeln!(out, "rule_text = {}", q(&w.rule_text));
            }
            None => {
                let day = c.starts_on.as_ref().map_or(fallback, |d| d.value);
                let _ = writeln!(out, "first_period_end = {}  # {MISSING}", date(day));
                let _ = writeln!(out, "last_period_end = {}  # {MISSING}", date(day));
                let _ = writeln!(out, "due_time = \"16:00\"  # {MISSING}");
            }
        }

        for d in &self.duties {
            let _ = writeln!(out, "\n[[duties]]\nparty = {}", q(&d.party));
            if let Some(role) = d.role {
                let _ = writeln!(out, "role = {}", q(role));
            }
            let _ = writeln!(out, "items = {}", list(&d.items));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(q("a \"b\" \\ c\nd\u{1}"), "\"a \\\"b\\\" \\\\ c\\nd\\u0001\"");
        assert_eq!(number(20000.0), "20000");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(comment("a\nb"), "# a b\n");
    }

    #[test]
    fn an_empty_draft_renders_a_readable_file_whose_every_gap_is_an_error() {
        let toml = PlanDraft { reporting_levels: vec![crate::plan::Level::District], ..Default::default() }.to_toml();
        assert!(toml::from_str::<toml::Value>(&toml).is_ok(), "the draft is a TOML file");
        let errors = crate::plan::parse_plan(&toml).unwrap_err();
        // Every placeholder is named with its line (a draft is never a valid plan),
        // and so are the missing targets.
        let fields: Vec<&str> = errors.0.iter().filter_map(|p| p.field.as_deref()).collect();
        for key in
            ["title", "year", "theme", "issuing_body", "place", "starts_on", "name", "first_period_end", "targets"]
        {
            assert!(fields.contains(&key), "{key} not named: {errors}");
        }
        assert!(errors.0.iter().filter(|p| p.message.contains("MISSING")).all(|p| p.line.is_some()), "{errors}");
    }
}
