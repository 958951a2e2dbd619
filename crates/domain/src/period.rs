//! Reporting periods and deadlines, all in the campaign's time zone
//! (Asia/Ho_Chi_Minh for Vietnamese campaigns: UTC+7, no daylight saving).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::plan::WeeklyRule;

/// One weekly period: Saturday..Friday inclusive, due before `deadline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// 1-based position in the campaign.
    pub seq: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub deadline: DateTime<Tz>,
}

impl Period {
    /// The deadline as RFC 3339 with its local offset ("2023-03-03T16:00:00+07:00").
    pub fn deadline_rfc3339(&self) -> String {
        self.deadline.fixed_offset().to_rfc3339()
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

/// On time or late, judged on the first submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
}

/// A submission is on time when it arrives strictly before the deadline
/// ("trước 16h00": 15:59:59 is on time, 16:00:00 is late).
pub fn timeliness<T: TimeZone>(first_submitted_at: DateTime<Utc>, deadline: DateTime<T>) -> Timeliness {
    if first_submitted_at < deadline.with_timezone(&Utc) {
        Timeliness::OnTime
    } else {
        Timeliness::Late
    }
}

/// A local wall-clock time on a day in `tz`. Zones without daylight saving (Vietnam)
/// always have exactly one such instant; for others the earliest is taken.
pub fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Tz> {
    let naive = day.and_time(time);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t,
        chrono::LocalResult::Ambiguous(a, _) => a,
        chrono::LocalResult::None => tz.from_utc_datetime(&naive),
    }
}

/// The deadline of a "trước ngày D" milestone: the start of day D, local time.
pub fn before_day_deadline(tz: Tz, day: NaiveDate) -> DateTime<Tz> {
    local_instant(tz, day, NaiveTime::MIN)
}

/// Weekly periods of seven days ending on `first_period_end`, then every seven days
/// up to `last_period_end`, each due at `due_time` on its last day.
pub fn weekly_periods(rule: &WeeklyRule, tz: Tz) -> Vec<Period> {
    let mut periods = Vec::new();
    let mut end = rule.first_period_end;
    let mut seq = 1;
    while end <= rule.last_period_end {
        periods.push(Period {
            seq,
            start: end - Duration::days(6),
            end,
            deadline: local_instant(tz, end, rule.due_time),
        });
        end += Duration::days(7);
        seq += 1;
    }
    periods
}

/// The period a day falls in, if any.
pub fn period_of(periods: &[Period], day: NaiveDate) -> Option<&Period> {
    periods.iter().find(|p| p.contains(day))
}

/// The first period whose deadline is still ahead at `now`.
pub fn next_due(periods: &[Period], now: DateTime<Utc>) -> Option<&Period> {
    periods.iter().find(|p| p.deadline.with_timezone(&Utc) > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use chrono::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn march_2023() -> WeeklyRule {
        WeeklyRule {
            first_period_end: d(2023, 3, 3),
            last_period_end: d(2023, 3, 31),
            due_time: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            rule_text: None,
        }
    }

    #[test]
    fn march_2023_has_five_saturday_to_friday_periods() {
        let periods = weekly_periods(&march_2023(), chrono_tz::Asia::Ho_Chi_Minh);
        let ends: Vec<_> = periods.iter().map(|p| p.end).collect();
        assert_eq!(ends, vec![d(2023, 3, 3), d(2023, 3, 10), d(2023, 3, 17), d(2023, 3, 24), d(2023, 3, 31)]);
        for p in &periods {
            assert_eq!(p.start.weekday(), Weekday::Sat);
            assert_eq!(p.end.weekday(), Weekday::Fri);
        }
        assert_eq!(periods[0].start, d(2023, 2, 25));
        assert_eq!(periods[0].deadline_rfc3339(), "2023-03-03T16:00:00+07:00");
        assert_eq!(periods[4].deadline_rfc3339(), "2023-03-31T16:00:00+07:00");
    }

    #[test]
    fn one_second_before_four_pm_is_on_time_and_four_pm_is_late() {
        let periods = weekly_periods(&march_2023(), chrono_tz::Asia::Ho_Chi_Minh);
        let deadline = periods[0].deadline;
        // 15:59:59 local is 08:59:59 UTC.
        let before = Utc.with_ymd_and_hms(2023, 3, 3, 8, 59, 59).unwrap();
        let at = Utc.with_ymd_and_hms(2023, 3, 3, 9, 0, 0).unwrap();
        assert_eq!(timeliness(before, deadline), Timeliness::OnTime);
        assert_eq!(timeliness(at, deadline), Timeliness::Late);
    }

    #[test]
    fn days_map_to_their_period() {
        let periods = weekly_periods(&march_2023(), chrono_tz::Asia::Ho_Chi_Minh);
        assert_eq!(period_of(&periods, d(2023, 3, 4)).map(|p| p.seq), Some(2));
        assert_eq!(period_of(&periods, d(2023, 3, 10)).map(|p| p.seq), Some(2));
        assert_eq!(period_of(&periods, d(2023, 2, 24)), None);
        assert_eq!(period_of(&periods, d(2023, 4, 1)), None);
    }

    #[test]
    fn next_due_moves_past_a_deadline_at_four_pm() {
        let periods = weekly_periods(&march_2023(), chrono_tz::Asia::Ho_Chi_Minh);
        let at = Utc.with_ymd_and_hms(2023, 3, 3, 9, 0, 0).unwrap();
        assert_eq!(next_due(&periods, at).map(|p| p.seq), Some(2));
        let after_all = Utc.with_ymd_and_hms(2023, 4, 1, 0, 0, 0).unwrap();
        assert!(next_due(&periods, after_all).is_none());
    }

    #[test]
    fn before_day_means_midnight_local() {
        let t = before_day_deadline(chrono_tz::Asia::Ho_Chi_Minh, d(2023, 3, 30));
        assert_eq!(t.fixed_offset().to_rfc3339(), "2023-03-30T00:00:00+07:00");
    }
}
