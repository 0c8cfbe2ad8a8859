//! One reading of a feed's text: what the strict parser gave, and what
//! the second pass over the markup found that the parser drops. Shared by
//! the parse and the item-by-item reading of a broken document; and what
//! the streamed readings (XML and JSON) give of an item and at their end.

use feed_rs::model::{Entry, Feed};

use super::repair::Fix;

/// A feed read from a text, and what its second reading found.
pub(super) struct Read {
    pub(super) feed: Feed,
    /// Per entry, whether its GUID is no link (see
    /// [`super::ParsedFeed::guid_not_a_link`]).
    pub(super) guid_not_a_link: Vec<bool>,
}

/// An item read by a streamed reading.
pub(crate) struct ReadItem {
    /// Its entries (one, unless its markup holds more), each with whether
    /// its GUID is no link.
    pub(crate) entries: Vec<(Entry, bool)>,
    /// The repairs its markup needed.
    pub(crate) fixes: Vec<Fix>,
}

/// What a stream's end tells.
pub(crate) struct StreamEnd {
    /// The channel, read again with the markup written after the items
    /// when there is some.
    pub(crate) channel: Feed,
    /// Item elements in the document.
    pub(crate) found: usize,
}
