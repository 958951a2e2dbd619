//! Who: the recipients ("Nơi nhận"), the signatory ("TM. BAN THƯỜNG VỤ TỈNH
//! ĐOÀN" / "BÍ THƯ" / name), the contact (office, email, phone) and the issuing body.

use super::draft::{DutyDraft, Found};
use super::structure::{is_signature_start, shape, Document, Shape};
use super::text::fold;
use super::text::{find_folded, sentence_case, upperish, words, Line};
use super::Confidence;

/// The bullets under "Nơi nhận:", without their trailing ";" or ".".
pub(crate) fn recipients(tail: &[Line]) -> Vec<Found<String>> {
    let Some(start) = tail.iter().position(|l| fold(&l.text).starts_with("noi nhan")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let clean = |s: &str| super::text::strip_bullet(s).trim_end_matches([';', '.', ',', '/']).trim().to_string();
    // "Nơi nhận: - A; - B" on one line.
    let first = &tail[start];
    if let Some((_, rest)) = first.text.split_once(':') {
        for part in rest.split(" - ").map(|p| p.trim_start_matches(['-', ' '])) {
            let r = clean(part);
            if !r.is_empty() {
                out.push(Found::new(r, &first.text, first.no, Confidence::Medium));
            }
        }
    }
    for line in &tail[start + 1..] {
        if is_signature_start(&line.text) {
            break;
        }
        let text = match shape(&line.text) {
            Shape::Bullet { rest } => rest,
            _ if line.text.ends_with(';') => line.text.clone(),
            _ => break,
        };
        let r = clean(&text);
        if !r.is_empty() {
            out.push(Found::new(r, &line.text, line.no, Confidence::High));
        }
    }
    out
}

#[derive(Debug, Default)]
pub(crate) struct Signature {
    pub on_behalf_of: Option<Found<String>>,
    pub title: Option<Found<String>>,
    pub name: Option<Found<String>>,
}

const TITLES: [&str; 8] =
    ["bi thu", "pho bi thu", "truong ban", "pho truong ban", "chu tich", "pho chu tich", "giam doc", "uy vien"];

fn is_name(text: &str) -> bool {
    let ws: Vec<&str> = text.split(' ').collect();
    (2..=6).contains(&ws.len())
        && ws.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic))
        && !upperish(text)
}

/// The signature block: "TM. ...", the title lines in capitals, then the name.
pub(crate) fn signatory(tail: &[Line]) -> Signature {
    let mut s = Signature::default();
    let start = tail.iter().position(|l| is_signature_start(&l.text));
    let mut k = match start {
        Some(i) => {
            let l = &tail[i];
            s.on_behalf_of = Some(Found::new(l.text.clone(), &l.text, l.no, Confidence::High));
            i + 1
        }
        None => match tail.iter().position(|l| upperish(&l.text) && TITLES.contains(&fold(&l.text).as_str())) {
            Some(i) => i,
            None => return s,
        },
    };
    let mut titles: Vec<&Line> = Vec::new();
    while let Some(l) = tail.get(k).filter(|l| upperish(&l.text) && !is_signature_start(&l.text)) {
        titles.push(l);
        k += 1;
    }
    if !titles.is_empty() {
        let joined = titles.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        let confidence = if titles.len() == 1 { Confidence::High } else { Confidence::Medium };
        s.title = Some(Found::new(joined.clone(), &joined, titles[0].no, confidence));
    }
    if let Some(l) = tail[k.min(tail.len())..].iter().find(|l| is_name(&l.text)) {
        s.name = Some(Found::new(l.text.clone(), &l.text, l.no, Confidence::High));
    }
    s
}

#[derive(Debug, Default)]
pub(crate) struct Contact {
    pub office: Option<Found<String>>,
    pub email: Option<Found<String>>,
    pub phone: Option<Found<String>>,
}

fn email_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '(' | ')' | '<' | '>' | '"'))
        .map(|w| w.trim_end_matches(['.', ':']))
        .find(|w| {
            let Some((user, domain)) = w.split_once('@') else {
                return false;
            };
            !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && w.is_ascii()
        })
        .map(str::to_string)
}

fn phone_in(text: &str) -> Option<String> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 8 {
        return None;
    }
    let (_, end) = ["dien thoai", "dt", "sdt", "hotline", "phone", "tel"].iter().find_map(|p| find_folded(text, p))?;
    let rest = text[end..].trim_start_matches([':', ' ', '.']);
    let phone: String = rest.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ' ' | '-' | '+')).collect();
    let phone = phone.trim().trim_end_matches(['.', '-']).trim();
    (phone.chars().filter(char::is_ascii_digit).count() >= 8).then(|| phone.to_string())
}

pub(crate) fn contact(doc: &Document, send_to: Option<&Found<String>>, duties: &[DutyDraft]) -> Contact {
    let mut c = Contact::default();
    for (no, text) in doc.all_text() {
        if c.email.is_none() {
            c.email = email_in(text).map(|e| Found::new(e, text, no, Confidence::High));
        }
        if c.phone.is_none() {
            c.phone = phone_in(text).map(|p| Found::new(p, text, no, Confidence::High));
        }
    }
    c.office = send_to.cloned().or_else(|| {
        duties.iter().find(|d| d.role == Some("standing_agency")).map(|d| {
            Found::new(d.party.clone(), d.items.first().map_or("", String::as_str), d.line, Confidence::Medium)
        })
    });
    c
}

/// "Ban Thường vụ Tỉnh đoàn Kiên Giang": the body a "TM." signature signs for, in
/// the document's own spelling; else the subject of "... ban hành" in the basis.
/// The place is added when the name does not give it.
pub(crate) fn issuing_body(
    on_behalf_of: Option<&Found<String>>,
    doc: &Document,
    place: Option<&Found<String>>,
) -> Option<Found<String>> {
    let signed_for = on_behalf_of.filter(|s| {
        let key = fold(&s.value);
        key.starts_with("tm") || key.starts_with("t/m")
    });
    let (mut body, source, line, confidence) = match signed_for {
        Some(sign) => body_of_signature(sign, doc),
        None => body_of_basis(doc)?,
    };
    let names_place = place.is_some_and(|p| fold(&body).contains(&fold(&p.value)));
    let local_body = ["doan", "hoi"].iter().any(|w| fold(&body).ends_with(w));
    if let (Some(p), false, true) = (place, names_place, local_body) {
        body = format!("{body} {}", p.value);
    }
    Some(Found::new(body, &source, line, confidence))
}

type Body = (String, String, usize, Confidence);

fn body_of_signature(sign: &Found<String>, doc: &Document) -> Body {
    let ws = words(&sign.value);
    let start =
        ws.iter().find(|w| !matches!(w.key.as_str(), "tm" | "t/m" | "t" | "m")).map_or(sign.value.len(), |w| w.start);
    let caps = sign.value[start..].trim();
    let phrase: String = fold(caps).chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
    let found = (!phrase.trim().is_empty())
        .then(|| {
            doc.all_text().find_map(|(no, text)| {
                let (s, e) = find_folded(text, phrase.trim())?;
                Some((text[s..e].to_string(), text.to_string(), no, Confidence::Medium))
            })
        })
        .flatten();
    found.unwrap_or_else(|| (sentence_case(caps), sign.value.clone(), sign.line, Confidence::Low))
}

/// "Căn cứ ..., Ban Thường vụ Tỉnh đoàn ban hành ...": the words before "ban hành".
fn body_of_basis(doc: &Document) -> Option<Body> {
    doc.head.iter().filter(|l| fold(&l.text).starts_with("can cu")).find_map(|l| {
        let (s, _) = find_folded(&l.text, "ban hanh")?;
        let before = &l.text[..s];
        let subject = before.rsplit(',').next()?.trim();
        let words = subject.split(' ').count();
        let capital = subject.chars().next().is_some_and(char::is_uppercase);
        (capital && (2..=8).contains(&words)).then(|| (subject.to_string(), l.text.clone(), l.no, Confidence::Low))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text::lines;

    const TAIL: &str = "Nơi nhận:\n- Ban Bí thư TW Đoàn;\n- VP TW Đoàn (1,2);\n- Lưu VP, Ban phong trào.\nTM. BAN THƯỜNG VỤ TỈNH ĐOÀN\nBÍ THƯ\n\n(Đã ký)\nPhan Đình Nhân";

    #[test]
    fn recipients_and_signatory() {
        let tail = lines(TAIL);
        let r: Vec<String> = recipients(&tail).into_iter().map(|f| f.value).collect();
        assert_eq!(r, vec!["Ban Bí thư TW Đoàn", "VP TW Đoàn (1,2)", "Lưu VP, Ban phong trào"]);
        let s = signatory(&tail);
        assert_eq!(s.on_behalf_of.unwrap().value, "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN");
        assert_eq!(s.title.unwrap().value, "BÍ THƯ");
        assert_eq!(s.name.unwrap().value, "Phan Đình Nhân");
    }

    #[test]
    fn email_and_phone() {
        let t = "email: banphongtraotdkg@gmail.com; điện thoại: 0297.868250. Báo cáo";
        assert_eq!(email_in(t).as_deref(), Some("banphongtraotdkg@gmail.com"));
        assert_eq!(phone_in(t).as_deref(), Some("0297.868250"));
    }
}
