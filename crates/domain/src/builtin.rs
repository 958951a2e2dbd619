//! Data shipped inside the binary: the Kiên Giang 2023 plan and its units.

/// The Kiên Giang Youth Month 2023 plan, hand-encoded from the plan document.
pub const PLAN_TOML: &str = include_str!("../../../plans/kien-giang-2023.toml");

/// Kiên Giang's 2023 administrative units (GSO codes): province, 15 districts, 144 communes.
pub const UNITS_CSV: &str = include_str!("../../../data/kien-giang-units-2023.csv");

/// Base figures per unit; to be filled in by the office. Empty cells are missing figures.
pub const BASE_FIGURES_CSV: &str = include_str!("../../../data/kien-giang-base-figures-2023.csv");
