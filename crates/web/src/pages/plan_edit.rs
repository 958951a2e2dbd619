//! The plan editor: every part of the plan as a form, each field with its checks
//! beside it and, for an imported document, the sentence it was read from and how
//! sure the reader was. Buttons add, remove and move items without JavaScript; with
//! JavaScript the checks follow each change.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use phongtrao_domain::plan::edit::{Checked, PlanEdit, Source, DUTY_ROLES, KINDS};
use phongtrao_domain::plan::Level;
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use serde::Serialize;

use crate::actions::plan_edit;
use crate::actions::plan_import::{self, Review};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// One field of the form.
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    /// "text", "area", "number", "date", "time", "select", "checks", "check", "hidden".
    pub input: &'static str,
    pub options: Vec<Opt>,
    pub errors: Vec<String>,
    pub notes: Vec<String>,
    pub source: Option<SourceView>,
    pub hint: String,
    /// Shown inside "more" (rarely changed).
    pub more: bool,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// The label is the document's own words (Vietnamese in every language).
    pub doc: bool,
}

pub struct SourceView {
    pub sentence: String,
    pub line: usize,
    pub confidence: String,
    pub label: String,
}

impl Item {
    /// An item whose heading is the document's own words, without sub-items.
    fn document(path: String, heading: String, fields: Vec<Field>) -> Item {
        Item {
            doc_heading: true,
            anchor: anchor_of(&path),
            path,
            heading,
            errors: count_errors(&fields),
            fields,
            children: Vec::new(),
            add_child: None,
            retired: false,
        }
    }
}

/// One item of a list (a target, an indicator, an event …) with its buttons.
pub struct Item {
    /// The heading is the document's own words.
    pub doc_heading: bool,
    pub anchor: String,
    pub path: String,
    pub heading: String,
    pub fields: Vec<Field>,
    pub children: Vec<Item>,
    pub add_child: Option<(String, String)>,
    pub errors: usize,
    pub retired: bool,
}

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub help: String,
    pub fields: Vec<Field>,
    pub items: Vec<Item>,
    pub add: Option<(String, String)>,
    pub extra: Option<(String, String)>,
    pub errors: usize,
}

impl Section {
    /// A part of the plan; its error count is its fields' and its items'.
    fn new(
        id: &'static str,
        title: String,
        help: String,
        fields: Vec<Field>,
        items: Vec<Item>,
        add: Option<(String, String)>,
        extra: Option<(String, String)>,
    ) -> Section {
        let errors = count_errors(&fields) + items.iter().map(|i| i.errors).sum::<usize>();
        Section { id, title, help, fields, items, add, extra, errors }
    }
}

/// A line of the list at the top: what to fix or look at, with a link to its field.
pub struct Flag {
    pub anchor: String,
    pub what: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_edit.html")]
pub struct EditorPage {
    pub chrome: Chrome,
    pub id: i64,
    pub heading: String,
    pub intro: String,
    pub amendment: bool,
    pub campaign_code: String,
    pub reason: String,
    pub document_number: String,
    pub document_date: String,
    pub sections: Vec<Section>,
    pub errors: Vec<Flag>,
    pub review_flags: Vec<Flag>,
    pub notes: Vec<String>,
    pub problems: Vec<String>,
    pub valid: bool,
    pub summary: String,
    pub error: Option<String>,
    pub preview: Vec<String>,
    pub saved: bool,
}

impl EditorPage {
    /// Whether some fields of a list are shown under "more".
    pub fn has_more(&self, list: &[Field]) -> bool {
        list.iter().any(|f| f.more && f.input != "hidden")
    }
}

/// A text cut at a word before `max` characters, with "…".
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{}…", at_word.trim_end_matches([',', ';', ':']))
}

fn anchor_of(path: &str) -> String {
    let mut out = String::from("f-");
    for c in path.chars() {
        out.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    out
}

struct Builder<'a> {
    edit: &'a PlanEdit,
    checked: &'a Checked,
    lang: Lang,
    flags: Vec<Flag>,
}

impl Builder<'_> {
    fn t<'s>(&self, vi: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(vi, en)
    }

    fn source_view(&self, s: &Source) -> SourceView {
        let label = match s.confidence.as_str() {
            "low" => self.t("cần kiểm tra", "check this"),
            "medium" => self.t("nên xem lại", "worth a look"),
            _ => self.t("chắc chắn", "certain"),
        };
        let (sentence, _) = match s.sentence.strip_suffix(']').and_then(|x| x.rsplit_once(" [")) {
            Some((sentence, note)) => (sentence.to_string(), note.to_string()),
            None => (s.sentence.clone(), String::new()),
        };
        SourceView { sentence, line: s.line, confidence: s.confidence.clone(), label: label.to_string() }
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        path: &str,
        origin: &str,
        source_field: &str,
        label: &str,
        value: &str,
        input: &'static str,
        options: Vec<Opt>,
    ) -> Field {
        let english = self.lang == Lang::En;
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        for n in self.checked.on(path) {
            let text = if english { n.en.clone() } else { n.vi.clone() };
            if n.error {
                errors.push(text);
            } else {
                notes.push(text);
            }
        }
        let source = self.edit.source(origin, source_field).map(|s| self.source_view(s));
        if let Some(s) = &source {
            if s.confidence == "low" && errors.is_empty() {
                self.flags.push(Flag {
                    anchor: anchor_of(path),
                    what: self.edit.describe(path, english),
                    message: short(&s.sentence, 140),
                });
            }
        }
        // A goal the reader only suggested (running text) or could not be sure of is
        // left empty for a person to type: the figure read is shown beside it.
        let hint = match self.edit.source(origin, source_field) {
            Some(s) if value.trim().is_empty() && path.ends_with(".goal") => {
                match phongtrao_domain::plan::edit::parse_number(&s.value).filter(|v| *v > 0.0) {
                    Some(v) => format!(
                        "{} {} {}",
                        self.t("Văn bản ghi:", "The document says:"),
                        phongtrao_domain::format::number(v, 2),
                        self.t("— kiểm tra rồi điền vào ô.", "— check it, then type it in."),
                    ),
                    None => String::new(),
                }
            }
            _ => String::new(),
        };
        Field {
            id: anchor_of(path),
            name: path.to_string(),
            label: label.to_string(),
            value: value.to_string(),
            input,
            options,
            errors,
            notes,
            source,
            hint,
            more: false,
        }
    }

    fn text(&mut self, path: &str, origin: &str, sf: &str, label: &str, value: &str) -> Field {
        self.field(path, origin, sf, label, value, "text", Vec::new())
    }

    fn options(&self, pairs: &[(&str, &str, &str)], selected: &[&str]) -> Vec<Opt> {
        pairs
            .iter()
            .map(|(v, vi, en)| Opt {
                value: v.to_string(),
                label: self.t(vi, en).to_string(),
                selected: selected.contains(v),
                doc: false,
            })
            .collect()
    }

    fn levels(&self, selected: &[String]) -> Vec<Opt> {
        Level::ALL
            .iter()
            .map(|l| Opt {
                value: l.as_str().into(),
                label: self.t(l.label_vi(), l.label_en()).into(),
                selected: selected.iter().any(|s| s == l.as_str()),
                doc: false,
            })
            .collect()
    }
}

fn count_errors(fields: &[Field]) -> usize {
    fields.iter().map(|f| f.errors.len()).sum()
}

fn build(edit: &PlanEdit, checked: &Checked, lang: Lang, amendment: bool) -> (Vec<Section>, Vec<Flag>) {
    let mut b = Builder { edit, checked, lang, flags: Vec::new() };
    let c = &edit.campaign;
    let mut sections = Vec::new();

    // The document's header.
    let mut f = vec![
        b.text("campaign.title", "", "campaign.title", b.t("Tên kế hoạch", "Title"), &c.title),
        b.text("campaign.short_title", "", "campaign.short_title", b.t("Tên ngắn", "Short title"), &c.short_title),
        b.field("campaign.year", "", "campaign.year", b.t("Năm", "Year"), &c.year, "number", Vec::new()),
        b.field("campaign.theme", "", "campaign.theme", b.t("Chủ đề", "Theme"), &c.theme, "area", Vec::new()),
        b.text(
            "campaign.superior_body",
            "",
            "campaign.superior_body",
            b.t("Cơ quan cấp trên", "Superior body"),
            &c.superior_body,
        ),
        b.text(
            "campaign.issuing_body",
            "",
            "campaign.issuing_body",
            b.t("Cơ quan ban hành", "Issuing body"),
            &c.issuing_body,
        ),
        b.text(
            "campaign.document_type",
            "",
            "campaign.document_type",
            b.t("Loại văn bản", "Document type"),
            &c.document_type,
        ),
        b.text(
            "campaign.document_number",
            "",
            "campaign.document_number",
            b.t("Số, ký hiệu", "Number and symbol"),
            &c.document_number,
        ),
        b.text("campaign.place", "", "campaign.place", b.t("Địa danh", "Place"), &c.place),
        b.field(
            "campaign.issued_on",
            "",
            "campaign.issued_on",
            b.t("Ngày ban hành", "Issued on"),
            &c.issued_on,
            "date",
            Vec::new(),
        ),
        b.field("campaign.basis", "", "campaign.basis", b.t("Căn cứ", "Basis"), &c.basis, "area", Vec::new()),
        b.field(
            "campaign.starts_on",
            "",
            "campaign.starts_on",
            b.t("Bắt đầu từ ngày", "Starts on"),
            &c.starts_on,
            "date",
            Vec::new(),
        ),
        b.field(
            "campaign.ends_on",
            "",
            "campaign.ends_on",
            b.t("Kết thúc ngày", "Ends on"),
            &c.ends_on,
            "date",
            Vec::new(),
        ),
    ];
    let mut code = b.text(
        "campaign.code",
        "",
        "campaign.code",
        b.t("Mã chiến dịch (tự đặt theo tên)", "Campaign code (from the title)"),
        &c.code,
    );
    code.more = true;
    if amendment {
        code.input = "hidden";
    }
    f.push(code);
    let mut tz = b.field("campaign.timezone", "", "", "", &c.timezone, "hidden", Vec::new());
    tz.more = true;
    f.push(tz);
    sections.push(Section::new(
        "header",
        b.t("Thông tin văn bản", "The document").into(),
        String::new(),
        f,
        Vec::new(),
        None,
        None,
    ));

    let f = vec![
        b.text(
            "campaign.signatory.on_behalf_of",
            "",
            "campaign.signatory.on_behalf_of",
            b.t("Thẩm quyền ký (TM. …)", "On behalf of"),
            &c.signatory_on_behalf_of,
        ),
        b.text("campaign.signatory.title", "", "campaign.signatory.title", b.t("Chức vụ", "Title"), &c.signatory_title),
        b.text(
            "campaign.signatory.name",
            "",
            "campaign.signatory.name",
            b.t("Họ tên người ký", "Signatory's name"),
            &c.signatory_name,
        ),
        b.text(
            "campaign.contact.office",
            "",
            "campaign.contact.office",
            b.t("Bộ phận đầu mối", "Contact office"),
            &c.contact_office,
        ),
        b.text("campaign.contact.email", "", "campaign.contact.email", b.t("Thư điện tử", "Email"), &c.contact_email),
        b.text("campaign.contact.phone", "", "campaign.contact.phone", b.t("Điện thoại", "Phone"), &c.contact_phone),
        b.field(
            "recipients",
            "",
            "recipients",
            b.t("Nơi nhận (mỗi dòng một nơi)", "Recipients (one per line)"),
            &edit.recipients.join("\n"),
            "area",
            Vec::new(),
        ),
    ];
    sections.push(Section::new(
        "signatory",
        b.t("Người ký, đầu mối, nơi nhận", "Signatory, contact, recipients").into(),
        String::new(),
        f,
        Vec::new(),
        None,
        None,
    ));

    let f = vec![
        b.field(
            "purpose.aims",
            "",
            "",
            b.t("Mục đích (mỗi dòng một ý)", "Aims (one per line)"),
            &edit.aims.join("\n"),
            "area",
            Vec::new(),
        ),
        b.field(
            "purpose.requirements",
            "",
            "",
            b.t("Yêu cầu (mỗi dòng một ý)", "Requirements (one per line)"),
            &edit.requirements.join("\n"),
            "area",
            Vec::new(),
        ),
    ];
    let mut items = Vec::new();
    for (i, a) in edit.areas.iter().enumerate() {
        let p = format!("areas[{i}]");
        let mut fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", &a.origin, "hidden", Vec::new()),
            b.text(&format!("{p}.number"), &a.origin, "number", b.t("Số mục", "Number"), &a.number),
            b.text(&format!("{p}.title"), &a.origin, "title", b.t("Tên mục", "Title"), &a.title),
            b.field(
                &format!("{p}.items"),
                "",
                "",
                b.t("Nội dung (mỗi dòng một ý)", "Items (one per line)"),
                &a.items.join("\n"),
                "area",
                Vec::new(),
            ),
        ];
        let mut children = Vec::new();
        for (j, g) in a.groups.iter().enumerate() {
            let gp = format!("{p}.groups[{j}]");
            let gf = vec![
                b.text(&format!("{gp}.heading"), "", "", b.t("Tiêu đề nhóm", "Heading"), &g.heading),
                b.field(
                    &format!("{gp}.items"),
                    "",
                    "",
                    b.t("Nội dung (mỗi dòng một ý)", "Items (one per line)"),
                    &g.items.join("\n"),
                    "area",
                    Vec::new(),
                ),
            ];
            children.push(Item::document(gp, g.heading.clone(), gf));
        }
        fields.retain(|_| true);
        items.push(Item {
            doc_heading: true,
            anchor: anchor_of(&p),
            heading: format!("{} {}", a.number, a.title),
            errors: count_errors(&fields) + children.iter().map(|c| c.errors).sum::<usize>(),
            add_child: Some((format!("add:{p}.groups"), b.t("+ Thêm nhóm nội dung", "+ Add a group").into())),
            path: p,
            fields,
            children,
            retired: false,
        });
    }
    sections.push(Section::new(
        "purpose",
        b.t("Mục đích, yêu cầu và nội dung hoạt động", "Purpose and activity areas").into(),
        b.t(
            "Báo cáo của đơn vị xếp hoạt động theo các mục nội dung này.",
            "Units file their activities under these areas.",
        )
        .into(),
        f,
        items,
        Some(("add:areas".into(), b.t("+ Thêm mục nội dung", "+ Add an area").into())),
        None,
    ));

    // Target groups, then the targets with their indicators.
    let mut items = Vec::new();
    for (i, g) in edit.target_groups.iter().enumerate() {
        let p = format!("target_groups[{i}]");
        let fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", &g.origin, "hidden", Vec::new()),
            b.field(&format!("{p}.key"), "", "", "", &g.key, "hidden", Vec::new()),
            b.text(&format!("{p}.title"), &g.origin, "title", b.t("Tên nhóm", "Title"), &g.title),
        ];
        items.push(Item::document(p, g.title.clone(), fields));
    }
    sections.push(Section::new(
        "groups",
        b.t("Nhóm chỉ tiêu", "Target groups").into(),
        b.t("Các nhóm như trong văn bản (\"Nhóm chỉ tiêu về …\").", "The groups as in the document.").into(),
        Vec::new(),
        items,
        Some(("add:target_groups".into(), b.t("+ Thêm nhóm chỉ tiêu", "+ Add a group").into())),
        None,
    ));

    let group_opts = |selected: &str| -> Vec<Opt> {
        edit.target_groups
            .iter()
            .map(|g| Opt { value: g.key.clone(), label: g.title.clone(), selected: g.key == selected, doc: true })
            .collect()
    };
    let area_opts = |selected: &str, lang: Lang| -> Vec<Opt> {
        let mut out = vec![Opt {
            value: String::new(),
            label: lang.pick("— không —", "— none —").into(),
            selected: selected.is_empty(),
            doc: false,
        }];
        out.extend(edit.areas.iter().map(|a| Opt {
            value: a.number.clone(),
            label: format!("{} {}", a.number, short(&a.title, 60)),
            selected: a.number == selected,
            doc: true,
        }));
        out
    };
    let mut items = Vec::new();
    for (i, t) in edit.targets.iter().enumerate() {
        let p = format!("targets[{i}]");
        let fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", &t.origin, "hidden", Vec::new()),
            b.field(
                &format!("{p}.number"),
                &t.origin,
                "number",
                b.t("Số thứ tự (theo văn bản)", "Number (as in the document)"),
                &t.number,
                "number",
                Vec::new(),
            ),
            b.field(
                &format!("{p}.group"),
                &t.origin,
                "group",
                b.t("Nhóm", "Group"),
                &t.group,
                "select",
                group_opts(&t.group),
            ),
            b.field(
                &format!("{p}.text"),
                &t.origin,
                "text",
                b.t("Nội dung chỉ tiêu (nguyên văn)", "The target's sentence"),
                &t.text,
                "area",
                Vec::new(),
            ),
            b.field(
                &format!("{p}.area"),
                &t.origin,
                "area",
                b.t("Thuộc nội dung hoạt động", "Activity area"),
                &t.area,
                "select",
                area_opts(&t.area, lang),
            ),
        ];
        let mut children = Vec::new();
        for (j, ind) in t.indicators.iter().enumerate() {
            let ip = format!("{p}.indicators[{j}]");
            let o = ind.origin.as_str();
            let kinds = b.options(&KINDS, &[ind.kind.as_str()]);
            let comparisons = b.options(
                &[
                    (">=", "≥ (đạt từ mục tiêu trở lên)", "≥ (at least)"),
                    (">", "> (phải vượt mục tiêu)", "> (more than)"),
                ],
                &[ind.comparison.as_str()],
            );
            let mut bases = vec![Opt {
                value: String::new(),
                label: b.t("— không —", "— none —").into(),
                selected: ind.base.is_empty(),
                doc: false,
            }];
            bases.extend(BaseFigure::ALL.iter().map(|f| Opt {
                value: f.as_str().into(),
                label: b.t(f.label_vi(), f.label_en()).into(),
                selected: ind.base == f.as_str(),
                doc: false,
            }));
            let kinds_of_units: Vec<Opt> = UnitKind::ALL
                .iter()
                .map(|k| Opt {
                    value: k.as_str().into(),
                    label: b.t(k.label_vi(), k.label_en()).into(),
                    selected: ind.unit_kinds.iter().any(|s| s == k.as_str()),
                    doc: false,
                })
                .collect();
            let mut part_of = vec![Opt {
                value: String::new(),
                label: b.t("— không —", "— none —").into(),
                selected: ind.part_of.is_empty(),
                doc: false,
            }];
            part_of.extend(t.indicators.iter().filter(|x| x.key != ind.key).map(|x| Opt {
                value: x.key.clone(),
                label: format!("{} {}", x.key, short(&x.label, 40)),
                selected: x.key == ind.part_of,
                doc: true,
            }));
            let goal_label =
                if ind.kind == "count" { b.t("Mục tiêu", "Goal") } else { b.t("Mục tiêu (%)", "Goal (%)") };
            let mut fields = vec![
                b.field(&format!("{ip}.origin"), "", "", "", o, "hidden", Vec::new()),
                b.text(&format!("{ip}.key"), o, "key", b.t("Số chỉ số", "Indicator number"), &ind.key),
                b.text(&format!("{ip}.label"), o, "label", b.t("Tên chỉ số", "Label"), &ind.label),
                b.field(&format!("{ip}.kind"), o, "kind", b.t("Loại", "Kind"), &ind.kind, "select", kinds),
                b.field(
                    &format!("{ip}.comparison"),
                    o,
                    "comparison",
                    b.t("So sánh", "Comparison"),
                    &ind.comparison,
                    "select",
                    comparisons,
                ),
                b.field(&format!("{ip}.goal"), o, "goal", goal_label, &ind.goal, "number", Vec::new()),
                b.text(
                    &format!("{ip}.unit_label"),
                    o,
                    "unit_label",
                    b.t("Đơn vị tính", "Unit of measure"),
                    &ind.unit_label,
                ),
                b.field(
                    &format!("{ip}.base"),
                    o,
                    "base",
                    b.t("Số liệu nền (với tỉ lệ)", "Base figure (for shares)"),
                    &ind.base,
                    "select",
                    bases,
                ),
                b.field(
                    &format!("{ip}.levels"),
                    o,
                    "levels",
                    b.t("Cấp báo cáo chỉ số này", "Levels that report it"),
                    "",
                    "checks",
                    b.levels(&ind.levels),
                ),
                b.text(
                    &format!("{ip}.per_unit_minimum"),
                    o,
                    "per_unit_minimum",
                    b.t("Tối thiểu mỗi đơn vị", "Minimum per unit"),
                    &ind.per_unit_minimum,
                ),
            ];
            let mut kinds_field = b.field(
                &format!("{ip}.unit_kinds"),
                o,
                "unit_kinds",
                b.t("Chỉ tính loại đơn vị", "Only these kinds of unit"),
                "",
                "checks",
                kinds_of_units,
            );
            kinds_field.more = true;
            fields.push(kinds_field);
            let mut part = b.field(
                &format!("{ip}.part_of"),
                o,
                "part_of",
                b.t("Là phần \"trong đó\" của", "Part of"),
                &ind.part_of,
                "select",
                part_of,
            );
            part.more = true;
            fields.push(part);
            let mut note =
                b.field(&format!("{ip}.note"), o, "note", b.t("Ghi chú", "Note"), &ind.note, "area", Vec::new());
            note.more = true;
            fields.push(note);
            if amendment {
                let mut retired = b.field(
                    &format!("{ip}.retired"),
                    o,
                    "retired",
                    b.t("Ngừng theo dõi (giữ số liệu đã báo cáo)", "Retired (reported figures kept)"),
                    if ind.retired { "1" } else { "" },
                    "check",
                    Vec::new(),
                );
                retired.hint = b
                    .t(
                        "Chỉ số đã có báo cáo không xóa được, chỉ ngừng theo dõi.",
                        "An indicator with reports cannot be deleted, only retired.",
                    )
                    .into();
                fields.push(retired);
            }
            children.push(Item {
                doc_heading: false,
                anchor: anchor_of(&ip),
                heading: format!("{} {}", b.t("Chỉ số", "Indicator"), ind.key),
                errors: count_errors(&fields),
                path: ip,
                fields,
                children: Vec::new(),
                add_child: None,
                retired: ind.retired,
            });
        }
        let errors = count_errors(&fields) + children.iter().map(|c| c.errors).sum::<usize>();
        items.push(Item {
            doc_heading: false,
            anchor: anchor_of(&p),
            heading: format!("{} {}", b.t("Chỉ tiêu", "Target"), t.number),
            errors,
            add_child: Some((format!("add:{p}.indicators"), b.t("+ Thêm chỉ số", "+ Add an indicator").into())),
            path: p,
            fields,
            children,
            retired: false,
        });
    }
    sections.push(Section::new("targets", b.t("Chỉ tiêu", "Targets").into(), b.t(
            "Giữ số thứ tự như văn bản (được phép bỏ số; số bị bỏ được nhắc bên dưới). Mỗi chỉ tiêu có một hay nhiều chỉ số mà đơn vị báo cáo.",
            "Keep the document's numbering (gaps are allowed and listed). Each target has one or more indicators that units report.",
        )
        .into(), Vec::new(), items, Some(("add:targets".into(), b.t("+ Thêm chỉ tiêu", "+ Add a target").into())), Some(("renumber:targets".into(), b.t("Đánh số lại 1, 2, 3…", "Renumber 1, 2, 3…").into()))));

    let mut items = Vec::new();
    for (i, e) in edit.events.iter().enumerate() {
        let p = format!("events[{i}]");
        let o = e.origin.as_str();
        let mut fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", o, "hidden", Vec::new()),
            b.field(&format!("{p}.number"), o, "number", b.t("Số thứ tự", "Number"), &e.number, "number", Vec::new()),
            b.field(&format!("{p}.title"), o, "title", b.t("Tên hoạt động", "Title"), &e.title, "area", Vec::new()),
            b.field(
                &format!("{p}.starts_on"),
                o,
                "starts_on",
                b.t("Từ ngày", "From"),
                &e.starts_on,
                "date",
                Vec::new(),
            ),
            b.field(&format!("{p}.ends_on"), o, "ends_on", b.t("Đến ngày", "To"), &e.ends_on, "date", Vec::new()),
            b.text(&format!("{p}.place"), o, "place", b.t("Địa điểm", "Place"), &e.place),
        ];
        let mut host = b.text(
            &format!("{p}.host_unit"),
            o,
            "host_unit",
            b.t("Đơn vị đăng cai (mã đơn vị)", "Host unit (code)"),
            &e.host_unit,
        );
        host.more = true;
        fields.push(host);
        let mut note = b.field(&format!("{p}.note"), o, "note", b.t("Ghi chú", "Note"), &e.note, "area", Vec::new());
        note.more = true;
        fields.push(note);
        items.push(Item::document(p, format!("{} {}", e.number, short(&e.title, 70)), fields));
    }
    sections.push(Section::new(
        "events",
        b.t("Hoạt động cấp tỉnh", "Province-level events").into(),
        String::new(),
        Vec::new(),
        items,
        Some(("add:events".into(), b.t("+ Thêm hoạt động", "+ Add an event").into())),
        None,
    ));

    let mut items = Vec::new();
    for (i, m) in edit.milestones.iter().enumerate() {
        let p = format!("milestones[{i}]");
        let o = m.origin.as_str();
        let when = b.options(
            &[
                ("on", "Vào ngày", "On the day"),
                ("window", "Trong khoảng (từ … đến …)", "From … to …"),
                ("before", "Hạn trước ngày", "Due before"),
            ],
            &[m.when.as_str()],
        );
        let level_opts: Vec<Opt> = Level::ALL
            .iter()
            .map(|l| Opt {
                value: l.as_str().into(),
                label: b.t(l.label_vi(), l.label_en()).into(),
                selected: m.level == l.as_str(),
                doc: false,
            })
            .collect();
        let mut fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", o, "hidden", Vec::new()),
            b.field(&format!("{p}.key"), "", "", "", &m.key, "hidden", Vec::new()),
            b.field(&format!("{p}.title"), o, "title", b.t("Nội dung", "What"), &m.title, "area", Vec::new()),
            b.field(&format!("{p}.level"), o, "level", b.t("Cấp thực hiện", "Level"), &m.level, "select", level_opts),
            b.field(&format!("{p}.when"), o, "when", b.t("Thời gian", "When"), &m.when, "select", when),
            b.field(&format!("{p}.date"), o, "when", b.t("Ngày", "Date"), &m.date, "date", Vec::new()),
            b.field(
                &format!("{p}.until"),
                "",
                "",
                b.t("Đến ngày (nếu là khoảng)", "Until (for a window)"),
                &m.until,
                "date",
                Vec::new(),
            ),
            b.text(&format!("{p}.place"), o, "place", b.t("Địa điểm", "Place"), &m.place),
        ];
        for (name, label_vi, label_en, value) in [
            ("host_unit", "Đơn vị đăng cai (mã đơn vị)", "Host unit (code)", &m.host_unit),
            ("source", "Mục trong văn bản", "Where in the document", &m.source),
            ("note", "Ghi chú", "Note", &m.note),
        ] {
            let mut x = b.text(&format!("{p}.{name}"), o, name, b.t(label_vi, label_en), value);
            x.more = true;
            fields.push(x);
        }
        items.push(Item::document(p, short(&m.title, 80), fields));
    }
    sections.push(Section::new(
        "milestones",
        b.t("Mốc thời gian và hạn", "Milestones and deadlines").into(),
        String::new(),
        Vec::new(),
        items,
        Some(("add:milestones".into(), b.t("+ Thêm mốc", "+ Add a milestone").into())),
        None,
    ));

    let r = &edit.reporting;
    let mut f = vec![
        b.field(
            "reporting.levels",
            "",
            "",
            b.t("Cấp gửi báo cáo tuần", "Levels that report weekly"),
            "",
            "checks",
            b.levels(&r.levels),
        ),
        b.field(
            "reporting.weekly.first_period_end",
            "",
            "reporting.weekly.first_period_end",
            b.t("Ngày kết thúc kỳ báo cáo đầu tiên", "Last day of the first week"),
            &r.first_period_end,
            "date",
            Vec::new(),
        ),
        b.field(
            "reporting.weekly.last_period_end",
            "",
            "reporting.weekly.last_period_end",
            b.t("Ngày kết thúc kỳ báo cáo cuối cùng", "Last day of the last week"),
            &r.last_period_end,
            "date",
            Vec::new(),
        ),
        b.field(
            "reporting.weekly.due_time",
            "",
            "reporting.weekly.due_time",
            b.t("Hạn nộp: trước giờ (ngày cuối kỳ)", "Due before (on the week's last day)"),
            &r.due_time,
            "time",
            Vec::new(),
        ),
        b.text("reporting.send_to", "", "", b.t("Gửi báo cáo về", "Send reports to"), &r.send_to),
        b.field(
            "reporting.weekly.rule_text",
            "",
            "",
            b.t("Câu quy định trong văn bản", "The plan's sentence"),
            &r.rule_text,
            "area",
            Vec::new(),
        ),
    ];
    let mut lock = b.field(
        "reporting.lock_after_days",
        "",
        "",
        b.t(
            "Khóa kỳ sau hạn (số ngày; để trống: không khóa)",
            "Lock a week this many days after its deadline (empty: never)",
        ),
        &r.lock_after_days,
        "number",
        Vec::new(),
    );
    lock.more = true;
    f.push(lock);
    let weeks = weekly_summary(edit, lang);
    sections.push(Section::new(
        "reporting",
        b.t("Báo cáo hằng tuần", "Weekly reports").into(),
        weeks,
        f,
        Vec::new(),
        None,
        None,
    ));

    let mut items = Vec::new();
    for (i, d) in edit.duties.iter().enumerate() {
        let p = format!("duties[{i}]");
        let fields = vec![
            b.field(&format!("{p}.origin"), "", "", "", &d.origin, "hidden", Vec::new()),
            b.text(&format!("{p}.party"), &d.origin, "party", b.t("Đơn vị", "Who"), &d.party),
            b.field(&format!("{p}.unit"), "", "", "", &d.unit, "hidden", Vec::new()),
            b.field(
                &format!("{p}.role"),
                "",
                "",
                b.t("Vai trò", "Role"),
                &d.role,
                "select",
                b.options(&DUTY_ROLES, &[d.role.as_str()]),
            ),
            b.field(
                &format!("{p}.items"),
                "",
                "",
                b.t("Nhiệm vụ (mỗi dòng một ý)", "Duties (one per line)"),
                &d.items.join("\n"),
                "area",
                Vec::new(),
            ),
        ];
        items.push(Item::document(p, d.party.clone(), fields));
    }
    sections.push(Section::new(
        "duties",
        b.t("Tổ chức thực hiện", "Who does what").into(),
        String::new(),
        Vec::new(),
        items,
        Some(("add:duties".into(), b.t("+ Thêm đơn vị", "+ Add").into())),
        None,
    ));
    (sections, b.flags)
}

/// "5 tuần báo cáo, mỗi tuần từ thứ Bảy đến hết thứ Sáu; hạn 16:00 thứ Sáu."
fn weekly_summary(edit: &PlanEdit, lang: Lang) -> String {
    use chrono::Datelike;
    let r = &edit.reporting;
    let (Ok(first), Ok(last)) = (
        phongtrao_domain::plan::FileDate::parse(&r.first_period_end),
        phongtrao_domain::plan::FileDate::parse(&r.last_period_end),
    ) else {
        return lang
            .pick(
                "Mỗi kỳ báo cáo là 7 ngày, kết thúc vào ngày ghi dưới đây.",
                "Each week is 7 days ending on the day given below.",
            )
            .into();
    };
    let weeks = (last.0 - first.0).num_days() / 7 + 1;
    let end = first.0.weekday();
    let start = (first.0 - chrono::Duration::days(6)).weekday();
    let day = |d: chrono::Weekday| -> &'static str {
        let vi = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"];
        let en = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        let i = d.num_days_from_monday() as usize;
        lang.pick(vi[i], en[i])
    };
    match lang {
        Lang::Vi => format!(
            "{weeks} kỳ báo cáo, mỗi kỳ từ {} đến hết {}; hạn nộp trước {} {}.",
            day(start),
            day(end),
            r.due_time,
            day(end)
        ),
        Lang::En => format!(
            "{weeks} weekly periods, each from {} to {}; due before {} on {}.",
            day(start),
            day(end),
            r.due_time,
            day(end)
        ),
    }
}

pub fn render(page: &Page, id: i64, review: &Review, checked: &Checked, error: Option<String>) -> EditorPage {
    let lang = page.lang;
    let english = lang == Lang::En;
    let edit = review.edit.clone().unwrap_or_default();
    let amendment = review.is_amendment();
    let (sections, review_flags) = build(&edit, checked, lang, amendment);
    let errors = checked
        .errors()
        .map(|n| Flag {
            anchor: n.path.as_deref().map(anchor_of).unwrap_or_default(),
            what: n
                .path
                .as_deref()
                .map(|p| edit.describe(p, english))
                .unwrap_or_else(|| lang.pick("Kế hoạch", "The plan").into()),
            message: if english { n.en.clone() } else { n.vi.clone() },
        })
        .collect();
    let notes =
        checked.notes.iter().filter(|n| !n.error).map(|n| if english { n.en.clone() } else { n.vi.clone() }).collect();
    let problems = review
        .problems
        .iter()
        .map(|p| {
            let (vi, en) = phongtrao_domain::unit_import::split_pair(p);
            lang.pick(&vi, &en).to_string()
        })
        .collect();
    let (heading, intro) = match review.mode.as_str() {
        plan_import::MODE_AMEND => (
            lang.pick("Điều chỉnh kế hoạch đang chạy", "Amend the running plan").to_string(),
            lang.pick(
                "Sửa những gì văn bản điều chỉnh thay đổi, ghi lý do và số văn bản, xem trước các thay đổi rồi áp dụng. Tiến độ được tính lại theo phiên bản mới; các phiên bản cũ vẫn được lưu.",
                "Change what the amending document changes, give its reason and number, preview the changes, then apply. Progress is recomputed with the new version; earlier versions are kept.",
            )
            .to_string(),
        ),
        plan_import::MODE_NEW => (
            lang.pick("Soạn kế hoạch mới", "Write a new plan").to_string(),
            lang.pick("Điền từng phần của kế hoạch; mỗi ô được kiểm tra ngay. Không có gì được áp dụng trước khi xác nhận.", "Fill in each part of the plan; every field is checked. Nothing runs until you confirm.").to_string(),
        ),
        _ => (
            lang.pick("Rà soát kế hoạch nhập từ văn bản", "Review the plan read from the document").to_string(),
            format!(
                "{} — {}",
                review.file_name,
                lang.pick(
                    "mỗi giá trị đọc được có câu gốc và mức độ chắc chắn bên cạnh; các ô cần kiểm tra được tô màu và liệt kê ở trên. Không có gì được áp dụng trước khi xác nhận.",
                    "each value read has its source sentence and how sure the reader was beside it; fields to check are highlighted and listed above. Nothing runs until you confirm.",
                )
            ),
        ),
    };
    let summary = match &checked.plan {
        Some(plan) if checked.is_valid() => format!(
            "{}: {} {}, {} {}, {} {}, {} {}.",
            lang.pick("Kế hoạch hợp lệ", "The plan is valid"),
            plan.targets.len(),
            lang.pick("chỉ tiêu", "targets"),
            plan.indicators().count(),
            lang.pick("chỉ số", "indicators"),
            plan.events.len(),
            lang.pick("hoạt động cấp tỉnh", "events"),
            plan.periods().len(),
            lang.pick("kỳ báo cáo tuần", "weekly periods"),
        ),
        _ => String::new(),
    };
    EditorPage {
        chrome: page.chrome(heading.clone(), "overview"),
        id,
        heading,
        intro,
        amendment,
        campaign_code: review.campaign_code.clone().unwrap_or_default(),
        reason: review.amendment.reason.clone(),
        document_number: review.amendment.document_number.clone(),
        document_date: review.amendment.document_date.clone(),
        sections,
        errors,
        review_flags,
        notes,
        problems,
        valid: checked.is_valid(),
        summary,
        error,
        preview: Vec::new(),
        saved: false,
    }
}

pub async fn show(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<EditorPage, AppError> {
    let actor = page.require_actor()?.clone();
    let review = plan_import::load(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let mut review = review;
    let edit = review.edit().map_err(|f| page.fail(f))?;
    let checked = edit.check();
    review.edit = Some(edit);
    Ok(render(&page, id, &review, &checked, None))
}

/// The button pressed: "save", "confirm", "preview", "apply", or a list button ("add:targets").
fn button(pairs: &[(String, String)]) -> String {
    pairs.iter().find(|(k, _)| k == "action").map(|(_, v)| v.clone()).unwrap_or_else(|| "save".into())
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let action = button(&pairs);
    if !pairs.iter().any(|(k, _)| k.starts_with("campaign.")) {
        // A whole plan file pasted (the exchange format), or a form that is not the editor's.
        let Some((_, toml)) = pairs.iter().find(|(k, _)| k == "toml") else {
            return Err(page.fail(crate::error::Failure::invalid(
                "Biểu mẫu kế hoạch không đầy đủ; hãy mở lại trang / the plan form is incomplete; open the page again",
            )));
        };
        let review = plan_import::save_edit(&state, &actor, &page.client, id, toml).await.map_err(|f| page.fail(f))?;
        let edit = review.edit().map_err(|f| page.fail(f))?;
        let checked = edit.check();
        let status = if checked.is_valid() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok((status, render(&page, id, &review, &checked, None)).into_response());
    }
    let op = action.contains(':').then_some(action.as_str());
    let (review, checked) =
        plan_edit::save_form(&state, &actor, &page.client, id, &pairs, op).await.map_err(|f| page.fail(f))?;
    match action.as_str() {
        "confirm" => match plan_edit::confirm(&state, &actor, &page.client, id).await {
            Ok(campaign) if review.own_plan.is_some() => {
                // A unit's own plan: back to the unit's part of the campaign.
                let own = review.own_plan.clone().unwrap_or_default();
                Ok(Redirect::to(&format!(
                    "/campaigns/{}/units/{}/plan?confirmed={}",
                    crate::error::urlencode(&own.parent_campaign),
                    crate::error::urlencode(&own.unit),
                    crate::error::urlencode(&campaign.row.code)
                ))
                .into_response())
            }
            Ok(campaign) => {
                Ok(Redirect::to(&format!("/?activated=1&campaign={}", crate::error::urlencode(&campaign.row.code)))
                    .into_response())
            }
            Err(f)
                if f.status.is_client_error()
                    && f.status != StatusCode::FORBIDDEN
                    && f.status != StatusCode::NOT_FOUND =>
            {
                let status = f.status;
                let view = render(&page, id, &review, &checked, Some(f.message(page.lang).to_string()));
                Ok((status, view).into_response())
            }
            Err(f) => Err(page.fail(f)),
        },
        "preview" | "apply" if review.is_amendment() => {
            crate::pages::plan_amend_edit::amend(&state, &page, id, &review, &checked, action == "apply").await
        }
        _ => {
            let mut view = render(&page, id, &review, &checked, None);
            view.saved = op.is_none();
            Ok(view.into_response())
        }
    }
}

#[derive(Serialize)]
pub struct LiveChecks {
    pub valid: bool,
    pub summary: String,
    /// Field id → its errors and notes, in the page's language.
    pub fields: std::collections::BTreeMap<String, Vec<String>>,
    pub errors: usize,
}

/// The checks of the form as it stands, saved as the draft (the page's script calls
/// this as the office types).
pub async fn live(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Json<LiveChecks>, AppError> {
    let actor = page.require_actor()?.clone();
    let (review, checked) =
        plan_edit::save_form(&state, &actor, &page.client, id, &pairs, None).await.map_err(|f| page.fail(f))?;
    let english = page.lang == Lang::En;
    let mut fields: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for n in &checked.notes {
        if let Some(p) = &n.path {
            fields.entry(anchor_of(p)).or_default().push(if english { n.en.clone() } else { n.vi.clone() });
        }
    }
    let view = render(&page, id, &review, &checked, None);
    Ok(Json(LiveChecks { valid: checked.is_valid(), summary: view.summary, fields, errors: checked.errors().count() }))
}

/// The draft as a plan file, to keep or send (the exchange format).
pub async fn download(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let review = plan_import::load(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let edit = review.edit().map_err(|f| page.fail(f))?;
    let name = format!("{}.toml", if edit.campaign.code.is_empty() { "ke-hoach" } else { edit.campaign.code.as_str() });
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        edit.to_toml(),
    )
        .into_response())
}

/// "Soạn kế hoạch mới": a blank plan with the office's own header.
pub async fn start_new(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let like = page.campaign().ok().cloned();
    let id = plan_edit::start_new(&state, &actor, &page.client, like.as_ref()).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/admin/plan/drafts/{id}")).into_response())
}

/// The old address of a draft under review.
pub async fn old_address(Path(id): Path<i64>) -> Redirect {
    Redirect::permanent(&format!("/admin/plan/drafts/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phongtrao_domain::plan::edit::PlanEdit;

    /// What the page's form would send back: every field's name and value.
    fn form_of(sections: &[Section]) -> Vec<(String, String)> {
        fn push(out: &mut Vec<(String, String)>, fields: &[Field]) {
            for f in fields {
                match f.input {
                    "checks" => {
                        out.extend(f.options.iter().filter(|o| o.selected).map(|o| (f.name.clone(), o.value.clone())))
                    }
                    "check" if f.value != "1" => {}
                    _ => out.push((f.name.clone(), f.value.clone())),
                }
            }
        }
        fn items(out: &mut Vec<(String, String)>, list: &[Item]) {
            for i in list {
                push(out, &i.fields);
                items(out, &i.children);
            }
        }
        let mut out = Vec::new();
        for s in sections {
            push(&mut out, &s.fields);
            items(&mut out, &s.items);
        }
        out
    }

    fn first_difference(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => x
                .keys()
                .chain(y.keys())
                .find_map(|k| first_difference(&format!("{path}.{k}"), &x[k], y.get(k).unwrap_or(&Value::Null))),
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(&format!("{path}[{i}]"), p, q))
            }
            _ if a == b => None,
            _ => Some(format!("{path}: {a} vs {b}")),
        }
    }

    #[test]
    fn every_value_of_a_plan_goes_round_the_form_unchanged() {
        for text in
            [phongtrao_domain::builtin::PLAN_TOML, include_str!("../../../../plans/kien-giang-he-2024-demo.toml")]
        {
            let mut edit = PlanEdit::from_toml(text).expect("plan");
            edit.targets[0].indicators[0].retired = true;
            let checked = edit.check();
            for amendment in [true, false] {
                let (sections, _) = build(&edit, &checked, Lang::Vi, amendment);
                let back = PlanEdit::from_form(&form_of(&sections), edit.sources.clone());
                let mut expected = edit.clone();
                if !amendment {
                    // Only an amendment retires indicators.
                    expected.targets[0].indicators[0].retired = false;
                }
                let (a, b) = (serde_json::to_value(&back).unwrap(), serde_json::to_value(&expected).unwrap());
                assert_eq!(first_difference("", &a, &b), None, "amendment: {amendment}");
                assert_eq!(back, expected, "amendment: {amendment}");
            }
        }
    }
}
