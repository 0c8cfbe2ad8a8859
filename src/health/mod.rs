//! How each feed is doing, for operators: one read model ([`feeds`]),
//! rendered by `status` as text and JSON ([`status`]), as the health page
//! ([`page`]) and as the metrics file ([`metrics`]).

pub(crate) mod feeds;
pub(crate) mod metrics;
pub(crate) mod page;
pub(crate) mod status;
mod words;
