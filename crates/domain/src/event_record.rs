//! What happened at an event: the province's events (section IV of the plan) and each
//! unit's own launch and closing. Checked once, here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::base_figures::parse_whole;
use crate::text::nfc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Chưa tổ chức.
    Planned,
    /// Đã tổ chức.
    Held,
    /// Hoãn (with a reason).
    Postponed,
    /// Không tổ chức (with a reason).
    Cancelled,
}

impl EventStatus {
    pub const ALL: [EventStatus; 4] =
        [EventStatus::Planned, EventStatus::Held, EventStatus::Postponed, EventStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Planned => "planned",
            EventStatus::Held => "held",
            EventStatus::Postponed => "postponed",
            EventStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<EventStatus> {
        EventStatus::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            EventStatus::Planned => "Chưa tổ chức",
            EventStatus::Held => "Đã tổ chức",
            EventStatus::Postponed => "Hoãn",
            EventStatus::Cancelled => "Không tổ chức",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            EventStatus::Planned => "Not held yet",
            EventStatus::Held => "Held",
            EventStatus::Postponed => "Postponed",
            EventStatus::Cancelled => "Cancelled",
        }
    }
}

/// A unit's own event that the plan asks every reporting unit to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitEventKind {
    /// Lễ ra quân (the district launch, 01–05/3 in 2023).
    Launch,
    /// Tổng kết (the district closing, before 10/4 in 2023).
    Closing,
}

impl UnitEventKind {
    pub const ALL: [UnitEventKind; 2] = [UnitEventKind::Launch, UnitEventKind::Closing];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitEventKind::Launch => "launch",
            UnitEventKind::Closing => "closing",
        }
    }

    pub fn parse(text: &str) -> Option<UnitEventKind> {
        UnitEventKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            UnitEventKind::Launch => "Lễ ra quân",
            UnitEventKind::Closing => "Tổng kết",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            UnitEventKind::Launch => "Launch",
            UnitEventKind::Closing => "Closing",
        }
    }
}

/// What is known of an event, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub status: EventStatus,
    pub held_on: Option<NaiveDate>,
    pub place: String,
    pub participants: Option<i64>,
    /// Why it was postponed or not held.
    pub reason: String,
    pub results: String,
}

/// The fields as a person typed them.
#[derive(Debug, Clone, Default)]
pub struct EventInput<'a> {
    pub status: &'a str,
    /// YYYY-MM-DD or dd/mm/yyyy; empty when not known.
    pub held_on: &'a str,
    pub place: &'a str,
    /// "1.200" or "1200"; empty when not known.
    pub participants: &'a str,
    pub reason: &'a str,
    pub results: &'a str,
}

fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y")).ok()
}

fn text(vi: &str, en: &str, value: &str, max: usize, problems: &mut Vec<(String, String)>) -> String {
    let t = nfc(value.trim());
    let bad = t.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    });
    if t.chars().count() > max {
        problems.push((format!("{vi} tối đa {max} ký tự"), format!("{en}: at most {max} characters")));
    } else if bad {
        problems.push((format!("{vi} có ký tự không hợp lệ"), format!("{en} holds a character that is not allowed")));
    }
    t
}

/// Checks a record: a held event has its date, a postponed or cancelled one its
/// reason; participants are a whole number. All problems at once, (Vietnamese, English).
pub fn parse(input: &EventInput<'_>) -> Result<EventRecord, (String, String)> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let status = EventStatus::parse(input.status).unwrap_or_else(|| {
        problems.push((
            format!("Tình trạng \"{}\" không hợp lệ", input.status.trim()),
            format!("Unknown status \"{}\"", input.status.trim()),
        ));
        EventStatus::Planned
    });
    let held_on = match input.held_on.trim() {
        "" => None,
        t => match date(t) {
            Some(d) => Some(d),
            None => {
                problems.push((
                    format!("Ngày tổ chức \"{t}\" không hợp lệ (ngày/tháng/năm)"),
                    format!("Invalid date \"{t}\" (day/month/year)"),
                ));
                None
            }
        },
    };
    if status == EventStatus::Held && held_on.is_none() && input.held_on.trim().is_empty() {
        problems.push(("Hoạt động đã tổ chức cần ngày tổ chức".into(), "A held event needs its date".into()));
    }
    let participants = match input.participants.trim() {
        "" => None,
        t => match parse_whole(t) {
            Some(n) => Some(n),
            None => {
                problems.push((
                    format!("Số người tham gia \"{t}\" không phải số nguyên"),
                    format!("Participants \"{t}\" is not a whole number"),
                ));
                None
            }
        },
    };
    let place = text("Địa điểm", "Place", input.place, 300, &mut problems);
    let reason = text("Lý do", "Reason", input.reason, 1000, &mut problems);
    let results = text("Kết quả", "Results", input.results, 4000, &mut problems);
    if matches!(status, EventStatus::Postponed | EventStatus::Cancelled) && reason.is_empty() {
        problems.push((
            "Hoạt động hoãn hoặc không tổ chức cần ghi lý do".into(),
            "A postponed or cancelled event needs a reason".into(),
        ));
    }
    if problems.is_empty() {
        Ok(EventRecord { status, held_on, place, participants, reason, results })
    } else {
        let (vi, en): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
        Err((vi.join("; "), en.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_event_needs_its_date_and_a_postponed_one_its_reason() {
        let held = parse(&EventInput {
            status: "held",
            held_on: "24/02/2023",
            place: "Huyện An Minh",
            participants: "1.200",
            results: "Ra quân 1.200 đoàn viên",
            ..Default::default()
        })
        .expect("good");
        assert_eq!(held.held_on, NaiveDate::from_ymd_opt(2023, 2, 24));
        assert_eq!(held.participants, Some(1200));
        let (vi, en) = parse(&EventInput { status: "held", ..Default::default() }).expect_err("no date");
        assert!(vi.contains("cần ngày tổ chức") && en.contains("needs its date"));
        let (vi, _) = parse(&EventInput { status: "postponed", ..Default::default() }).expect_err("no reason");
        assert!(vi.contains("lý do"));
        let (vi, _) =
            parse(&EventInput { status: "held", held_on: "31/02/2023", participants: "nhiều", ..Default::default() })
                .expect_err("bad");
        assert!(vi.contains("31/02/2023") && vi.contains("nhiều"), "{vi}");
        assert!(parse(&EventInput { status: "done", ..Default::default() }).is_err());
    }
}
