//! One reading of a feed's text: what the strict parser gave, and what
//! the second pass over the markup found that the parser drops. Shared by
//! the parse and the item-by-item reading of a broken document.

use feed_rs::model::Feed;

/// A feed read from a text, and what its second reading found.
pub(super) struct Read {
    pub(super) feed: Feed,
    /// Per entry, whether its GUID is no link (see
    /// [`super::ParsedFeed::guid_not_a_link`]).
    pub(super) guid_not_a_link: Vec<bool>,
}
