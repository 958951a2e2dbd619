pub mod allocate;
pub mod demo;
pub mod plan;
pub mod plan_import;
pub mod progress;
pub mod report;
pub mod serve;
pub mod user;
