//! 动态验证码 — time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the
//! second factor of supervisors and administrators, as authenticator apps compute them.

use hmac::{Hmac, Mac};
use sha1::Sha1;

const STEP_S: i64 = 30;

/// The code for the 30-second step containing `unix_s`.
pub fn code_at(secret: &[u8], unix_s: i64) -> u32 {
    let counter = unix_s.div_euclid(STEP_S).to_be_bytes();
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter);
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 1_000_000
}

/// Accepts the current code or the one of the step before or after (clock drift, typing time).
pub fn verify(secret: &[u8], code: &str, unix_s: i64) -> bool {
    matching_step(secret, code, unix_s).is_some()
}

/// The time step (unix seconds ÷ 30) whose code `code` is, among the current one and its
/// neighbours: a code is used once, so a log-in keeps the step and refuses it or an earlier one.
pub fn matching_step(secret: &[u8], code: &str, unix_s: i64) -> Option<i64> {
    let code = code.trim();
    let given = code.parse::<u32>().ok().filter(|_| code.len() == 6)?;
    [-STEP_S, 0, STEP_S]
        .iter()
        .map(|d| unix_s + d)
        .find(|&t| code_at(secret, t) == given)
        .map(|t| t.div_euclid(STEP_S))
}

/// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
pub fn base32(secret: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in secret {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` link an authenticator app scans.
pub fn provisioning_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&digits=6&period=30",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors() {
        // The RFC's 8-digit values, last 6 digits.
        assert_eq!(code_at(SECRET, 59), 287_082);
        assert_eq!(code_at(SECRET, 1_111_111_109), 81_804);
        assert_eq!(code_at(SECRET, 1_234_567_890), 5_924);
        assert_eq!(code_at(SECRET, 2_000_000_000), 279_037);
    }

    #[test]
    fn codes_verify_within_one_step_only() {
        let now = 1_234_567_890;
        let code = format!("{:06}", code_at(SECRET, now));
        assert_eq!(code, "005924");
        assert!(verify(SECRET, &code, now));
        assert!(verify(SECRET, &code, now + 30));
        assert!(!verify(SECRET, &code, now + 90));
        assert!(!verify(SECRET, "5924", now), "six digits");
        assert!(!verify(SECRET, "abcdef", now));
    }

    #[test]
    fn secrets_print_in_base32() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(provisioning_uri("haochaping", "jd", SECRET).contains("secret=GEZDGNBV"));
    }
}
