//! Request URLs parsed with their origin's parse reused: a server sends most requests to a few
//! origins, and the origin part (scheme, host with its IDNA mapping, port) is most of a parse.
use std::sync::Mutex;

use reqwest::Url;

/// Origins remembered; a client with more (rare) starts over.
const ORIGINS_KEPT: usize = 16;

#[derive(Default)]
pub(super) struct Urls {
    origins: Mutex<Vec<(String, Url)>>,
}

impl Urls {
    /// The URL `text` names, equal to `Url::parse(text)`.
    pub(super) fn parse(&self, text: &str) -> Result<Url, url::ParseError> {
        let Some((origin, rest)) = split(text) else {
            return Url::parse(text);
        };
        let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
        let base = match origins.iter().position(|(o, _)| o == origin) {
            Some(i) => &origins[i].1,
            None => {
                let parsed = Url::parse(origin)?;
                if origins.len() >= ORIGINS_KEPT {
                    origins.clear();
                }
                origins.push((origin.to_owned(), parsed));
                &origins[origins.len() - 1].1
            }
        };
        // An absolute path against the origin: the origin's parts are copied, not parsed again.
        Url::options()
            .base_url(Some(base))
            .parse(rest)
            .or_else(|_| Url::parse(text))
    }
}

/// `http(s)://authority` and the rest, when the rest is an absolute path whose parse against
/// that origin is the whole text's parse: it starts with one `/` (not `//` or `/\`, which name
/// another host) and has no tab or newline (dropped anywhere by a parse, so `/\t/` would
/// become `//`).
fn split(text: &str) -> Option<(&str, &str)> {
    let after = if text.starts_with("http://") {
        7
    } else if text.starts_with("https://") {
        8
    } else {
        return None;
    };
    let end = after + text[after..].find(['/', '?', '#', '\\'])?;
    let rest = &text[end..];
    let clean = end > after
        && rest.starts_with('/')
        && !matches!(rest.as_bytes().get(1), Some(b'/' | b'\\'))
        && !text.contains(['\t', '\n', '\r']);
    clean.then(|| text.split_at(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_parses_as_a_whole_parse_would() {
        let urls = Urls::default();
        let cases = [
            "http://127.0.0.1:8080/json?size=200&n=1",
            "http://127.0.0.1:8080/json?size=200&n=2#frag",
            "http://127.0.0.1:8080/a/../b/./c?x=%zz&y=é",
            "http://127.0.0.1:8080/a b?c d",
            "http://127.0.0.1:8080//evil.example/x",
            "http://127.0.0.1:8080/\\evil.example/x",
            "http://127.0.0.1:8080/\t/evil.example/x",
            "http://127.0.0.1:8080/x\n",
            "http://127.0.0.1:8080/x  ",
            "http://127.0.0.1:8080?q=1",
            "http://127.0.0.1:8080#f",
            "http://127.0.0.1:8080",
            "HTTP://Example.COM:80/Path",
            "http://EXAMPLE.com:80/Path",
            "http://user:pa ss@example.com/x",
            "https://bücher.example/straße?q=ü",
            "https://xn--bcher-kva.example/x",
            "http:///x/y",
            "http://0x7f.1/x",
            "http://[::1]:9/x",
            "http://exa%41mple.com/x",
            "http://a b/x",
            "http://host:99999/x",
            "http://:80/x",
            "  http://example.com/x",
            "file:///etc/passwd",
            "not a url",
        ];
        // Twice: the second round finds every origin remembered.
        for _ in 0..2 {
            for text in cases {
                let whole = Url::parse(text).map(String::from);
                let ours = urls.parse(text).map(String::from);
                assert_eq!(ours, whole, "{text:?}");
            }
        }
    }

    #[test]
    fn many_origins_stay_bounded() {
        let urls = Urls::default();
        for port in 1..200 {
            let text = format!("http://127.0.0.1:{port}/x?n={port}");
            assert_eq!(urls.parse(&text), Url::parse(&text));
        }
        assert!(urls.origins.lock().unwrap().len() <= ORIGINS_KEPT);
    }
}
