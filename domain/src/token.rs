//! 评价令牌 — the rating link's token: signed, expiring, and free of personal data.
//!
//! Layout before encoding (all integers big-endian):
//! `version:u8 | occurrence_id:i64 | expires_at_unix_s:i64 | nonce:[u8; 8] | mac:[u8; 16]`,
//! where `mac` is HMAC-SHA256 over everything before it, truncated to 128 bits. The whole is
//! base64url without padding: 55 characters, short enough for a small QR code.
//!
//! Unlike the double-base64 URLs of older systems, nothing in it can be read as a case or a person,
//! and nothing can be changed without the key. Single use is enforced by the store (one evaluation
//! per occurrence), not here.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 8 + 8 + 8;
const MAC_LEN: usize = 16;

/// What a rating token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenClaims {
    /// The service occurrence this token lets its holder rate.
    pub occurrence_id: i64,
    /// Unix seconds after which the token is refused.
    pub expires_at: i64,
    /// Random bytes from the issuer, so that two tokens for one occurrence differ.
    pub nonce: [u8; 8],
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is not well formed")]
    Malformed,
    #[error("token signature does not match")]
    Forged,
    #[error("token expired")]
    Expired,
}

fn mac(key: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(payload);
    mac
}

impl TokenClaims {
    /// Signs the claims with `key` and encodes them for a URL.
    pub fn sign(&self, key: &[u8]) -> String {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.occurrence_id.to_be_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.nonce);
        let tag = mac(key, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks the signature, then the expiry against `now` (unix seconds).
    pub fn verify(token: &str, key: &[u8], now: i64) -> Result<TokenClaims, TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Malformed)?;
        if bytes.len() != PAYLOAD_LEN + MAC_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        mac(key, payload)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Forged)?;
        let field =
            |at: usize| i64::from_be_bytes(payload[at..at + 8].try_into().expect("8 bytes"));
        let claims = TokenClaims {
            occurrence_id: field(1),
            expires_at: field(9),
            nonce: payload[17..25].try_into().expect("8 bytes"),
        };
        if now > claims.expires_at {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test key, 32 bytes long........!";
    const CLAIMS: TokenClaims = TokenClaims {
        occurrence_id: 42,
        expires_at: 1_000,
        nonce: [7; 8],
    };

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let token = CLAIMS.sign(KEY);
        assert_eq!(token.len(), 55);
        assert_eq!(TokenClaims::verify(&token, KEY, 1_000), Ok(CLAIMS));
        assert_eq!(
            TokenClaims::verify(&token, KEY, 1_001),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn any_changed_byte_is_detected() {
        let token = CLAIMS.sign(KEY);
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[8] ^= 1; // another occurrence
        let forged = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            TokenClaims::verify(&forged, KEY, 0),
            Err(TokenError::Forged)
        );
        assert_eq!(
            TokenClaims::verify(&token, b"other key", 0),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for junk in ["", "abc", "!!!!", &"A".repeat(55)] {
            assert_eq!(
                TokenClaims::verify(junk, KEY, 0),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }
}
