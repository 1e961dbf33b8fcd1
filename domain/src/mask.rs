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
    }
}
