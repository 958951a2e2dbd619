//! Section IV (province events), section V (time: milestones per level, the
//! weekly reporting rule, the final report) and the deadlines written in VI.

use chrono::{Datelike, NaiveDate};

use super::dates::{self, DatePhrase};
use super::draft::{EventDraft, Found, MilestoneDraft, WeeklyDraft};
use super::structure::{Document, Part, Section};
use super::text::fold;
use super::text::{capitalise, decapitalise, find_folded, first_chars, last_chars, sentences, slug, trim_clause};
use super::Confidence;
use crate::plan::{Level, When};

/// The first and the last day of the campaign, each with where it came from.
pub(crate) type Span = (Option<Found<NaiveDate>>, Option<Found<NaiveDate>>);

#[derive(Debug, Default)]
pub(crate) struct Schedule {
    /// The sentence of the weekly rule, read once the other dates are known.
    weekly_phrase: Option<(String, usize, dates::WeeklyPhrase)>,
    /// The sentence that states the weekly period's days, and those days.
    period_phrase: Option<(String, usize, chrono::Weekday, chrono::Weekday)>,
    pub events: Vec<EventDraft>,
    pub milestones: Vec<MilestoneDraft>,
    pub weekly: Option<WeeklyDraft>,
    pub send_to: Option<Found<String>>,
    /// The campaign's span when the plan states it ("Thời gian thực hiện: từ ... đến ...").
    pub span: Option<Span>,
}

/// The level a heading speaks of: "Cấp tỉnh", "Cấp huyện và tương đương", "Các Huyện, Thành đoàn ...".
pub(crate) fn level_of(text: &str) -> Option<Level> {
    let key = fold(text);
    if key.contains("cap tinh") || key.starts_with("tinh doan") || key.contains("ban thuong vu tinh") {
        Some(Level::Province)
    } else if key.contains("cap huyen")
        || key.contains("huyen")
        || key.contains("thanh doan")
        || key.contains("doan truc thuoc")
    {
        Some(Level::District)
    } else if key.contains("co so") || key.contains("cap xa") {
        Some(Level::Grassroots)
    } else if key.contains("chi doan") {
        Some(Level::Branch)
    } else {
        None
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Launch,
    Closing,
    FinalReport,
    Other,
}

fn kind_of(label: &str) -> Kind {
    let key = fold(label);
    if key.contains("bao cao tong ket") || key.contains("bao cao ket qua") {
        Kind::FinalReport
    } else if ["khoi dong", "phat dong", "ra quan", "khai mac"].iter().any(|k| key.contains(k)) {
        Kind::Launch
    } else if ["tong ket", "be mac", "ket thuc"].iter().any(|k| key.contains(k)) {
        Kind::Closing
    } else {
        Kind::Other
    }
}

/// "huyện An Minh" in "..., tại huyện An Minh." (the first "tại" after `from`).
fn place_after(text: &str, from: usize) -> Option<String> {
    let rest = first_chars(text.get(from..)?, 300);
    let at = super::text::words(rest).into_iter().find(|w| {
        let raw = rest[w.start..w.end].trim_matches(|c: char| !c.is_alphabetic());
        raw.to_lowercase() == "tại"
    })?;
    let tail = &rest[at.end..];
    let stop = tail.find(['.', ';', '(', '\n']).unwrap_or(tail.len());
    let place = trim_clause(&tail[..stop]);
    (!place.is_empty() && place.chars().count() < 120).then(|| place.to_string())
}

/// The words that name a dated item: the label before the sentence's first ":"
/// or the text before the date.
fn label_of(text: &str, first_colon: Option<usize>, phrase: &DatePhrase, from: usize) -> String {
    if let Some(colon) = first_colon.filter(|c| *c < phrase.start) {
        let label = &text[..colon];
        if label.chars().count() < 80 && !label.chars().any(|c| c.is_ascii_digit()) {
            return trim_clause(label).to_string();
        }
    }
    let mut label = trim_clause(last_chars(&text[from.min(phrase.start)..phrase.start], 300)).to_string();
    for tail in [" gửi", " nộp", " vào", " trong"] {
        if let Some(stripped) = label.strip_suffix(tail) {
            label = stripped.to_string();
        }
    }
    trim_clause(&label).to_string()
}

struct Context<'a> {
    year: Option<i32>,
    subject: Option<&'a str>,
    reporting_level: Level,
}

impl Context<'_> {
    /// "Lễ khởi động Tháng Thanh niên năm 2023 cấp tỉnh" from "Tổ chức Lễ khởi động" and "Cấp tỉnh".
    fn title(&self, label: &str, kind: Kind, level_words: Option<&str>) -> String {
        let key = fold(label);
        let core = label.strip_prefix("Tổ chức ").or_else(|| label.strip_prefix("tổ chức ")).unwrap_or(label);
        if !matches!(kind, Kind::Launch | Kind::Closing) {
            return capitalise(label);
        }
        let mut title = capitalise(core);
        if let Some(subject) = self.subject.filter(|s| !key.contains(&fold(s))) {
            title = format!("{title} {subject}");
        }
        if let Some(words) = level_words {
            title = format!("{title} {}", decapitalise(words));
        }
        title
    }
}

fn milestone_key(kind: Kind, level: Level, label: &str) -> String {
    match kind {
        Kind::FinalReport => "final-report".to_string(),
        Kind::Launch => format!("{}-launch", level.as_str()),
        Kind::Closing => format!("{}-closing", level.as_str()),
        Kind::Other => {
            let key = fold(label);
            if ["ke hoach", "du kien", "dang ky"].iter().any(|k| key.contains(k)) {
                "unit-plan".to_string()
            } else {
                let s = slug(&label.split(' ').take(5).collect::<Vec<_>>().join(" "));
                if s.is_empty() {
                    "deadline".to_string()
                } else {
                    s
                }
            }
        }
    }
}

/// Milestones of one block of text (a bullet or a numbered item).
fn dated_items(
    ctx: &Context,
    text: &str,
    line: usize,
    level: Option<(Level, &str)>,
    source: String,
    out: &mut Vec<MilestoneDraft>,
    skip_weekly: bool,
) {
    for sentence in sentences(text) {
        if skip_weekly && dates::weekly(sentence).is_some() {
            continue;
        }
        let phrases = dates::find(sentence, ctx.year);
        let first_colon = sentence.find(':');
        // `sentence` is a slice of `text`: its offset, without searching.
        let sentence_start = (sentence.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
        let mut from = 0;
        for p in &phrases {
            let label = label_of(sentence, first_colon, p, from);
            from = p.end;
            if label.is_empty() {
                continue;
            }
            let kind = kind_of(&label);
            let level_here = match kind {
                Kind::FinalReport => ctx.reporting_level,
                _ => level.map_or(ctx.reporting_level, |l| l.0),
            };
            let level_words = level.map(|l| l.1);
            let place =
                place_after(text, sentence_start + p.end).map(|pl| Found::new(pl, sentence, line, Confidence::Medium));
            let mut title = ctx.title(&label, kind, level_words);
            if kind == Kind::FinalReport {
                title = capitalise(&label);
            }
            let note = (p.confidence != Confidence::High).then(|| {
                "Ngày được đọc với năm hoặc hạn suy ra; cần kiểm tra. / The year or the deadline day was inferred; please check.".to_string()
            });
            out.push(MilestoneDraft {
                key: milestone_key(kind, level_here, &label),
                label: label.clone(),
                title,
                level: level_here,
                when: Found::new(p.when, sentence, line, p.confidence),
                place,
                source: Some(source.clone()),
                note,
            });
        }
    }
}

fn time_section(ctx: &Context, section: &Section, sched: &mut Schedule) {
    let mut level: Option<(Level, String)> = None;
    let mut sub: Option<String> = None;
    for b in &section.blocks {
        if let Some(n) = &b.number {
            sub = Some(n.clone());
            let heading = trim_clause(&b.text);
            level = level_of(heading).filter(|_| heading.chars().count() < 60).map(|l| (l, heading.to_string()));
            if level.is_some() {
                continue;
            }
        }
        for sentence in sentences(&b.text) {
            if let Some(w) = dates::weekly(sentence) {
                if sched.weekly_phrase.is_none() {
                    sched.weekly_phrase = Some((sentence.to_string(), b.line, w));
                    sched.send_to = send_to(sentence, b.line);
                }
            }
            if let (None, Some((first, last))) = (&sched.period_phrase, dates::weekly_period(sentence)) {
                sched.period_phrase = Some((sentence.to_string(), b.line, first, last));
            }
            let key = fold(sentence);
            if sched.span.is_none()
                && key.contains("thoi gian")
                && (key.contains("thuc hien") || key.contains("trien khai") || key.contains("dien ra"))
            {
                if let Some(When::Window { from, to }) = dates::find(sentence, ctx.year).first().map(|p| p.when) {
                    sched.span = Some((
                        Some(Found::new(from, sentence, b.line, Confidence::High)),
                        Some(Found::new(to, sentence, b.line, Confidence::High)),
                    ));
                    continue;
                }
            }
        }
        let source = section.source(sub.as_deref());
        let lvl = if b.number.is_some() { None } else { level.as_ref().map(|(l, w)| (*l, w.as_str())) };
        dated_items(ctx, &b.text, b.line, lvl, source, &mut sched.milestones, true);
    }
}

/// "Ban Phong trào Tỉnh Đoàn" in "báo cáo gửi về Ban Phong trào Tỉnh Đoàn (...)".
fn send_to(sentence: &str, line: usize) -> Option<Found<String>> {
    let (_, end) = find_folded(sentence, "gui ve")
        .or_else(|| find_folded(sentence, "gui bao cao ve"))
        .or_else(|| find_folded(sentence, "gui"))?;
    let rest = &sentence[end..];
    let mut stop = rest.find(['(', ';', ',', '.', ':']).unwrap_or(rest.len());
    // "… về Ban Phong trào Tỉnh đoàn trước 16 giờ": the time is not the office.
    for word in ["truoc", "cham nhat", "vao", "qua", "theo", "trong"] {
        if let Some((s, _)) = find_folded(&rest[..stop], word) {
            stop = stop.min(s);
        }
    }
    let who = trim_clause(&rest[..stop]);
    (!who.is_empty()).then(|| Found::new(who.to_string(), sentence, line, Confidence::High))
}

/// The weekly rule: its weekday and time from the sentence; its weeks from a
/// window in the sentence, from "Tháng Thanh niên" (March), or from the span of
/// the plan's other dates.
fn weekly_rule(
    ctx: &Context,
    sentence: &str,
    line: usize,
    w: dates::WeeklyPhrase,
    span: Option<(NaiveDate, NaiveDate)>,
    problems: &mut Vec<String>,
) -> Option<WeeklyDraft> {
    let year = ctx.year?;
    let youth_month = fold(sentence).contains("thang thanh nien")
        || ctx.subject.is_some_and(|s| fold(s).contains("thang thanh nien"));
    let explicit = dates::find(sentence, ctx.year).into_iter().find_map(|p| match p.when {
        When::Window { from, to } => Some((from, to)),
        _ => None,
    });
    let march = NaiveDate::from_ymd_opt(year, 3, 1).zip(NaiveDate::from_ymd_opt(year, 3, 31));
    let (range, confidence, why) = match explicit {
        Some(r) => (Some(r), Confidence::High, None),
        None if youth_month => (march, Confidence::Medium, Some("Tháng Thanh niên là tháng 3 / Youth Month is March")),
        None => (span, Confidence::Low, Some("các tuần trong thời gian của kế hoạch / the weeks of the plan's dates")),
    };
    let due = match w.due {
        Some(t) => Found::new(t.format("%H:%M").to_string(), sentence, line, Confidence::High),
        None => {
            problems.push(
                "Lịch báo cáo tuần không ghi giờ; tạm để 16:00 / the weekly rule gives no time; 16:00 filled in"
                    .to_string(),
            );
            Found::new("16:00".to_string(), sentence, line, Confidence::Low)
        }
    };
    let source = match why {
        Some(why) => format!("{sentence} [{why}]"),
        None => sentence.to_string(),
    };
    let (first, last, confidence) = match range.and_then(|(from, to)| dates::weekdays_between(from, to, w.weekday)) {
        Some((first, last)) => (first, last, confidence),
        None => {
            problems.push(
                "Không xác định được các tuần báo cáo (kỳ đầu, kỳ cuối); hãy điền trong tệp / the first and last weekly periods could not be worked out; fill them in"
                    .to_string(),
            );
            let placeholder = NaiveDate::from_ymd_opt(year, 1, 1)?;
            (placeholder, placeholder, Confidence::Low)
        }
    };
    if confidence == Confidence::Low && range.is_some() {
        problems.push(
            "Văn bản không nói báo cáo tuần kéo dài đến khi nào; các tuần được suy ra từ các mốc thời gian, cần kiểm tra / the plan does not say over which weeks reports run; they were inferred from its dates, please check"
                .to_string(),
        );
    }
    Some(WeeklyDraft {
        first_period_end: Found::new(first, &source, line, confidence),
        last_period_end: Found::new(last, &source, line, confidence),
        due_time: due,
        rule_text: sentence.to_string(),
    })
}

fn weekday_name(day: chrono::Weekday) -> (&'static str, &'static str) {
    use chrono::Weekday::*;
    match day {
        Mon => ("thứ Hai", "Monday"),
        Tue => ("thứ Ba", "Tuesday"),
        Wed => ("thứ Tư", "Wednesday"),
        Thu => ("thứ Năm", "Thursday"),
        Fri => ("thứ Sáu", "Friday"),
        Sat => ("thứ Bảy", "Saturday"),
        Sun => ("Chủ nhật", "Sunday"),
    }
}

/// The weekly rule from what the plan states: the period's days ("từ thứ 5 tuần
/// trước đến thứ 4 tuần này") give the day a week ends; the due day and time come
/// from the rule ("trước 10 giờ sáng thứ 2 hằng tuần"). What the plan file cannot
/// say as written (a due day after the period's last day, a period that is not
/// seven days) or what had to be assumed (no period stated, a due day other than
/// Friday) is listed for the reviewer — never silently replaced by Saturday–Friday.
/// The sentence, its line, the rule, and whether the due day differs from the
/// period's last day.
fn weekly_period_rule(
    weekly: Option<(String, usize, dates::WeeklyPhrase)>,
    period: Option<(String, usize, chrono::Weekday, chrono::Weekday)>,
    problems: &mut Vec<String>,
) -> Option<(String, usize, dates::WeeklyPhrase, bool)> {
    let Some((p_sentence, p_line, first, last)) = period else {
        let (sentence, line, w) = weekly?;
        if w.weekday != chrono::Weekday::Fri {
            let (due_vi, due_en) = weekday_name(w.weekday);
            let (from_vi, from_en) = weekday_name(w.weekday.succ());
            problems.push(format!(
                "Văn bản chỉ nêu hạn báo cáo tuần ({due_vi}), không nêu kỳ báo cáo từ thứ mấy đến thứ mấy: đã lấy kỳ từ {from_vi} đến {due_vi}, hạn nộp vào ngày cuối kỳ; cần kiểm tra / the plan gives the weekly due day ({due_en}) but not the period's days: weeks from {from_en} to {due_en} were assumed, due on the last day; please check"
            ));
        }
        return Some((sentence, line, w, false));
    };
    let (due_day, due_time, sentence, line) = match &weekly {
        Some((s, l, w)) => {
            let sentence = if *s == p_sentence { s.clone() } else { format!("{p_sentence} {s}") };
            (w.weekday, w.due.or_else(|| dates::find_time(&p_sentence)), sentence, (*l).min(p_line))
        }
        None => {
            let due = dates::due_weekday(&p_sentence).unwrap_or(last);
            (due, dates::find_time(&p_sentence), p_sentence.clone(), p_line)
        }
    };
    let (first_vi, first_en) = weekday_name(first);
    let (last_vi, last_en) = weekday_name(last);
    if last.succ() != first {
        problems.push(format!(
            "Kỳ báo cáo tuần từ {first_vi} đến {last_vi} không đủ 7 ngày: đã lấy kỳ 7 ngày kết thúc vào {last_vi}; cần kiểm tra / the weekly period from {first_en} to {last_en} is not seven days: seven-day weeks ending on {last_en} were used; please check"
        ));
    }
    let due_elsewhere = due_day != last;
    if due_elsewhere {
        let (due_vi, due_en) = weekday_name(due_day);
        problems.push(format!(
            "Kỳ báo cáo tuần kết thúc vào {last_vi} nhưng hạn nộp là {due_vi}: tệp kế hoạch tính hạn nộp vào ngày cuối kỳ ({last_vi}); cần kiểm tra giờ hạn / the weekly period ends on {last_en} but reports are due on {due_en}: the plan file puts the deadline on the period's last day ({last_en}); check the due time"
        ));
    }
    Some((sentence, line, dates::WeeklyPhrase { weekday: last, due: due_time }, due_elsewhere))
}

/// IV. HOẠT ĐỘNG CẤP TỈNH: numbered events, dated from their own text or from a
/// province milestone whose label they contain ("Tổ chức Lễ khởi động").
fn events(ctx: &Context, section: &Section, milestones: &[MilestoneDraft]) -> Vec<EventDraft> {
    let mut out = Vec::new();
    for b in &section.blocks {
        let Some(number) = b.number.as_deref().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let title = Found::new(b.text.clone(), &b.text, b.line, Confidence::High);
        let mut event = EventDraft { number, title, starts_on: None, ends_on: None, place: None };
        if let Some(p) = dates::find(&b.text, ctx.year).first() {
            let (start, end) = match p.when {
                When::On { date } | When::Before { date } => (date, None),
                When::Window { from, to } => (from, Some(to)),
            };
            event.starts_on = Some(Found::new(start, &b.text, b.line, p.confidence));
            event.ends_on = end;
            event.place = place_after(&b.text, p.end).map(|pl| Found::new(pl, &b.text, b.line, Confidence::Medium));
        } else {
            let key = fold(&b.text);
            let matching = milestones.iter().filter(|m| m.level == Level::Province).find(|m| {
                let label = fold(&m.label);
                label.split(' ').count() >= 2 && key.contains(&label)
            });
            if let Some(m) = matching {
                let (start, end) = match m.when.value {
                    When::On { date } | When::Before { date } => (date, None),
                    When::Window { from, to } => (from, Some(to)),
                };
                event.starts_on = Some(Found::new(start, &m.when.source, m.when.line, Confidence::Medium));
                event.ends_on = end;
                event.place = m.place.clone();
            }
        }
        out.push(event);
    }
    out
}

pub(crate) fn read(
    doc: &Document,
    year: Option<i32>,
    subject: Option<&str>,
    reporting_level: Level,
    problems: &mut Vec<String>,
) -> Schedule {
    let ctx = Context { year, subject, reporting_level };
    let mut sched = Schedule::default();
    match doc.section(Part::Time) {
        Some(section) => time_section(&ctx, section, &mut sched),
        None => problems.push("Không tìm thấy mục THỜI GIAN / no time section (THỜI GIAN) found".to_string()),
    }
    if sched.weekly_phrase.is_none() || sched.period_phrase.is_none() {
        for section in doc.sections.iter().filter(|s| s.part() != Part::Time) {
            for b in &section.blocks {
                for sentence in sentences(&b.text) {
                    if let (None, Some(w)) = (&sched.weekly_phrase, dates::weekly(sentence)) {
                        sched.weekly_phrase = Some((sentence.to_string(), b.line, w));
                        sched.send_to = send_to(sentence, b.line);
                    }
                    if let (None, Some((first, last))) = (&sched.period_phrase, dates::weekly_period(sentence)) {
                        sched.period_phrase = Some((sentence.to_string(), b.line, first, last));
                    }
                }
            }
        }
    }
    // Deadlines written with the duties ("... trước ngày 01/3/2023").
    if let Some(section) = doc.section(Part::Organisation) {
        let mut level: Option<(Level, String)> = None;
        let mut sub = None;
        for b in &section.blocks {
            if let Some(n) = &b.number {
                sub = Some(n.clone());
                level = level_of(&b.text).map(|l| (l, b.text.clone()));
            }
            let before_only = dates::find(&b.text, year).iter().all(|p| matches!(p.when, When::Before { .. }));
            if before_only {
                let lvl = level.as_ref().map(|(l, _)| (*l, ""));
                dated_items(&ctx, &b.text, b.line, lvl, section.source(sub.as_deref()), &mut sched.milestones, true);
            }
        }
    }
    if let Some(section) = doc.section(Part::Events) {
        sched.events = events(&ctx, section, &sched.milestones);
    }
    dedupe_keys(&mut sched.milestones);
    let rule = weekly_period_rule(sched.weekly_phrase.take(), sched.period_phrase.take(), problems);
    if let Some((sentence, line, w, due_elsewhere)) = rule {
        if sched.send_to.is_none() {
            sched.send_to = send_to(&sentence, line);
        }
        let span = match derived_span(&sched.milestones, &sched.events, None) {
            (Some(first), Some(last)) => Some((first.value, last.value)),
            _ => None,
        };
        sched.weekly = weekly_rule(&ctx, &sentence, line, w, span, problems);
        if let Some(weekly) = sched.weekly.as_mut().filter(|_| due_elsewhere) {
            weekly.due_time.confidence = Confidence::Low;
        }
    }
    sched
}

fn dedupe_keys(milestones: &mut [MilestoneDraft]) {
    for i in 1..milestones.len() {
        let mut n = 2;
        let base = milestones[i].key.clone();
        while milestones[..i].iter().any(|m| m.key == milestones[i].key) {
            milestones[i].key = format!("{base}-{n}");
            n += 1;
        }
    }
}

/// The campaign's span from its dates: the first milestone or event to the last
/// deadline, closing or weekly report.
pub(crate) fn derived_span(milestones: &[MilestoneDraft], events: &[EventDraft], weekly: Option<&WeeklyDraft>) -> Span {
    let mut days: Vec<(NaiveDate, String, usize)> = Vec::new();
    for m in milestones {
        let (first, last) = match m.when.value {
            When::On { date } | When::Before { date } => (date, date),
            When::Window { from, to } => (from, to),
        };
        days.push((first, m.when.source.clone(), m.when.line));
        days.push((last, m.when.source.clone(), m.when.line));
    }
    for e in events {
        if let Some(d) = &e.starts_on {
            days.push((d.value, d.source.clone(), d.line));
        }
    }
    if let Some(w) = weekly {
        let plausible = w.last_period_end.value.year() == w.first_period_end.value.year()
            && w.first_period_end.confidence > Confidence::Low;
        if plausible {
            days.push((w.first_period_end.value, w.first_period_end.source.clone(), w.first_period_end.line));
            days.push((w.last_period_end.value, w.last_period_end.source.clone(), w.last_period_end.line));
        }
    }
    let first = days.iter().min_by_key(|d| d.0).map(|d| Found::new(d.0, &d.1, d.2, Confidence::Medium));
    let last = days.iter().max_by_key(|d| d.0).map(|d| Found::new(d.0, &d.1, d.2, Confidence::Medium));
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::structure::read as structure;
    use crate::import::text::lines;

    const V: &str = "IV. HOẠT ĐỘNG CẤP TỈNH\n1. Tổ chức Lễ khởi động Tháng Thanh niên năm 2023.\n2. Tổ chức Ngày Đoàn viên.\n\
                     V. THỜI GIAN\n1. Cấp tỉnh:\n- Tổ chức Lễ khởi động: Ngày 24/2/2023, tại huyện An Minh.\n\
                     - Tổ chức tổng kết: ngày 05/4/2023. Tại Trung tâm Kiên Giang.\n2. Cấp huyện và tương đương:\n\
                     - Tổ chức khởi động từ ngày 01/3 đến 05/3/2023.\n- Tổ chức tổng kết trước ngày 10/4/2023.\n\
                     3. Thời gian báo cáo: trước 16h00, thứ 6 hàng tuần trong Tháng Thanh niên, báo cáo gửi về Ban Phong trào Tỉnh Đoàn (kết quả); email: a@b.vn. \
                     Báo cáo tổng kết Tháng Thanh niên năm 2023 gửi trước ngày 30/3/2023.";

    #[test]
    fn milestones_weekly_rule_and_events() {
        let doc = structure(lines(V));
        let mut problems = Vec::new();
        let s = read(&doc, Some(2023), Some("Tháng Thanh niên năm 2023"), Level::District, &mut problems);
        let keys: Vec<&str> = s.milestones.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["province-launch", "province-closing", "district-launch", "district-closing", "final-report"]
        );
        assert_eq!(s.milestones[0].title, "Lễ khởi động Tháng Thanh niên năm 2023 cấp tỉnh");
        assert_eq!(s.milestones[0].place.as_ref().unwrap().value, "huyện An Minh");
        assert_eq!(s.milestones[1].place.as_ref().unwrap().value, "Trung tâm Kiên Giang");
        assert_eq!(s.milestones[2].title, "Khởi động Tháng Thanh niên năm 2023 cấp huyện và tương đương");
        assert_eq!(s.milestones[4].title, "Báo cáo tổng kết Tháng Thanh niên năm 2023");
        assert_eq!(s.milestones[4].source.as_deref(), Some("V.3"));
        let w = s.weekly.unwrap();
        assert_eq!(w.first_period_end.value, NaiveDate::from_ymd_opt(2023, 3, 3).unwrap());
        assert_eq!(w.last_period_end.value, NaiveDate::from_ymd_opt(2023, 3, 31).unwrap());
        assert_eq!(w.due_time.value, "16:00");
        assert_eq!(s.send_to.unwrap().value, "Ban Phong trào Tỉnh Đoàn");
        assert_eq!(s.events[0].starts_on.as_ref().unwrap().value, NaiveDate::from_ymd_opt(2023, 2, 24).unwrap());
        assert!(s.events[1].starts_on.is_none());
        assert!(problems.is_empty(), "{problems:?}");
    }
}
