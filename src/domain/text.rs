//! Small text rules used by several resources.

use super::Invalid;

/// The case-folded form under which names are unique, searched and sorted.
pub fn fold_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Characters that reorder the text around them (Unicode bidirectional controls): in a name they
/// make one name look like another ("evil\u{202E}moc.elpmaxe" shows as "evilexample.com").
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks text a person or system gave us: at most `max` characters, no control characters and
/// no text-direction controls.
pub fn check_text(field: &str, label: &str, value: &str, max: usize) -> Result<(), Invalid> {
    check_chars(field, label, value, max, char::is_control)
}

/// Like [`check_text`], for values that may span lines (a postal address).
pub fn check_multiline_text(field: &str, label: &str, value: &str, max: usize) -> Result<(), Invalid> {
    check_chars(field, label, value, max, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn check_chars(field: &str, label: &str, value: &str, max: usize, refused: impl Fn(char) -> bool) -> Result<(), Invalid> {
    if value.chars().count() > max {
        return Err(Invalid::new(field, format!("{label} must be at most {max} characters.")));
    }
    if value.chars().any(refused) {
        return Err(Invalid::new(field, format!("{label} must not contain control characters.")));
    }
    if value.chars().any(is_direction_control) {
        return Err(Invalid::new(field, format!("{label} must not contain text-direction control characters.")));
    }
    Ok(())
}

/// Trims `value` and checks it with [`check_text`].
pub fn clean_field(field: &str, label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    check_text(field, label, value, max)?;
    Ok(value.to_string())
}

/// Like [`clean_field`] but refuses an empty value.
pub fn required_field(field: &str, label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = clean_field(field, label, value, max)?;
    if value.is_empty() {
        return Err(Invalid::new(field, format!("{label} is required.")));
    }
    Ok(value)
}

/// The case-folded words a search matches by prefix. Stored values and typed queries are split
/// the same way, so "ada.lov" finds "Ada.Lovelace@example.com".
pub fn search_terms<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut terms: Vec<String> = values
        .into_iter()
        .flat_map(|value| {
            fold_key(value)
                .split(|c: char| c.is_whitespace() || matches!(c, '.' | '@' | '-' | '_' | ',' | '+'))
                .filter(|w| !w.is_empty())
                .flat_map(name_and_number)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// A word of letters then digits ("lovelace42", as numbered user names are) as its letters and
/// the rest, so that all the Lovelaces share the one term "lovelace": a search's first page then
/// comes straight off that term's entries, in user-name order, instead of being sorted from one
/// term per number. A typed word is cut the same way, so any beginning of a stored word still
/// finds it ("emp4" finds "emp42a": "emp" and "4" begin "emp" and "42a"). A word that starts
/// with a digit (a hex id, a number) stays whole.
fn name_and_number(word: &str) -> Vec<&str> {
    let letters = word.find(|c: char| !c.is_alphabetic()).unwrap_or(word.len());
    let (name, rest) = word.split_at(letters);
    if !name.is_empty() && rest.starts_with(|c: char| c.is_ascii_digit()) {
        vec![name, rest]
    } else {
        vec![word]
    }
}

/// Percent-encodes `text` for a URL query value (RFC 3986 unreserved characters stay).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Text made safe to place in HTML element content or a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What was typed into a form field, trimmed; None when nothing was.
pub fn given(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// The pairs of a list's query that hold a value, for the links and exports that keep them.
pub fn given_pairs(pairs: &[(&'static str, &String)]) -> Vec<(&'static str, String)> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, (*v).clone())).collect()
}

/// `key=value&...` with every value percent-encoded; empty values are left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path_and_query` with `key` set to `value` (replacing any earlier value of it).
pub fn with_query_value(path_and_query: &str, key: &str, value: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .map(str::to_string)
        .collect();
    pairs.push(format!("{key}={}", percent_encode(value)));
    format!("{path}?{}", pairs.join("&"))
}

/// True for a path on this site that is safe to redirect to: it starts with one '/', and has no
/// backslash (browsers read "/\\host" as "//host") and no control characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_key_ignores_case_and_outer_space() {
        assert_eq!(fold_key("  Ada.Lovelace@Example.COM "), "ada.lovelace@example.com");
    }

    #[test]
    fn required_field_refuses_blank_and_overlong_values() {
        assert!(required_field("f", "Name", "   ", 10).is_err());
        assert!(required_field("f", "Name", "abcdefghijk", 10).is_err());
        assert_eq!(required_field("f", "Name", " ok ", 10).unwrap(), "ok");
        assert!(clean_field("f", "Name", "a\u{7}b", 10).is_err());
        let spoof = clean_field("f", "Name", "evil\u{202E}moc.elpmaxe", 100).unwrap_err();
        assert!(spoof.message.contains("text-direction"), "{spoof:?}");
    }

    #[test]
    fn search_terms_are_the_folded_words_of_every_value() {
        let terms = search_terms(["Ada.Lovelace@Example.com", "Ada King"]);
        assert_eq!(terms, vec!["ada", "com", "example", "king", "lovelace"]);
    }

    #[test]
    fn a_numbered_name_is_searched_as_name_and_number() {
        assert_eq!(search_terms(["ada.lovelace124922.f28557@example.com"]), vec!["124922", "28557", "ada", "com", "example", "f", "lovelace"]);
        assert_eq!(search_terms(["Lovelace12"]), vec!["12", "lovelace"]);
        // Letters, then whatever follows from the first digit; anything starting with a digit
        // stays one word.
        assert_eq!(search_terms(["6b1b2c3d 42abc 2026 ab1c emp42a"]), vec!["1c", "2026", "42a", "42abc", "6b1b2c3d", "ab", "emp"]);
        // Every beginning of a stored word is cut into beginnings of its parts.
        for typed in ["e", "emp", "emp4", "emp42", "emp42a"] {
            let parts = search_terms([typed]);
            assert!(parts.iter().all(|p| ["emp", "42a"].iter().any(|t| t.starts_with(p.as_str()))), "{typed}: {parts:?}");
        }
    }

    #[test]
    fn html_escaping_leaves_no_markup() {
        assert_eq!(escape_html("</title><script>alert('x\"y')</script>&"), "&lt;/title&gt;&lt;script&gt;alert(&#39;x&quot;y&#39;)&lt;/script&gt;&amp;");
    }

    #[test]
    fn query_strings_encode_values_and_skip_empty_ones() {
        assert_eq!(query_string(&[("q", "a b&c"), ("after", ""), ("s", "x/y")]), "q=a%20b%26c&s=x%2Fy");
    }

    #[test]
    fn a_query_value_is_set_once() {
        assert_eq!(with_query_value("/users/1?wsq=fin&saved=a", "saved", "b c"), "/users/1?wsq=fin&saved=b%20c");
        assert_eq!(with_query_value("/users", "saved", "x"), "/users?saved=x");
    }

    #[test]
    fn only_plain_local_paths_are_redirect_targets() {
        assert!(is_local_path("/users?q=a"));
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "/a\nb", "users"] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}

/// 100000 as "100,000".
pub fn group_digits(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
