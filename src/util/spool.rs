//! Bytes kept out of memory when there are many of them.
//!
//! In: a feed body as it arrives, chunk by chunk, or item texts as a big
//! document is read. Out: a [`Body`], held in memory up to
//! [`SPOOL_ABOVE`] bytes and in an unnamed temporary file beyond (read
//! back as a stream, as often as needed), and [`HeldText`] handles to
//! texts written to a [`TextSpool`]. The temporary files have no name:
//! they are gone with the process, even one killed. Fails only on the
//! temporary folder's I/O.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

/// A body larger than this goes to a temporary file: reading it then
/// holds a few of its items at a time, never the whole document.
pub(crate) const SPOOL_ABOVE: usize = 8 << 20;

/// A document's bytes, in memory or in a temporary file.
#[derive(Debug)]
pub enum Body {
    Memory(Vec<u8>),
    /// Bytes in an unnamed temporary file (or a feed file of the site),
    /// `len` of them.
    File {
        file: File,
        len: u64,
    },
}

impl Body {
    /// The number of bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(bytes) => bytes.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes from the start, as a stream (each call starts over).
    pub fn reader(&self) -> Box<dyn Read + Send + '_> {
        match self {
            Body::Memory(bytes) => Box::new(bytes.as_slice()),
            Body::File { file, len } => Box::new(FileAt {
                file,
                at: 0,
                end: *len,
            }),
        }
    }

    /// The bytes of the file at `path`: held in memory up to
    /// [`SPOOL_ABOVE`], read from the file itself (never copied) beyond.
    pub fn open_file(path: &std::path::Path) -> io::Result<Body> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len <= SPOOL_ABOVE as u64 {
            let mut bytes = Vec::with_capacity(len as usize);
            (&file).read_to_end(&mut bytes)?;
            return Ok(Body::Memory(bytes));
        }
        Ok(Body::File { file, len })
    }

    /// The whole body in memory (a body in a file is read into it).
    pub fn into_bytes(self) -> io::Result<Vec<u8>> {
        match self {
            Body::Memory(bytes) => Ok(bytes),
            Body::File { .. } => {
                let mut bytes = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
                self.reader().read_to_end(&mut bytes)?;
                Ok(bytes)
            }
        }
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::Memory(Vec::new())
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::Memory(bytes)
    }
}

/// A file read from `at` to `end` by position, so that several readers of
/// one file never move each other.
struct FileAt<'a> {
    file: &'a File,
    at: u64,
    end: u64,
}

impl Read for FileAt<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end.saturating_sub(self.at)).unwrap_or(usize::MAX);
        let wanted = buffer.len().min(left);
        if wanted == 0 {
            return Ok(0);
        }
        let read = self.file.read_at(&mut buffer[..wanted], self.at)?;
        self.at += read as u64;
        Ok(read)
    }
}

/// A body being received: in memory until it passes [`SPOOL_ABOVE`], then
/// in a temporary file.
#[derive(Default)]
pub(crate) struct BodyWriter {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    len: u64,
}

impl BodyWriter {
    pub(crate) fn new() -> BodyWriter {
        BodyWriter::default()
    }

    /// The bytes received so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Adds the next bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.len += chunk.len() as u64;
        if let Some(file) = &mut self.file {
            return file.write_all(chunk);
        }
        if self.memory.len() + chunk.len() <= SPOOL_ABOVE {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        file.write_all(&self.memory)?;
        file.write_all(chunk)?;
        self.memory = Vec::new();
        self.file = Some(file);
        Ok(())
    }

    /// The body received.
    pub(crate) fn finish(self) -> io::Result<Body> {
        match self.file {
            None => Ok(Body::Memory(self.memory)),
            Some(file) => Ok(Body::File {
                file: file.into_inner().map_err(io::IntoInnerError::into_error)?,
                len: self.len,
            }),
        }
    }
}

/// Texts written out of memory, to be read back by their [`HeldText`]: the
/// full texts of a big document's items, which a run holds until their
/// articles are written. Written a mebibyte at a time.
#[derive(Debug)]
pub(crate) struct TextSpool {
    file: File,
    state: Mutex<SpoolState>,
}

#[derive(Debug)]
struct SpoolState {
    /// The bytes in the file.
    written: u64,
    /// The bytes that follow them, not written yet.
    buffer: Vec<u8>,
    /// Whether a failed write was told already.
    warned: bool,
}

/// What a spool gathers before it writes.
const SPOOL_BUFFER: usize = 1 << 20;

impl TextSpool {
    /// A spool in a new unnamed temporary file.
    pub(crate) fn new() -> io::Result<Arc<TextSpool>> {
        Ok(Arc::new(TextSpool {
            file: tempfile::tempfile()?,
            state: Mutex::new(SpoolState {
                written: 0,
                buffer: Vec::new(),
                warned: false,
            }),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SpoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `text` and returns its handle. When the file cannot be
    /// written (the temporary folder is full), the texts stay in memory:
    /// nothing is lost, and the first failure is logged.
    pub(crate) fn hold(self: &Arc<TextSpool>, text: &str) -> HeldText {
        if text.is_empty() {
            return HeldText::default();
        }
        let mut state = self.state();
        let at = state.written + state.buffer.len() as u64;
        state.buffer.extend_from_slice(text.as_bytes());
        if state.buffer.len() >= SPOOL_BUFFER {
            match self.file.write_all_at(&state.buffer, state.written) {
                Ok(()) => {
                    state.written += state.buffer.len() as u64;
                    state.buffer.clear();
                }
                Err(error) if !state.warned => {
                    state.warned = true;
                    tracing::warn!(
                        "full texts are kept in memory: the spool file cannot be written ({error})"
                    );
                }
                Err(_) => {}
            }
        }
        HeldText(Held::Spooled {
            spool: self.clone(),
            at,
            len: text.len(),
        })
    }

    /// The `len` bytes at `at`, from the file or from what is not written
    /// yet.
    fn read(&self, at: u64, len: usize) -> io::Result<Vec<u8>> {
        let state = self.state();
        if at >= state.written {
            let start = (at - state.written) as usize;
            return state
                .buffer
                .get(start..start + len)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::UnexpectedEof, "past the spool's end")
                });
        }
        drop(state);
        let mut bytes = vec![0; len];
        self.file.read_exact_at(&mut bytes, at)?;
        Ok(bytes)
    }
}

/// A text in memory, or in a [`TextSpool`].
#[derive(Debug, Clone)]
pub struct HeldText(Held);

#[derive(Debug, Clone)]
enum Held {
    Memory(Arc<str>),
    Spooled {
        spool: Arc<TextSpool>,
        at: u64,
        len: usize,
    },
}

impl HeldText {
    /// The text (read back from its spool, when it is there).
    pub fn load(&self) -> io::Result<Arc<str>> {
        match &self.0 {
            Held::Memory(text) => Ok(text.clone()),
            Held::Spooled { spool, at, len } => {
                let bytes = spool.read(*at, *len)?;
                String::from_utf8(bytes).map(Arc::from).map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "spooled text is not UTF-8")
                })
            }
        }
    }
}

impl Default for HeldText {
    fn default() -> HeldText {
        HeldText(Held::Memory(Arc::from("")))
    }
}

impl From<&str> for HeldText {
    fn from(text: &str) -> HeldText {
        HeldText(Held::Memory(Arc::from(text)))
    }
}

impl From<String> for HeldText {
    fn from(text: String) -> HeldText {
        HeldText(Held::Memory(Arc::from(text)))
    }
}

impl From<Arc<str>> for HeldText {
    fn from(text: Arc<str>) -> HeldText {
        HeldText(Held::Memory(text))
    }
}

/// Equal when their texts are (a text that cannot be read back equals
/// nothing).
impl PartialEq for HeldText {
    fn eq(&self, other: &HeldText) -> bool {
        match (self.load(), other.load()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_stays_in_memory_up_to_the_limit_then_goes_to_a_file() {
        let mut small = BodyWriter::new();
        small.push(b"<rss/>").unwrap();
        assert!(matches!(small.finish().unwrap(), Body::Memory(b) if b == b"<rss/>"));

        let mut big = BodyWriter::new();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..9 {
            big.push(&chunk).unwrap();
        }
        big.push(b"end").unwrap();
        let body = big.finish().unwrap();
        assert!(matches!(body, Body::File { .. }));
        assert_eq!(body.len(), 9 * (1 << 20) + 3);
        // Read twice, from the start each time.
        for _ in 0..2 {
            let mut read = Vec::new();
            body.reader().read_to_end(&mut read).unwrap();
            assert_eq!(read.len() as u64, body.len());
            assert!(read.ends_with(b"xend"));
        }
        assert_eq!(body.into_bytes().unwrap().len(), 9 * (1 << 20) + 3);
    }

    #[test]
    fn held_texts_read_back_what_was_spooled() {
        let spool = TextSpool::new().unwrap();
        let texts = ["<p>Première</p>", "", "second ✓", "x"];
        let held: Vec<HeldText> = texts.iter().map(|t| spool.hold(t)).collect();
        for (text, held) in texts.iter().zip(&held) {
            assert_eq!(&*held.load().unwrap(), *text);
            assert_eq!(held, &HeldText::from(*text));
        }
        assert_ne!(held[0], held[2]);
        // Past the buffer: some texts in the file, the last ones not yet.
        let long = "é".repeat(300_000);
        let many: Vec<HeldText> = (0..5).map(|_| spool.hold(&long)).collect();
        for held in many.iter().chain(&held) {
            assert!(
                held == &HeldText::from(long.as_str()) || texts.contains(&&*held.load().unwrap())
            );
        }
        assert_eq!(&*many[4].load().unwrap(), long);
        assert_eq!(&*held[0].load().unwrap(), texts[0]);
    }
}
