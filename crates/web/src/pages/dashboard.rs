//! The campaign dashboard (GET /dashboard?unit=CODE&at=DATE): every target with its
//! progress, the children coloured by completion (each links to its own dashboard),
//! the weekly cumulative curve against the goal (server-side SVG with a table), the
//! current period's timeliness with the "remind" button, the at-risk list and the
//! ranking. Works without JavaScript and prints on A4.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use phongtrao_domain::format;
use serde::Deserialize;

use crate::actions::dashboard::{self, Dashboard};
use crate::actions::progress::IndicatorProgress;
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// One indicator's line: label, bar, verdict.
pub struct TargetLine {
    pub key: String,
    pub label: String,
    pub status: &'static str,
    pub status_label: String,
    pub verdict: String,
    pub figures: String,
    /// How much of the base figure is known, when not all of it.
    pub coverage: Option<String>,
    /// Width of the bar, 0..=100.
    pub bar: String,
    pub at_risk: bool,
    /// "so với cùng kỳ": last year's figure and the change (when the campaign
    /// follows one): (trend, "Cùng kỳ năm 2023: 1.000 — tăng 12,5% so với cùng kỳ năm 2023").
    pub previous: Option<(&'static str, String)>,
}

pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub assigned: bool,
    /// The row's cells, one `<td>` per indicator, written by [`write_cells`] (26 per
    /// child: 18,200 for the top of a national tree) — escaped there.
    pub cells: String,
    pub on_time: String,
}

pub struct Column {
    pub key: String,
    pub label: String,
}

pub struct ChartPoint {
    pub x: String,
    pub y: String,
    pub label: String,
}

pub struct ChartRow {
    pub seq: u32,
    pub end: String,
    pub value: String,
    pub of_goal: String,
}

pub struct Chart {
    pub key: String,
    pub label: String,
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub right: u32,
    pub bottom: String,
    pub polyline: String,
    pub points: Vec<ChartPoint>,
    /// Last year's curve (points, legend "Cùng kỳ năm 2023"), when compared.
    pub previous_line: Option<(String, String)>,
    /// Dashed projection from the last point to the campaign's close.
    pub projection: Option<(String, String, String, String)>,
    pub goal_y: Option<String>,
    pub goal_label: String,
    pub y_ticks: Vec<(String, String)>,
    pub x_ticks: Vec<(String, String)>,
    pub rows: Vec<ChartRow>,
    pub summary: String,
}

pub struct MissingUnit {
    pub code: String,
    pub name: String,
    pub reminded: Option<String>,
}

pub struct PeriodLine {
    pub seq: u32,
    pub end: String,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    pub expected: usize,
    pub rate: String,
}

pub struct Current {
    pub seq: u32,
    pub range: String,
    pub deadline: String,
    pub passed: bool,
    pub end_param: String,
    pub line: PeriodLine,
    pub missing: Vec<MissingUnit>,
}

pub struct RiskLine {
    pub key: String,
    pub label: String,
    pub achieved: String,
    pub projected: String,
    pub goal: String,
}

pub struct RankLine {
    pub rank: String,
    pub code: String,
    pub name: String,
    pub score: String,
    pub completion: String,
    pub on_time: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub parent: Option<(String, String)>,
    pub at: String,
    pub at_param: String,
    pub at_min: String,
    pub at_max: String,
    pub periods_counted: u32,
    pub targets: Vec<TargetLine>,
    /// Targets met or exceeded / targets with a goal (a target is met when all its
    /// indicators are); the same for indicators.
    pub targets_met: usize,
    pub targets_judged: usize,
    pub indicators_met: usize,
    pub indicators_judged: usize,
    pub columns: Vec<Column>,
    pub children: Vec<ChildRow>,
    pub chart: Option<Chart>,
    pub chart_choices: Vec<(String, String, bool)>,
    pub current: Option<Current>,
    pub history: Vec<PeriodLine>,
    pub can_remind: bool,
    pub reminded_now: Option<usize>,
    pub risks: Vec<RiskLine>,
    pub rule: String,
    pub ranking: Vec<RankLine>,
    pub formula: String,
    pub assigned: Vec<(String, String)>,
    /// Units that just submitted (the officer's notices).
    pub submitted: crate::actions::submit_notices::NoticeBox,
    /// The headline's sentence "so với cùng kỳ" (when the campaign follows one).
    pub compared_with: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    unit: Option<String>,
    at: Option<String>,
    ind: Option<String>,
    reminded: Option<usize>,
}

fn parse_day(text: Option<&str>) -> Option<NaiveDate> {
    text.map(str::trim).filter(|t| !t.is_empty()).and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
}

fn symbol(comparison: &str) -> &'static str {
    if comparison == ">" {
        ">"
    } else {
        "≥"
    }
}

pub fn status_label(status: &str, lang: Lang) -> String {
    phongtrao_domain::progress::status_title(status, lang == Lang::Vi)
}

/// "24.000 / 20.000 cây", "72,5% / ≥ 70%".
pub fn figures(i: &IndicatorProgress, lang: Lang) -> String {
    let label = i.unit_label.as_deref().unwrap_or("");
    if i.kind == "count" {
        match i.goal {
            Some(g) => format!("{} / {} {label}", format::integer(i.sum), format::number(g, 2)),
            None => format!("{} {label}", format::integer(i.sum)),
        }
        .trim_end()
        .to_string()
    } else {
        match i.goal {
            Some(g) => {
                let comparison = phongtrao_domain::plan::Comparison::parse(i.comparison)
                    .unwrap_or(phongtrao_domain::plan::Comparison::AtLeast);
                format!("{} {}", lang.t("dash_goal").to_lowercase(), comparison.percent_goal_text(g))
            }
            None => String::new(),
        }
    }
}

fn completion_class(ratio: Option<f64>) -> &'static str {
    match ratio {
        None => "c-na",
        Some(r) if r >= 1.0 => "c-met",
        Some(r) if r >= 0.8 => "c-high",
        Some(r) if r >= 0.5 => "c-mid",
        Some(_) => "c-low",
    }
}

pub fn target_lines(indicators: &[IndicatorProgress], lang: Lang) -> Vec<TargetLine> {
    indicators
        .iter()
        .map(|i| TargetLine {
            key: i.indicator.clone(),
            label: i.label_in(matches!(lang, Lang::En)),
            status: i.status,
            status_label: status_label(i.status, lang),
            verdict: match lang {
                Lang::Vi => i.text_vi.clone(),
                Lang::En => i.text_en.clone(),
            },
            figures: figures(i, lang),
            coverage: match lang {
                Lang::Vi => i.coverage_vi.clone(),
                Lang::En => i.coverage_en.clone(),
            },
            bar: format!("{:.1}", i.ratio.map(|r| (100.0 * r).clamp(0.0, 100.0)).unwrap_or(0.0)),
            at_risk: i.at_risk,
            previous: i.previous.as_ref().map(|p| (p.trend, previous_line(p, lang))),
        })
        .collect()
}

/// "Cùng kỳ năm 2023: 1.000 — tăng 12,5% so với cùng kỳ năm 2023".
fn previous_line(p: &crate::actions::compare_years::PreviousFigure, lang: Lang) -> String {
    let value = match lang {
        Lang::Vi => p.value_text.clone(),
        Lang::En => p.value_text_en.clone(),
    };
    let change = match lang {
        Lang::Vi => &p.text_vi,
        Lang::En => &p.text_en,
    };
    match p.trend {
        // The words say it all ("cùng kỳ năm 2023: 0", "chưa có số liệu cùng kỳ").
        "from_zero" | "no_data" => capitalized(change),
        _ => format!("{} {}: {value} — {change}", lang.t("yoy.same_point"), p.year),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The weekly cumulative curve of one indicator against its goal, as SVG geometry.
fn chart(d: &Dashboard, key: &str, lang: Lang) -> Option<Chart> {
    let i = d.report.indicators.iter().find(|i| i.indicator == key)?;
    let periods = d.campaign.plan.periods();
    // Percentages: the series of people reached, over the same base as `achieved`.
    // Over the people counted against a base (those of units that have it).
    let covered = i.sum - i.coverage.map(|c| c.people_without_base).unwrap_or(0);
    let factor = match i.kind {
        "count" => 1.0,
        _ if covered > 0 => i.achieved / covered as f64,
        _ => 0.0,
    };
    let values: Vec<f64> = i.series.iter().map(|v| *v as f64 * factor).collect();
    let is_count = i.kind == "count";
    let fmt = |v: f64| if is_count { format::number(v, 0) } else { format::percent(v) };
    let (width, height, left, right, top, bottom) = (480u32, 250u32, 58u32, 10u32, 14u32, 30u32);
    let plot_w = f64::from(width - left - right);
    let plot_h = f64::from(height - top - bottom);
    // Last year's curve at the same weeks ("so với cùng kỳ"), under this year's.
    let last_year: Vec<(usize, f64)> = i
        .previous
        .as_ref()
        .map(|p| p.series.iter().take(periods.len()).enumerate().filter_map(|(k, v)| v.map(|v| (k, v))).collect())
        .unwrap_or_default();
    let top_value = values
        .iter()
        .copied()
        .chain(last_year.iter().map(|(_, v)| *v))
        .chain(i.goal)
        .chain(i.projected)
        .fold(0.0f64, f64::max)
        .max(if is_count { 10.0 } else { 1.0 })
        * 1.08;
    let n = periods.len().max(1);
    let x = |idx: usize| f64::from(left) + plot_w * (idx as f64 + 0.5) / n as f64;
    let y = |v: f64| f64::from(top) + plot_h * (1.0 - v / top_value);
    let points: Vec<ChartPoint> = values
        .iter()
        .enumerate()
        .map(|(k, v)| ChartPoint { x: format!("{:.1}", x(k)), y: format!("{:.1}", y(*v)), label: fmt(*v) })
        .collect();
    let polyline = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    let previous_line = i.previous.as_ref().filter(|_| !last_year.is_empty()).map(|p| {
        let line = last_year.iter().map(|(k, v)| format!("{:.1},{:.1}", x(*k), y(*v))).collect::<Vec<_>>().join(" ");
        (line, format!("{} {}", lang.t("yoy.same_point"), p.year))
    });
    let projection = match (values.last(), i.projected) {
        (Some(last), Some(p)) if values.len() < n => Some((
            format!("{:.1}", x(values.len() - 1)),
            format!("{:.1}", y(*last)),
            format!("{:.1}", x(n - 1)),
            format!("{:.1}", y(p)),
        )),
        _ => None,
    };
    let y_ticks = (0..=4)
        .map(|k| {
            let v = top_value / 1.08 * f64::from(k) / 4.0;
            (format!("{:.1}", y(v)), if is_count { format::number(v.round(), 0) } else { format::percent(v) })
        })
        .collect();
    let x_ticks =
        periods.iter().enumerate().map(|(k, p)| (format!("{:.1}", x(k)), p.end.format("%d/%m").to_string())).collect();
    let rows = periods
        .iter()
        .zip(&values)
        .map(|(p, v)| ChartRow {
            seq: p.seq,
            end: format::date(p.end),
            value: fmt(*v),
            of_goal: match i.goal {
                Some(g) if g > 0.0 => format::percent(100.0 * v / g),
                _ => "—".into(),
            },
        })
        .collect();
    let goal_label = match i.goal {
        Some(g) => format!("{} {}", lang.t("dash_goal"), fmt(g)),
        None => lang.t("dash_no_goal"),
    };
    let summary = format!(
        "{}: {} · {}",
        lang.t("dash_chart_now"),
        values.last().map(|v| fmt(*v)).unwrap_or_else(|| fmt(0.0)),
        match i.projected {
            Some(p) => format!("{} {}", lang.t("dash_projected"), fmt(p)),
            None => goal_label.clone(),
        }
    );
    Some(Chart {
        key: i.indicator.clone(),
        label: i.label_in(matches!(lang, Lang::En)),
        width,
        height,
        left,
        right: width - right,
        bottom: format!("{:.1}", y(0.0)),
        polyline,
        points,
        previous_line,
        projection,
        goal_y: i.goal.map(|g| format!("{:.1}", y(g))),
        goal_label,
        y_ticks,
        x_ticks,
        rows,
        summary,
    })
}

/// "16h00 03/03/2023" in the campaign's time zone.
pub(crate) fn local(at: chrono::DateTime<Utc>, tz: Tz) -> String {
    format::date_time(&at.with_timezone(&tz))
}

/// Text as the templates escape it (`&`, `<`, `>`, `"`, `'`).
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = std::fmt::Write::write_str(&mut Escaping(&mut out), text);
    out
}

/// A writer that escapes what is written to it as the templates do.
struct Escaping<'a>(&'a mut String);

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let mut rest = text;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            self.0.push_str(&rest[..at]);
            self.0.push_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&#34;",
                _ => "&#39;",
            });
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        Ok(())
    }
}

/// One child's row of the unit × indicator table, a `<td>` per indicator: the
/// percentage shown (the completion for counts, the share reached otherwise), the
/// sum when no goal is allocated, the status when the base figures are missing;
/// coloured by completion; titled with the indicator and its verdict.
fn write_cells(
    out: &mut String,
    child: &crate::actions::progress::ChildJudged,
    title_prefixes: &[String],
    count_kinds: &[bool],
    lang: Lang,
) {
    use std::fmt::Write;
    let english = matches!(lang, Lang::En);
    for ((j, prefix), is_count) in child.indicators.iter().zip(title_prefixes).zip(count_kinds) {
        let class =
            if matches!(j.status, "met" | "exceeded" | "not_met") { completion_class(j.ratio()) } else { "c-na" };
        out.push_str("<td class=\"");
        out.push_str(class);
        out.push_str("\" title=\"");
        out.push_str(prefix);
        let _ = write!(Escaping(out), "{}", j.text(english));
        out.push_str("\">");
        let shown = match j.status {
            "no_base" | "insufficient_base" => None,
            _ if *is_count => j.completion(),
            _ => j.progress.achieved_percent,
        };
        match (j.status, shown) {
            ("no_goal", _) => out.push_str(&format::integer(j.totals.sum)),
            ("no_base" | "insufficient_base", _) => {
                let _ = Escaping(out).write_str(&status_label(j.status, lang));
            }
            (_, Some(p)) => {
                let _ = phongtrao_domain::progress::write_percent(out, p, false);
            }
            _ => out.push('—'),
        }
        out.push_str("</td>");
    }
}

fn build(
    d: &Dashboard,
    page: &Page,
    chosen: Option<&str>,
    reminded_now: Option<usize>,
    now: chrono::DateTime<Utc>,
) -> DashboardPage {
    let lang = page.lang;
    let plan = &d.campaign.plan;
    let tz = plan.campaign.timezone;
    let r = &d.report;
    let targets = target_lines(&r.indicators, lang);
    // Targets as the plan numbers them (met when all their indicators are), then indicators.
    let tally = crate::documents::tally(&r.indicators);
    let columns = r
        .indicators
        .iter()
        .map(|i| Column { key: i.indicator.clone(), label: i.label_in(matches!(lang, Lang::En)) })
        .collect();
    // Each column's title prefix ("5 Trồng cây xanh: "), escaped once for every row.
    let title_prefixes: Vec<String> =
        r.indicators.iter().map(|i| escaped(&format!("{} {}: ", i.indicator, i.label))).collect();
    let count_kinds: Vec<bool> = r.indicators.iter().map(|i| i.kind == "count").collect();
    let children = d
        .children
        .iter()
        .map(|c| {
            let child = &c.child;
            let mut cells = String::with_capacity(child.indicators.len() * 96);
            write_cells(&mut cells, child, &title_prefixes, &count_kinds, lang);
            ChildRow {
                code: child.unit.code.clone(),
                name: child.unit.name.clone(),
                assigned: c.assigned,
                cells,
                on_time: format!("{}/{}", child.on_time + child.late, child.expected),
            }
        })
        .collect();
    let chartable: Vec<&IndicatorProgress> = r
        .indicators
        .iter()
        .filter(|i| {
            i.kind == "count"
                || (i.kind == "percent_of_base" && i.achieved_percent.is_some() && i.status != "insufficient_base")
        })
        .collect();
    let default_key = chartable
        .iter()
        .find(|i| i.goal.is_some() && i.kind == "count" && i.sum > 0)
        .or_else(|| chartable.iter().find(|i| i.goal.is_some() && i.kind == "count"))
        .or(chartable.first())
        .map(|i| i.indicator.clone());
    let key = chosen.filter(|k| chartable.iter().any(|i| i.indicator == *k)).map(str::to_string).or(default_key);
    let chart = key.as_deref().and_then(|k| chart(d, k, lang));
    let chart_choices = chartable
        .iter()
        .map(|i| (i.indicator.clone(), format!("{} · {}", i.indicator, i.label), Some(&i.indicator) == key.as_ref()))
        .collect();
    let line = |t: &crate::actions::progress::Timeliness| PeriodLine {
        seq: t.period,
        end: format::date(t.period_end),
        on_time: t.on_time,
        late: t.late,
        missing: t.missing,
        expected: t.expected,
        rate: format::Percent::of((t.on_time + t.late) as i64, t.expected as i64)
            .map(|p| p.vi())
            .unwrap_or_else(|| "—".into()),
    };
    let history: Vec<PeriodLine> = r.timeliness.iter().map(line).collect();
    let current = d.current_period().and_then(|p| {
        let t = r.timeliness.iter().find(|t| t.period == p.seq)?;
        Some(Current {
            seq: p.seq,
            range: format!("{} – {}", format::date(p.start), format::date(p.end)),
            deadline: local(p.deadline.with_timezone(&Utc), tz),
            passed: p.deadline.with_timezone(&Utc) < now,
            end_param: p.end.format("%Y-%m-%d").to_string(),
            line: line(t),
            missing: t
                .missing_units
                .iter()
                .map(|code| {
                    let unit = d.names.get(code);
                    MissingUnit {
                        code: code.clone(),
                        name: unit.map(|(_, n)| n.clone()).unwrap_or_else(|| code.clone()),
                        reminded: unit.and_then(|(id, _)| d.reminded.get(id)).map(|rem| local(rem.sent_at, tz)),
                    }
                })
                .collect(),
        })
    });
    let risks = r
        .indicators
        .iter()
        .filter(|i| i.at_risk)
        .map(|i| {
            let is_count = i.kind == "count";
            let fmt = |v: f64| if is_count { format::number(v, 0) } else { format::percent(v) };
            RiskLine {
                key: i.indicator.clone(),
                label: i.label_in(matches!(lang, Lang::En)),
                achieved: if is_count {
                    format::integer(i.sum)
                } else {
                    i.achieved_percent.map(|p| p.vi()).unwrap_or_else(|| "—".into())
                },
                projected: i.projected.map(fmt).unwrap_or_default(),
                goal: i.goal.map(|g| format!("{} {}", symbol(i.comparison), fmt(g))).unwrap_or_default(),
            }
        })
        .collect();
    let ranking = d
        .ranking
        .as_ref()
        .map(|rk| {
            rk.rows
                .iter()
                .map(|row| RankLine {
                    rank: row.ranked.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                    code: row.unit.clone(),
                    name: row.ranked.name.clone(),
                    score: row.ranked.score.map(|s| format::number(s, 1)).unwrap_or_else(|| "—".into()),
                    completion: row
                        .ranked
                        .breakdown
                        .completion
                        .map(|c| format::percent(100.0 * c))
                        .unwrap_or_else(|| "—".into()),
                    on_time: format!("{}/{}", row.ranked.breakdown.on_time, row.ranked.breakdown.expected_reports),
                })
                .collect()
        })
        .unwrap_or_default();
    DashboardPage {
        compared_with: r.compared_with.as_ref().map(|c| match lang {
            Lang::Vi => c.headline_vi.clone(),
            Lang::En => c.headline_en.clone(),
        }),
        chrome: page.chrome(format!("{} · {}", lang.t("dash_title"), d.unit.name), "dashboard"),
        unit_code: d.unit.code.clone(),
        unit_name: d.unit.name.clone(),
        parent: d.parent.as_ref().map(|p| (p.code.clone(), p.name.clone())),
        at: format::date(r.at),
        at_param: r.at.format("%Y-%m-%d").to_string(),
        at_min: plan.campaign.starts_on.format("%Y-%m-%d").to_string(),
        at_max: plan.campaign.ends_on.format("%Y-%m-%d").to_string(),
        periods_counted: r.periods_counted,
        targets,
        targets_met: tally.targets_met,
        targets_judged: tally.targets,
        indicators_met: tally.indicators_met + tally.indicators_exceeded,
        indicators_judged: tally.indicators - tally.indicators_no_goal,
        columns,
        children,
        chart,
        chart_choices,
        current,
        history,
        can_remind: d.can_remind,
        reminded_now,
        risks,
        rule: match lang {
            Lang::Vi => r.forecast_rule_vi.to_string(),
            Lang::En => r.forecast_rule_en.to_string(),
        },
        ranking,
        formula: d
            .ranking
            .as_ref()
            .map(|rk| match lang {
                Lang::Vi => rk.formula_vi.to_string(),
                Lang::En => rk.formula_en.to_string(),
            })
            .unwrap_or_default(),
        assigned: d.assigned.iter().map(|u| (u.code.clone(), u.name.clone())).collect(),
        submitted: Default::default(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<DashboardQuery>,
) -> Result<DashboardPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let d = dashboard::load(&state, campaign, &actor, &page.client, unit, parse_day(q.at.as_deref()))
        .await
        .map_err(|f| page.fail(f))?;
    let mut shown = build(&d, &page, q.ind.as_deref(), q.reminded, state.now());
    shown.submitted = crate::actions::submit_notices::boxed(&state, campaign, &actor, page.lang, "/dashboard")
        .await
        .map_err(|f| page.fail(f))?;
    Ok(shown)
}

#[derive(Deserialize)]
pub struct RemindForm {
    unit: String,
    period: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// POST /dashboard/remind: a reminder notice to every unit still missing the period.
pub async fn remind(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<RemindForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let end = parse_day(Some(&f.period)).ok_or_else(|| AppError::not_found(page.lang))?;
    let confirm = f.confirm.as_deref() == Some("on");
    let done = match dashboard::remind(&state, campaign, &actor, &page.client, Some(&f.unit), end, confirm).await {
        Ok(done) => done,
        // Reminded within the hour: the reminders page asks before sending again.
        Err(e) if e.code == "recently_reminded" => {
            let target =
                format!("/admin/reminders?period={end}&unit={}&again=1#send", crate::error::urlencode(&f.unit));
            return Ok(Redirect::to(&target).into_response());
        }
        Err(e) => return Err(page.fail(e)),
    };
    let at = parse_day(Some(&f.at)).map(|d| format!("&at={d}")).unwrap_or_default();
    let target = format!(
        "/dashboard?unit={}{at}&reminded={}#timeliness",
        crate::error::urlencode(&done.unit),
        done.reminded.len()
    );
    Ok(Redirect::to(&target).into_response())
}
