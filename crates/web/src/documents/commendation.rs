//! The commendation documents in the Youth Union format (.docx): the proposal (tờ
//! trình đề nghị khen thưởng) with the list, the list on its own (danh sách đề
//! nghị khen thưởng), the draft decision (quyết định khen thưởng) with the list as
//! its annex; and the list as an .xlsx workbook. Accepted nominations only.

use chrono::NaiveDate;
use phongtrao_domain::emulation::commendation::Target;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::commendations::{NominationRow, StoredForm};

use super::report::{body, header_block, signature_block, title_block, BODY, TABLE};
use super::{campaign_name, place_and_date};
use crate::docx::{Align, Cell, Document, Para, Run, Table};
use crate::error::Failure;

/// The accepted nominations, by form (collectives first within each).
pub type Accepted = [(StoredForm, Vec<NominationRow>)];

/// Which commendation document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommendationDoc {
    Proposal,
    List,
    Decision,
}

impl CommendationDoc {
    pub fn parse(name: &str) -> Option<CommendationDoc> {
        match name.trim_end_matches(".docx") {
            "proposal" | "to-trinh" => Some(CommendationDoc::Proposal),
            "list" | "danh-sach" => Some(CommendationDoc::List),
            "decision" | "quyet-dinh" => Some(CommendationDoc::Decision),
            _ => None,
        }
    }

    /// The file name's stem: "to-trinh-khen-thuong".
    pub fn file_stem(self) -> &'static str {
        match self {
            CommendationDoc::Proposal => "to-trinh-khen-thuong",
            CommendationDoc::List => "danh-sach-de-nghi-khen-thuong",
            CommendationDoc::Decision => "du-thao-quyet-dinh-khen-thuong",
        }
    }
}

const HEADER_FILL: &str = "E7E6E6";

fn roman(n: usize) -> String {
    const R: [&str; 20] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
        "XVIII", "XIX", "XX",
    ];
    R.get(n.saturating_sub(1)).map(|s| s.to_string()).unwrap_or_else(|| n.to_string())
}

/// "Nguyễn Văn An, sinh năm 1995, Bí thư Chi đoàn khu phố 3, Thành đoàn Rạch Giá";
/// a collective: its unit's name.
pub fn nominee_line(n: &NominationRow) -> String {
    if n.kind == "collective" {
        return n.unit_name.clone();
    }
    let mut out = n.person_name.clone();
    if let Some(y) = n.birth_year {
        out.push_str(&format!(", sinh năm {y}"));
    }
    if !n.person_position.is_empty() {
        out.push_str(&format!(", {}", n.person_position));
    }
    if !n.person_position.contains(&n.unit_name) {
        out.push_str(&format!(", {}", n.unit_name));
    }
    out
}

fn counts(accepted: &Accepted) -> (usize, usize) {
    let all = accepted.iter().flat_map(|(_, l)| l.iter());
    all.fold((0, 0), |(c, i), n| if n.kind == "collective" { (c + 1, i) } else { (c, i + 1) })
}

/// "05 tập thể và 12 cá nhân" (a part left out when there is none).
fn count_words(collectives: usize, individuals: usize) -> String {
    match (collectives, individuals) {
        (0, 0) => "0 tập thể, cá nhân".to_string(),
        (c, 0) => format!("{c:02} tập thể"),
        (0, i) => format!("{i:02} cá nhân"),
        (c, i) => format!("{c:02} tập thể và {i:02} cá nhân"),
    }
}

/// The tables of the list: per form a heading, the collectives then the individuals,
/// each with STT / Tên tập thể, cá nhân / Thành tích.
fn list_tables(doc: &mut Document, accepted: &Accepted) {
    if accepted.is_empty() {
        body(doc, "(Chưa có đề nghị nào được duyệt.)");
        return;
    }
    for (i, (form, rows)) in accepted.iter().enumerate() {
        doc.para(
            Para::new()
                .spacing(12.0, 6.0)
                .keep_next()
                .run(Run::new(format!("{}. {}", roman(i + 1), form.form.name.to_uppercase())).bold().size(BODY)),
        );
        let groups: [(&str, &str, Vec<&NominationRow>); 2] = [
            ("Tập thể", "Tên tập thể", rows.iter().filter(|n| n.kind == "collective").collect()),
            (
                "Cá nhân",
                "Họ và tên, năm sinh, chức vụ, đơn vị",
                rows.iter().filter(|n| n.kind != "collective").collect(),
            ),
        ];
        let several = groups.iter().filter(|(_, _, l)| !l.is_empty()).count() > 1;
        let mut part = 0;
        for (label, column, list) in groups {
            if list.is_empty() {
                continue;
            }
            part += 1;
            if several || form.form.target == Target::Collective && label == "Cá nhân" {
                doc.para(
                    Para::new()
                        .spacing(3.0, 3.0)
                        .keep_next()
                        .run(Run::new(format!("{part}. {label} ({:02})", list.len())).bold().italic().size(BODY)),
                );
            }
            let mut t = Table::proportional(&[8, 40, 52], true);
            t.header_row(vec![
                Cell::text("STT", Align::Center, TABLE).bold().fill(HEADER_FILL),
                Cell::text(column, Align::Center, TABLE).bold().fill(HEADER_FILL),
                Cell::text("Thành tích", Align::Center, TABLE).bold().fill(HEADER_FILL),
            ]);
            for (k, n) in list.iter().enumerate() {
                t.row(vec![
                    Cell::text((k + 1).to_string(), Align::Center, TABLE),
                    Cell::text(nominee_line(n), Align::Left, TABLE),
                    Cell::text(n.achievements.clone(), Align::Left, TABLE),
                ]);
            }
            doc.table(t);
        }
    }
}

/// The left of the header: the superior body (BCH ĐOÀN TỈNH KIÊN GIANG).
fn issuing(campaign: &StoredCampaign) -> String {
    let c = &campaign.plan.campaign;
    c.superior_body.clone().unwrap_or_else(|| c.issuing_body.clone())
}

/// The province's committee as the text names it: "Ban Thường vụ Tỉnh đoàn Kiên Giang".
fn standing_committee(campaign: &StoredCampaign) -> String {
    campaign.plan.campaign.issuing_body.clone()
}

/// The plan the campaign runs on, as a basis: "Kế hoạch số 45-KH/TĐTN ngày …".
fn plan_basis(campaign: &StoredCampaign) -> String {
    let c = &campaign.plan.campaign;
    let kind = c.document_type.clone().unwrap_or_else(|| "Kế hoạch".into());
    let number = c
        .document_number
        .as_deref()
        .map(|n| n.trim().strip_prefix("Số:").unwrap_or(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .map(|n| format!(" số {n}"))
        .unwrap_or_default();
    let day = c.issued_on.map(|d| format!(" ngày {}", phongtrao_domain::format::date(d))).unwrap_or_default();
    format!("{kind}{number}{day} của {} về tổ chức {}", standing_committee(campaign), campaign_name(campaign))
}

fn signature(doc: &mut Document, campaign: &StoredCampaign, recipients: &[&str]) {
    let s = &campaign.plan.campaign.signatory;
    let recipients: Vec<String> = recipients.iter().map(|r| r.to_string()).collect();
    signature_block(doc, &recipients, &s.on_behalf_of, &s.title, &s.name);
}

/// "- Giấy khen của BCH Tỉnh đoàn: 02 tập thể;" per form, the last ending with a full stop.
fn form_counts(doc: &mut Document, accepted: &Accepted) {
    for (k, (form, rows)) in accepted.iter().enumerate() {
        let c = rows.iter().filter(|n| n.kind == "collective").count();
        let i = rows.len() - c;
        let end = if k + 1 == accepted.len() { "." } else { ";" };
        doc.para(Para::body(format!("- {}: {}{end}", form.form.name, count_words(c, i))).size(BODY));
    }
}

/// The proposal (tờ trình) with the list of accepted nominations.
pub fn proposal(campaign: &StoredCampaign, accepted: &Accepted, day: NaiveDate) -> Document {
    let c = &campaign.plan.campaign;
    let name = campaign_name(campaign);
    let mut doc = Document::new(format!("Tờ trình đề nghị khen thưởng {name}"), BODY);
    header_block(&mut doc, &issuing(campaign), "      -TTr/TĐTN", &place_and_date(&c.place, day));
    title_block(
        &mut doc,
        "TỜ TRÌNH",
        &[
            "Về việc đề nghị khen thưởng các tập thể, cá nhân".to_string(),
            format!("có thành tích xuất sắc trong {name}"),
        ],
    );
    doc.para(
        Para::new()
            .center()
            .spacing(0.0, 12.0)
            .run(Run::new("Kính gửi: ").size(BODY))
            .run(Run::new(format!("Ban Chấp hành Tỉnh đoàn {}", c.place)).bold().size(BODY)),
    );
    body(&mut doc, format!("Căn cứ {};", plan_basis(campaign)));
    body(
        &mut doc,
        "Căn cứ kết quả chấm điểm, xếp hạng thi đua của các cụm, khối thi đua và đề nghị khen thưởng của các đơn vị;",
    );
    let (tc, ti) = counts(accepted);
    body(
        &mut doc,
        format!(
            "{} kính trình Ban Chấp hành Tỉnh đoàn xem xét, khen thưởng {} có thành tích xuất sắc trong {name}, cụ thể:",
            standing_committee(campaign),
            count_words(tc, ti)
        ),
    );
    form_counts(&mut doc, accepted);
    body(&mut doc, "(Có danh sách kèm theo).");
    body(&mut doc, "Kính trình Ban Chấp hành Tỉnh đoàn xem xét, quyết định./.");
    signature(&mut doc, campaign, &["Như trên", "Lưu VP"]);
    annex_title(&mut doc, campaign, "Kèm theo Tờ trình số      -TTr/TĐTN", day, true);
    list_tables(&mut doc, accepted);
    doc
}

/// The list's title under a document: "DANH SÁCH … (Kèm theo … ngày … của …)".
fn annex_title(doc: &mut Document, campaign: &StoredCampaign, attached_to: &str, day: NaiveDate, new_page: bool) {
    let name = campaign_name(campaign);
    let title = Para::new().center().spacing(24.0, 0.0).keep_next().run(Run::new("DANH SÁCH").bold().size(15.0));
    // After a signed document the list is its annex: it starts on a page of its own.
    doc.para(if new_page { title.page_break_before() } else { title });
    doc.para(
        Para::new().center().keep_next().run(
            Run::new(format!("Đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong {name}"))
                .bold()
                .size(BODY),
        ),
    );
    doc.para(
        Para::new().center().spacing(0.0, 12.0).keep_next().run(
            Run::new(format!(
                "({attached_to} ngày {} của {})",
                phongtrao_domain::format::date(day),
                standing_committee(campaign)
            ))
            .italic()
            .size(13.0),
        ),
    );
}

/// The list on its own (danh sách đề nghị khen thưởng).
pub fn list(campaign: &StoredCampaign, accepted: &Accepted, day: NaiveDate) -> Document {
    let c = &campaign.plan.campaign;
    let mut doc = Document::new(format!("Danh sách đề nghị khen thưởng {}", campaign_name(campaign)), BODY);
    header_block(&mut doc, &issuing(campaign), "      -TTr/TĐTN", &place_and_date(&c.place, day));
    annex_title(&mut doc, campaign, "Kèm theo Tờ trình số      -TTr/TĐTN", day, false);
    list_tables(&mut doc, accepted);
    let (tc, ti) = counts(accepted);
    doc.para(
        Para::new()
            .spacing(12.0, 0.0)
            .run(Run::new(format!("Danh sách có {}.", count_words(tc, ti))).italic().size(BODY)),
    );
    doc
}

/// The draft decision (quyết định khen thưởng): Điều 1–3, then the list as its annex.
pub fn decision(campaign: &StoredCampaign, accepted: &Accepted, day: NaiveDate) -> Document {
    let c = &campaign.plan.campaign;
    let name = campaign_name(campaign);
    let mut doc = Document::new(format!("Quyết định khen thưởng {name}"), BODY);
    header_block(&mut doc, &issuing(campaign), "      -QĐ/TĐTN", &place_and_date(&c.place, day));
    title_block(
        &mut doc,
        "QUYẾT ĐỊNH",
        &["Về việc khen thưởng các tập thể, cá nhân".to_string(), format!("có thành tích xuất sắc trong {name}")],
    );
    doc.para(
        Para::new()
            .center()
            .spacing(0.0, 12.0)
            .run(Run::new(standing_committee(campaign).to_uppercase()).bold().size(BODY)),
    );
    body(&mut doc, "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;");
    body(&mut doc, "Căn cứ Hướng dẫn thực hiện công tác thi đua, khen thưởng của Đoàn TNCS Hồ Chí Minh;");
    body(&mut doc, format!("Căn cứ {};", plan_basis(campaign)));
    body(&mut doc, "Xét đề nghị của các đơn vị và kết quả chấm điểm, xếp hạng thi đua,");
    doc.para(Para::new().center().spacing(6.0, 6.0).run(Run::new("QUYẾT ĐỊNH:").bold().size(BODY)));
    let (tc, ti) = counts(accepted);
    doc.para(Para::body("").size(BODY).run(Run::new("Điều 1. ").bold().size(BODY)).run(
        Run::new(format!("Khen thưởng {} có thành tích xuất sắc trong {name}, gồm:", count_words(tc, ti))).size(BODY),
    ));
    form_counts(&mut doc, accepted);
    body(&mut doc, "(Có danh sách kèm theo).");
    doc.para(
        Para::body("")
            .size(BODY)
            .run(Run::new("Điều 2. ").bold().size(BODY))
            .run(Run::new("Các tập thể, cá nhân có tên tại Điều 1 được tặng giấy chứng nhận và hiện vật (hoặc tiền thưởng) theo quy định hiện hành.").size(BODY)),
    );
    doc.para(
        Para::body("")
            .size(BODY)
            .run(Run::new("Điều 3. ").bold().size(BODY))
            .run(Run::new("Văn phòng, các Ban Tỉnh đoàn, các đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành./.").size(BODY)),
    );
    signature(&mut doc, campaign, &["Như Điều 3", "Lưu VP"]);
    annex_title(&mut doc, campaign, "Kèm theo Quyết định số      -QĐ/TĐTN", day, true);
    list_tables(&mut doc, accepted);
    doc
}

pub fn build(
    kind: CommendationDoc,
    campaign: &StoredCampaign,
    accepted: &Accepted,
    day: NaiveDate,
) -> Result<Vec<u8>, Failure> {
    match kind {
        CommendationDoc::Proposal => proposal(campaign, accepted, day),
        CommendationDoc::List => list(campaign, accepted, day),
        CommendationDoc::Decision => decision(campaign, accepted, day),
    }
    .to_bytes()
}

/// The list as a workbook: one row per accepted nomination, in the documents' order.
pub fn list_xlsx(campaign: &StoredCampaign, accepted: &Accepted) -> Result<Vec<u8>, Failure> {
    use crate::files::{Cell as X, Sheet};
    let header: Vec<String> = [
        "STT",
        "Hình thức khen thưởng",
        "Tập thể / cá nhân",
        "Tên tập thể, cá nhân",
        "Năm sinh",
        "Chức vụ",
        "Đơn vị",
        "Thành tích",
        "Minh chứng",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let mut rows = Vec::new();
    let mut k = 0;
    for (form, list) in accepted {
        for n in list {
            k += 1;
            let collective = n.kind == "collective";
            rows.push(vec![
                X::Integer(k),
                X::Text(form.form.name.clone()),
                X::Text(if collective { "Tập thể" } else { "Cá nhân" }.to_string()),
                X::Text(if collective { n.unit_name.clone() } else { n.person_name.clone() }),
                n.birth_year.map(X::Integer).unwrap_or(X::Empty),
                X::Text(n.person_position.clone()),
                X::Text(n.unit_name.clone()),
                X::Text(n.achievements.clone()),
                X::Text(n.evidence.clone()),
            ]);
        }
    }
    crate::files::write_workbook(&[Sheet {
        name: "Danh sách".into(),
        title: Some(format!("Danh sách đề nghị khen thưởng — {}", campaign_name(campaign))),
        title_warns: false,
        header,
        rows,
    }])
}
