//! How each feed is doing, for operators: `status` as text and JSON, the
//! health page, and the metrics file.

pub(crate) mod metrics;
pub(crate) mod page;
pub(crate) mod status;
