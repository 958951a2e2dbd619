//! Where the app may send a browser back to after a login or a language switch: only
//! a path of this site. Everything else (another site, a scheme, `//host`, `/\host`,
//! a tab or a line break that browsers drop or that would break the header, any of
//! these percent-encoded) gives the home page.

/// After a login: never back to the login form itself.
pub fn after_login(next: Option<&str>) -> String {
    let path = local_path(next);
    if path.starts_with("/login") {
        "/".to_string()
    } else {
        path
    }
}

/// `next` when it is a same-origin path, else "/". The result is always a valid
/// `Location` value (non-ASCII characters are percent-encoded).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local(n) => encode_non_ascii(n),
        _ => "/".to_string(),
    }
}

fn is_local(next: &str) -> bool {
    // The value as given, and once more percent-decoded: a browser or a proxy may
    // decode `%2F`, `%5C` or `%09` before it resolves the path.
    let decoded = percent_decode(next);
    [next, decoded.as_str()].iter().all(|candidate| {
        let bytes = candidate.as_bytes();
        bytes.first() == Some(&b'/')
            && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
            && !candidate.contains('\\')
            && !candidate.chars().any(|c| c.is_control() || is_invisible(c))
    })
}

/// Characters that render as nothing or turn text around: never in a path we send.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode_non_ascii(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn own_paths_are_kept() {
        assert_eq!(local_path(Some("/reports?unit=899")), "/reports?unit=899");
        assert_eq!(local_path(Some("/units/899")), "/units/899");
        assert_eq!(local_path(Some("/dashboard?q=Hà")), "/dashboard?q=H%C3%A0");
        assert_eq!(local_path(Some("/a%20b")), "/a%20b");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn every_way_off_the_site_gives_the_home_page() {
        for bad in [
            "/\t/evil.example",
            "/%09/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/%0d%0aSet-Cookie:%20x=1",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "%2F%2Fevil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            " /x",
            "",
            "/\u{202E}lmth.exe",
            "/login?next=//evil.example".trim_start_matches("/login?next="),
            "/a\u{0}b",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
    }
}
