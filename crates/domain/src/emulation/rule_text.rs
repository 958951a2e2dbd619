//! The "Cách tính" column of an imported sheet, read in words as people write them:
//! "tự chấm", "hoàn thành chỉ tiêu 5", "chỉ tiêu 5 (đạt mới có điểm)", "báo cáo đúng
//! hạn, trừ 1 mỗi báo cáo trễ, 2 mỗi báo cáo thiếu" (and their English twins).

use super::{msg, Message, Points, Rule};
use crate::text::fold;

/// The decimal numbers of a text, in order ("trừ 1 … 2,5" → 1, 2,5).
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let sep_inside =
            (c == ',' || c == '.') && !cur.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || sep_inside {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn help() -> Message {
    msg(
        "Không hiểu cách tính. Viết một trong: \"tự chấm\"; \"hoàn thành chỉ tiêu 5\" (thêm \"đạt mới có điểm\" nếu chỉ tính khi đạt); \"báo cáo đúng hạn, trừ 1 mỗi báo cáo trễ, 2 mỗi báo cáo thiếu\".",
        "Cannot read the rule. Write one of: \"self-assessed\"; \"completion of goal 5\" (add \"all or nothing\" to score only a met goal); \"reports on time, minus 1 per late report, 2 per missing report\".",
    )
}

/// Reads a rule from its words; the indicator must then be checked against the plan.
pub fn parse_rule(text: &str) -> Result<Rule, Message> {
    let f = fold(text);
    if f.trim().is_empty() {
        return Err(msg("Chưa ghi cách tính.", "The rule is missing."));
    }
    if f.contains("tu cham") || f.contains("assess") || f.contains("tu danh gia") {
        return Ok(Rule::Assessed);
    }
    if f.contains("bao cao") || f.contains("report") {
        let n = numbers(&f);
        let (Some(late), Some(missing)) = (n.first(), n.get(1)) else {
            return Err(msg(
                "Cách tính báo cáo cần ghi điểm trừ mỗi báo cáo trễ và mỗi báo cáo thiếu, ví dụ \"báo cáo đúng hạn, trừ 1 mỗi báo cáo trễ, 2 mỗi báo cáo thiếu\".",
                "A reporting rule needs the deduction per late and per missing report, e.g. \"reports on time, minus 1 per late report, 2 per missing report\".",
            ));
        };
        return Ok(Rule::ReportsOnTime { per_late: Points::parse(late)?, per_missing: Points::parse(missing)? });
    }
    let after = ["chi tieu", "goal", "indicator"].iter().find_map(|k| f.find(k).map(|i| &f[i + k.len()..]));
    if let Some(rest) = after {
        let key: String = rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '#')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if key.is_empty() {
            return Err(msg(
                "Cách tính hoàn thành chỉ tiêu cần ghi số chỉ tiêu, ví dụ \"hoàn thành chỉ tiêu 5\".",
                "A goal rule needs the indicator's number, e.g. \"completion of goal 5\".",
            ));
        }
        let all_or_nothing =
            ["dat moi co diem", "all or nothing", "dat hoac khong", "ca hoac khong"].iter().any(|k| f.contains(k));
        return Ok(Rule::GoalCompletion { indicator: key, all_or_nothing });
    }
    Err(help())
}
