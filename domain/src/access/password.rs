//! 密码 — the rule a staff account's password must meet, for the administration page and the
//! command line alike.

/// The shortest password accepted for a staff account, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A password shorter than [`MIN_PASSWORD_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the password needs at least {MIN_PASSWORD_CHARS} characters")]
pub struct PasswordTooShort;

impl PasswordTooShort {
    /// The message shown on the administration page.
    pub fn message_zh(self) -> &'static str {
        "密码至少10位"
    }
}

/// Checks a new password as given (not trimmed: spaces are characters too).
pub fn check_password(password: &str) -> Result<(), PasswordTooShort> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordTooShort);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_characters_at_least_counted_as_characters() {
        assert_eq!(check_password("123456789"), Err(PasswordTooShort));
        assert_eq!(check_password("1234567890"), Ok(()));
        assert_eq!(check_password(""), Err(PasswordTooShort));
        // Nine Chinese characters are 27 bytes but still too short; ten are enough.
        assert_eq!(check_password("好差评好差评好差评"), Err(PasswordTooShort));
        assert_eq!(check_password("好差评好差评好差评好"), Ok(()));
        assert_eq!(check_password("         1"), Ok(()));
        assert_eq!(
            PasswordTooShort.to_string(),
            "the password needs at least 10 characters"
        );
        assert_eq!(PasswordTooShort.message_zh(), "密码至少10位");
    }
}
