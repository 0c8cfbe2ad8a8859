//! Feed bytes and article pages from the network or the disk.
//!
//! In: a [`FeedSource`] (and the validators of its last fetch), or an
//! article URL. Out: a [`FetchOutcome`]: the body as bytes (never decoded
//! here: the parser reads the charset) with its final URL, `Content-Type`,
//! validators and caching hints, or "not modified". One shared client:
//! rustls, gzip/brotli/deflate, connect and total timeouts, a User-Agent
//! naming feedimport, a per-host limit shared by feeds and pages, a body cap
//! that holds after decompression, redirects followed by hand (so that a
//! permanent move is seen and reported). Transient failures (connection
//! errors, timeouts, 5xx, 429) are retried with jittered exponential backoff,
//! honouring `Retry-After`.
//!
//! Fails with [`FetchError`]: network errors, HTTP statuses, a body over the
//! cap, too many redirects, unreadable files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::util::spool::{Body, BodyWriter};

pub(crate) mod address;
pub(crate) mod discover;

use crate::config::{FeedSource, FetchSettings};
pub(crate) use address::AddressPolicy;

pub(crate) const USER_AGENT: &str = concat!(
    "feedimport/",
    env!("CARGO_PKG_VERSION"),
    " (feed to static site importer)"
);

/// An article page is read only up to the end of its `<head>`, and never
/// past this many bytes.
const MAX_HEAD_BYTES: usize = 512 * 1024;
/// After the head, a body rest up to this size is read to keep the
/// connection alive; a longer one is cheaper to drop.
const DRAIN_LIMIT: u64 = 128 * 1024;
/// How long the rest of a page may take to drain before the connection is
/// given up instead (a server trickling it would hold the host's slot).
const DRAIN_TIME: Duration = Duration::from_secs(1);

/// The first wait before a retry; it doubles each time, plus jitter.
const RETRY_BASE: Duration = Duration::from_millis(500);
/// A `Retry-After` longer than this is not waited for within a run: the
/// feed is tried again on a later run.
const MAX_RETRY_AFTER_IN_RUN: Duration = Duration::from_secs(30);

/// What the server said about a feed's version, for the next conditional
/// request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Validators {
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
}

/// How a fetch ended.
#[derive(Debug)]
pub(crate) enum FetchOutcome {
    /// 304: nothing changed since the validators were saved.
    NotModified(FetchInfo),
    Fetched(FetchedFeed),
}

/// What every successful fetch tells, body or not.
#[derive(Debug, Clone, Default)]
pub(crate) struct FetchInfo {
    pub(crate) validators: Validators,
    /// Set when every redirect on the way was permanent (301/308): the URL
    /// to put in `feeds.toml`.
    pub(crate) moved_to: Option<Url>,
    /// `Cache-Control: max-age`, when the server sent it.
    pub(crate) max_age: Option<Duration>,
    /// The answer's HTTP status (`None` for a file).
    pub(crate) http_status: Option<u16>,
}

/// A feed's body as it came.
#[derive(Debug)]
pub(crate) struct FetchedFeed {
    /// In memory, or in a temporary file when it is big.
    pub(crate) body: Body,
    /// The URL after redirects, for HTTP feeds: relative links resolve
    /// against it.
    pub(crate) final_url: Option<Url>,
    pub(crate) content_type: Option<String>,
    pub(crate) info: FetchInfo,
    /// The address rule for the requests the feed leads to (its article
    /// pages): the feed's own, made public-only when its answer came from a
    /// public address however its name resolved before.
    pub(crate) policy: AddressPolicy,
}

/// Why a fetch failed. The causes (reqwest's, the system's) are kept as the
/// error's source, and printed after its message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("HTTP {status}{}{}", reason_suffix(*.status), status_advice(*.status))]
    Status {
        status: u16,
        /// What `Retry-After` asked for.
        retry_after: Option<Duration>,
    },
    /// An article page answered with an error: the page's problem, never
    /// the feed's (its url in feeds.toml is fine).
    #[error("HTTP {status}{}{}", reason_suffix(*.status), page_status_advice(*.status))]
    PageStatus { status: u16 },
    /// An article page got no answer: as [`FetchError::Request`], said of
    /// the page's site, not of the feed's url.
    #[error("{}", failure.page_message(host))]
    PageRequest {
        failure: NetworkFailure,
        host: String,
        #[source]
        source: reqwest::Error,
    },
    /// No answer: the name, the connection, TLS or the time limit failed.
    /// The message names the host and the likely fix; reqwest's error and
    /// the system's under it stay the source, printed under `-v`.
    #[error("{}", failure.message(host))]
    Request {
        failure: NetworkFailure,
        host: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer began, then the connection broke or stalled. The message
    /// names the host and what to do; the cause is printed under `-v`.
    #[error("{}", if *.timed_out {
        format!("{host} timed out while the body was coming in (timeout): the server or the network is slow")
    } else {
        format!("{host} closed the connection while the body was coming in: try again later; if it lasts, the server or a proxy is cutting it off")
    })]
    BodyBroken {
        timed_out: bool,
        host: String,
        #[source]
        source: BodyCause,
    },
    /// The body came whole but does not decompress: the server's fault,
    /// and another try would give the same bytes.
    #[error("the body cannot be decompressed (Content-Encoding)")]
    Undecodable {
        #[source]
        source: BodyCause,
    },
    #[error("the body is larger than the {} MiB limit (max_body_mib)", .limit / 1024 / 1024)]
    TooLarge { limit: u64 },
    #[error("more than {limit} redirects (max_redirects)")]
    TooManyRedirects { limit: usize },
    #[error("redirected to `{location}`, which is not an http(s) URL")]
    BadRedirect { location: String },
    #[error("cannot read {}", .path.display())]
    File {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{url} is on a private or local address, and the feed's url is not: a public feed's redirects and article pages never lead there"
    )]
    PrivateAddress { url: String },
    #[error("redirected to {url}, which is neither the feed's host nor one of its article_hosts")]
    OtherHost { url: String },
    /// A big body could not be kept in a temporary file (the temporary
    /// folder is full or not writable: `TMPDIR` chooses it).
    #[error("cannot keep the body in a temporary file (TMPDIR)")]
    Spool {
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up the HTTP client")]
    Client {
        #[source]
        source: reqwest::Error,
    },
}

/// What broke while a body was coming in. With decompression on, reqwest
/// labels every such error "error decoding response body", even a broken
/// connection: that label is left out, and the cause underneath is shown.
#[derive(Debug)]
pub(crate) struct BodyCause(reqwest::Error);

impl std::fmt::Display for BodyCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::error::Error::source(&self.0) {
            Some(cause) => write!(f, "{cause}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl std::error::Error for BodyCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0).and_then(std::error::Error::source)
    }
}

/// What kind of network failure stopped a request before an answer, read
/// from its causes: each has its likely fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetworkFailure {
    /// The name did not resolve.
    Dns,
    /// Nothing listens at the address and port.
    Refused,
    /// No answer within `connect_timeout` or `timeout`.
    Timeout,
    /// The secure connection could not be set up.
    Tls,
    /// The server closed or reset the connection before answering.
    Reset,
    /// None of the above: the causes say what.
    Other,
}

impl NetworkFailure {
    /// Reads the kind of failure from `error` and its causes.
    pub(crate) fn of(error: &reqwest::Error) -> NetworkFailure {
        use std::io::ErrorKind;
        let mut texts = String::new();
        let mut kinds = Vec::new();
        let mut hyper_closed = false;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(current) = cause {
            texts.push_str(&current.to_string().to_ascii_lowercase());
            texts.push('\n');
            if let Some(io) = current.downcast_ref::<std::io::Error>() {
                kinds.push(io.kind());
            }
            if let Some(hyper) = current.downcast_ref::<hyper::Error>() {
                hyper_closed |= hyper.is_incomplete_message() || hyper.is_closed();
            }
            cause = current.source();
        }
        if error.is_timeout() || kinds.contains(&ErrorKind::TimedOut) {
            NetworkFailure::Timeout
        } else if kinds.contains(&ErrorKind::ConnectionRefused) {
            NetworkFailure::Refused
        } else if texts.contains("dns error") || texts.contains("failed to lookup address") {
            NetworkFailure::Dns
        } else if texts.contains("certificate")
            || texts.contains("tls")
            || texts.contains("handshake")
            || texts.contains("received corrupt message")
        {
            NetworkFailure::Tls
        } else if hyper_closed
            || kinds.iter().any(|k| {
                matches!(
                    k,
                    ErrorKind::ConnectionReset
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::UnexpectedEof
                        | ErrorKind::BrokenPipe
                )
            })
        {
            NetworkFailure::Reset
        } else {
            NetworkFailure::Other
        }
    }

    /// One line naming the host and what to do.
    /// [`NetworkFailure::message`] for an article page: its fix is never
    /// in the feed's url.
    fn page_message(self, host: &str) -> String {
        match self {
            NetworkFailure::Dns => format!(
                "cannot resolve {host}: the article's site has no address (gone, or a typo in the feed), or the network is down"
            ),
            NetworkFailure::Refused => {
                format!("{host}: connection refused: the article's site is down")
            }
            _ => self.message(host),
        }
    }

    fn message(self, host: &str) -> String {
        match self {
            NetworkFailure::Dns => {
                format!("cannot resolve {host}: check the network or the feed's url")
            }
            NetworkFailure::Refused => format!(
                "{host}: connection refused: the server is down, or the feed's url has the wrong port"
            ),
            NetworkFailure::Timeout => format!(
                "{host} did not answer in time: the server or the network is slow or down (timeout, connect_timeout)"
            ),
            NetworkFailure::Tls => format!(
                "cannot make a secure connection to {host}: its certificate is not valid for it, or it does not speak https at this address"
            ),
            NetworkFailure::Reset => format!(
                "{host} closed the connection without answering: try again later; if it lasts, the server may be blocking us"
            ),
            NetworkFailure::Other => format!("the request to {host} failed"),
        }
    }
}

impl FetchError {
    /// A failure of the request itself, named after what went wrong.
    fn request(source: reqwest::Error, url: &Url) -> FetchError {
        FetchError::Request {
            failure: NetworkFailure::of(&source),
            host: url.host_str().unwrap_or_default().to_string(),
            source,
        }
    }

    /// The message alone says what failed and what to do: its causes are
    /// for `-v`.
    pub(crate) fn is_plain(&self) -> bool {
        match self {
            FetchError::Request { failure, .. } => *failure != NetworkFailure::Other,
            FetchError::BodyBroken { .. } => true,
            _ => false,
        }
    }

    /// Worth another try in a moment: the server or the network may be
    /// better then.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => *status == 429 || (500..600).contains(status),
            // A request the server never answered; not one that reqwest
            // refused to build or whose answer did not decompress.
            FetchError::Request { source, .. } => {
                source.is_connect()
                    || source.is_timeout()
                    || (source.is_request() && !source.is_decode())
            }
            FetchError::BodyBroken { .. } => true,
            _ => false,
        }
    }

    /// How long the server asked us to wait.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn reason_suffix(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

/// What an article page's error status means to the item: said so that
/// nobody looks for a fault in feeds.toml.
fn page_status_advice(status: u16) -> &'static str {
    match status {
        404 | 410 => ": the page is gone or moved since the feed listed it",
        401 | 403 => ": the site refuses us the page (login wall or bot blocking)",
        429 => ": the site asks for fewer requests (lower per_host)",
        500..600 => ": the site's server failed; a later run does not retry imported items",
        _ => "",
    }
}

fn status_advice(status: u16) -> &'static str {
    match status {
        410 => ": the feed is gone; remove it from feeds.toml",
        404 => ": check the feed's url in feeds.toml",
        401 | 403 => ": the server refuses us (login wall or bot blocking)",
        _ => "",
    }
}

/// The one HTTP client of a run, with its per-host limit. Cheap to clone:
/// clones share the connection pool and the limits.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: reqwest::Client,
    /// The same, but connecting only to public addresses.
    public_client: reqwest::Client,
    settings: Arc<FetchSettings>,
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
pub(crate) struct PageHead {
    pub(crate) html: String,
    /// The URL after redirects: relative URLs in the page resolve against it.
    pub(crate) final_url: Url,
}

/// A response whose redirects were followed.
struct Arrived {
    response: reqwest::Response,
    final_url: Url,
    moved_to: Option<Url>,
    /// The address rule as the connections made it: a private policy
    /// whose connection reached a public address is public from there on.
    policy: AddressPolicy,
    /// Held while the body is read: the per-host limit counts the whole
    /// exchange.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Fetcher {
    pub(crate) fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.timeout)
                // Followed by hand in `send`, to see permanent moves and to
                // check every hop's address.
                .redirect(reqwest::redirect::Policy::none())
                .gzip(true)
                .brotli(true)
                .deflate(true)
        };
        let client = builder()
            .build()
            .map_err(|source| FetchError::Client { source })?;
        let public_client = builder()
            .dns_resolver(Arc::new(crate::fetch::address::PublicOnlyResolver))
            .build()
            .map_err(|source| FetchError::Client { source })?;
        Ok(Fetcher {
            client,
            public_client,
            settings: Arc::new(settings.clone()),
            hosts: Arc::new(HostLimits {
                per_host: settings.per_host.max(1),
                semaphores: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// How long one request may take, body included (`timeout`).
    pub(crate) fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    /// Fetches one feed, conditionally when `validators` are known, retrying
    /// transient failures. Its requests reach what `policy`, the policy of
    /// the feed's configured URL, allows (`source` may be where it moved
    /// to).
    pub(crate) async fn fetch(
        &self,
        source: &FeedSource,
        validators: Option<&Validators>,
        policy: AddressPolicy,
    ) -> Result<FetchOutcome, FetchError> {
        self.fetch_within(source, validators, policy, &|_| true)
            .await
    }

    /// [`Fetcher::fetch`], each hop also held to `host_allowed` (a page of
    /// a feed's history stays on the feed's host, redirects included).
    pub(crate) async fn fetch_within(
        &self,
        source: &FeedSource,
        validators: Option<&Validators>,
        policy: AddressPolicy,
        host_allowed: &(dyn Fn(&Url) -> bool + Sync),
    ) -> Result<FetchOutcome, FetchError> {
        match source {
            FeedSource::Http(url) => {
                let mut attempt = 0;
                loop {
                    match self.fetch_http(url, validators, policy, host_allowed).await {
                        Err(error) if error.is_transient() && attempt < self.settings.retries => {
                            let Some(wait) = retry_wait(&error, attempt) else {
                                return Err(error);
                            };
                            tracing::info!(
                                url = %url,
                                "{}; trying again in {wait:?}",
                                crate::util::error_chain(&error)
                            );
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                        }
                        other => return other,
                    }
                }
            }
            FeedSource::File(path) => read_file(path, self.settings.max_body_bytes)
                .await
                .map(FetchOutcome::Fetched),
        }
    }

    async fn fetch_http(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        policy: AddressPolicy,
        host_allowed: &(dyn Fn(&Url) -> bool + Sync),
    ) -> Result<FetchOutcome, FetchError> {
        let headers = feed_request_headers(validators);
        let sent = sent_validators(validators);
        let started = std::time::Instant::now();
        let arrived = match self.send(url, headers, policy, host_allowed).await {
            Ok(arrived) => arrived,
            Err(error) => {
                tracing::debug!(
                    "GET {url} ({sent}): no answer after {} ms: {}",
                    started.elapsed().as_millis(),
                    crate::util::error_chain(&error)
                );
                return Err(error);
            }
        };
        let response = &arrived.response;
        let info = fetch_info(&arrived);
        let status = response.status();
        let answered = |bytes: &str| {
            tracing::debug!(
                "GET {url} ({sent}): {status}{} {bytes}in {} ms",
                if arrived.final_url != *url {
                    format!(" from {}", arrived.final_url)
                } else {
                    String::new()
                },
                started.elapsed().as_millis()
            );
        };
        if status == StatusCode::NOT_MODIFIED {
            answered("");
            return Ok(FetchOutcome::NotModified(info));
        }
        if !status.is_success() {
            answered("");
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }
        let content_type = header_text(response.headers(), header::CONTENT_TYPE);
        let final_url = arrived.final_url.clone();
        let arrived_policy = arrived.policy;
        let body = self.read_body(arrived).await?;
        tracing::debug!(
            "GET {url} ({sent}): {status}, {} bytes in {} ms",
            body.len(),
            started.elapsed().as_millis()
        );
        Ok(FetchOutcome::Fetched(FetchedFeed {
            policy: arrived_policy,
            body,
            final_url: Some(final_url),
            content_type,
            info,
        }))
    }

    /// Sends a GET, following redirects by hand up to `max_redirects`, each
    /// hop checked against `policy` and `host_allowed`. A permanent move is
    /// reported only when it stays on the same side of the address rule as
    /// `start`: a private feed's move to a public host is followed, never
    /// saved.
    async fn send(
        &self,
        start: &Url,
        headers: HeaderMap,
        policy: AddressPolicy,
        host_allowed: &(dyn Fn(&Url) -> bool + Sync),
    ) -> Result<Arrived, FetchError> {
        let configured_policy = policy;
        let mut policy = policy;
        let mut url = start.clone();
        let mut all_permanent = true;
        for _ in 0..=self.settings.max_redirects {
            // Literal addresses and local names are checked here; the
            // resolver checks what names resolve to.
            if !policy.allows_url(&url) {
                return Err(FetchError::PrivateAddress {
                    url: url.to_string(),
                });
            }
            if !host_allowed(&url) {
                return Err(FetchError::OtherHost {
                    url: url.to_string(),
                });
            }
            let permit = self.hosts.acquire(&url).await;
            let client = match policy {
                AddressPolicy::Any => &self.client,
                AddressPolicy::PublicOnly => &self.public_client,
            };
            let response = client
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await
                .map_err(|source| request_error(source, &url))?;
            // A private policy comes from a name that resolved to a private
            // address when the feed's rule was judged; it holds only while
            // the connections really reach private addresses. A name that
            // resolves elsewhere by now (DNS rebinding) has its answer, and
            // every hop after it, judged as a public feed's.
            policy = policy.after_connecting_to(response.remote_addr().map(|a| a.ip()));
            let status = response.status();
            let location = response.headers().get(header::LOCATION);
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED || location.is_none()
            {
                // A move is kept only on the same side of the address
                // rule (every hop of a public-only fetch was checked public;
                // a private feed's new home is looked up only when it moved).
                let moved = all_permanent && url != *start;
                let moved_to = if moved
                    && match (configured_policy, policy) {
                        (AddressPolicy::PublicOnly, _) => true,
                        (AddressPolicy::Any, AddressPolicy::Any) => {
                            crate::fetch::address::is_private_host(&url).await
                        }
                        (AddressPolicy::Any, AddressPolicy::PublicOnly) => false,
                    } {
                    Some(url.clone())
                } else {
                    None
                };
                return Ok(Arrived {
                    response,
                    final_url: url,
                    moved_to,
                    policy,
                    _permit: permit,
                });
            }
            let location = location
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let next = url
                .join(location.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or(FetchError::BadRedirect { location })?;
            all_permanent &= matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            url = next;
        }
        Err(FetchError::TooManyRedirects {
            limit: self.settings.max_redirects,
        })
    }

    /// Reads the whole body, chunk by chunk, so that the cap holds for the
    /// decompressed size too (a gzip bomb stops at the cap). A big body
    /// goes to a temporary file as it comes (see [`BodyWriter`]).
    async fn read_body(&self, mut arrived: Arrived) -> Result<Body, FetchError> {
        let limit = self.settings.max_body_bytes;
        let too_large = FetchError::TooLarge { limit };
        if arrived
            .response
            .content_length()
            .is_some_and(|len| len > limit)
        {
            return Err(too_large);
        }
        let mut body = BodyWriter::new();
        let spool_error = |source| FetchError::Spool { source };
        let url = arrived.final_url.clone();
        while let Some(chunk) = arrived
            .response
            .chunk()
            .await
            .map_err(|e| body_error(e, &url))?
        {
            if body.len() + chunk.len() as u64 > limit {
                return Err(too_large);
            }
            body.push(&chunk).map_err(spool_error)?;
        }
        body.finish().map_err(spool_error)
    }

    /// Fetches an article page as far as the end of its `<head>`: the
    /// preview image is declared there, and the body is most of the bytes.
    /// Every hop must be on a host `host_allowed` accepts.
    pub(crate) async fn fetch_page_head(
        &self,
        url: &Url,
        policy: AddressPolicy,
        host_allowed: &(dyn Fn(&Url) -> bool + Sync),
    ) -> Result<PageHead, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"),
        );
        let started = std::time::Instant::now();
        let mut arrived = self
            .send(url, headers, policy, host_allowed)
            .await
            .map_err(|error| match error {
                FetchError::Request {
                    failure,
                    host,
                    source,
                } => FetchError::PageRequest {
                    failure,
                    host,
                    source,
                },
                other => other,
            })?;
        let status = arrived.response.status();
        if !status.is_success() {
            tracing::debug!(
                "GET {url} (article page): {status} in {} ms",
                started.elapsed().as_millis()
            );
            return Err(FetchError::PageStatus {
                status: status.as_u16(),
            });
        }
        let limit = MAX_HEAD_BYTES.min(self.settings.max_body_bytes as usize);
        let mut body: Vec<u8> = Vec::new();
        let page_url = arrived.final_url.clone();
        while let Some(chunk) = arrived
            .response
            .chunk()
            .await
            .map_err(|e| body_error(e, &page_url))?
        {
            let searched_from = body.len().saturating_sub(6);
            body.extend_from_slice(&chunk);
            if let Some(end) = find_head_end(&body[searched_from..]) {
                let read = body.len() as u64;
                body.truncate(searched_from + end);
                // A short rest is read and dropped, so that the connection
                // goes back to the pool instead of being closed.
                let remaining = arrived
                    .response
                    .content_length()
                    .map(|len| len.saturating_sub(read));
                if remaining.is_some_and(|r| r <= DRAIN_LIMIT) {
                    // Not for long: the host's slot is held meanwhile.
                    let drain = async { while let Ok(Some(_)) = arrived.response.chunk().await {} };
                    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
                }
                break;
            }
            if body.len() >= limit {
                body.truncate(limit);
                break;
            }
        }
        tracing::debug!(
            "GET {url} (article page): {status}, {} bytes of its head in {} ms",
            body.len(),
            started.elapsed().as_millis()
        );
        // Almost always valid UTF-8: checked without a copy.
        let html = String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(PageHead {
            html,
            final_url: arrived.final_url,
        })
    }
}

/// The validators a request sends, for the debug log.
fn sent_validators(validators: Option<&Validators>) -> String {
    let mut sent = Vec::new();
    if let Some(etag) = validators.and_then(|v| v.etag.as_deref()) {
        sent.push(format!("If-None-Match: {etag}"));
    }
    if let Some(date) = validators.and_then(|v| v.last_modified.as_deref()) {
        sent.push(format!("If-Modified-Since: {date}"));
    }
    if sent.is_empty() {
        "no validators".to_string()
    } else {
        sent.join(", ")
    }
}

/// The wait before retry number `attempt + 1`: what `Retry-After` asks when
/// it is short, else exponential backoff with jitter. `None`: the server
/// asked for longer than a run should wait.
fn retry_wait(error: &FetchError, attempt: u32) -> Option<Duration> {
    if let Some(asked) = error.retry_after() {
        return (asked <= MAX_RETRY_AFTER_IN_RUN).then_some(asked);
    }
    let backoff = RETRY_BASE * 2u32.saturating_pow(attempt);
    let jitter = backoff.mul_f64(fastrand::f64() * 0.5);
    Some(backoff + jitter)
}

/// Where the `<head>` ends: at `</head` or at `<body`, whichever comes
/// first (ASCII case-insensitive).
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    // Lower or upper case is the rule, and exact searches are vectorised.
    // Other spellings are looked for only when those fail; missing one only
    // means reading a little further (the preview scan stops at `<body>`).
    let exact = [b"</head".as_slice(), b"<body", b"</HEAD", b"<BODY"]
        .iter()
        .filter_map(|needle| crate::util::bytes::find(bytes, needle))
        .min();
    exact.or_else(|| {
        memchr::memchr_iter(b'<', bytes).find(|&at| {
            let rest = &bytes[at..];
            crate::util::bytes::starts_with_ignore_ascii_case(rest, b"</head")
                || crate::util::bytes::starts_with_ignore_ascii_case(rest, b"<body")
        })
    })
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `Retry-After`: seconds, or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_text(headers, header::RETRY_AFTER)?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(&value).ok()?;
    let wait = date.to_utc() - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// `Cache-Control: max-age=N` (`s-maxage` is for shared caches, not us).
fn cache_max_age(headers: &HeaderMap) -> Option<Duration> {
    let value = header_text(headers, header::CACHE_CONTROL)?;
    value.split(',').find_map(|directive| {
        let (name, seconds) = directive.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| seconds.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

async fn read_file(path: &std::path::Path, limit: u64) -> Result<FetchedFeed, FetchError> {
    let file_error = |source: std::io::Error| FetchError::File {
        path: path.to_path_buf(),
        source,
    };
    let metadata = tokio::fs::metadata(path).await.map_err(file_error)?;
    if metadata.len() > limit {
        return Err(FetchError::TooLarge { limit });
    }
    let owned = path.to_path_buf();
    let body = tokio::task::spawn_blocking(move || Body::open_file(&owned))
        .await
        .map_err(|e| file_error(std::io::Error::other(e)))?
        .map_err(file_error)?;
    Ok(FetchedFeed {
        body,
        final_url: None,
        content_type: None,
        info: FetchInfo::default(),
        // A saved file's links lead to public addresses only.
        policy: AddressPolicy::PublicOnly,
    })
}

/// A request that failed before an answer: refused by the address rule
/// when the name resolved only to addresses it forbids (the same as a
/// private address written in the URL, and not tried again), else a
/// failure of the request itself.
fn request_error(source: reqwest::Error, url: &Url) -> FetchError {
    let mut cause = std::error::Error::source(&source);
    while let Some(current) = cause {
        if current
            .downcast_ref::<crate::fetch::address::NoPublicAddress>()
            .is_some()
        {
            return FetchError::PrivateAddress {
                url: url.to_string(),
            };
        }
        cause = current.source();
    }
    FetchError::request(source, url)
}

/// An error while the body was coming in, told apart by its causes: a
/// dropped connection or a timeout (worth a retry), or a body that cannot be
/// decompressed (not).
fn body_error(error: reqwest::Error, url: &Url) -> FetchError {
    use std::io::ErrorKind::*;
    let mut timed_out = error.is_timeout();
    let mut broken = false;
    let mut cause = std::error::Error::source(&error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            timed_out |= io.kind() == TimedOut;
            broken |= matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | UnexpectedEof | BrokenPipe
            );
        }
        if let Some(hyper) = current.downcast_ref::<hyper::Error>() {
            timed_out |= hyper.is_timeout();
            broken |= hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled();
        }
        cause = current.source();
    }
    if timed_out || broken {
        FetchError::BodyBroken {
            timed_out,
            host: url.host_str().unwrap_or_default().to_string(),
            source: BodyCause(error),
        }
    } else if error.is_decode() {
        FetchError::Undecodable {
            source: BodyCause(error),
        }
    } else {
        FetchError::request(error, url)
    }
}

/// A feed request's headers: what we accept, and the validators of the
/// last fetch for a conditional request (RFC 9110, section 13.1).
fn feed_request_headers(validators: Option<&Validators>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static(
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
        ),
    );
    let Some(validators) = validators else {
        return headers;
    };
    if let Some(etag) = validators
        .etag
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_NONE_MATCH, etag);
    }
    if let Some(date) = validators
        .last_modified
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_MODIFIED_SINCE, date);
    }
    headers
}

/// What an answer tells for the feed's record: validators, a permanent
/// move, caching hints, the status.
fn fetch_info(arrived: &Arrived) -> FetchInfo {
    let headers = arrived.response.headers();
    FetchInfo {
        validators: Validators {
            etag: header_text(headers, header::ETAG),
            last_modified: header_text(headers, header::LAST_MODIFIED),
        },
        moved_to: arrived.moved_to.clone(),
        max_age: cache_max_age(headers),
        http_status: Some(arrived.response.status().as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "120")])),
            Some(Duration::from_secs(120))
        );
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let wait = retry_after(&headers(&[("retry-after", &soon)])).unwrap();
        assert!(
            wait > Duration::from_secs(80) && wait <= Duration::from_secs(90),
            "{wait:?}"
        );
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            retry_after(&headers(&[("retry-after", past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    }

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            cache_max_age(&headers(&[("cache-control", "public, max-age=7200")])),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(
            cache_max_age(&headers(&[("cache-control", "no-cache")])),
            None
        );
    }

    /// An article page's error names the page's problem; only a feed's
    /// own error points to feeds.toml.
    #[test]
    fn a_page_error_is_never_blamed_on_feeds_toml() {
        for (status, said) in [
            (
                404,
                "HTTP 404 Not Found: the page is gone or moved since the feed listed it",
            ),
            (
                410,
                "HTTP 410 Gone: the page is gone or moved since the feed listed it",
            ),
            (
                403,
                "HTTP 403 Forbidden: the site refuses us the page (login wall or bot blocking)",
            ),
        ] {
            let page = FetchError::PageStatus { status }.to_string();
            assert_eq!(page, said);
            let feed = FetchError::Status {
                status,
                retry_after: None,
            };
            assert!(!page.contains("feeds.toml"));
            if status != 403 {
                assert!(feed.to_string().contains("feeds.toml"), "{feed}");
            }
        }
    }

    #[test]
    fn backoff_grows_and_honours_short_retry_after() {
        let transient = FetchError::Status {
            status: 503,
            retry_after: None,
        };
        let first = retry_wait(&transient, 0).unwrap();
        let third = retry_wait(&transient, 2).unwrap();
        assert!(first >= RETRY_BASE && first <= RETRY_BASE.mul_f64(1.5));
        assert!(third >= RETRY_BASE * 4);
        let asked = FetchError::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(retry_wait(&asked, 0), Some(Duration::from_secs(2)));
        let long = FetchError::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(retry_wait(&long, 0), None);
    }

    /// The rule a feed's answer leaves for its article pages is judged on
    /// the address the fetch connected to: a feed served on loopback keeps
    /// its private rule (a rebound name, connected to a public address,
    /// would not: `AddressPolicy::after_connecting_to`).
    #[tokio::test]
    async fn a_feed_answered_from_a_private_address_keeps_its_private_rule() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(path("/feed"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&FetchSettings::default()).unwrap();
        for host in ["127.0.0.1", "localhost"] {
            let url =
                Url::parse(&format!("http://{host}:{}/feed", server.address().port())).unwrap();
            let source = FeedSource::Http(url);
            let Ok(FetchOutcome::Fetched(fetched)) =
                fetcher.fetch(&source, None, AddressPolicy::Any).await
            else {
                panic!("{host}: not fetched");
            };
            assert_eq!(fetched.policy, AddressPolicy::Any, "{host}");
        }
    }

    #[tokio::test]
    async fn public_only_fetches_refuse_private_addresses_at_every_hop() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(path("/page"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<head></head>"))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&FetchSettings::default()).unwrap();
        let page = Url::parse(&format!("{}/page", server.uri())).unwrap();
        // A feed on loopback may have its pages there.
        assert!(
            fetcher
                .fetch_page_head(&page, AddressPolicy::Any, &|_| true)
                .await
                .is_ok()
        );
        // A public feed's links may not lead there, by address or by name.
        let refused = fetcher
            .fetch_page_head(&page, AddressPolicy::PublicOnly, &|_| true)
            .await;
        assert!(
            matches!(refused, Err(FetchError::PrivateAddress { .. })),
            "{refused:?}"
        );
        let by_name =
            Url::parse(&format!("http://localhost:{}/page", page.port().unwrap())).unwrap();
        let by_name = fetcher
            .fetch_page_head(&by_name, AddressPolicy::PublicOnly, &|_| true)
            .await;
        assert!(
            matches!(by_name, Err(FetchError::PrivateAddress { .. })),
            "{by_name:?}"
        );
        // Cloud metadata, by its link-local address.
        let metadata = Url::parse("http://169.254.169.254/latest/meta-data/").unwrap();
        let error = fetcher
            .fetch_page_head(&metadata, AddressPolicy::PublicOnly, &|_| true)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::PrivateAddress { .. }));
    }

    #[tokio::test]
    async fn the_host_rule_holds_at_every_hop() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        let port = Url::parse(&server.uri()).unwrap().port().unwrap();
        Mock::given(path("/page"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("http://localhost:{port}/other")),
            )
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&FetchSettings::default()).unwrap();
        let page = Url::parse(&format!("{}/page", server.uri())).unwrap();
        let same_host = |url: &Url| url.host_str() == Some("127.0.0.1");
        let refused = fetcher
            .fetch_page_head(&page, AddressPolicy::Any, &same_host)
            .await;
        assert!(
            matches!(&refused, Err(FetchError::OtherHost { url }) if url.starts_with("http://localhost:")),
            "{refused:?}"
        );
        let requests = server.received_requests().await.unwrap();
        assert!(requests.iter().all(|r| r.url.path() == "/page"));
    }

    /// A name that resolves only to private addresses is refused like a
    /// private address in the URL: named so, and not retried.
    #[tokio::test]
    async fn a_name_with_no_public_address_is_refused_not_retried() {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(crate::fetch::address::PublicOnlyResolver))
            .build()
            .unwrap();
        let url = Url::parse("http://localhost:9/feed").unwrap();
        let error = client.get(url.clone()).send().await.unwrap_err();
        let error = request_error(error, &url);
        assert!(
            matches!(error, FetchError::PrivateAddress { .. }),
            "{error:?}"
        );
        assert!(!error.is_transient());
    }

    #[tokio::test]
    async fn network_failures_are_named_with_their_host_and_fix() {
        let client = reqwest::Client::new();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        for (url, failure, message) in [
            (
                format!("http://127.0.0.1:{port}/feed"),
                NetworkFailure::Refused,
                "127.0.0.1: connection refused: the server is down, or the feed's url has the wrong port",
            ),
            (
                "http://feed.invalid/rss".to_string(),
                NetworkFailure::Dns,
                "cannot resolve feed.invalid: check the network or the feed's url",
            ),
        ] {
            let url = Url::parse(&url).unwrap();
            let error = client.get(url.clone()).send().await.unwrap_err();
            let error = request_error(error, &url);
            assert!(
                matches!(&error, FetchError::Request { failure: f, .. } if *f == failure),
                "{error:?}"
            );
            assert_eq!(error.to_string(), message);
            assert!(error.is_plain() && error.is_transient());
            // The causes stay, for -v.
            assert!(
                crate::util::error_chain(&error).contains("error sending request"),
                "{}",
                crate::util::error_chain(&error)
            );
        }
        for (failure, words) in [
            (NetworkFailure::Timeout, "did not answer in time: "),
            (NetworkFailure::Tls, "secure connection to h.example"),
            (
                NetworkFailure::Reset,
                "closed the connection without answering",
            ),
        ] {
            assert!(failure.message("h.example").contains(words), "{failure:?}");
        }
        assert_eq!(
            NetworkFailure::Other.message("h.example"),
            "the request to h.example failed"
        );
    }

    #[test]
    fn head_end_is_found_in_any_case() {
        assert_eq!(find_head_end(b"<meta></head><body>"), Some(6));
        assert_eq!(find_head_end(b"<meta><body></head>"), Some(6));
        assert_eq!(find_head_end(b"<meta></HEAD><body>"), Some(6));
        assert_eq!(find_head_end(b"<meta></Head>"), Some(6));
        assert_eq!(find_head_end(b"<meta><BODY class=x>"), Some(6));
        assert_eq!(find_head_end(b"<meta>"), None);
    }
}
