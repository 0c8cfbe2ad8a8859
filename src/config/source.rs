//! A feed's `url`: an http(s) address, a `file://` URL or a path relative
//! to the config's folder.
//!
//! In: the value of `url` and the config's folder. Out: a [`FeedSource`].
//! Fails with a message (for `key `url`: …`): empty, no host, a scheme
//! feedimport does not read, or an address written without its scheme,
//! with the URL it was meant to be.

use std::path::Path;

use url::Url;

use super::model::FeedSource;

pub(super) fn parse_source(raw: &str, base_dir: &Path) -> Result<FeedSource, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("is empty".to_string());
    }
    // An address without its scheme would be read as a path and fail at
    // every run with "cannot read": unless such a file is there, it is
    // refused with the URL it was meant to be.
    if let Some(meant) = address_without_scheme(trimmed)
        && !base_dir.join(trimmed).exists()
    {
        return Err(format!(
            "`{trimmed}` is not a URL (it has no http:// or https://) and no such file exists: did you mean {meant}?"
        ));
    }
    match Url::parse(trimmed) {
        Ok(url) => match url.scheme() {
            "http" | "https" => {
                if url.host_str().is_none_or(str::is_empty) {
                    Err(format!("`{trimmed}` has no host"))
                } else {
                    Ok(FeedSource::Http(url))
                }
            }
            "file" => url
                .to_file_path()
                .map(FeedSource::File)
                .map_err(|_| format!("`{trimmed}` is not a usable file:// URL")),
            // A Windows drive letter parses as a one-letter scheme.
            scheme if scheme.len() > 1 => Err(format!(
                "`{trimmed}`: scheme `{scheme}` is not supported (use http, https, file:// or a file path)"
            )),
            _ => Ok(FeedSource::File(base_dir.join(trimmed))),
        },
        Err(_) => Ok(FeedSource::File(base_dir.join(trimmed))),
    }
}

/// `text` (trimmed) as a web address: an absolute http(s) URL with a host,
/// as a feed's address given by a person (`add`, an OPML outline) must be.
pub(crate) fn web_url(text: &str) -> Option<Url> {
    Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
}

/// The URL a `url` written without its scheme was meant to be:
/// `127.0.0.1:8765/feed.xml`, `localhost/feed`, `example.org/feed`,
/// `//example.org/feed`. `None` for what reads as a path: `feeds/x.xml`,
/// `./x.xml`, `x.xml`, `/srv/x.xml`, `C:/x.xml`. An address with a port,
/// an IP address or `localhost` is guessed to be `http://` (a local or
/// test server), a domain name `https://`.
pub(crate) fn address_without_scheme(text: &str) -> Option<String> {
    let (rest, from_slashes) = match text.strip_prefix("//") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let has_path_or_port = rest.len() > authority.len() || authority.contains(':');
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let host_lower = host.to_ascii_lowercase();
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok()
        || (host.starts_with('[') && host.ends_with(']'));
    let is_local_name = host_lower == "localhost";
    let is_domain = looks_like_a_domain(&host_lower);
    let is_address = if from_slashes {
        is_ip || is_local_name || is_domain
    } else {
        (is_ip || is_local_name || is_domain) && has_path_or_port
    };
    if !is_address {
        return None;
    }
    let scheme = if port.is_some() || is_ip || is_local_name {
        "http"
    } else {
        "https"
    };
    Some(format!("{scheme}://{rest}"))
}

/// `example.org`, `www.news.example.co.uk`: labels of letters, digits and
/// hyphens, the last one letters only and not a file extension.
fn looks_like_a_domain(host: &str) -> bool {
    const FILE_EXTENSIONS: &[&str] = &[
        "xml", "rss", "atom", "rdf", "json", "txt", "html", "htm", "feed", "md", "bak", "old",
    ];
    let labels: Vec<&str> = host.split('.').collect();
    let Some(last) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && (2..=63).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_alphabetic())
        && !FILE_EXTENSIONS.contains(last)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::error::{ConfigError, FeedLabel, ValueProblem};
    use super::super::testing::{MINIMAL, parse, refused};
    use super::super::{Config, FeedSource};

    /// Whether `error` refuses the `url` of feed "A".
    fn is_url_refused(error: &ConfigError) -> bool {
        matches!(error, ConfigError::BadValue { key, feed: Some(FeedLabel::Named(name)), problem: ValueProblem::Refused(_), .. }
            if key == "url" && name == "A")
    }

    #[test]
    fn url_may_be_a_local_path_or_file_url() {
        let config =
            parse(&MINIMAL.replace("https://example.org/feed/", "saved/feed.xml")).unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(PathBuf::from("/site/saved/feed.xml"))
        );
        let config =
            parse(&MINIMAL.replace("https://example.org/feed/", "file:///tmp/f.xml")).unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(PathBuf::from("/tmp/f.xml"))
        );
        let err = refused(&MINIMAL.replace("https://example.org/feed/", "ftp://e.org/f"));
        assert!(is_url_refused(&err), "{err:?}");
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: line 4: feed \"A\": key `url`: `ftp://e.org/f`: scheme `ftp` is not supported (use http, https, file:// or a file path)"
        );
    }

    #[test]
    fn addresses_written_without_a_scheme_are_refused_with_the_url_meant() {
        let cases = [
            ("127.0.0.1:8765/feed.xml", "http://127.0.0.1:8765/feed.xml"),
            ("127.0.0.1/feed.xml", "http://127.0.0.1/feed.xml"),
            ("localhost:8080/feed", "http://localhost:8080/feed"),
            ("localhost/feed", "http://localhost/feed"),
            ("example.org/feed", "https://example.org/feed"),
            (
                "www.example.co.uk/rss?x=1",
                "https://www.example.co.uk/rss?x=1",
            ),
            (
                "news.example.org:8443/feed/",
                "http://news.example.org:8443/feed/",
            ),
            ("//example.org/feed", "https://example.org/feed"),
            ("//example.org", "https://example.org"),
            ("//127.0.0.1:9/f", "http://127.0.0.1:9/f"),
            ("[::1]:8765/feed.xml", "http://[::1]:8765/feed.xml"),
        ];
        for (written, meant) in cases {
            let err = refused(&MINIMAL.replace("https://example.org/feed/", written));
            assert!(is_url_refused(&err), "{written}: {err:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "/site/feeds.toml: line 4: feed \"A\": key `url`: `{written}` is not a URL (it has no http:// or https://) and no such file exists: did you mean {meant}?"
                )
            );
        }
        // Paths stay paths.
        for path in [
            "feeds/x.xml",
            "./x.xml",
            "x.xml",
            "feed.rss",
            "../saved/feed.atom",
            "/srv/feeds/x.xml",
            "saved.d/feed.xml",
            "backup.xml/feed",
            "C:/feeds/x.xml",
        ] {
            let config = parse(&MINIMAL.replace("https://example.org/feed/", path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(
                matches!(config.feeds[0].source, FeedSource::File(_)),
                "{path}"
            );
        }
    }

    #[test]
    fn a_file_that_is_there_is_read_even_when_its_name_looks_like_an_address() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("example.org")).unwrap();
        std::fs::write(dir.path().join("example.org/feed"), "<rss/>").unwrap();
        let config = Config::parse(
            &MINIMAL.replace("https://example.org/feed/", "example.org/feed"),
            &dir.path().join("feeds.toml"),
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(dir.path().join("example.org/feed"))
        );
    }
}
