pub mod plan;
pub mod report;
pub mod serve;
pub mod user;
