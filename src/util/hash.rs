//! The hash of a file's bytes, as the state keeps it to tell whether an
//! article file is still what feedimport wrote.
//!
//! In: bytes. Out: the SHA-256 digest in lower-case hex. Pure; nothing
//! fails.

use sha2::{Digest, Sha256};

/// The hash of a file's bytes.
pub(crate) fn file_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `bytes` in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}
