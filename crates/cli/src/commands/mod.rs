pub mod plan;
pub mod serve;
pub mod user;
