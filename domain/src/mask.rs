//! 脱敏 — how personal data is shown when it must be shown at all.

/// Masks a phone number as 138****1234; anything shorter than 7 characters becomes all stars.
pub fn phone(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Masks every run of 11 or more digits in `text` as [`phone`] does: for text from outside (a
/// gateway's error answer may echo the number it was given) before it is kept or shown.
pub fn phones_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 11 {
            out.push_str(&phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Masks a name as 张*: the family name stays, every other character becomes a star.
pub fn name(full: &str) -> String {
    let mut chars = full.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_follow_domain_md() {
        assert_eq!(super::phone("13812341234"), "138****1234");
        assert_eq!(super::phone("12345"), "*****");
        assert_eq!(super::name("张三丰"), "张**");
        assert_eq!(super::name(""), "");
        assert_eq!(
            super::phones_in("号码13812341234无效, code 500"),
            "号码138****1234无效, code 500"
        );
    }
}
