//! The HTTP vocabulary the core speaks: requests it asks the driver to send, answers the driver
//! feeds back, where a backend lives ([`Base`]), and the URL and name helpers every backend and
//! both machines share (percent-encoding, safe download URLs, safe file names).
//!
//! # Size limits
//!
//! Every request carries the most bytes its answer may have ([`HttpRequest::limit`]). The driver
//! reads the body as it arrives, counting, and stops reading — cancelling the rest, unread — the
//! moment the count passes the limit; the machine is then told [`HttpOutcome::TooLarge`] instead
//! of the body. An answer over its limit is never parsed, never copied into the machine, and not
//! asked for again: both machines fail at once with an unreadable answer
//! ([`too_large`](crate::retry::too_large)), whatever its status, since the same request would
//! bring the same bytes back (a misrouted file, a runaway `result`); a gateway's error page is
//! never a megabyte.
//!
//! - [`ANSWER_LIMIT`], 1 MiB, for every protocol answer: starts, progress, links. They are a
//!   few hundred bytes; a thousand times that is no longer one of them.
//! - [`LIST_LIMIT`], 8 MiB, for the lists a backend sends whole, without paging: the export
//!   service's history (every export of the user) and the asset system's task list (every task of
//!   the session, read by its export too). Tens of thousands of entries.
//! - [`RECORDS_LIMIT`], 128 MiB, for the asset system's records, from which the CSV is built in
//!   the browser: 100,000 assets (the most an export may ask for) at 1.3 KB each.
//!
//! The paged lists (XLink's and MinApp's, at most 100 items) keep [`ANSWER_LIMIT`].

use crate::codec::json::Json;

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Reads a method name, in any case.
    pub fn parse(s: &str) -> Option<Method> {
        match s.trim().to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

/// The most bytes of a protocol answer (1 MiB): see [the size limits](self#size-limits).
pub const ANSWER_LIMIT: u32 = 1 << 20;

/// The most bytes of a list sent whole (8 MiB): see [the size limits](self#size-limits).
pub const LIST_LIMIT: u32 = 8 << 20;

/// The most bytes of the asset system's records (128 MiB): see [the size limits](self#size-limits).
pub const RECORDS_LIMIT: u32 = 128 << 20;

/// A request for the driver to send. `body`, when present, is JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// Absolute, or relative to the page.
    pub url: String,
    /// Extra headers (`Content-Type` is implied by `body`).
    pub headers: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<String>,
    /// The most bytes the answer's body may have (after any content encoding is undone); past
    /// it the driver stops reading and answers [`HttpOutcome::TooLarge`]. [`ANSWER_LIMIT`]
    /// unless the request says otherwise ([`HttpRequest::limit`]).
    pub limit: u32,
}

impl HttpRequest {
    /// A `GET` of `url`.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest { method: Method::Get, url: url.into(), headers: Vec::new(), body: None, limit: ANSWER_LIMIT }
    }

    /// A request with a JSON body.
    pub fn json(method: Method, url: impl Into<String>, body: &Json) -> HttpRequest {
        HttpRequest { method, url: url.into(), headers: Vec::new(), body: Some(body.to_json()), limit: ANSWER_LIMIT }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Allows an answer of up to `bytes` (one of the [size limits](self#size-limits)).
    pub fn limit(mut self, bytes: u32) -> HttpRequest {
        self.limit = bytes;
        self
    }
}

/// What came back for a request: an HTTP answer, or no answer at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpOutcome {
    /// The server answered.
    Answer {
        /// HTTP status.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<String>,
        /// The body as text (lossily decoded).
        body: String,
    },
    /// No answer: DNS, connection, CORS, or the request was aborted by the browser.
    NetworkError(String),
    /// The server answered, but its body passed the request's [`HttpRequest::limit`]: it was not
    /// read beyond that, and is not given.
    TooLarge,
}

impl HttpOutcome {
    /// A 200 answer with `body`: the common case in tests.
    pub fn ok(body: impl Into<String>) -> HttpOutcome {
        HttpOutcome::Answer { status: 200, retry_after: None, body: body.into() }
    }

    /// An answer with `status` and `body`.
    pub fn status(status: u16, body: impl Into<String>) -> HttpOutcome {
        HttpOutcome::Answer { status, retry_after: None, body: body.into() }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as `encodeURIComponent` does
/// minus its few extra exemptions — safe in a path segment and in a query.
pub fn percent_encode(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// [`percent_encode`] into a new string.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    percent_encode(s, &mut out);
    out
}

/// Checks that `raw` is safe to hand to the browser as a download: `http:`/`https:` absolute URLs,
/// or URLs relative to the page (which inherit its scheme). Returns the trimmed URL.
///
/// The check mirrors how the WHATWG URL parser reads a scheme: leading/trailing C0 controls and
/// spaces are stripped, tabs and newlines anywhere are refused outright (browsers delete them, so
/// `java\nscript:` would become `javascript:`), then the scheme is whatever precedes the first `:`
/// if it comes before any `/`, `?` or `#`.
pub fn safe_download_url(raw: &str) -> Option<String> {
    let url = raw.trim_matches(|c: char| c <= ' ');
    if url.is_empty() || url.chars().any(|c| c.is_control()) {
        return None;
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    if let Some(i) = scheme_end {
        if url.as_bytes()[i] == b':' {
            let scheme = &url[..i];
            let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if valid_scheme {
                let scheme = scheme.to_ascii_lowercase();
                if scheme != "http" && scheme != "https" {
                    return None;
                }
                // "http:foo" (no slashes) is a relative-looking oddity that browsers treat specially.
                if !url[i + 1..].starts_with("//") {
                    return None;
                }
            }
            // Not a valid scheme ("1a:b", "中:x"): the whole thing is a relative path.
        }
    }
    Some(url.to_owned())
}

/// `url`, a download URL [`safe_download_url`] let through, made absolute against `base` (the
/// page's `document.baseURI`) as a browser resolves a link: a path the server answered
/// (`/files/1.xlsx`) becomes a link that still leads to the file once it is shown, copied into
/// another browser or handed to another tab. Unchanged when it is absolute already, or when `base`
/// is not an `http:`/`https:` URL (then the browser resolves it where it is used).
///
/// In the browser, the browser's own URL parser resolves it (`new URL(url, base)`, see
/// `browser::absolute`), which keeps a resolver out of the wasm; elsewhere `resolve` does, as
/// that parser does for these URLs.
pub fn absolute_url(url: &str, base: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return browser::absolute(url, base);
    #[cfg(not(target_arch = "wasm32"))]
    resolve(url, base)
}

/// The page of [`RESOLVED_URLS`].
const PAGE: &str = "http://127.0.0.1:8080/examples/homework.html?client=x#top";

/// Download links, the page they are on, and the link a browser makes of them
/// (`new URL(url, base).href`, the WHATWG URL parser of every browser; the link as it is when there
/// is nothing to resolve against): checked natively and in the browser, whose resolver differs.
#[doc(hidden)]
pub const RESOLVED_URLS: &[(&str, &str, &str)] = &[
    ("/files/1.xlsx", PAGE, "http://127.0.0.1:8080/files/1.xlsx"),
    ("files/1.xlsx", PAGE, "http://127.0.0.1:8080/examples/files/1.xlsx"),
    ("../files/1.xlsx", PAGE, "http://127.0.0.1:8080/files/1.xlsx"),
    ("./a/../b/./c.csv", PAGE, "http://127.0.0.1:8080/examples/b/c.csv"),
    ("../../../x", PAGE, "http://127.0.0.1:8080/x"),
    ("?download=1", PAGE, "http://127.0.0.1:8080/examples/homework.html?download=1"),
    ("#f", PAGE, "http://127.0.0.1:8080/examples/homework.html?client=x#f"),
    ("//cdn.example/x?y#z", PAGE, "http://cdn.example/x?y#z"),
    ("\\files\\1.xlsx?a\\b", PAGE, "http://127.0.0.1:8080/files/1.xlsx?a\\b"),
    ("\\\\cdn.example\\x", PAGE, "http://cdn.example/x"),
    ("1a:b/c", PAGE, "http://127.0.0.1:8080/examples/1a:b/c"),
    ("a/..", PAGE, "http://127.0.0.1:8080/examples/"),
    ("a/.", PAGE, "http://127.0.0.1:8080/examples/a/"),
    ("https://cdn.example/f.xlsx", PAGE, "https://cdn.example/f.xlsx"),
    ("/files/1.xlsx", "https://admin.school.cn", "https://admin.school.cn/files/1.xlsx"),
    ("x.csv", "https://h.cn/dir/", "https://h.cn/dir/x.csv"),
    ("?q", "https://h.cn", "https://h.cn/?q"),
    ("#f", "https://h.cn/p?q=1", "https://h.cn/p?q=1#f"),
    ("..", "https://h.cn/a/b/c", "https://h.cn/a/"),
    ("/a//b/../c", "https://h.cn/", "https://h.cn/a//c"),
    ("x", "https://user:pw@h.cn:8443/a/b?c#d", "https://user:pw@h.cn:8443/a/x"),
    ("/files/1.xlsx", "", "/files/1.xlsx"),
    ("/files/1.xlsx", "about:blank", "/files/1.xlsx"),
    ("/files/1.xlsx", "file:///home/t/page.html", "/files/1.xlsx"),
    ("/files/1.xlsx", "blob:http://h/1", "/files/1.xlsx"),
];

/// The links of [`RESOLVED_URLS`] that this build resolves otherwise than listed (natively, or
/// in the browser), with what it made of them: none when it resolves them all as listed.
#[doc(hidden)]
pub fn misresolved_urls() -> Vec<(&'static str, &'static str, Option<String>)> {
    RESOLVED_URLS
        .iter()
        .filter_map(|&(url, base, absolute)| {
            let resolved = safe_download_url(url).map(|url| absolute_url(&url, base));
            (resolved.as_deref() != Some(absolute)).then_some((url, base, resolved))
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
mod browser {
    // A link or a base the parser refuses leaves the link as it is (a TypeError); nothing else is
    // thrown there.
    #[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function absolute(url, base) {
        try { const u = new URL(url, base); return /^https?:$/.test(u.protocol) ? u.href : url; }
        catch (e) { if (e instanceof TypeError) return url; throw e; } }")]
    extern "C" {
        pub(super) fn absolute(url: &str, base: &str) -> String;
    }
}

/// [`absolute_url`] as the WHATWG URL parser resolves these links, outside the browser: `\` reads
/// as `/` before the query, `//host/…` takes the base's scheme, `/path` its origin, `?query` its
/// path, `#fragment` all of it but its fragment, and any other path its directory; `.` and `..`
/// segments are removed (their percent-encoded forms are left: a browser reads them alike). Unlike
/// the browser's parser it encodes nothing and keeps the host as written.
#[cfg(not(target_arch = "wasm32"))]
fn resolve(url: &str, base: &str) -> String {
    let web = scheme(base).filter(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    if web.is_none_or(|s| !base[s.len()..].starts_with("://")) || scheme(url).is_some() {
        return url.to_owned();
    }
    let host_at = base.find(':').map_or(0, |i| i + 3);
    let tail_at = url.find(['?', '#']).unwrap_or(url.len());
    let path: String = url[..tail_at].chars().map(|c| if c == '\\' { '/' } else { c }).collect();
    let tail = &url[tail_at..];
    let base = &base[..base.find('#').unwrap_or(base.len())];
    let path_at = base[host_at..].find(['/', '?']).map_or(base.len(), |i| host_at + i);
    let (origin, rest) = base.split_at(path_at);
    let query_at = rest.find('?').unwrap_or(rest.len());
    let (base_path, query) = (if query_at == 0 { "/" } else { &rest[..query_at] }, &rest[query_at..]);
    if path.starts_with("//") {
        return [&base[..host_at - 2], &path, tail].concat();
    }
    if path.is_empty() {
        // "#fragment" keeps the base's query, "?query" replaces it.
        let query = if tail.starts_with('#') { query } else { "" };
        return [origin, base_path, query, tail].concat();
    }
    let merged = if path.starts_with('/') {
        path
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        [dir, &path].concat()
    };
    [origin, &remove_dot_segments(&merged), tail].concat()
}

/// The scheme `url` starts with (`http` of `http://…`), if any, as the URL parser reads one: a
/// letter, then letters, digits, `+`, `-` or `.`, up to a `:` that comes before any `/`, `?` or
/// `#` (`1a:b` and `中:x` have none: they are relative paths).
#[cfg(not(target_arch = "wasm32"))]
fn scheme(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#'])?;
    let s = &url[..end];
    let valid = url.as_bytes()[end] == b':'
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(s)
}

/// `path` (starting with `/`) without its `.` and `..` segments (RFC 3986, 5.2.4).
#[cfg(not(target_arch = "wasm32"))]
fn remove_dot_segments(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut segments = path[1..].split('/').peekable();
    while let Some(s) = segments.next() {
        let last = segments.peek().is_none();
        match s {
            "." | ".." => {
                if s == ".." {
                    kept.pop();
                }
                if last {
                    kept.push(""); // "a/.." is the directory "a/"'s parent, with its slash
                }
            }
            _ => kept.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for s in kept {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Makes a server-supplied filename safe for the `download` attribute and for display: path
/// separators, control and reserved characters become `_`, leading dots are dropped, and the
/// result is at most 150 characters with its extension kept. Empty input gives `None`.
pub fn sanitize_filename(raw: &str) -> Option<String> {
    let cleaned: String =
        raw.trim()
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let cleaned = cleaned.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        return None;
    }
    const MAX: usize = 150;
    if cleaned.chars().count() <= MAX {
        return Some(cleaned.to_owned());
    }
    let (stem, ext) = match cleaned.rfind('.') {
        Some(i) if cleaned.len() - i <= 10 => cleaned.split_at(i),
        _ => (cleaned, ""),
    };
    let keep = MAX - ext.chars().count();
    Some(stem.chars().take(keep).chain(ext.chars()).collect())
}

/// The name to save a download under: `shown` (sanitised), plus the URL's extension when the
/// name has none.
pub fn download_name(shown: &str, url: Option<&str>) -> String {
    let name = sanitize_filename(shown).unwrap_or_else(|| "export".to_owned());
    let has_ext = name.rfind('.').is_some_and(|i| (2..=5).contains(&(name.len() - i)));
    if has_ext {
        return name;
    }
    let ext = url
        .map(|u| u.split(['?', '#']).next().unwrap_or(""))
        .and_then(|path| path.rsplit('/').next())
        .and_then(|last| last.rfind('.').map(|i| &last[i..]))
        .filter(|e| (2..=5).contains(&e.len()) && e[1..].bytes().all(|b| b.is_ascii_alphanumeric()));
    match ext {
        Some(ext) => [name.as_str(), ext].concat(),
        None => name,
    }
}

/// Where a backend lives: a URL prefix, query parameters for every request, and headers for every
/// request. Read from the `baseUrl` and `query` options by
/// [`Fields::base`](crate::seam::fields::Fields::base).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Base {
    root: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Base {
    /// A base at `root` (already checked), without extra query parameters.
    pub fn at(root: &str) -> Base {
        Base { root: root.trim_end_matches('/').to_owned(), ..Base::default() }
    }

    /// A base at `root` (already checked) adding `query` to every request.
    pub fn with_query(root: String, query: Vec<(String, String)>) -> Base {
        Base { root, query, headers: Vec::new() }
    }

    /// Adds a header to every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Base {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The URL of `path` (starting with `/`, already encoded) with `params` and the extra query.
    pub fn url(&self, path: &str, params: &[(&str, &str)]) -> String {
        let mut url = [self.root.as_str(), path].concat();
        let mut first = true;
        let extra = self.query.iter().filter(|(k, _)| !params.iter().any(|(p, _)| p == k));
        for (k, v) in params.iter().map(|&(k, v)| (k, v)).chain(extra.map(|(k, v)| (k.as_str(), v.as_str()))) {
            url.push(if first { '?' } else { '&' });
            first = false;
            percent_encode(k, &mut url);
            url.push('=');
            percent_encode(v, &mut url);
        }
        url
    }

    fn headers(&self, mut request: HttpRequest) -> HttpRequest {
        request.headers.extend(self.headers.iter().cloned());
        request
    }

    /// A `GET` of `path` with `params`.
    pub fn get(&self, path: &str, params: &[(&str, &str)]) -> HttpRequest {
        self.headers(HttpRequest::get(self.url(path, params)))
    }

    /// A `POST` of `body` (JSON) to `path`.
    pub fn post(&self, path: &str, body: &Json) -> HttpRequest {
        self.headers(HttpRequest::json(Method::Post, self.url(path, &[]), body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_are_downloaded() {
        for ok in [
            "http://a.example/f.xlsx",
            "HTTPS://a.example/f",
            "  https://a.example/f  ",
            "/files/1.xlsx",
            "files/1.xlsx",
            "//cdn.example/x",
            "?download=1",
            "1a:b/c", // "1a" is no scheme: a relative path
        ] {
            assert!(safe_download_url(ok).is_some(), "{ok:?} should pass");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\nscript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "file:///etc/passwd",
            "blob:https://x/1",
            "http:foo",
            "x:y/../a",
            "",
            "   ",
        ] {
            assert!(safe_download_url(bad).is_none(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn relative_download_urls_resolve_against_the_page_as_a_browser_resolves_them() {
        assert_eq!(misresolved_urls(), []);
        for &(_, _, absolute) in RESOLVED_URLS {
            assert_eq!(safe_download_url(absolute).as_deref(), Some(absolute), "still a safe link");
        }
    }

    #[test]
    fn percent_encoding_is_strict() {
        assert_eq!(encode("2024春/季 班?&#"), "2024%E6%98%A5%2F%E5%AD%A3%20%E7%8F%AD%3F%26%23");
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn hostile_filenames_are_neutralised() {
        assert_eq!(sanitize_filename("../../etc/passwd").as_deref(), Some("_.._etc_passwd"));
        assert_eq!(sanitize_filename("a\u{0}b\r\n.xlsx").as_deref(), Some("a_b__.xlsx"));
        assert_eq!(
            sanitize_filename("<img src=x onerror=alert(1)>.xlsx").as_deref(),
            Some("_img src=x onerror=alert(1)_.xlsx")
        );
        assert_eq!(sanitize_filename("   "), None);
        assert_eq!(sanitize_filename("///"), None);
        let long = format!("{}.xlsx", "统".repeat(400));
        let s = sanitize_filename(&long).unwrap();
        assert_eq!(s.chars().count(), 150);
        assert!(s.ends_with(".xlsx"));
    }

    #[test]
    fn methods_parse_in_any_case() {
        assert_eq!(Method::parse("get"), Some(Method::Get));
        assert_eq!(Method::parse(" Post "), Some(Method::Post));
        assert_eq!(Method::parse("PATCH"), None);
    }

    #[test]
    fn download_names_borrow_the_url_extension_when_they_have_none() {
        assert_eq!(download_name("K12作业统计-2024春", Some("/files/a1.xlsx?sig=1")), "K12作业统计-2024春.xlsx");
        assert_eq!(download_name("K12作业统计-2024春.xlsx", Some("/files/a1.csv")), "K12作业统计-2024春.xlsx");
        assert_eq!(download_name("a", Some("/files/noext")), "a");
        assert_eq!(download_name("", None), "export");
    }

    #[test]
    fn download_names_get_the_urls_extension() {
        assert_eq!(download_name("导出", Some("http://h/v1/down/k.zip?x=1")), "导出.zip");
        assert_eq!(download_name("a.csv", Some("http://h/x.zip")), "a.csv");
        assert_eq!(download_name("../x", None), "_x");
    }
}
