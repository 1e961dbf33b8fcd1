//! 评价令牌 — the rating link's token: signed, expiring, and free of personal data.
//!
//! Layout before encoding (all integers big-endian), version 2:
//! `2:u8 | occurrence_id:i64 | expires_at_unix_s:i64 | channel:u8 | nonce:[u8; 8] | mac:[u8; 16]`,
//! where `channel` is the channel the link was issued for (the occurrence's registered channel) in
//! the common coding (1 PC … 7 SMS; 8 for a system default, which no link is issued for) and `mac`
//! is HMAC-SHA256 over everything before it, truncated to 128 bits. The whole is base64url without
//! padding: 56 characters, short enough for a small QR code.
//!
//! Version 1 (55 characters) has no channel byte. Links issued before version 2 stay valid until
//! they expire: their channel is the occurrence's registered channel, which is what they were
//! issued for.
//!
//! Unlike the double-base64 URLs of older systems, nothing in it can be read as a case or a person,
//! and nothing can be changed without the key. Single use is enforced by the store (one evaluation
//! per occurrence), not here.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Channel;

const V1: u8 = 1;
const V2: u8 = 2;
const V1_PAYLOAD_LEN: usize = 1 + 8 + 8 + 8;
const V2_PAYLOAD_LEN: usize = V1_PAYLOAD_LEN + 1;
const MAC_LEN: usize = 16;
/// The channel byte of a system default, which the common coding does not number.
const SYSTEM_DEFAULT_BYTE: u8 = 8;

fn channel_byte(channel: Channel) -> u8 {
    channel.common_code().unwrap_or(SYSTEM_DEFAULT_BYTE)
}

fn channel_of(byte: u8) -> Option<Channel> {
    if byte == SYSTEM_DEFAULT_BYTE {
        return Some(Channel::SystemDefault);
    }
    Channel::from_common_code(byte.into()).ok()
}

/// What a rating token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenClaims {
    /// The service occurrence this token lets its holder rate.
    pub occurrence_id: i64,
    /// Unix seconds after which the token is refused.
    pub expires_at: i64,
    /// 评价渠道 — the channel the link was issued for, which a rating through it is stored with.
    /// `None` only in a version-1 token: use the occurrence's registered channel.
    pub channel: Option<Channel>,
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
    /// Signs the claims with `key` and encodes them for a URL: version 2, or version 1 when the
    /// claims name no channel (so that version-1 claims sign as they were read).
    pub fn sign(&self, key: &[u8]) -> String {
        let mut bytes = Vec::with_capacity(V2_PAYLOAD_LEN + MAC_LEN);
        bytes.push(if self.channel.is_some() { V2 } else { V1 });
        bytes.extend_from_slice(&self.occurrence_id.to_be_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        if let Some(channel) = self.channel {
            bytes.push(channel_byte(channel));
        }
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
        let payload_len = match bytes.first() {
            Some(&V1) => V1_PAYLOAD_LEN,
            Some(&V2) => V2_PAYLOAD_LEN,
            _ => return Err(TokenError::Malformed),
        };
        if bytes.len() != payload_len + MAC_LEN {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = bytes.split_at(payload_len);
        mac(key, payload)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Forged)?;
        let field =
            |at: usize| i64::from_be_bytes(payload[at..at + 8].try_into().expect("8 bytes"));
        let (channel, nonce_at) = if payload_len == V2_PAYLOAD_LEN {
            // A signed byte that names no channel was signed by a newer issuer: not ours to read.
            (
                Some(channel_of(payload[17]).ok_or(TokenError::Malformed)?),
                18,
            )
        } else {
            (None, 17)
        };
        let claims = TokenClaims {
            occurrence_id: field(1),
            expires_at: field(9),
            channel,
            nonce: payload[nonce_at..nonce_at + 8].try_into().expect("8 bytes"),
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
        channel: Some(Channel::Sms),
        nonce: [7; 8],
    };

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let token = CLAIMS.sign(KEY);
        assert_eq!(token.len(), 56);
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
    fn every_channel_round_trips_and_version_1_tokens_stay_readable() {
        for channel in Channel::ALL {
            let claims = TokenClaims {
                channel: Some(channel),
                ..CLAIMS
            };
            assert_eq!(TokenClaims::verify(&claims.sign(KEY), KEY, 0), Ok(claims));
        }
        // A version-1 token, as issued before tokens carried their channel.
        let mut v1 = vec![V1];
        v1.extend_from_slice(&42i64.to_be_bytes());
        v1.extend_from_slice(&1_000i64.to_be_bytes());
        v1.extend_from_slice(&[7; 8]);
        let tag = mac(KEY, &v1).finalize().into_bytes();
        v1.extend_from_slice(&tag[..MAC_LEN]);
        let v1 = URL_SAFE_NO_PAD.encode(v1);
        assert_eq!(v1.len(), 55);
        let read = TokenClaims::verify(&v1, KEY, 0).unwrap();
        assert_eq!(
            read,
            TokenClaims {
                channel: None,
                ..CLAIMS
            }
        );
        assert_eq!(read.sign(KEY), v1, "version-1 claims sign as version 1");
    }

    #[test]
    fn a_signed_channel_byte_that_names_no_channel_is_malformed() {
        let mut bytes = vec![V2];
        bytes.extend_from_slice(&42i64.to_be_bytes());
        bytes.extend_from_slice(&1_000i64.to_be_bytes());
        bytes.push(9);
        bytes.extend_from_slice(&[7; 8]);
        let tag = mac(KEY, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..MAC_LEN]);
        assert_eq!(
            TokenClaims::verify(&URL_SAFE_NO_PAD.encode(bytes), KEY, 0),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for junk in ["", "abc", "!!!!", &"A".repeat(55), &"A".repeat(56)] {
            assert_eq!(
                TokenClaims::verify(junk, KEY, 0),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }
}
