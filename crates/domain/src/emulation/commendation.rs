//! Commendations (khen thưởng): the award forms of a campaign (hình thức khen
//! thưởng) with their eligibility rules, and the checks of a nomination (đề nghị
//! khen thưởng). Pure rules: a collective's standing comes from the emulation
//! ranking the caller computed.

use serde::{Deserialize, Serialize};

use super::{msg, Message, Points};
use crate::plan::Plan;

/// Whom an award form commends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Tập thể: a unit.
    Collective,
    /// Cá nhân: a person of a unit.
    Individual,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Collective => "collective",
            Target::Individual => "individual",
        }
    }

    pub fn parse(text: &str) -> Option<Target> {
        match crate::text::fold(text.trim()).as_str() {
            "collective" | "tap the" => Some(Target::Collective),
            "individual" | "ca nhan" => Some(Target::Individual),
            _ => None,
        }
    }

    pub fn vi(self) -> &'static str {
        match self {
            Target::Collective => "Tập thể",
            Target::Individual => "Cá nhân",
        }
    }
}

/// An award form with its eligibility rules. The ranking rules (rank, minimum
/// score, reports on time) concern collectives; every form may have a quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardForm {
    /// "Bằng khen của BCH Tỉnh đoàn".
    pub name: String,
    pub target: Target,
    /// Ranked at most this within its cluster (1: first of its cluster).
    pub max_rank: Option<u32>,
    /// At least this total emulation score.
    pub min_points: Option<Points>,
    /// No late and no missing weekly report.
    pub all_on_time: bool,
    /// At most this many nominations (not counting rejected ones).
    pub quota: Option<u32>,
}

impl AwardForm {
    /// The rules in words: "hạng 1–3 trong cụm; từ 80 điểm; báo cáo đúng hạn; tối đa 5".
    pub fn rules_vi(&self) -> String {
        let mut out = Vec::new();
        if let Some(r) = self.max_rank {
            out.push(if r == 1 {
                "hạng nhất trong cụm".to_string()
            } else {
                format!("hạng 1–{r} trong cụm")
            });
        }
        if let Some(p) = self.min_points {
            out.push(format!("từ {} điểm", p.vi()));
        }
        if self.all_on_time {
            out.push("mọi báo cáo tuần đúng hạn".to_string());
        }
        if let Some(q) = self.quota {
            out.push(format!("tối đa {q} {}", if self.target == Target::Collective { "tập thể" } else { "cá nhân" }));
        }
        if out.is_empty() {
            "không có điều kiện riêng".to_string()
        } else {
            out.join("; ")
        }
    }

    pub fn rules_en(&self) -> String {
        let mut out = Vec::new();
        if let Some(r) = self.max_rank {
            out.push(format!("rank 1–{r} in its cluster"));
        }
        if let Some(p) = self.min_points {
            out.push(format!("at least {} points", p.en()));
        }
        if self.all_on_time {
            out.push("every weekly report on time".to_string());
        }
        if let Some(q) = self.quota {
            out.push(format!("at most {q}"));
        }
        if out.is_empty() {
            "no particular condition".to_string()
        } else {
            out.join("; ")
        }
    }
}

/// The most award forms a campaign may have.
pub const MAX_FORMS: usize = 50;

/// Every problem of a list of award forms, on its row (1-based; 0: the whole list).
pub fn check_forms(forms: &[AwardForm]) -> Vec<(usize, Message)> {
    let mut out = Vec::new();
    if forms.len() > MAX_FORMS {
        out.push((
            0,
            msg(
                format!("Quá nhiều hình thức khen thưởng (tối đa {MAX_FORMS})."),
                format!("Too many award forms ({MAX_FORMS} at most)."),
            ),
        ));
        return out;
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, f) in forms.iter().enumerate() {
        let row = i + 1;
        let name = f.name.trim();
        if name.is_empty() {
            out.push((row, msg("Chưa nhập tên hình thức khen thưởng.", "The award form's name is missing.")));
        } else if name.chars().count() > 300 {
            out.push((
                row,
                msg(
                    "Tên hình thức khen thưởng quá dài (tối đa 300 ký tự).",
                    "The name is too long (300 characters at most).",
                ),
            ));
        } else {
            let key = format!("{}|{}", crate::text::fold(name), f.target.as_str());
            if seen.contains(&key) {
                out.push((
                    row,
                    msg(
                        format!("Hình thức \"{name}\" ({}) bị trùng.", f.target.vi().to_lowercase()),
                        format!("The award form \"{name}\" is listed twice."),
                    ),
                ));
            }
            seen.push(key);
        }
        if f.max_rank == Some(0) || f.max_rank.is_some_and(|r| r > 1000) {
            out.push((row, msg("Hạng trong cụm phải từ 1 đến 1.000.", "The rank must be between 1 and 1,000.")));
        }
        if f.min_points.is_some_and(|p| p.0 < 0 || p > super::MAX_CRITERION_POINTS) {
            out.push((row, msg("Điểm tối thiểu không hợp lệ.", "The minimum score is not valid.")));
        }
        if f.quota == Some(0) || f.quota.is_some_and(|q| q > 100_000) {
            out.push((
                row,
                msg(
                    "Số lượng tối đa phải từ 1 (để trống nếu không giới hạn).",
                    "The quota must be 1 or more (blank: none).",
                ),
            ));
        }
        if f.target == Target::Individual && (f.max_rank.is_some() || f.min_points.is_some() || f.all_on_time) {
            out.push((
                row,
                msg(
                    "Hình thức cho cá nhân chỉ có điều kiện số lượng (hạng, điểm, báo cáo đúng hạn là điều kiện của tập thể).",
                    "An award form for individuals only takes a quota (rank, score and reports on time concern collectives).",
                ),
            ));
        }
    }
    out
}

/// The honours a plan schedules ("Tuyên dương “Gương mặt trẻ tiêu biểu”, …"), each
/// with whom it commends, in the plan's order. Known honours keep their usual
/// spelling even when the plan's text has a typo ("Guong mặt" → "Gương mặt").
pub fn plan_honours(plan: &Plan) -> Vec<(String, Target)> {
    const KNOWN: [(&str, Target); 6] = [
        ("Gương mặt trẻ tiêu biểu", Target::Individual),
        ("Đảng viên trẻ tiêu biểu", Target::Individual),
        ("Chi đoàn mạnh", Target::Collective),
        ("Cán bộ đoàn tiêu biểu", Target::Individual),
        ("Thanh niên tiên tiến làm theo lời Bác", Target::Individual),
        ("Đoàn viên tiêu biểu", Target::Individual),
    ];
    let mut out: Vec<(String, Target)> = Vec::new();
    let texts = plan
        .events
        .iter()
        .map(|e| e.title.as_str())
        .chain(plan.areas.iter().flat_map(|a| a.items.iter().map(String::as_str)));
    for text in texts {
        if !crate::text::fold(text).contains("tuyen duong") {
            continue;
        }
        for part in text.split('“').skip(1) {
            let Some((name, _)) = part.split_once('”') else { continue };
            let name = name.trim().trim_matches('*').trim();
            if name.is_empty() || name.chars().count() > 100 {
                continue;
            }
            let f = crate::text::fold(name);
            let (name, target) = match KNOWN.iter().find(|(k, _)| crate::text::fold(k) == f) {
                Some((k, t)) => (k.to_string(), *t),
                None => {
                    let collective = ["chi doan", "don vi", "tap the", "co so doan"].iter().any(|w| f.contains(w));
                    (name.to_string(), if collective { Target::Collective } else { Target::Individual })
                }
            };
            if !out.iter().any(|(n, _)| crate::text::fold(n) == crate::text::fold(&name)) {
                out.push((name, target));
            }
        }
    }
    out
}

/// The default award forms of a campaign: the Bằng khen and Giấy khen of the
/// provincial committee for the best collectives of each cluster, then the honours
/// the plan schedules (quota 10 each).
pub fn default_forms(plan: &Plan) -> Vec<AwardForm> {
    let mut out = vec![
        AwardForm {
            name: "Bằng khen của BCH Tỉnh đoàn".into(),
            target: Target::Collective,
            max_rank: Some(1),
            min_points: Some(Points::whole(80)),
            all_on_time: true,
            quota: None,
        },
        AwardForm {
            name: "Giấy khen của BCH Tỉnh đoàn".into(),
            target: Target::Collective,
            max_rank: Some(3),
            min_points: Some(Points::whole(70)),
            all_on_time: false,
            quota: None,
        },
    ];
    let mut honours = plan_honours(plan);
    if honours.is_empty() {
        honours = vec![("Cán bộ đoàn tiêu biểu".to_string(), Target::Individual)];
    }
    for (name, target) in honours {
        out.push(AwardForm { name, target, max_rank: None, min_points: None, all_on_time: false, quota: Some(10) });
    }
    out
}

/// A collective's place in the emulation ranking (None for a unit that is not ranked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Its rank within its cluster (or the overall ranking without clusters).
    pub rank: u32,
    pub total: Points,
    pub late: u64,
    pub missing: u64,
    /// Some self-score is not reviewed yet (it counts 0 meanwhile).
    pub pending: bool,
}

/// Why a collective may not receive a form (empty: eligible). A form with a
/// ranking rule needs the unit to be ranked.
pub fn ineligibility(form: &AwardForm, standing: Option<&Standing>) -> Vec<Message> {
    let mut out = Vec::new();
    if form.target != Target::Collective {
        return out;
    }
    let needs_ranking = form.max_rank.is_some() || form.min_points.is_some() || form.all_on_time;
    let Some(s) = standing else {
        if needs_ranking {
            out.push(msg(
                "đơn vị không có trong xếp hạng thi đua (chưa thuộc cụm nào)",
                "the unit is not in the emulation ranking (in no cluster)",
            ));
        }
        return out;
    };
    if let Some(max) = form.max_rank {
        if s.rank > max {
            out.push(msg(
                format!("xếp hạng {} trong cụm, cần từ hạng {max} trở lên", s.rank),
                format!("ranked {} in its cluster, needs rank {max} or better", s.rank),
            ));
        }
    }
    if let Some(min) = form.min_points {
        if s.total < min {
            out.push(msg(
                format!("đạt {} điểm, cần tối thiểu {} điểm", s.total.vi(), min.vi()),
                format!("scored {}, needs at least {}", s.total.en(), min.en()),
            ));
        }
    }
    if form.all_on_time && (s.late > 0 || s.missing > 0) {
        let mut vi = Vec::new();
        let mut en = Vec::new();
        if s.late > 0 {
            vi.push(format!("{} báo cáo trễ hạn", s.late));
            en.push(format!("{} late report(s)", s.late));
        }
        if s.missing > 0 {
            vi.push(format!("{} báo cáo thiếu", s.missing));
            en.push(format!("{} missing report(s)", s.missing));
        }
        out.push(msg(
            format!("có {}, cần mọi báo cáo tuần đúng hạn", vi.join(" và ")),
            format!("has {}, needs every weekly report on time", en.join(" and ")),
        ));
    }
    out
}

/// Whether one more nomination fits in the form's quota, `used` being those already
/// made (rejected ones left out).
pub fn within_quota(form: &AwardForm, used: usize) -> Result<(), Message> {
    match form.quota {
        Some(q) if used >= q as usize => Err(msg(
            format!("\"{}\" đã đủ số lượng đề nghị ({q}).", form.name),
            format!("\"{}\" has reached its quota ({q} nominations).", form.name),
        )),
        _ => Ok(()),
    }
}

/// What a unit writes about the person or the collective it nominates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineeText {
    /// Họ và tên (individuals only).
    pub person_name: String,
    pub birth_year: Option<i32>,
    /// Chức vụ (individuals only).
    pub position: String,
    /// Thành tích: what was achieved.
    pub achievements: String,
    /// Minh chứng: the documents behind it, in words.
    pub evidence: String,
}

/// Trims and checks a nomination's text for the form's target; `year`: the
/// campaign's year (a person is born between 100 and 10 years before it).
pub fn check_nominee(target: Target, t: NomineeText, year: i32) -> Result<NomineeText, Vec<Message>> {
    let t = NomineeText {
        person_name: t.person_name.split_whitespace().collect::<Vec<_>>().join(" "),
        birth_year: t.birth_year,
        position: t.position.trim().to_string(),
        achievements: crate::text::clean_note(t.achievements.trim()),
        evidence: crate::text::clean_note(t.evidence.trim()),
    };
    let mut out = Vec::new();
    if target == Target::Individual {
        if t.person_name.is_empty() {
            out.push(msg("Chưa nhập họ và tên người được đề nghị.", "The nominee's name is missing."));
        } else if t.person_name.chars().count() > 200 {
            out.push(msg("Họ và tên quá dài (tối đa 200 ký tự).", "The name is too long (200 characters at most)."));
        }
        match t.birth_year {
            None => out.push(msg("Chưa nhập năm sinh.", "The year of birth is missing.")),
            Some(y) if y < year - 100 || y > year - 10 => out.push(msg(
                format!("Năm sinh {y} không hợp lệ (từ {} đến {}).", year - 100, year - 10),
                format!("The year of birth {y} is not valid ({} to {}).", year - 100, year - 10),
            )),
            Some(_) => {}
        }
        if t.position.is_empty() {
            out.push(msg("Chưa nhập chức vụ.", "The position is missing."));
        } else if t.position.chars().count() > 300 {
            out.push(msg("Chức vụ quá dài (tối đa 300 ký tự).", "The position is too long (300 characters at most)."));
        }
    }
    if t.achievements.is_empty() {
        out.push(msg("Chưa nhập thành tích.", "The achievements are missing."));
    } else if t.achievements.chars().count() > 4000 {
        out.push(msg(
            "Thành tích quá dài (tối đa 4.000 ký tự).",
            "The achievements are too long (4,000 characters at most).",
        ));
    }
    if t.evidence.chars().count() > 4000 {
        out.push(msg(
            "Minh chứng quá dài (tối đa 4.000 ký tự).",
            "The evidence is too long (4,000 characters at most).",
        ));
    }
    if out.is_empty() {
        Ok(t)
    } else {
        Err(out)
    }
}

/// The state of a nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Chờ duyệt.
    Pending,
    /// Đã duyệt: goes into the proposal, the list and the decision.
    Accepted,
    /// Trả lại: the unit corrects it and sends it again.
    Returned,
    /// Không duyệt.
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Accepted => "accepted",
            Status::Returned => "returned",
            Status::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "accepted" => Status::Accepted,
            "returned" => Status::Returned,
            "rejected" => Status::Rejected,
            _ => Status::Pending,
        }
    }
    pub fn vi(self) -> &'static str {
        match self {
            Status::Pending => "chờ duyệt",
            Status::Accepted => "đã duyệt",
            Status::Returned => "trả lại để bổ sung",
            Status::Rejected => "không duyệt",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Status::Pending => "awaiting review",
            Status::Accepted => "accepted",
            Status::Returned => "returned for changes",
            Status::Rejected => "rejected",
        }
    }
}

/// A review's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Return,
    Reject,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim() {
            "accept" => Some(Decision::Accept),
            "return" => Some(Decision::Return),
            "reject" => Some(Decision::Reject),
            _ => None,
        }
    }
    pub fn status(self) -> Status {
        match self {
            Decision::Accept => Status::Accepted,
            Decision::Return => Status::Returned,
            Decision::Reject => Status::Rejected,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Return => "return",
            Decision::Reject => "reject",
        }
    }
}

/// Checks a review: only a nomination waiting for review is decided; returning or
/// rejecting needs a comment.
pub fn check_review(current: Status, decision: Decision, comment: &str) -> Result<(), Message> {
    if current != Status::Pending {
        return Err(msg(
            format!("Đề nghị này đã được xử lý ({}), không duyệt lại được.", current.vi()),
            format!("This nomination was already decided ({}).", current.en()),
        ));
    }
    if decision != Decision::Accept && comment.trim().is_empty() {
        return Err(msg(
            "Trả lại hoặc không duyệt cần ghi lý do.",
            "Returning or rejecting a nomination needs a comment.",
        ));
    }
    if comment.chars().count() > 2000 {
        return Err(msg(
            "Nhận xét quá dài (tối đa 2.000 ký tự).",
            "The comment is too long (2,000 characters at most).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(max_rank: Option<u32>, min: Option<i64>, on_time: bool, quota: Option<u32>) -> AwardForm {
        AwardForm {
            name: "Bằng khen".into(),
            target: Target::Collective,
            max_rank,
            min_points: min.map(Points::whole),
            all_on_time: on_time,
            quota,
        }
    }

    fn standing(rank: u32, total: i64, late: u64) -> Standing {
        Standing { rank, total: Points::whole(total), late, missing: 0, pending: false }
    }

    #[test]
    fn a_collective_below_the_minimum_or_with_a_late_report_is_not_eligible_and_says_why() {
        let f = form(Some(3), Some(80), true, None);
        assert!(ineligibility(&f, Some(&standing(1, 85, 0))).is_empty());
        let low = ineligibility(&f, Some(&standing(2, 75, 0)));
        assert_eq!(low.len(), 1);
        assert!(low[0].0.contains("đạt 75 điểm, cần tối thiểu 80"), "{low:?}");
        let late = ineligibility(&f, Some(&standing(1, 90, 2)));
        assert!(late[0].0.contains("2 báo cáo trễ hạn"), "{late:?}");
        let far = ineligibility(&f, Some(&standing(4, 90, 0)));
        assert!(far[0].0.contains("xếp hạng 4"), "{far:?}");
        assert!(!ineligibility(&f, None).is_empty(), "not ranked");
        assert!(ineligibility(&form(None, None, false, Some(3)), None).is_empty(), "no ranking rule");
    }

    #[test]
    fn the_quota_counts_the_nominations_already_made() {
        let f = form(None, None, false, Some(2));
        assert!(within_quota(&f, 1).is_ok());
        assert!(within_quota(&f, 2).is_err());
        assert!(within_quota(&form(None, None, false, None), 1000).is_ok());
    }

    #[test]
    fn an_individual_needs_a_name_a_plausible_year_a_position_and_achievements() {
        let bad = check_nominee(Target::Individual, NomineeText::default(), 2023).expect_err("empty");
        assert_eq!(bad.len(), 4, "{bad:?}");
        let t = NomineeText {
            person_name: "  Nguyễn   Văn An ".into(),
            birth_year: Some(1995),
            position: "Bí thư Chi đoàn".into(),
            achievements: "Tổ chức 5 công trình".into(),
            evidence: String::new(),
        };
        assert_eq!(check_nominee(Target::Individual, t.clone(), 2023).expect("ok").person_name, "Nguyễn Văn An");
        let old = NomineeText { birth_year: Some(1900), ..t };
        assert!(check_nominee(Target::Individual, old, 2023).is_err());
        let unit = NomineeText { achievements: "Dẫn đầu cụm".into(), ..NomineeText::default() };
        assert!(check_nominee(Target::Collective, unit, 2023).is_ok());
    }

    #[test]
    fn individual_forms_take_no_ranking_rule_and_names_are_unique() {
        let mut f = form(Some(1), None, false, None);
        f.target = Target::Individual;
        assert_eq!(check_forms(&[f]).len(), 1);
        let a = form(None, None, false, None);
        assert_eq!(check_forms(&[a.clone(), a]).len(), 1);
    }

    #[test]
    fn the_default_forms_carry_the_honours_the_plan_schedules_spelt_right() {
        let plan = crate::plan::parse_plan(crate::builtin::PLAN_TOML).unwrap_or_else(|e| panic!("{e}"));
        let forms = default_forms(&plan);
        let names: Vec<&str> = forms.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Bằng khen của BCH Tỉnh đoàn",
                "Giấy khen của BCH Tỉnh đoàn",
                "Gương mặt trẻ tiêu biểu",
                "Đảng viên trẻ tiêu biểu",
                "Chi đoàn mạnh",
                "Cán bộ đoàn tiêu biểu"
            ]
        );
        assert_eq!(forms[4].target, Target::Collective);
        assert_eq!(forms[5].target, Target::Individual);
        assert!(check_forms(&forms).is_empty());
    }

    #[test]
    fn reviews_decide_pending_nominations_and_returning_needs_a_reason() {
        assert!(check_review(Status::Pending, Decision::Accept, "").is_ok());
        assert!(check_review(Status::Pending, Decision::Return, " ").is_err());
        assert!(check_review(Status::Accepted, Decision::Reject, "sai").is_err());
    }
}
