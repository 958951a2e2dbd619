//! The report workflow as pure rules: which state a save or a review leads to, the
//! version it becomes, when the report counts as on time, and what is refused and
//! why. Storage reads the stored report, asks here, and writes what the answer says;
//! nothing of these rules lives in SQL.
//!
//! ```text
//!              save draft (any number of times)
//!            ┌──────────┐
//!            ▼          │
//!  (none) ─► draft ─────┘── submit ──► submitted ── accept ──► accepted (final)
//!                                          │ ▲
//!                                   return │ │ resubmit
//!                                          ▼ │
//!                                        returned ◄─┐
//!                                            └──────┘ save draft
//! ```
//!
//! - Every save or review makes a new version (1, 2, 3 …); a save names the version
//!   it started from, and one that started from an older version is refused (the
//!   caller gets the stored report back), except the person's own later save of the
//!   very same content (an autosave that landed first).
//! - The first submission decides on time or late, for good: a report returned and
//!   resubmitted keeps its first decision.
//! - A locked period refuses every save, whoever saves (the office included: it
//!   reopens the period first). Reviewers may still accept or return reports of a
//!   locked period: the lock stops the figures changing, not the review.
//! - Who may do what: a unit's reporter (and the office) save and submit the unit's
//!   reports; the office and the steering committee accept or return them; a viewer
//!   does neither. Which units a person acts for is `policy::allows`.

use chrono::{DateTime, Duration, Utc};

use super::deadline::{self, PressedRule, Submission};
use super::{Decision, ReportKind, Status};
use crate::period::Timeliness;
use crate::policy::{self, Action, Actor};
use crate::role::Role;

/// What someone does to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    SaveDraft,
    Submit,
    Accept,
    Return,
}

impl Operation {
    pub const ALL: [Operation; 4] = [Operation::SaveDraft, Operation::Submit, Operation::Accept, Operation::Return];

    /// The permission it needs on the report's unit.
    pub fn needs(self) -> Action {
        match self {
            Operation::SaveDraft | Operation::Submit => Action::WriteUnit,
            Operation::Accept | Operation::Return => Action::ReviewUnit,
        }
    }

    pub fn is_save(self) -> bool {
        matches!(self, Operation::SaveDraft | Operation::Submit)
    }

    pub fn review(decision: Decision) -> Operation {
        match decision {
            Decision::Accept => Operation::Accept,
            Decision::Return => Operation::Return,
        }
    }

    /// The word kept in the report's history and the audit log ("report.submit" …).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::SaveDraft => "save_draft",
            Operation::Submit => "submit",
            Operation::Accept => "accept",
            Operation::Return => "return",
        }
    }
}

/// A report rule the request breaks. Storage returns these unchanged; the web layer
/// turns each into its answer (status code, code, message) in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportRuleError {
    /// The period is locked (by hand, or on its own some days after the deadline).
    #[error("period locked")]
    PeriodLocked,
    /// Submitted and waiting for review: the unit cannot change it until it is returned.
    #[error("awaiting review")]
    AwaitingReview,
    /// Accepted: final.
    #[error("already accepted")]
    AlreadyAccepted,
    /// The save names a version of a report that does not exist.
    #[error("no such version")]
    NoSuchVersion,
    /// Only a submitted report is accepted or returned.
    #[error("not submitted ({0:?})")]
    NotSubmitted(Status),
    /// The person's role may do this, but not for this unit.
    #[error("not your unit")]
    NotYourUnit,
    /// The person's role never does this (a viewer saving, a reporter reviewing).
    #[error("not for this role")]
    RoleMayNot,
}

impl ReportRuleError {
    /// A stable code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            ReportRuleError::PeriodLocked => "period_locked",
            ReportRuleError::AwaitingReview | ReportRuleError::AlreadyAccepted => "not_editable",
            ReportRuleError::NoSuchVersion => "no_such_version",
            ReportRuleError::NotSubmitted(_) => "not_submitted",
            ReportRuleError::NotYourUnit | ReportRuleError::RoleMayNot => "forbidden",
        }
    }

    /// The report's status the refusal is about, when it is about one.
    pub fn status(self) -> Option<Status> {
        match self {
            ReportRuleError::AwaitingReview => Some(Status::Submitted),
            ReportRuleError::AlreadyAccepted => Some(Status::Accepted),
            ReportRuleError::NotSubmitted(s) => Some(s),
            _ => None,
        }
    }

    pub fn message_vi(self) -> String {
        match self {
            ReportRuleError::PeriodLocked => "Kỳ báo cáo này đã khóa. Liên hệ Ban Phong trào để mở lại.".into(),
            ReportRuleError::AwaitingReview | ReportRuleError::AlreadyAccepted => format!(
                "Báo cáo đang ở trạng thái \"{}\": chỉ sửa được khi là bản nháp hoặc bị trả lại",
                self.status().map(Status::label_vi).unwrap_or_default()
            ),
            ReportRuleError::NoSuchVersion => "Báo cáo này chưa có phiên bản đó: hãy tải lại trang rồi nhập lại".into(),
            ReportRuleError::NotSubmitted(_) => "Chỉ duyệt hoặc trả lại báo cáo đã gửi".into(),
            ReportRuleError::NotYourUnit => "Anh/chị không phụ trách đơn vị này".into(),
            ReportRuleError::RoleMayNot => "Vai trò của anh/chị không được làm việc này".into(),
        }
    }

    pub fn message_en(self) -> String {
        match self {
            ReportRuleError::PeriodLocked => {
                "This reporting period is locked. Ask the campaign office to reopen it.".into()
            }
            ReportRuleError::AwaitingReview | ReportRuleError::AlreadyAccepted => format!(
                "The report is {}: it can be changed only as a draft or when returned",
                self.status().map(Status::label_en).unwrap_or_default().to_lowercase()
            ),
            ReportRuleError::NoSuchVersion => {
                "This report has no such version: reload the page and enter it again".into()
            }
            ReportRuleError::NotSubmitted(_) => "Only a submitted report can be accepted or returned".into(),
            ReportRuleError::NotYourUnit => "You are not responsible for this unit".into(),
            ReportRuleError::RoleMayNot => "Your role does not allow this".into(),
        }
    }
}

/// A weekly period's lock as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockState {
    /// The office locked it by hand.
    pub locked_by_hand: bool,
    /// The office reopened it (it then stays open after the automatic lock time).
    pub reopened: bool,
    /// The period's deadline.
    pub due_at: DateTime<Utc>,
}

impl LockState {
    /// Whether the period is locked at `now`: locked by hand, or `lock_after_days`
    /// after its deadline unless the office reopened it.
    pub fn is_locked(&self, lock_after_days: Option<u32>, now: DateTime<Utc>) -> bool {
        if self.locked_by_hand {
            return true;
        }
        !self.reopened && lock_after_days.is_some_and(|days| now > self.due_at + Duration::days(i64::from(days)))
    }
}

/// Whether a period (None: no lock applies, as for a unit plan) is locked at `now`.
pub fn period_locked(lock: Option<LockState>, lock_after_days: Option<u32>, now: DateTime<Utc>) -> bool {
    lock.is_some_and(|l| l.is_locked(lock_after_days, now))
}

/// Whether the report's state allows `op` (None: no report yet), the period being
/// `locked` or not. The rules of the state machine above, without the person.
pub fn state_allows(op: Operation, status: Option<Status>, locked: bool) -> Result<(), ReportRuleError> {
    if op.is_save() {
        if locked {
            return Err(ReportRuleError::PeriodLocked);
        }
        return match status {
            None | Some(Status::Draft) | Some(Status::Returned) => Ok(()),
            Some(Status::Submitted) => Err(ReportRuleError::AwaitingReview),
            Some(Status::Accepted) => Err(ReportRuleError::AlreadyAccepted),
        };
    }
    match status {
        Some(Status::Submitted) => Ok(()),
        Some(other) => Err(ReportRuleError::NotSubmitted(other)),
        None => Err(ReportRuleError::NotSubmitted(Status::Draft)),
    }
}

/// Whether the role may ever do `op` (for some unit).
pub fn role_may(role: Role, op: Operation) -> bool {
    match role {
        Role::Admin => true,
        Role::Steering => !op.is_save(),
        Role::Unit => op.is_save(),
        // Saves its own report up; reviews its units' (the policy keeps it below itself).
        Role::UnitOffice => true,
        Role::Viewer => false,
    }
}

/// Everything a request must pass, in the order it is told: who (role, then unit),
/// then the period's lock, then the report's state. `ancestry` is the report's unit
/// then its parent up to the root.
pub fn permitted(
    actor: &Actor,
    ancestry: &[i64],
    op: Operation,
    status: Option<Status>,
    locked: bool,
) -> Result<(), ReportRuleError> {
    if !role_may(actor.role, op) {
        return Err(ReportRuleError::RoleMayNot);
    }
    if !policy::allows(actor, op.needs(), ancestry) {
        return Err(ReportRuleError::NotYourUnit);
    }
    state_allows(op, status, locked)
}

/// What the rules need of a stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current<'a> {
    pub status: Status,
    pub version: i64,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    /// Who saved it last, and whether what they saved is exactly this request's draft.
    pub updated_by: &'a str,
    pub same_draft: bool,
    /// When the report was first saved (its draft's first save).
    pub created_at: DateTime<Utc>,
    /// The pressed time kept with its first submission, if any.
    pub pressed_at: Option<DateTime<Utc>>,
    /// What its first submission decided, as stored.
    pub timeliness: Option<Timeliness>,
}

/// A save as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveIntent<'a> {
    /// `SaveDraft` or `Submit`.
    pub op: Operation,
    pub kind: ReportKind,
    /// The version the person started from (0: a new report).
    pub expected_version: i64,
    pub author: &'a str,
    pub now: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// The period is locked at `now`.
    pub locked: bool,
    /// When the phone says "Gửi" was pressed (a report sent from the outbox).
    pub pressed_at: Option<DateTime<Utc>>,
    /// The campaign's rule for that time (see `deadline`).
    pub rule: PressedRule,
}

/// What to store for a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavePlan {
    /// The stored version the write replaces (0: insert a new report).
    pub replaces: i64,
    pub version: i64,
    pub status: Status,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    /// The pressed time kept with the first submission when it is believable
    /// (whatever the rule; `deadline::believable_pressed_at`), else None.
    pub pressed_at: Option<DateTime<Utc>>,
    /// The submitted figures and notes are written (a submission).
    pub writes_content: bool,
    /// The unit's figures up the tree change (a weekly report submitted).
    pub moves_figures: bool,
}

/// Why a save is not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefusal {
    Rule(ReportRuleError),
    /// Someone saved another version first: the attempt is kept in the history and
    /// the person gets the stored report back.
    Stale,
}

impl From<ReportRuleError> for SaveRefusal {
    fn from(e: ReportRuleError) -> Self {
        SaveRefusal::Rule(e)
    }
}

/// Decides a save against the stored report (None: none yet).
pub fn plan_save(current: Option<Current<'_>>, intent: &SaveIntent<'_>) -> Result<SavePlan, SaveRefusal> {
    let submit = match intent.op {
        Operation::Submit => true,
        Operation::SaveDraft => false,
        Operation::Accept | Operation::Return => return Err(ReportRuleError::RoleMayNot.into()),
    };
    state_allows(intent.op, current.map(|c| c.status), intent.locked)?;
    let Some(current) = current else {
        if intent.expected_version != 0 {
            return Err(ReportRuleError::NoSuchVersion.into());
        }
        let first = submit.then_some(intent.now);
        let judged = submit.then(|| first_judgement(intent, None));
        return Ok(SavePlan {
            replaces: 0,
            version: 1,
            status: if submit { Status::Submitted } else { Status::Draft },
            first_submitted_at: first,
            last_submitted_at: first,
            timeliness: judged.map(|j| j.timeliness),
            pressed_at: judged.and_then(|j| j.pressed_at_kept),
            writes_content: submit,
            moves_figures: submit && intent.kind == ReportKind::Weekly,
        });
    };
    // The person's own later save of exactly this content is not a conflict: nothing
    // of anyone's would be lost, so the save goes on from the stored version.
    let own_echo =
        current.version > intent.expected_version && current.updated_by == intent.author && current.same_draft;
    let replaces = if own_echo { current.version } else { intent.expected_version };
    if replaces != current.version {
        return Err(SaveRefusal::Stale);
    }
    let first_submitted_at = current.first_submitted_at.or(submit.then_some(intent.now));
    // The first submission decides, for good; a later one keeps what it decided.
    let first_now = submit && current.first_submitted_at.is_none();
    let judged = first_now.then(|| first_judgement(intent, Some(current.created_at)));
    let timeliness = match (current.first_submitted_at, judged) {
        (_, Some(j)) => Some(j.timeliness),
        (Some(_), None) => current_timeliness(&current, intent),
        (None, None) => None,
    };
    Ok(SavePlan {
        replaces,
        version: replaces + 1,
        status: if submit { Status::Submitted } else { current.status },
        first_submitted_at,
        last_submitted_at: if submit { Some(intent.now) } else { current.last_submitted_at },
        timeliness,
        pressed_at: match judged {
            Some(j) => j.pressed_at_kept,
            None => current.pressed_at,
        },
        writes_content: submit,
        moves_figures: submit && intent.kind == ReportKind::Weekly,
    })
}

/// The judgement of a first submission made now (`draft_since`: when the report's
/// draft was first saved, if it existed before).
fn first_judgement(intent: &SaveIntent<'_>, draft_since: Option<DateTime<Utc>>) -> deadline::Judgement {
    let s = Submission { received_at: intent.now, pressed_at: intent.pressed_at, draft_since };
    deadline::judge(&intent.rule, &s, intent.due_at)
}

/// The stored report's judgement: what its first submission decided (a report stored
/// without one is judged by its first receipt time).
fn current_timeliness(current: &Current<'_>, intent: &SaveIntent<'_>) -> Option<Timeliness> {
    let first = current.first_submitted_at?;
    Some(current.timeliness.unwrap_or_else(|| crate::period::timeliness(first, intent.due_at)))
}

/// What to store for a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPlan {
    pub version: i64,
    pub status: Status,
    pub op: Operation,
    /// The report stops counting in the figures (a weekly report returned).
    pub stops_counting: bool,
}

/// Decides a review of the stored report: its state first, then the version.
pub fn plan_review(
    status: Status,
    version: i64,
    kind: ReportKind,
    expected_version: i64,
    decision: Decision,
) -> Result<ReviewPlan, SaveRefusal> {
    let op = Operation::review(decision);
    state_allows(op, Some(status), false)?;
    if version != expected_version {
        return Err(SaveRefusal::Stale);
    }
    Ok(ReviewPlan {
        version: version + 1,
        status: if decision.accepts() { Status::Accepted } else { Status::Returned },
        op,
        stops_counting: !decision.accepts() && kind == ReportKind::Weekly,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        // 3 March 2023, UTC (16:00 in Vietnam is 09:00 UTC).
        Utc.with_ymd_and_hms(2023, 3, 3, h, m, s).single().unwrap_or_default()
    }

    fn due() -> DateTime<Utc> {
        at(9, 0, 0)
    }

    fn intent(op: Operation, expected_version: i64, now: DateTime<Utc>) -> SaveIntent<'static> {
        SaveIntent {
            op,
            kind: ReportKind::Weekly,
            expected_version,
            author: "r.rachgia",
            now,
            due_at: due(),
            locked: false,
            pressed_at: None,
            rule: PressedRule { by_pressed_at: false, opens_at: None },
        }
    }

    fn stored(status: Status, version: i64, first: Option<DateTime<Utc>>) -> Current<'static> {
        Current {
            status,
            version,
            first_submitted_at: first,
            last_submitted_at: first,
            updated_by: "someone.else",
            same_draft: false,
            created_at: at(0, 0, 0),
            pressed_at: None,
            timeliness: None,
        }
    }

    const S: [Option<Status>; 5] =
        [None, Some(Status::Draft), Some(Status::Submitted), Some(Status::Returned), Some(Status::Accepted)];

    /// Every operation in every state, open and locked: the whole table.
    #[test]
    fn every_transition_allowed_or_refused() {
        use Operation::*;
        use ReportRuleError::*;
        type Row = (Operation, Option<Status>, bool, Result<(), ReportRuleError>);
        let table: Vec<Row> = vec![
            (SaveDraft, None, false, Ok(())),
            (SaveDraft, Some(Status::Draft), false, Ok(())),
            (SaveDraft, Some(Status::Returned), false, Ok(())),
            (SaveDraft, Some(Status::Submitted), false, Err(AwaitingReview)),
            (SaveDraft, Some(Status::Accepted), false, Err(AlreadyAccepted)),
            (Submit, None, false, Ok(())),
            (Submit, Some(Status::Draft), false, Ok(())),
            (Submit, Some(Status::Returned), false, Ok(())),
            (Submit, Some(Status::Submitted), false, Err(AwaitingReview)),
            (Submit, Some(Status::Accepted), false, Err(AlreadyAccepted)),
            (Accept, None, false, Err(NotSubmitted(Status::Draft))),
            (Accept, Some(Status::Draft), false, Err(NotSubmitted(Status::Draft))),
            (Accept, Some(Status::Submitted), false, Ok(())),
            (Accept, Some(Status::Returned), false, Err(NotSubmitted(Status::Returned))),
            (Accept, Some(Status::Accepted), false, Err(NotSubmitted(Status::Accepted))),
            (Return, None, false, Err(NotSubmitted(Status::Draft))),
            (Return, Some(Status::Draft), false, Err(NotSubmitted(Status::Draft))),
            (Return, Some(Status::Submitted), false, Ok(())),
            (Return, Some(Status::Returned), false, Err(NotSubmitted(Status::Returned))),
            (Return, Some(Status::Accepted), false, Err(NotSubmitted(Status::Accepted))),
        ];
        assert_eq!(table.len(), Operation::ALL.len() * S.len());
        for (op, status, locked, expected) in &table {
            assert_eq!(state_allows(*op, *status, *locked), *expected, "{op:?} on {status:?}");
        }
        // Locked: every save refused whatever the state; reviews as when open.
        for (op, status, _, open) in &table {
            let locked = state_allows(*op, *status, true);
            if op.is_save() {
                assert_eq!(locked, Err(PeriodLocked), "{op:?} on {status:?} locked");
            } else {
                assert_eq!(locked, *open, "{op:?} on {status:?} locked");
            }
        }
    }

    #[test]
    fn what_each_role_may_do_on_its_own_unit_and_on_another() {
        use Operation::*;
        use ReportRuleError::*;
        // Tree: 1 province › 2 district A; 3 district B. Reports of district A.
        let own: &[i64] = &[2, 1];
        let actor = |role| Actor { user_id: 1, username: "x".into(), role, unit_ids: vec![3] };
        let reporter_a = Actor { user_id: 2, username: "a".into(), role: Role::Unit, unit_ids: vec![2] };
        let submitted = Some(Status::Submitted);
        let draft = Some(Status::Draft);
        // (role, operation, state, result) on district A's report, acting for district B.
        let table = [
            (Role::Admin, Submit, draft, Ok(())),
            (Role::Admin, Accept, submitted, Ok(())),
            (Role::Steering, Submit, draft, Err(RoleMayNot)),
            (Role::Steering, SaveDraft, draft, Err(RoleMayNot)),
            (Role::Steering, Accept, submitted, Ok(())),
            (Role::Steering, Return, submitted, Ok(())),
            (Role::Unit, Submit, draft, Err(NotYourUnit)),
            (Role::Unit, Accept, submitted, Err(RoleMayNot)),
            (Role::Viewer, SaveDraft, draft, Err(RoleMayNot)),
            (Role::Viewer, Accept, submitted, Err(RoleMayNot)),
        ];
        for (role, op, status, expected) in table {
            assert_eq!(permitted(&actor(role), own, op, status, false), expected, "{role:?} {op:?}");
        }
        assert_eq!(permitted(&reporter_a, own, Submit, draft, false), Ok(()));
        assert_eq!(permitted(&reporter_a, own, SaveDraft, submitted, false), Err(AwaitingReview));
        assert_eq!(permitted(&reporter_a, own, SaveDraft, Some(Status::Accepted), false), Err(AlreadyAccepted));
        assert_eq!(permitted(&reporter_a, own, Return, submitted, false), Err(RoleMayNot));
        // The lock refuses the office's save too; the review goes on.
        assert_eq!(permitted(&actor(Role::Admin), own, SaveDraft, draft, true), Err(PeriodLocked));
        assert_eq!(permitted(&actor(Role::Admin), own, Accept, submitted, true), Ok(()));
        assert_eq!(permitted(&actor(Role::Steering), own, Return, submitted, true), Ok(()));
        // The who comes before the lock: a viewer is told about its role.
        assert_eq!(permitted(&actor(Role::Viewer), own, Submit, draft, true), Err(RoleMayNot));
        // The role table agrees with the permissions of policy.
        // A unit's office saves its own report up and reviews its units', never its own.
        let office_a = Actor { user_id: 3, username: "o".into(), role: Role::UnitOffice, unit_ids: vec![2] };
        assert_eq!(permitted(&office_a, own, Submit, draft, false), Ok(()));
        assert_eq!(permitted(&office_a, own, Accept, submitted, false), Err(NotYourUnit));
        assert_eq!(permitted(&office_a, &[4, 2, 1], Accept, submitted, false), Ok(()));
        assert_eq!(permitted(&office_a, &[3, 1], Submit, draft, false), Err(NotYourUnit));
        for role in Role::ALL {
            for op in Operation::ALL {
                if role == Role::UnitOffice && !op.is_save() {
                    continue; // reviews only below itself: checked above
                }
                let anywhere = Actor { user_id: 9, username: "z".into(), role, unit_ids: vec![2] };
                assert_eq!(role_may(role, op), policy::allows(&anywhere, op.needs(), own), "{role:?} {op:?}");
            }
        }
    }

    #[test]
    fn a_first_save_makes_version_1_as_draft_or_submitted() {
        let d = plan_save(None, &intent(Operation::SaveDraft, 0, at(1, 0, 0))).expect("draft");
        assert_eq!((d.replaces, d.version, d.status), (0, 1, Status::Draft));
        assert_eq!((d.first_submitted_at, d.timeliness, d.writes_content, d.moves_figures), (None, None, false, false));
        let s = plan_save(None, &intent(Operation::Submit, 0, at(1, 0, 0))).expect("submit");
        assert_eq!((s.version, s.status, s.timeliness), (1, Status::Submitted, Some(Timeliness::OnTime)));
        assert_eq!(s.first_submitted_at, Some(at(1, 0, 0)));
        assert!(s.writes_content && s.moves_figures);
        let plan = SaveIntent { kind: ReportKind::UnitPlan, ..intent(Operation::Submit, 0, at(1, 0, 0)) };
        assert!(!plan_save(None, &plan).expect("unit plan").moves_figures, "a unit plan counts in no figure");
    }

    #[test]
    fn the_first_submission_decides_on_time_strictly_before_the_deadline() {
        let on_time = plan_save(None, &intent(Operation::Submit, 0, at(8, 59, 59))).expect("ok");
        assert_eq!(on_time.timeliness, Some(Timeliness::OnTime));
        let late = plan_save(None, &intent(Operation::Submit, 0, at(9, 0, 0))).expect("ok");
        assert_eq!(late.timeliness, Some(Timeliness::Late));
    }

    #[test]
    fn a_resubmission_after_a_return_keeps_the_first_decision_both_ways() {
        // Late first, resubmitted before the deadline: still late.
        let returned = stored(Status::Returned, 3, Some(at(10, 0, 0)));
        let again = plan_save(Some(returned), &intent(Operation::Submit, 3, at(8, 0, 0))).expect("resubmit");
        assert_eq!(again.timeliness, Some(Timeliness::Late));
        assert_eq!(again.first_submitted_at, Some(at(10, 0, 0)));
        assert_eq!(again.last_submitted_at, Some(at(8, 0, 0)));
        assert_eq!((again.version, again.status), (4, Status::Submitted));
        // On time first, resubmitted after the deadline: still on time.
        let returned = stored(Status::Returned, 3, Some(at(8, 0, 0)));
        let again = plan_save(Some(returned), &intent(Operation::Submit, 3, at(12, 0, 0))).expect("resubmit");
        assert_eq!(again.timeliness, Some(Timeliness::OnTime));
    }

    #[test]
    fn a_draft_saved_on_a_returned_report_keeps_it_returned_and_its_dates() {
        let returned = stored(Status::Returned, 3, Some(at(8, 0, 0)));
        let d = plan_save(Some(returned), &intent(Operation::SaveDraft, 3, at(12, 0, 0))).expect("draft");
        assert_eq!((d.status, d.version, d.replaces), (Status::Returned, 4, 3));
        assert_eq!((d.first_submitted_at, d.last_submitted_at), (Some(at(8, 0, 0)), Some(at(8, 0, 0))));
        assert_eq!(d.timeliness, Some(Timeliness::OnTime));
        assert!(!d.writes_content && !d.moves_figures);
    }

    #[test]
    fn versions_count_up_through_the_whole_workflow() {
        let mut versions = Vec::new();
        let d = plan_save(None, &intent(Operation::SaveDraft, 0, at(1, 0, 0))).expect("draft");
        versions.push(d.version);
        let c = Current { last_submitted_at: None, ..stored(d.status, d.version, d.first_submitted_at) };
        let s = plan_save(Some(c), &intent(Operation::Submit, d.version, at(2, 0, 0))).expect("submit");
        versions.push(s.version);
        let r = plan_review(s.status, s.version, ReportKind::Weekly, s.version, Decision::Return).expect("return");
        versions.push(r.version);
        assert!(r.stops_counting);
        let c = stored(r.status, r.version, s.first_submitted_at);
        let s2 = plan_save(Some(c), &intent(Operation::Submit, r.version, at(10, 0, 0))).expect("resubmit");
        versions.push(s2.version);
        let a = plan_review(s2.status, s2.version, ReportKind::Weekly, s2.version, Decision::Accept).expect("accept");
        versions.push(a.version);
        assert_eq!((a.status, a.op, a.stops_counting), (Status::Accepted, Operation::Accept, false));
        assert_eq!(versions, vec![1, 2, 3, 4, 5]);
        // Accepted is final for the unit.
        let c = stored(a.status, a.version, s.first_submitted_at);
        assert_eq!(
            plan_save(Some(c), &intent(Operation::SaveDraft, a.version, at(11, 0, 0))),
            Err(SaveRefusal::Rule(ReportRuleError::AlreadyAccepted))
        );
    }

    #[test]
    fn a_save_from_an_old_version_is_stale_unless_it_is_the_authors_own_echo() {
        let current = stored(Status::Draft, 5, None);
        assert_eq!(plan_save(Some(current), &intent(Operation::SaveDraft, 4, at(1, 0, 0))), Err(SaveRefusal::Stale));
        assert_eq!(plan_save(Some(current), &intent(Operation::SaveDraft, 6, at(1, 0, 0))), Err(SaveRefusal::Stale));
        // The same person, the same content, saved meanwhile by an autosave: goes on.
        let echo = Current { updated_by: "r.rachgia", same_draft: true, ..current };
        let p = plan_save(Some(echo), &intent(Operation::Submit, 4, at(1, 0, 0))).expect("echo");
        assert_eq!((p.replaces, p.version), (5, 6));
        // Same person, other content; or other person, same content: stale.
        let other_content = Current { updated_by: "r.rachgia", same_draft: false, ..current };
        assert_eq!(plan_save(Some(other_content), &intent(Operation::Submit, 4, at(1, 0, 0))), Err(SaveRefusal::Stale));
        let other_person = Current { same_draft: true, ..current };
        assert_eq!(plan_save(Some(other_person), &intent(Operation::Submit, 4, at(1, 0, 0))), Err(SaveRefusal::Stale));
    }

    #[test]
    fn a_version_of_a_report_that_does_not_exist_is_refused() {
        assert_eq!(
            plan_save(None, &intent(Operation::SaveDraft, 3, at(1, 0, 0))),
            Err(SaveRefusal::Rule(ReportRuleError::NoSuchVersion))
        );
    }

    #[test]
    fn the_state_and_the_lock_come_before_the_version() {
        let locked = SaveIntent { locked: true, ..intent(Operation::Submit, 1, at(1, 0, 0)) };
        assert_eq!(plan_save(None, &locked), Err(SaveRefusal::Rule(ReportRuleError::PeriodLocked)));
        assert_eq!(
            plan_save(Some(stored(Status::Submitted, 7, None)), &intent(Operation::Submit, 2, at(1, 0, 0))),
            Err(SaveRefusal::Rule(ReportRuleError::AwaitingReview))
        );
        assert_eq!(
            plan_review(Status::Returned, 7, ReportKind::Weekly, 2, Decision::Accept),
            Err(SaveRefusal::Rule(ReportRuleError::NotSubmitted(Status::Returned)))
        );
        assert_eq!(plan_review(Status::Submitted, 7, ReportKind::Weekly, 6, Decision::Accept), Err(SaveRefusal::Stale));
        let unit_plan = plan_review(Status::Submitted, 7, ReportKind::UnitPlan, 7, Decision::Return).expect("ok");
        assert!(!unit_plan.stops_counting);
        assert_eq!(
            plan_save(None, &intent(Operation::Accept, 0, at(1, 0, 0))),
            Err(ReportRuleError::RoleMayNot.into())
        );
    }

    #[test]
    fn a_period_locks_by_hand_or_some_days_after_the_deadline_unless_reopened() {
        let open = LockState { locked_by_hand: false, reopened: false, due_at: due() };
        let day = Duration::days(1);
        assert!(!open.is_locked(None, due() + day * 100), "no automatic lock configured");
        assert!(!open.is_locked(Some(3), due() + day * 3), "the third day after the deadline is still open");
        assert!(open.is_locked(Some(3), due() + day * 3 + Duration::seconds(1)));
        let by_hand = LockState { locked_by_hand: true, ..open };
        assert!(by_hand.is_locked(None, due() - day));
        let reopened = LockState { reopened: true, ..open };
        assert!(!reopened.is_locked(Some(3), due() + day * 30));
        assert!(!period_locked(None, Some(0), due() + day * 30), "a unit plan has no period to lock");
        assert!(period_locked(Some(by_hand), None, due()));
    }

    #[test]
    fn refusals_speak_vietnamese_first_and_english() {
        for e in [
            ReportRuleError::PeriodLocked,
            ReportRuleError::AwaitingReview,
            ReportRuleError::AlreadyAccepted,
            ReportRuleError::NoSuchVersion,
            ReportRuleError::NotSubmitted(Status::Draft),
            ReportRuleError::NotYourUnit,
            ReportRuleError::RoleMayNot,
        ] {
            assert!(!e.message_vi().is_empty() && !e.message_en().is_empty() && !e.code().is_empty(), "{e:?}");
            assert_ne!(e.message_vi(), e.message_en());
        }
        assert!(ReportRuleError::PeriodLocked.message_vi().contains("đã khóa"));
        assert!(ReportRuleError::AlreadyAccepted.message_vi().contains("Đã duyệt"));
        assert!(ReportRuleError::AwaitingReview.message_en().contains("submitted"));
    }

    /// The time "Gửi" was pressed decides only where the campaign allows it, at the
    /// first submission; a resubmission keeps what the first decided, whatever the
    /// rule says now.
    #[test]
    fn the_pressed_time_decides_the_first_submission_only_where_allowed() {
        let on = PressedRule { by_pressed_at: true, opens_at: Some(at(0, 0, 0)) };
        let pressed = Some(at(8, 30, 0));
        let late = SaveIntent { pressed_at: pressed, ..intent(Operation::Submit, 0, at(10, 0, 0)) };
        let off = plan_save(None, &late).expect("submitted");
        assert_eq!((off.timeliness, off.pressed_at), (Some(Timeliness::Late), pressed), "off: kept, receipt decides");
        let allowed = plan_save(None, &SaveIntent { rule: on, ..late }).expect("submitted");
        assert_eq!(allowed.timeliness, Some(Timeliness::OnTime), "on: the pressed time decides");
        // Returned, then sent again late with the rule off: still on time (the first decided).
        let returned = Current {
            timeliness: Some(Timeliness::OnTime),
            pressed_at: pressed,
            ..stored(Status::Returned, 3, Some(at(10, 0, 0)))
        };
        let again = plan_save(Some(returned), &intent(Operation::Submit, 3, at(11, 0, 0))).expect("resubmitted");
        assert_eq!((again.timeliness, again.pressed_at), (Some(Timeliness::OnTime), pressed));
        // A draft saved before the press: a pressed time before that draft is not believed.
        let drafted = Current { created_at: at(9, 0, 0), ..stored(Status::Draft, 1, None) };
        let s = SaveIntent { rule: on, pressed_at: pressed, ..intent(Operation::Submit, 1, at(10, 0, 0)) };
        assert_eq!(plan_save(Some(drafted), &s).expect("submitted").timeliness, Some(Timeliness::Late));
    }

    /// An unbelievable pressed time (a phone's clock in year 9999) is not kept with
    /// the report, new or drafted before, whatever the rule.
    #[test]
    fn an_unbelievable_pressed_time_is_not_kept() {
        let far = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).single();
        let on = PressedRule { by_pressed_at: true, opens_at: Some(at(0, 0, 0)) };
        for rule in [on, PressedRule { by_pressed_at: false, ..on }] {
            let s = SaveIntent { rule, pressed_at: far, ..intent(Operation::Submit, 0, at(10, 0, 0)) };
            assert_eq!(plan_save(None, &s).expect("submitted").pressed_at, None);
            let drafted = Current { created_at: at(7, 0, 0), ..stored(Status::Draft, 1, None) };
            let s = SaveIntent { expected_version: 1, ..s };
            assert_eq!(plan_save(Some(drafted), &s).expect("submitted").pressed_at, None);
            let s = SaveIntent { pressed_at: Some(at(8, 0, 0)), ..s };
            assert_eq!(plan_save(Some(drafted), &s).expect("submitted").pressed_at, Some(at(8, 0, 0)));
        }
    }
}
