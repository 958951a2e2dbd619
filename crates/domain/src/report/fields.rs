//! The fields of a unit's report form, from the plan's indicators.

use serde::Serialize;

use crate::plan::{Indicator, IndicatorKind, Level, Plan};
use crate::unit::UnitKind;

/// How a field is filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldInput {
    /// This week's increment of a count (cây, lớp, lượt...).
    Count,
    /// This week's people reached, counted against a base figure.
    Reached,
    /// The unit itself did the yes/no thing this week (once done, it stays done).
    YesNo,
    /// How many of the expected units below this one newly did the thing (or met
    /// the minimum) this week; at most `expected` over the campaign.
    UnitsDone { expected: i64 },
}

/// One field of the form.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub key: String,
    pub target_number: u32,
    pub label: String,
    pub unit_label: Option<String>,
    pub input: FieldInput,
}

/// The fields a unit of this level and kind reports. `expected_below(indicator)`
/// is the number of expected units in the unit's subtree, itself excluded.
pub fn fields_for(plan: &Plan, level: Level, kind: UnitKind, expected_below: &dyn Fn(&Indicator) -> i64) -> Vec<Field> {
    let mut fields = Vec::new();
    // A retired indicator ("ngừng theo dõi") is no longer asked for.
    for indicator in plan.active_indicators() {
        let input = match indicator.kind {
            IndicatorKind::Count => FieldInput::Count,
            IndicatorKind::PercentOfBase => FieldInput::Reached,
            IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
                if indicator.expects(level, kind) {
                    if indicator.kind == IndicatorKind::ShareOfUnits {
                        FieldInput::YesNo
                    } else {
                        FieldInput::Count
                    }
                } else {
                    let expected = expected_below(indicator);
                    if expected == 0 {
                        continue;
                    }
                    FieldInput::UnitsDone { expected }
                }
            }
        };
        fields.push(Field {
            key: indicator.key.clone(),
            target_number: indicator.target_number,
            label: indicator.label.clone(),
            unit_label: indicator.unit_label.clone(),
            input,
        });
    }
    fields
}
