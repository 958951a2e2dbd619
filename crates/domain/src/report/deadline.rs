//! The deadline judgement of a submission: on time or late, and whether a report
//! that reached the server after the deadline counts on time because "Gửi" was
//! pressed before it on a phone without a connection ("gửi muộn do mất kết nối").
//!
//! One function decides (`judge`), when the report is first submitted; what it
//! decided is stored with the report, and every list, count, document and API
//! reads that (`sent_late_for_connection` names the mark from the stored facts).
//!
//! The rule, per campaign (`by_pressed_at`, default off):
//! - off: the server's receipt time decides, whatever the phone says;
//! - on: the time the phone says "Gửi" was pressed decides, when it is believable:
//!   not in the future (beyond `CLOCK_SLACK` for a phone's clock), not before the
//!   period opened for reporting, and not before the report's draft was first saved
//!   on the server. Otherwise it is ignored and the receipt time decides. A pressed
//!   time later than the receipt time is taken as the receipt time.
//!
//! The same bounds decide whether the pressed time is kept with the report at all
//! (`believable_pressed_at`, whatever the rule): an unbelievable one (a phone's
//! clock in year 9999, a time before the period opened) is neither stored nor shown.

use chrono::{DateTime, Duration, Utc};

use crate::period::{timeliness, Timeliness};

/// How far ahead of the server's clock a phone's clock may be.
pub const CLOCK_SLACK: Duration = Duration::minutes(5);

/// The campaign's rule and the bounds a pressed time must keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PressedRule {
    /// The office lets the time "Gửi" was pressed decide the deadline.
    pub by_pressed_at: bool,
    /// When the period opened for reporting (None: no lower bound, e.g. a unit plan).
    pub opens_at: Option<DateTime<Utc>>,
}

/// A first submission as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submission {
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// When the phone says "Gửi" was pressed (None: sent online, or not said).
    pub pressed_at: Option<DateTime<Utc>>,
    /// When the report's draft was first saved on the server, before this request
    /// (None: the submission creates the report).
    pub draft_since: Option<DateTime<Utc>>,
}

/// What the judgement decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    pub timeliness: Timeliness,
    /// The pressed time was believed and decided (the setting on, the time in bounds).
    pub pressed_at_used: bool,
    /// On time by the pressed time although received after the deadline: the mark
    /// "gửi muộn do mất kết nối".
    pub sent_late_for_connection: bool,
    /// The pressed time to keep with the report and show: the phone's time when it is
    /// believable (whatever the rule), None otherwise.
    pub pressed_at_kept: Option<DateTime<Utc>>,
}

/// The pressed time of this submission when it is believable (the bounds above,
/// whatever the rule), None when it is not or none was said. One function decides
/// both whether the time may decide the deadline and whether it is kept and shown.
pub fn believable_pressed_at(rule: &PressedRule, s: &Submission) -> Option<DateTime<Utc>> {
    let pressed = s.pressed_at?;
    let in_bounds = pressed <= s.received_at + CLOCK_SLACK
        && rule.opens_at.is_none_or(|opens| pressed >= opens)
        && s.draft_since.is_none_or(|since| pressed >= since);
    in_bounds.then_some(pressed)
}

/// The stored pressed time as a list, page or API shows it: only when believable
/// against the report's first receipt (`believable_pressed_at`; the bounds known
/// from the report alone), so that a time stored before this rule (year 9999) is
/// not shown either.
pub fn shown_pressed_at(
    pressed_at: Option<DateTime<Utc>>,
    first_submitted_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let received_at = first_submitted_at?;
    believable_pressed_at(&PressedRule::default(), &Submission { received_at, pressed_at, draft_since: None })
}

/// Whether a pressed time is believable for this submission (the bounds above).
pub fn pressed_at_believable(rule: &PressedRule, s: &Submission) -> bool {
    believable_pressed_at(rule, s).is_some()
}

/// On time or late for a first submission due at `due_at`.
pub fn judge(rule: &PressedRule, s: &Submission, due_at: DateTime<Utc>) -> Judgement {
    let by_receipt = timeliness(s.received_at, due_at);
    let kept = believable_pressed_at(rule, s);
    let decider = kept.filter(|_| rule.by_pressed_at);
    let decides = decider.map_or(s.received_at, |pressed| pressed.min(s.received_at));
    let t = timeliness(decides, due_at);
    Judgement {
        timeliness: t,
        pressed_at_used: decider.is_some(),
        sent_late_for_connection: t == Timeliness::OnTime && by_receipt == Timeliness::Late,
        pressed_at_kept: kept,
    }
}

/// The mark from what is stored: counted on time although first received at or
/// after its deadline (only a believed pressed time does that).
pub fn sent_late_for_connection(
    timeliness: Option<Timeliness>,
    first_submitted_at: Option<DateTime<Utc>>,
    due_at: DateTime<Utc>,
) -> bool {
    timeliness == Some(Timeliness::OnTime) && first_submitted_at.is_some_and(|at| at >= due_at)
}

/// The mark's words, for pages, lists and documents.
pub const MARK_VI: &str = "gửi muộn do mất kết nối";
pub const MARK_EN: &str = "sent late for lack of connection";

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 3, 3, h, m, 0).single().unwrap_or_default()
    }

    const ON: PressedRule = PressedRule { by_pressed_at: true, opens_at: None };

    fn sub(received: DateTime<Utc>, pressed: Option<DateTime<Utc>>) -> Submission {
        Submission { received_at: received, pressed_at: pressed, draft_since: None }
    }

    #[test]
    fn off_the_receipt_time_decides() {
        let off = PressedRule { by_pressed_at: false, ..ON };
        let j = judge(&off, &sub(at(10, 0), Some(at(8, 0))), at(9, 0));
        assert_eq!((j.timeliness, j.pressed_at_used, j.sent_late_for_connection), (Timeliness::Late, false, false));
        assert_eq!(judge(&off, &sub(at(8, 59), None), at(9, 0)).timeliness, Timeliness::OnTime);
    }

    #[test]
    fn on_a_pressed_time_before_the_deadline_counts_on_time_and_is_marked() {
        let j = judge(&ON, &sub(at(10, 0), Some(at(8, 0))), at(9, 0));
        assert_eq!((j.timeliness, j.pressed_at_used, j.sent_late_for_connection), (Timeliness::OnTime, true, true));
        assert!(sent_late_for_connection(Some(j.timeliness), Some(at(10, 0)), at(9, 0)));
        // Pressed after the deadline too: late, no mark.
        let late = judge(&ON, &sub(at(10, 0), Some(at(9, 30))), at(9, 0));
        assert_eq!((late.timeliness, late.sent_late_for_connection), (Timeliness::Late, false));
        // Received on time: on time, no mark.
        let online = judge(&ON, &sub(at(8, 30), Some(at(8, 29))), at(9, 0));
        assert_eq!((online.timeliness, online.sent_late_for_connection), (Timeliness::OnTime, false));
        assert!(!sent_late_for_connection(Some(Timeliness::OnTime), Some(at(8, 30)), at(9, 0)));
    }

    #[test]
    fn an_unbelievable_pressed_time_is_ignored() {
        // In the future beyond the slack.
        let future = judge(&ON, &sub(at(10, 0), Some(at(10, 6))), at(9, 0));
        assert_eq!((future.timeliness, future.pressed_at_used), (Timeliness::Late, false));
        // A phone a little ahead is believed (the receipt time is then taken).
        let ahead = judge(&ON, &sub(at(8, 58), Some(at(9, 2))), at(9, 0));
        assert_eq!((ahead.timeliness, ahead.pressed_at_used), (Timeliness::OnTime, true));
        // Before the period opened.
        let rule = PressedRule { opens_at: Some(at(2, 0)), ..ON };
        let early = judge(&rule, &sub(at(10, 0), Some(at(1, 0))), at(9, 0));
        assert_eq!((early.timeliness, early.pressed_at_used), (Timeliness::Late, false));
        // Before the draft was first saved on the server.
        let s = Submission { draft_since: Some(at(8, 30)), ..sub(at(10, 0), Some(at(8, 0))) };
        assert_eq!(judge(&ON, &s, at(9, 0)).timeliness, Timeliness::Late);
        let s = Submission { draft_since: Some(at(7, 30)), ..s };
        assert_eq!(judge(&ON, &s, at(9, 0)).timeliness, Timeliness::OnTime);
        // None said.
        assert!(!judge(&ON, &sub(at(10, 0), None), at(9, 0)).pressed_at_used);
    }

    /// The bounds that decide whether a pressed time counts also decide whether it is
    /// kept with the report: a phone's clock in year 9999 is neither believed nor kept,
    /// with the rule on or off; a believable one is kept even with the rule off.
    #[test]
    fn only_a_believable_pressed_time_is_kept() {
        let off = PressedRule { by_pressed_at: false, opens_at: Some(at(2, 0)) };
        let on = PressedRule { by_pressed_at: true, ..off };
        let far = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 0).single();
        assert!(far.is_some());
        for rule in [on, off] {
            let j = judge(&rule, &sub(at(10, 0), far), at(9, 0));
            assert_eq!((j.pressed_at_kept, j.pressed_at_used, j.timeliness), (None, false, Timeliness::Late));
            // Before the period opened.
            assert_eq!(judge(&rule, &sub(at(10, 0), Some(at(1, 59))), at(9, 0)).pressed_at_kept, None);
            // Beyond the phone's slack after the receipt.
            assert_eq!(judge(&rule, &sub(at(10, 0), Some(at(10, 6))), at(9, 0)).pressed_at_kept, None);
            // Before the draft was first saved on the server.
            let s = Submission { draft_since: Some(at(8, 30)), ..sub(at(10, 0), Some(at(8, 0))) };
            assert_eq!(judge(&rule, &s, at(9, 0)).pressed_at_kept, None);
            // Believable: kept, within the slack too.
            assert_eq!(judge(&rule, &sub(at(10, 0), Some(at(8, 0))), at(9, 0)).pressed_at_kept, Some(at(8, 0)));
            assert_eq!(judge(&rule, &sub(at(10, 0), Some(at(10, 4))), at(9, 0)).pressed_at_kept, Some(at(10, 4)));
        }
        assert_eq!(believable_pressed_at(&on, &sub(at(10, 0), None)), None);
        // A row stored before the rule: shown only when believable against its receipt.
        assert_eq!(shown_pressed_at(far, Some(at(10, 0))), None);
        assert_eq!(shown_pressed_at(Some(at(8, 0)), Some(at(10, 0))), Some(at(8, 0)));
        assert_eq!(shown_pressed_at(Some(at(8, 0)), None), None);
    }
}
