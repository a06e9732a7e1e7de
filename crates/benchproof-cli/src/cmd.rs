pub mod assess;
pub mod assessment;
pub mod demo;
pub mod log;
pub mod rubric;
