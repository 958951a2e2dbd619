//! Every page in both languages: a Vietnamese page carries no English interface words,
//! an English page no Vietnamese interface words.
//!
//! What counts as *data* and may stay in its own language on either page: unit names,
//! people's names and user names, the plan's own texts (targets, indicators, events,
//! purposes, duties, recipients — the plan is a Vietnamese document and the English
//! interface shows it as written), and what users typed (report notes, comments,
//! activity titles, contents of text boxes and text inputs). Everything the program
//! itself says — labels, buttons, headings, states, unit levels, base-figure names,
//! messages, column names, `kind` values — is *interface* and must be in the page's
//! language.
//!
//! How: each role logs in, chooses a language with the language switch (/lang/en,
//! /lang/vi), visits every page of the UI and a bad submit of the main forms; the HTML
//! is reduced to visible text (no <script>/<style>/<textarea>; of the attributes only
//! placeholder, title, aria-label and the value of buttons), the data above is removed,
//! then:
//! - on a Vietnamese page every word written in plain ASCII letters must be a possible
//!   Vietnamese syllable (English words such as "row", "parts", "proposals", "kind",
//!   "status" are not), or a short technical term (CSV, Excel, e-mail …);
//! - on an English page no word may carry a Vietnamese letter (ă â đ ê ô ơ ư or a tone
//!   mark), and none of a short list of unaccented Vietnamese words may appear.

use std::collections::{BTreeSet, HashSet};

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app_at, xlsx, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

/// The plan document (text extracted from the PDF) as the office would upload it.
const PLAN_TEXT: &[u8] = include_bytes!("../../../domain/tests/fixtures/kien-giang-2023.txt");

/// ASCII words a Vietnamese page may carry: formats, protocols, brand names, and the
/// language switch's own "English".
const VI_ALLOWED: &[&str] = &[
    "english",
    "csv",
    "xlsx",
    "xls",
    "docx",
    "ics",
    "excel",
    "word",
    "email",
    "mail",
    "api",
    "token",
    "bearer",
    "json",
    "pdf",
    "zalo",
    "phongtrao",
    "webhook",
    "https",
    "http",
    "url",
    "id",
    "ok",
    "utf",
    "bom",
    "crlf",
    "rfc",
    "ical",
    "google",
    "outlook",
    "tel",
    "www",
    "times",
    "new",
    "roman",
    "menu",
    "icalendar",
    "calendar",
    "iphone",
    "android",
    "authorization",
    "txt",
    "md",
    "ctrl",
];

/// English words that happen to be possible Vietnamese syllables.
const EN_SYLLABLES: &[&str] =
    &["the", "on", "at", "by", "is", "it", "or", "as", "be", "go", "can", "not", "all", "per", "no", "yes", "up"];

/// Unaccented Vietnamese words an English page must not show either.
const VI_PLAIN: &[&str] = &["khong", "chua", "duoc", "cua", "cac", "nhung", "nguoi", "nhap", "tuan", "huyen"];

/// Vietnamese letters (lower case; upper case is lowered first).
const VI_LETTERS: &str = "àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ";

/// The visible text of a page in `lang`, as chunks between tags. An element marked
/// with another `lang` (a quotation of the plan document, a slip printed for a
/// Vietnamese recipient) is declared to be in that language and is left out.
fn visible_chunks(html: &str, lang: &str) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    let flush = |text: &mut String, chunks: &mut Vec<String>| {
        let t = decode(text.trim());
        if !t.trim().is_empty() {
            chunks.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        text.clear();
    };
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map(|i| &rest[i + 3..]).unwrap_or("");
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[1..end.saturating_sub(1).max(1)];
        rest = &rest[end..];
        flush(&mut text, &mut chunks);
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>();
        let name = name.to_ascii_lowercase();
        // Scripts and styles are not read; a text box holds what a user typed; <code> and
        // <kbd> hold literal machine text (a file's column names, a header).
        if !tag.starts_with('/') && matches!(name.as_str(), "script" | "style" | "textarea" | "code" | "kbd") {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&close) {
                Some(i) => &rest[i..],
                None => "",
            };
            continue;
        }
        let other_lang = attributes(tag).iter().any(|(a, v)| a == "lang" && !v.is_empty() && v != lang);
        if !tag.starts_with('/') && other_lang && name != "html" {
            rest = skip_element(rest, &name);
            continue;
        }
        for (attr, value) in attributes(tag) {
            let keep = match attr.as_str() {
                "placeholder" | "title" | "aria-label" | "alt" => true,
                // A button's value is sent, not shown; a submit input's is its label.
                "value" => {
                    name == "input"
                        && attributes(tag)
                            .iter()
                            .any(|(a, v)| a == "type" && matches!(v.as_str(), "submit" | "button" | "reset"))
                }
                _ => false,
            };
            if keep {
                let v = decode(&value);
                if !v.trim().is_empty() {
                    chunks.push(v.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
        }
    }
    text.push_str(rest);
    flush(&mut text, &mut chunks);
    chunks
}

/// What follows the element `name` whose opening tag was just read (nested elements of
/// the same name counted).
fn skip_element<'a>(mut rest: &'a str, name: &str) -> &'a str {
    let mut depth = 1;
    let (open, close) = (format!("<{name}"), format!("</{name}"));
    while depth > 0 {
        let lower = rest.to_ascii_lowercase();
        let next_open =
            lower.find(&open).filter(|&i| lower[i + open.len()..].starts_with(|c: char| c == '>' || c.is_whitespace()));
        let Some(next_close) = lower.find(&close) else { return "" };
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                rest = &rest[o + open.len()..];
            }
            _ => {
                depth -= 1;
                rest = &rest[next_close + close.len()..];
            }
        }
    }
    let end = rest.find('>').map(|i| i + 1).unwrap_or(0);
    &rest[end..]
}

/// Where a tag that starts `s` ends (after its `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let body = tag.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '/');
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let start = i;
        let mut end = body.len();
        while let Some(&(j, c)) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                end = j;
                break;
            }
            chars.next();
        }
        let name = body[start..end].to_ascii_lowercase();
        if let Some(&(_, '=')) = chars.peek() {
            chars.next();
            let value = match chars.peek() {
                Some(&(j, q)) if q == '"' || q == '\'' => {
                    chars.next();
                    let from = j + 1;
                    let mut to = body.len();
                    for (k, c) in chars.by_ref() {
                        if c == q {
                            to = k;
                            break;
                        }
                    }
                    body[from..to].to_string()
                }
                Some(&(j, _)) => {
                    let mut to = body.len();
                    while let Some(&(k, c)) = chars.peek() {
                        if c.is_whitespace() {
                            to = k;
                            break;
                        }
                        chars.next();
                    }
                    body[j..to].to_string()
                }
                None => String::new(),
            };
            out.push((name, value));
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Could this plain-ASCII word be a Vietnamese syllable written without its marks?
fn vietnamese_syllable(word: &str) -> bool {
    const INITIALS: &[&str] = &[
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h", "k", "l", "m", "n",
        "p", "r", "s", "t", "v", "x", "",
    ];
    const NUCLEI: &[&str] = &[
        "uye", "uya", "uyu", "ieu", "yeu", "oai", "oay", "oeo", "uay", "uoi", "uou", "uoc", "ai", "ao", "au", "ay",
        "eo", "eu", "ia", "ie", "iu", "oa", "oe", "oi", "oo", "ua", "ue", "ui", "uo", "uu", "uy", "ye", "a", "e", "i",
        "o", "u", "y",
    ];
    const FINALS: &[&str] = &["ng", "nh", "ch", "c", "m", "n", "p", "t", ""];
    let w = word.to_ascii_lowercase();
    INITIALS.iter().filter(|i| w.starts_with(*i)).any(|i| {
        let rest = &w[i.len()..];
        NUCLEI.iter().filter(|n| rest.starts_with(*n)).any(|n| FINALS.contains(&&rest[n.len()..]))
    })
}

/// The data strings (see the module's comment), longest first.
struct Data {
    /// Names and typed texts, removed wherever they stand.
    names: Vec<String>,
    phrases: Vec<String>,
    words: HashSet<String>,
}

impl Data {
    fn strip(&self, chunk: &str) -> String {
        let mut s = chunk.to_string();
        let mut all: Vec<&String> = self.names.iter().chain(self.phrases.iter()).collect();
        all.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        for p in all {
            if s.contains(p.as_str()) {
                s = s.replace(p.as_str(), " ");
            }
        }
        // A single word of data: only as a whole chunk or after a number ("20.000 cây").
        let tokens: Vec<&str> = s.split_whitespace().collect();
        if tokens.len() == 1 && self.words.contains(tokens[0]) {
            return String::new();
        }
        let mut kept = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let after_number =
                i > 0 && tokens[i - 1].chars().next().is_some_and(|c| c.is_ascii_digit() || c == '≥' || c == '%');
            if after_number && self.words.contains(t.trim_matches(|c: char| !c.is_alphanumeric())) {
                continue;
            }
            kept.push(*t);
        }
        kept.join(" ")
    }
}

fn collect_strings(value: &toml::Value, out: &mut BTreeSet<String>) {
    match value {
        toml::Value::String(s) => {
            out.insert(s.clone());
        }
        toml::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

async fn data(app: &TestApp, extra: &[&str]) -> Data {
    let mut all = BTreeSet::new();
    let plan: toml::Value = toml::from_str(phongtrao_domain::builtin::PLAN_TOML).expect("plan");
    collect_strings(&plan, &mut all);
    for u in phongtrao_storage::units::list(&app.db).await.expect("units") {
        all.insert(u.name.clone());
        if let Some(a) = u.admin_name {
            all.insert(a);
        }
    }
    // The plan's texts as the pages show them: sentences cut at the plan's own line ends.
    let mut phrases = BTreeSet::new();
    let mut words = HashSet::new();
    for s in all {
        for line in s.lines() {
            let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if line.chars().count() < 2 {
                continue;
            }
            if line.contains(' ') {
                phrases.insert(line);
            } else {
                words.insert(line);
            }
        }
    }
    let mut phrases: Vec<String> = phrases.into_iter().collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    // Names and typed texts go wherever they stand, with the plan's phrases, longest first
    // (a short one must not cut a longer one before it is seen).
    let mut names: Vec<String> = extra.iter().map(|e| e.to_string()).collect();
    names.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    names.dedup();
    Data { names, phrases, words }
}

/// What is wrong with one page's text in one language: the offending words, and the chunk.
fn findings(chunks: &[String], lang: &str, data: &Data) -> Vec<String> {
    let mut out = Vec::new();
    let dump = std::env::var("PHONGTRAO_LANGUAGES_DUMP").is_ok();
    for chunk in chunks {
        let stripped = data.strip(chunk);
        if dump && lang == "en" && chunk.chars().flat_map(char::to_lowercase).any(|c| VI_LETTERS.contains(c)) {
            eprintln!("DATA «{chunk}» → «{stripped}»");
        }
        let mut bad = Vec::new();
        for token in stripped.split_whitespace() {
            // Addresses, paths and file names are not words.
            if token.contains('@') || token.contains('/') && token.chars().any(|c| c.is_ascii_alphabetic()) {
                if lang == "en" && token.chars().flat_map(char::to_lowercase).any(|c| VI_LETTERS.contains(c)) {
                    bad.push(token.to_string());
                }
                continue;
            }
            if token.contains('.')
                && token
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_'))
                && token.chars().any(|c| c.is_ascii_alphabetic())
            {
                continue;
            }
            for word in token.split(|c: char| !c.is_alphanumeric()) {
                if word.is_empty() || word.chars().any(|c| c.is_ascii_digit()) {
                    continue;
                }
                let lower = word.to_lowercase();
                match lang {
                    "vi" => {
                        if !word.chars().all(|c| c.is_ascii_alphabetic()) || word.len() < 2 {
                            continue;
                        }
                        // Acronyms (TNCS, BCH, HĐND) are Vietnamese as often as not.
                        if word.len() <= 6 && word.chars().all(|c| c.is_ascii_uppercase()) {
                            continue;
                        }
                        if VI_ALLOWED.contains(&lower.as_str()) {
                            continue;
                        }
                        if !vietnamese_syllable(&lower) || EN_SYLLABLES.contains(&lower.as_str()) {
                            bad.push(word.to_string());
                        }
                    }
                    _ => {
                        if lower.chars().any(|c| VI_LETTERS.contains(c)) || VI_PLAIN.contains(&lower.as_str()) {
                            bad.push(word.to_string());
                        }
                    }
                }
            }
        }
        if !bad.is_empty() {
            // The language switch names the other language in its own words.
            if lang == "en" && stripped.trim() == "Tiếng Việt" {
                continue;
            }
            out.push(format!("{:?} in «{}»", bad, chunk));
        }
    }
    out
}

struct Visitor<'a> {
    app: &'a TestApp,
    data: Data,
    /// (language, page, finding) → the users who saw it.
    problems: std::collections::BTreeMap<(String, String, String), Vec<String>>,
    pages: usize,
}

impl Visitor<'_> {
    fn check(&mut self, who: &str, lang: &str, what: &str, status: StatusCode, html: &str) {
        self.pages += 1;
        if !html.contains(&format!("<html lang=\"{lang}\"")) && html.contains("<html") {
            self.problems
                .entry((lang.to_string(), what.to_string(), "not marked lang".to_string()))
                .or_default()
                .push(who.to_string());
        }
        for f in findings(&visible_chunks(html, lang), lang, &self.data) {
            self.problems
                .entry((lang.to_string(), format!("{what} ({})", status.as_u16()), f))
                .or_default()
                .push(who.to_string());
        }
    }

    async fn visit(&mut self, client: &reqwest::Client, who: &str, lang: &str, path: &str) {
        let r = client.get(format!("{}{path}", self.app.base)).send().await.expect("get");
        let status = r.status();
        if status.is_redirection() {
            // Followed once: a page that sends the user elsewhere is checked where it lands.
            let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("/").to_string();
            if to.starts_with('/') && !to.starts_with("/login") {
                let r = client.get(format!("{}{to}", self.app.base)).send().await.expect("get");
                let status = r.status();
                let html = r.text().await.expect("body");
                self.check(who, lang, &format!("GET {path} → {to}"), status, &html);
            }
            return;
        }
        let html = r.text().await.expect("body");
        self.check(who, lang, &format!("GET {path}"), status, &html);
    }
}

async fn session(app: &TestApp, username: &str, lang: &str, from: &str) -> reqwest::Client {
    let client = browser();
    let r = client.get(format!("{}/lang/{lang}?next=/", app.base)).send().await.expect("lang");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    if !username.is_empty() {
        let r = app.login_form(&client, username, PW, from).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {username}");
    }
    client
}

async fn page_of(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client.get(format!("{}{path}", app.base)).send().await.expect("get").text().await.expect("body")
}

/// The campaign on Wednesday of week 2 with something on every page: reports submitted,
/// returned and accepted, a reminder sent, an event recorded; a user of every role.
async fn seeded() -> (TestApp, Data) {
    // (the report texts typed by the units, the comments of the office …)
    // Wednesday of week 2: week 1 reported, week 2 open.
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-08T10:00:00+07:00").expect("time").to_utc();
    let app = spawn_app_at(now).await;
    let db = &app.db;
    let office = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(db, office).await;
    add_user(db, "bcd.tran", Role::Steering, &[], PW).await;
    add_user(db, "dt.hondat", Role::Unit, &["903"], PW).await;
    add_user(db, "xd.binhson", Role::Unit, &["30823"], PW).await;
    add_user(db, "xem.tinh", Role::Viewer, &["91"], PW).await;

    // Content on every page: submitted, returned and accepted reports, a reminder, an event.
    let typed = [
        "Ra quân Ngày Chủ nhật xanh",
        "Trồng cây tuyến đường",
        "Hiến máu tình nguyện",
        "Số cây xanh chưa khớp, đề nghị kiểm tra",
        "Thiếu kinh phí",
        "Đề nghị hỗ trợ",
        "Hội trường Huyện đoàn",
    ];
    for (unit, text) in [("903", typed[0]), ("899", typed[1]), ("908", typed[2])] {
        let r = app
            .submit(
                &office_token,
                unit,
                "2023-03-03",
                json!({"values": {"5": "100"}, "highlights": text, "difficulties": typed[4], "proposals": typed[5],
                       "activities": [{"title": text, "held_on": "2023-03-01", "area": "1", "place": typed[6], "participants": "50"}]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
    }
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/2023-03-03/review", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"action": "return", "comment": typed[3], "version": 1}))
        .send()
        .await
        .expect("return");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    // Rạch Giá corrects and sends again: its history compares two versions.
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/2023-03-03/submit", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"version": 2, "input": {"values": {"5": "120"}, "highlights": typed[1], "difficulties": typed[4], "proposals": typed[5]}}))
        .send()
        .await
        .expect("resubmit");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let r = app
        .client
        .post(format!("{}/api/v1/reports/908/2023-03-03/review", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"action": "accept", "version": 1}))
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let r = app
        .client
        .post(format!("{}/api/v1/reminders", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"unit": "904", "period_end": "2023-03-03"}))
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let r = app
        .client
        .put(format!("{}/api/v1/events/1", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"status": "held", "held_on": "2023-02-24", "place": "Huyện An Minh", "participants": 1200, "results": "Ra quân Tháng Thanh niên", "host_unit": "906"}))
        .send()
        .await
        .expect("event");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());

    let mut extra: Vec<&str> = typed.to_vec();
    extra.extend(["dt.moi.vi", "dt.moi.en", "TN9", "ĐX 1"]);
    extra.extend([
        "vanphong",
        "bcd.tran",
        "dt.hondat",
        "xd.binhson",
        "xem.tinh",
        "admin",
        "Huyện An Minh",
        "Ra quân Tháng Thanh niên",
        "Nguyễn Văn A",
        "dt.moi",
        "Ban Phong trào Tỉnh đoàn",
        "mười",
        "khong-phai-email",
        "Trần Thị C",
        "Nguyễn Văn B",
        "Đoàn trường X",
        "Sinh hoạt chi đoàn mẫu",
        "test",
        "abc",
        // The Vietnamese document number's pattern, shown as the default of a Vietnamese document.
        "-BC/TĐTN",
        // The example of a unit name in the new-unit form: unit names stay Vietnamese.
        "Đoàn Khối Cơ quan và Doanh nghiệp tỉnh",
    ]);
    // The plan document the office uploads: its own sentences are data on the review page.
    let plan_text = std::str::from_utf8(PLAN_TEXT).expect("utf8");
    extra.extend(plan_text.lines().map(str::trim).filter(|l| l.chars().count() > 1));
    let data = data(&app, &extra).await;
    (app, data)
}

/// Every user of the seeded campaign, with the address they log in from.
const USERS: [(&str, &str); 5] = [
    ("vanphong", "10.9.0.1"),
    ("bcd.tran", "10.9.0.2"),
    ("dt.hondat", "10.9.0.3"),
    ("xd.binhson", "10.9.0.4"),
    ("xem.tinh", "10.9.0.5"),
];

impl Visitor<'_> {
    fn verdict(&self) {
        assert!(
            self.problems.is_empty(),
            "{} findings on {} pages:\n{}",
            self.problems.len(),
            self.pages,
            self.problems
                .iter()
                .map(|((lang, page, f), who)| {
                    let who: BTreeSet<&String> = who.iter().collect();
                    let who: Vec<&str> = who.into_iter().map(String::as_str).collect();
                    format!("[{lang}] {page} as {}: {f}", who.join(", "))
                })
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The audit log, in both languages, for every role that reads it: the sentences,
/// the field names of the details and the values in words.
#[tokio::test]
async fn the_audit_log_speaks_only_the_language_chosen() {
    let (app, data) = seeded().await;
    let mut v = Visitor { app: &app, data, problems: Default::default(), pages: 0 };
    for lang in ["vi", "en"] {
        for (who, from) in USERS {
            let client = session(&app, who, lang, from).await;
            for path in ["/audit", "/audit?unit=903", "/audit?unit=H%C3%B2n%20%C4%90%E1%BA%A5t"] {
                v.visit(&client, who, lang, path).await;
            }
        }
    }
    v.verdict();
}

#[tokio::test]
async fn every_page_speaks_only_the_language_chosen() {
    let (app, data) = seeded().await;
    let mut v = Visitor { app: &app, data, problems: Default::default(), pages: 0 };

    let common = [
        "/",
        "/targets",
        "/dashboard",
        "/dashboard?unit=903",
        "/home",
        "/calendar",
        "/units",
        "/units?q=hon",
        "/units/91",
        "/units/903",
        "/units/30823",
        "/documents",
        "/allocations",
        "/allocations?parent=903",
        "/reports",
        "/reports/903/2023-03-03",
        "/reports/903/2023-03-10",
        "/reports/903/2023-03-03/history",
        "/reports/899/2023-03-03",
        "/reports/899/2023-03-03/history",
        "/reports/899/2023-03-03/history?a=0&b=2",
        "/reports/899/2023-03-03/history?a=0&b=1",
        "/events",
        "/review",
        "/account",
        "/no-such-page",
        "/units/00000",
        "/reports?period_end=2023-03-03",
        "/review?late=true&q=xanh&unit=903",
        "/dashboard?at=2023-03-03",
        "/dashboard?unit=899&at=2023-03-10",
        "/calendar?unit=903",
    ];
    let office_only = [
        "/units/903/edit",
        "/admin/units/new",
        "/admin/units/import",
        "/admin/users",
        "/admin/users/import",
        "/admin/plan/import",
        "/admin/tokens",
        "/admin/reminders",
    ];
    for lang in ["vi", "en"] {
        let anon = session(&app, "", lang, "").await;
        for path in ["/login", "/", "/targets", "/units", "/calendar", "/no-such-page"] {
            v.visit(&anon, "anonymous", lang, path).await;
        }
        for (who, from) in USERS {
            let client = session(&app, who, lang, from).await;
            for path in common.iter().chain(office_only.iter()) {
                v.visit(&client, who, lang, path).await;
            }
        }

        // Bad submits of the main forms come back with their errors in the same language.
        let office = session(&app, "vanphong", lang, "10.9.1.1").await;
        let form = page_of(&app, &office, "/admin/users").await;
        let csrf = csrf_of(&form);
        let r = office
            .post(format!("{}/admin/users", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "dt.moi"),
                ("display_name", "Nguyễn Văn A"),
                ("role", "unit"),
                ("units", "89"),
                ("email", "khong-phai-email"),
            ])
            .send()
            .await
            .expect("post");
        let status = r.status();
        assert!(status.is_client_error(), "{} answers {status}", "POST /admin/users (bad unit)");
        v.check("vanphong", lang, "POST /admin/users (bad unit)", status, &r.text().await.expect("body"));
        let r = office
            .post(format!("{}/admin/users", app.base))
            .form(&[("csrf", csrf.as_str()), ("username", ""), ("display_name", ""), ("role", ""), ("units", "")])
            .send()
            .await
            .expect("post");
        let status = r.status();
        v.check("vanphong", lang, "POST /admin/users (empty)", status, &r.text().await.expect("body"));

        let r = office
            .post(format!("{}/admin/units", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("code", "ĐX 1"),
                ("name", "X"),
                ("kind", "commune"),
                ("parent_code", "999"),
            ])
            .send()
            .await
            .expect("post");
        let status = r.status();
        assert!(status.is_client_error(), "{} answers {status}", "POST /admin/units (bad unit)");
        v.check("vanphong", lang, "POST /admin/units (bad unit)", status, &r.text().await.expect("body"));
        let r = office
            .post(format!("{}/account/password", app.base))
            .form(&[("csrf", csrf.as_str()), ("current", "sai-mat-khau"), ("new", "ngan"), ("confirm", "khac")])
            .send()
            .await
            .expect("post");
        let status = r.status();
        assert!(status.is_client_error(), "{} answers {status}", "POST /account/password (wrong)");
        v.check("vanphong", lang, "POST /account/password (wrong)", status, &r.text().await.expect("body"));
        let anon = session(&app, "", lang, "").await;
        let login = page_of(&app, &anon, "/login").await;
        let r = anon
            .post(format!("{}/login", app.base))
            .header("x-forwarded-for", "10.9.3.1")
            .form(&[("csrf", csrf_of(&login).as_str()), ("username", "vanphong"), ("password", "sai"), ("next", "/")])
            .send()
            .await
            .expect("post");
        let status = r.status();
        assert!(status.is_client_error(), "{} answers {status}", "POST /login (wrong password)");
        v.check("anonymous", lang, "POST /login (wrong password)", status, &r.text().await.expect("body"));

        let bad_units = "code,parent_code,name,kind\n90001,999999,Đoàn trường X,truong\n,91,,\n";
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(bad_units.as_bytes().to_vec()).file_name("don-vi.csv"));
        let r = office.post(format!("{}/admin/units/import", app.base)).multipart(form).send().await.expect("upload");
        let status = r.status();
        v.check("vanphong", lang, "POST /admin/units/import (bad rows)", status, &r.text().await.expect("body"));

        let bad_accounts = xlsx(&[
            &["Đơn vị", "Họ và tên", "E-mail", "Điện thoại"],
            &["903", "Nguyễn Văn B", "b@example.vn", "0912345678"],
            &["99999", "Trần Thị C", "khong-phai-email", "abc"],
        ]);
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(bad_accounts).file_name("tai-khoan.xlsx"));
        let r = office.post(format!("{}/admin/users/import", app.base)).multipart(form).send().await.expect("upload");
        let status = r.status();
        v.check("vanphong", lang, "POST /admin/users/import (bad rows)", status, &r.text().await.expect("body"));

        let bad_split = xlsx(&[&["Mã", "Đơn vị", "Chỉ tiêu"], &["899", "Thành phố Rạch Giá", "abc"]]);
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(bad_split).file_name("giao.xlsx"));
        let r = office
            .post(format!("{}/allocations/import?indicator=5&parent=91", app.base))
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = r.status();
        let html = if status.is_redirection() {
            let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("/").to_string();
            page_of(&app, &office, &to).await
        } else {
            r.text().await.expect("body")
        };
        v.check("vanphong", lang, "POST /allocations/import (bad value)", status, &html);

        // Goals that do not add up to the province's.
        let page = page_of(&app, &office, "/allocations").await;
        let csrf = csrf_of(&page);
        let r = office
            .post(format!("{}/allocations", app.base))
            .form(&[("csrf", csrf.as_str()), ("indicator", "5"), ("parent", "91"), ("g.899", "999999")])
            .send()
            .await
            .expect("post");
        let status = r.status();
        let html = if status.is_redirection() {
            let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("/").to_string();
            page_of(&app, &office, &to).await
        } else {
            r.text().await.expect("body")
        };
        v.check("vanphong", lang, "POST /allocations (parts do not add up)", status, &html);

        // Good files: the previews, the accounts' slips, the plan's review page.
        let good_units = "Mã,Mã cấp trên,Loại,Tên,Số đoàn viên\nTN9,91,Đoàn trực thuộc,Đoàn trường X,120\n";
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(good_units.as_bytes().to_vec()).file_name("don-vi.csv"));
        let r = office.post(format!("{}/admin/units/import", app.base)).multipart(form).send().await.expect("upload");
        let status = r.status();
        let html = r.text().await.expect("body");
        if status != StatusCode::OK {
            // A file written with the Vietnamese column names and kinds the page lists.
            v.problems
                .entry((lang.to_string(), "POST /admin/units/import (preview)".into(), format!("refused ({status})")))
                .or_default()
                .push("vanphong".into());
        }
        v.check("vanphong", lang, "POST /admin/units/import (preview)", status, &html);
        let username = format!("dt.moi.{lang}");
        let good_accounts = xlsx(&[
            &["Đơn vị", "Họ và tên", "E-mail", "Điện thoại", "Tên đăng nhập"],
            &["903", "Nguyễn Văn B", "b@example.vn", "0912345678", username.as_str()],
        ]);
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(good_accounts).file_name("tai-khoan.xlsx"));
        let r = office.post(format!("{}/admin/users/import", app.base)).multipart(form).send().await.expect("upload");
        let status = r.status();
        let html = r.text().await.expect("body");
        v.check("vanphong", lang, "POST /admin/users/import (preview)", status, &html);
        if let Some(action) = html.split("action=\"/admin/users/import/").nth(1).and_then(|t| t.split('"').next()) {
            let r = office
                .post(format!("{}/admin/users/import/{action}", app.base))
                .form(&[("csrf", csrf_of(&html).as_str())])
                .send()
                .await
                .expect("confirm");
            let status = r.status();
            v.check(
                "vanphong",
                lang,
                "POST /admin/users/import/…/confirm (slips)",
                status,
                &r.text().await.expect("body"),
            );
        }
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part("file", reqwest::multipart::Part::bytes(PLAN_TEXT.to_vec()).file_name("ke-hoach.txt"));
        let r = office.post(format!("{}/admin/plan/import", app.base)).multipart(form).send().await.expect("upload");
        let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert!(to.starts_with("/admin/plan/drafts/"), "the plan is read: {}", r.status());
        v.visit(&office, "vanphong", lang, &to).await;
        // The plan file edited into an error: the errors in the page's language.
        let review = page_of(&app, &office, &to).await;
        let r = office
            .post(format!("{}{to}", app.base))
            .form(&[("csrf", csrf_of(&review).as_str()), ("action", "check"), ("toml", "[campaign]\ntitle = 5\n")])
            .send()
            .await
            .expect("check");
        let status = r.status();
        v.check(
            "vanphong",
            lang,
            "POST /admin/plan/import/… (a broken plan file)",
            status,
            &r.text().await.expect("body"),
        );

        // A report sent with a bad figure and an empty activity date.
        let reporter = session(&app, "dt.hondat", lang, "10.9.1.2").await;
        let page = page_of(&app, &reporter, "/reports/903/2023-03-10").await;
        let csrf = csrf_of(&page);
        let r = reporter
            .post(format!("{}/reports/903/2023-03-10", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "0"),
                ("action", "submit"),
                ("v.5", "mười"),
                ("v.6", "-3"),
                ("a.0.title", "Sinh hoạt chi đoàn mẫu"),
                ("a.0.held_on", ""),
                ("highlights", ""),
            ])
            .send()
            .await
            .expect("post");
        let status = r.status();
        v.check(
            "dt.hondat",
            lang,
            "POST /reports/903/2023-03-10 (bad figures)",
            status,
            &r.text().await.expect("body"),
        );
        let r = reporter
            .post(format!("{}/reports/903/2023-03-10", app.base))
            .form(&[("csrf", csrf.as_str()), ("version", "0"), ("action", "submit")])
            .send()
            .await
            .expect("post");
        let status = r.status();
        v.check("dt.hondat", lang, "POST /reports/903/2023-03-10 (empty)", status, &r.text().await.expect("body"));
    }

    assert!(v.pages > 300, "pages visited: {}", v.pages);
    v.verdict();
}

#[test]
fn the_checker_tells_the_two_languages_apart() {
    let data = Data { names: vec![], phrases: vec!["Huyện đoàn Hòn Đất".into()], words: HashSet::new() };
    let chunks = visible_chunks(
        "<html lang=\"en\"><script>var x = 'the parts';</script><p>Tổng các phần / the parts add up to</p>\
         <input type=\"submit\" value=\"Lưu\"><input value=\"proposals\"><p>Huyện đoàn Hòn Đất</p><q lang=\"vi\">Trích <q lang=\"vi\">dẫn</q> văn bản</q></html>",
        "en",
    );
    assert_eq!(chunks, ["Tổng các phần / the parts add up to", "Lưu", "Huyện đoàn Hòn Đất"]);
    let vi = findings(&chunks, "vi", &data);
    assert_eq!(vi.len(), 1, "{vi:?}");
    assert!(vi[0].starts_with(r#"["the", "parts", "add", "up"]"#), "{vi:?}");
    let en = findings(&chunks, "en", &data);
    assert_eq!(en.len(), 2, "the unit's name is data: {en:?}");
    assert!(vietnamese_syllable("nguyen") && vietnamese_syllable("truong") && vietnamese_syllable("khuyen"));
    assert!(!vietnamese_syllable("row") && !vietnamese_syllable("kind") && !vietnamese_syllable("status"));
}

/// The officer's imports speak the page's language: a bad row is named with its row,
/// value and reason in that language only, and the Vietnamese units sheet the page
/// exports (Vietnamese column names and kinds) is read back as it is.
#[tokio::test]
async fn import_errors_and_the_units_sheet_are_in_the_readers_language() {
    let (app, _) = seeded().await;
    for lang in ["vi", "en"] {
        let office = session(&app, "vanphong", lang, "10.9.2.1").await;
        let page = page_of(&app, &office, "/admin/units/import").await;
        let csrf = csrf_of(&page);
        let upload = |path: &str, name: &str, bytes: Vec<u8>| {
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf.to_string())
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
            office.post(format!("{}{path}", app.base)).multipart(form).send()
        };

        let r =
            upload("/admin/units/import", "don-vi.csv", b"code,parent_code,kind,name\nX1,91,truong,Doan X\n".to_vec())
                .await
                .expect("upload");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.expect("body");
        if lang == "vi" {
            assert!(
                html.contains("loại &#34;truong&#34; không hợp lệ") || html.contains("loại \"truong\" không hợp lệ"),
                "{html}"
            );
            assert!(!html.contains("unknown kind"), "no English on the Vietnamese page");
        } else {
            assert!(
                html.contains("unknown kind &#34;truong&#34;") || html.contains("unknown kind \"truong\""),
                "{html}"
            );
            assert!(!html.contains("không hợp lệ"), "no Vietnamese on the English page");
        }

        let r = upload(
            "/admin/users/import",
            "tai-khoan.xlsx",
            xlsx(&[&["Đơn vị", "Họ và tên"], &["903", "Nguyễn Văn B"], &["99999", "Trần Thị C"]]),
        )
        .await
        .expect("upload");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.expect("body");
        let (said, other) = if lang == "vi" {
            ("Đơn vị &#34;99999&#34; không có trong danh sách đơn vị", "no unit")
        } else {
            ("no unit &#34;99999&#34; in the list of units", "không có trong")
        };
        assert!(html.contains(said), "{lang}: {html}");
        assert!(!html.contains(other), "{lang}: the other language is left out");

        let r = office
            .post(format!("{}/allocations/import?indicator=5&parent=91", app.base))
            .multipart(reqwest::multipart::Form::new().text("csrf", csrf.to_string()).part(
                "file",
                reqwest::multipart::Part::bytes(xlsx(&[&["Mã", "Chỉ tiêu"], &["899", "abc"]])).file_name("giao.xlsx"),
            ))
            .send()
            .await
            .expect("upload");
        let html = r.text().await.expect("body");
        let (said, other) = if lang == "vi" {
            ("Dòng 2, cột B, giá trị «abc»: chỉ tiêu giao phải là số nguyên không âm", "Row 2")
        } else {
            ("Row 2, column B, value «abc»: the goal must be a whole number", "Dòng 2")
        };
        assert!(html.contains(said), "{lang}: {html}");
        assert!(!html.contains(other), "{lang}");

        // The units sheet in the reader's language, read back as it is.
        let r = office.get(format!("{}/admin/export/units.xlsx", app.base)).send().await.expect("export");
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = r.bytes().await.expect("bytes").to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("xlsx");
        let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
        let header: Vec<String> = sheet.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        let commune = sheet
            .rows()
            .find(|r| r.first().map(|c| c.to_string()) == Some("30823".into()))
            .expect("Đoàn xã Bình Sơn")
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>();
        if lang == "vi" {
            assert_eq!(header[..6], ["Mã", "Mã cấp trên", "Loại", "Cấp", "Tên", "Đang hoạt động"]);
            assert!(header.contains(&"Số đoàn viên".to_string()), "{header:?}");
            assert_eq!(commune[2], "Đoàn xã");
        } else {
            assert_eq!(header[..6], ["code", "parent_code", "kind", "level", "name", "active"]);
            assert!(header.contains(&"Union members".to_string()), "{header:?}");
            assert_eq!(commune[2], "Commune Youth Union");
        }
        let r = upload("/admin/units/import", "don-vi.xlsx", bytes).await.expect("upload");
        let status = r.status();
        let html = r.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "{lang}: the exported sheet is read back: {html}");
        assert!(html.contains("/confirm"), "{lang}: a preview to confirm");
    }
}
