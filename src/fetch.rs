//! Feed bytes from the network or the disk.
//!
//! In: a [`FeedSource`]. Out: the body as bytes (never decoded here: the
//! parser reads the charset), with the final URL and `Content-Type`. One
//! shared HTTP client: rustls, gzip/brotli/deflate, connect and total
//! timeouts, a User-Agent naming feedimport. Fails with [`FetchError`]:
//! network errors, HTTP statuses, a body over the size cap, unreadable files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::config::FeedSource;

/// Bodies larger than this (after decompression) are refused.
pub const MAX_BODY_BYTES: u64 = 15 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_REDIRECTS: usize = 10;

pub const USER_AGENT: &str = concat!(
    "feedimport/",
    env!("CARGO_PKG_VERSION"),
    " (feed to static site importer)"
);

/// A feed's body as it came.
#[derive(Debug)]
pub struct FetchedFeed {
    pub body: Vec<u8>,
    /// The URL after redirects, for HTTP feeds: relative links resolve
    /// against it.
    pub final_url: Option<Url>,
    pub content_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status}{}", reason_suffix(*.status))]
    Status { status: u16 },
    #[error("{0}")]
    Network(String),
    #[error("the body is larger than the {} MiB limit", MAX_BODY_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("cannot read {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

fn reason_suffix(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

/// An article page is read only up to the end of its `<head>`, and never
/// past this many bytes.
const MAX_HEAD_BYTES: usize = 512 * 1024;

/// Requests at the same time to one host, feeds and article pages together.
pub const DEFAULT_PER_HOST: usize = 2;

/// The one HTTP client of a run, with its per-host limit. Cheap to clone:
/// clones share the connection pool and the limits.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    hosts: Arc<HostLimits>,
}

/// A semaphore per host, so that no site sees more than `per_host`
/// requests from us at once.
struct HostLimits {
    per_host: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    async fn acquire(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let host = url.host_str()?.to_ascii_lowercase();
        let semaphore = {
            let mut map = self
                .semaphores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }
}

/// The start of an article page.
#[derive(Debug)]
pub struct PageHead {
    pub html: String,
    /// The URL after redirects: relative URLs in the page resolve against it.
    pub final_url: Url,
}

impl Fetcher {
    pub fn new(per_host: usize) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::Network(error_chain(&e)))?;
        Ok(Fetcher {
            client,
            hosts: Arc::new(HostLimits {
                per_host: per_host.max(1),
                semaphores: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Fetches an article page as far as the end of its `<head>`: the
    /// preview image is declared there, and the body is most of the bytes.
    pub async fn fetch_page_head(&self, url: &Url) -> Result<PageHead, FetchError> {
        let _permit = self.hosts.acquire(url).await;
        let mut response = self
            .client
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            )
            .send()
            .await
            .map_err(|e| FetchError::Network(error_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        let final_url = response.url().clone();
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Network(error_chain(&e)))?
        {
            let searched_from = body.len().saturating_sub(7);
            body.extend_from_slice(&chunk);
            if let Some(end) = find_head_end(&body[searched_from..]) {
                body.truncate(searched_from + end);
                break;
            }
            if body.len() >= MAX_HEAD_BYTES {
                body.truncate(MAX_HEAD_BYTES);
                break;
            }
        }
        Ok(PageHead {
            html: String::from_utf8_lossy(&body).into_owned(),
            final_url,
        })
    }

    /// Fetches one feed.
    pub async fn fetch(&self, source: &FeedSource) -> Result<FetchedFeed, FetchError> {
        match source {
            FeedSource::Http(url) => self.fetch_http(url).await,
            FeedSource::File(path) => read_file(path).await,
        }
    }

    async fn fetch_http(&self, url: &Url) -> Result<FetchedFeed, FetchError> {
        let _permit = self.hosts.acquire(url).await;
        let mut response = self
            .client
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
            )
            .send()
            .await
            .map_err(|e| FetchError::Network(error_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY_BYTES)
        {
            return Err(FetchError::TooLarge);
        }
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // Read chunk by chunk: the cap holds for the decompressed size too.
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Network(error_chain(&e)))?
        {
            if body.len() as u64 + chunk.len() as u64 > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(FetchedFeed {
            body,
            final_url: Some(final_url),
            content_type,
        })
    }
}

/// Where the `<head>` ends: at `</head` or at `<body`, whichever comes
/// first (ASCII case-insensitive).
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(6)
        .position(|w| w.eq_ignore_ascii_case(b"</head") || w[..5].eq_ignore_ascii_case(b"<body"))
}

async fn read_file(path: &std::path::Path) -> Result<FetchedFeed, FetchError> {
    let file_error = |source| FetchError::File {
        path: path.display().to_string(),
        source,
    };
    let metadata = tokio::fs::metadata(path).await.map_err(file_error)?;
    if metadata.len() > MAX_BODY_BYTES {
        return Err(FetchError::TooLarge);
    }
    let body = tokio::fs::read(path).await.map_err(file_error)?;
    Ok(FetchedFeed {
        body,
        final_url: None,
        content_type: None,
    })
}

/// An error and its causes on one line: reqwest's own message alone says
/// "error sending request" and hides "connection refused".
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
