//! A JSON Feed too big to hold, read one item at a time.
//!
//! In: a [`Body`] (a JSON Feed of more than
//! [`crate::util::spool::SPOOL_ABOVE`] bytes, kept in a temporary file)
//! and its `Content-Type`. Out: a [`JsonStream`]: the feed's own fields
//! (read in a first pass that skips the items), then each item read as a
//! JSON Feed of its own, made of those fields and that one item, with
//! every mending the whole document's reading makes. Memory holds the
//! feed's fields and one item. `None` from [`open_json`] when the document
//! is not a JSON object with fields serde reads (broken JSON): it is then
//! read whole, where its errors are told.

use std::io::Read;

use feed_rs::model::Feed;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use url::Url;

use super::ParseError;
use super::decode::StreamDecoder;
use super::json::parse_json;
use super::read::{ReadItem, StreamEnd};
use crate::util::spool::Body;

/// A JSON Feed opened for reading item by item.
pub(crate) struct JsonStream<'a> {
    body: &'a Body,
    content_type: Option<String>,
    base: Option<&'a Url>,
    /// The feed's fields, `items` aside.
    fields: Map<String, Value>,
    channel: Feed,
    encoding: &'static str,
    /// The items read so far.
    found: usize,
}

/// The decoded text of a body, as bytes to read.
struct DecodedBytes<R> {
    decoder: StreamDecoder<R>,
    text: String,
    at: usize,
}

impl<R: Read> Read for DecodedBytes<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.text.len() {
            self.text.clear();
            self.at = 0;
            if !self.decoder.decode_more(&mut self.text)? {
                return Ok(0);
            }
        }
        let n = buffer.len().min(self.text.len() - self.at);
        buffer[..n].copy_from_slice(&self.text.as_bytes()[self.at..n + self.at]);
        self.at += n;
        Ok(n)
    }
}

fn decoded<'a>(
    body: &'a Body,
    content_type: Option<&str>,
) -> Result<DecodedBytes<Box<dyn Read + Send + 'a>>, ParseError> {
    let decoder =
        StreamDecoder::new(body.reader(), body.reader(), content_type).map_err(ParseError::Read)?;
    Ok(DecodedBytes {
        decoder,
        text: String::new(),
        at: 0,
    })
}

/// The feed's fields; each item to `on_item` when there is one, else
/// skipped.
struct Fields<'f> {
    on_item: Option<&'f mut dyn FnMut(Value)>,
}

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON Feed object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                match self.on_item.as_deref_mut() {
                    Some(on_item) => map.next_value_seed(Items { on_item })?,
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        Ok(fields)
    }
}

/// The `items` array, each element handed on as it is read.
struct Items<'f> {
    on_item: &'f mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            (self.on_item)(item);
        }
        Ok(())
    }

    // Items that are no array are no items (the whole reading says so too).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

/// Reads the fields of `source`'s top-level object, each item to
/// `on_item` (or skipped without one); `None` when it is not JSON.
fn read_fields(
    source: impl Read,
    on_item: Option<&mut dyn FnMut(Value)>,
) -> Option<Map<String, Value>> {
    let mut deserializer = serde_json::Deserializer::from_reader(source);
    let fields = deserializer.deserialize_map(Fields { on_item }).ok()?;
    deserializer.end().ok()?;
    Some(fields)
}

/// Opens a JSON Feed in `body` for reading item by item; `None` when its
/// fields cannot be read so (see the module's documentation).
pub(crate) fn open_json<'a>(
    body: &'a Body,
    content_type: Option<&str>,
    base: Option<&'a Url>,
) -> Result<Option<JsonStream<'a>>, ParseError> {
    let source = decoded(body, content_type)?;
    let encoding = source.decoder.encoding();
    let Some(fields) = read_fields(source, None) else {
        return Ok(None);
    };
    let mut document = fields.clone();
    document.insert("items".to_string(), Value::Array(Vec::new()));
    let Ok(text) = serde_json::to_string(&document) else {
        return Ok(None);
    };
    let Ok((channel, _)) = parse_json(&text, base) else {
        return Ok(None);
    };
    Ok(Some(JsonStream {
        body,
        content_type: content_type.map(str::to_string),
        base,
        fields,
        channel,
        encoding,
        found: 0,
    }))
}

impl JsonStream<'_> {
    /// The feed, and how many items it held.
    pub(crate) fn finish(self) -> StreamEnd {
        StreamEnd {
            channel: self.channel,
            found: self.found,
        }
    }

    /// The feed itself, without entries.
    pub(crate) fn channel(&self) -> &Feed {
        &self.channel
    }

    pub(crate) fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// Reads every item in document order, each handed to `take` (`None`:
    /// an item that cannot be read as a JSON Feed item, even mended).
    pub(crate) fn for_each_item(
        &mut self,
        mut take: impl FnMut(Option<ReadItem>),
    ) -> Result<(), ParseError> {
        let source = decoded(self.body, self.content_type.as_deref())?;
        let mut document = self.fields.clone();
        let (base, found) = (self.base, &mut self.found);
        let mut on_item = |item: Value| {
            *found += 1;
            document.insert("items".to_string(), Value::Array(vec![item]));
            let read = serde_json::to_string(&document)
                .ok()
                .and_then(|text| parse_json(&text, base).ok())
                .filter(|(feed, _)| !feed.entries.is_empty())
                .map(|(feed, fixes)| ReadItem {
                    entries: feed.entries.into_iter().map(|e| (e, false)).collect(),
                    fixes,
                });
            take(read);
        };
        let read = read_fields(source, Some(&mut on_item));
        match read {
            Some(_) => Ok(()),
            None => Err(ParseError::Read(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the JSON Feed changed between two readings",
            ))),
        }
    }
}
