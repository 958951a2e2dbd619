pub mod plan;
pub mod serve;
