//! phongtrao's domain core: plain types and rules, no IO.
//!
//! Periods and deadlines, the plan and its checks, units and base figures,
//! Vietnamese text and number formats.

pub mod account_import;
pub mod allocation_import;
pub mod attachment;
pub mod base_figures;
pub mod builtin;
pub mod contact;
pub mod email;
pub mod emulation;
pub mod event_record;
pub mod format;
pub mod ical;
pub mod import;
pub mod period;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod reorganisation;
pub mod report;
pub mod role;
pub mod simulate;
pub mod text;
pub mod throttle;
pub mod unit;
pub mod unit_import;
