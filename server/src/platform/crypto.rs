//! Keys and ciphers: the token signing key, encryption of personal data at rest, API key hashing.

use std::path::Path;

use anyhow::{Context, bail};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The keys derived from the one master key.
#[derive(Clone)]
pub struct Secrets {
    token_key: [u8; 32],
    device_key: [u8; 32],
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// Stored personal data could not be decrypted: wrong key or tampered data.
#[derive(Debug, thiserror::Error)]
#[error("personal data could not be decrypted")]
pub struct DecryptError;

fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn parse_hex_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        bail!("the key must be 64 hex characters, got {}", hex.len());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).context("the key must be hex")?;
    }
    Ok(key)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a file only its owner may read (0600 on Unix), created with those permissions so that
/// the secret is never readable by others, not even for a moment.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

impl Secrets {
    /// Uses the configured key, or the one kept in `data_dir/secret.key`, generating it if missing.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let hex = match configured {
            Some(hex) => hex.to_owned(),
            None => {
                let path = data_dir.join("secret.key");
                if !path.exists() {
                    let mut key = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut key);
                    write_private(&path, to_hex(&key).as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?
            }
        };
        Ok(Self::from_master(&parse_hex_key(&hex)?))
    }

    fn from_master(master: &[u8; 32]) -> Self {
        Secrets {
            token_key: derive(master, "rating-token"),
            device_key: derive(master, "device"),
            cipher: XChaCha20Poly1305::new(&derive(master, "personal-data").into()),
        }
    }

    /// The key that signs rating tokens.
    pub fn token_key(&self) -> &[u8] {
        &self.token_key
    }

    /// Encrypts personal data: a random 24-byte nonce, then the ciphertext with its tag.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        self.encrypt_bytes(plain.as_bytes())
    }

    /// Encrypts bytes (a TOTP secret) the same way.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain)
            .expect("encryption of a short text cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Decrypts what [`Secrets::encrypt_bytes`] produced.
    pub fn decrypt_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, DecryptError> {
        if sealed.len() < 24 {
            return Err(DecryptError);
        }
        let (nonce, body) = sealed.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| DecryptError)
    }

    /// Decrypts what [`Secrets::encrypt`] produced.
    pub fn decrypt(&self, sealed: &[u8]) -> Result<String, DecryptError> {
        String::from_utf8(self.decrypt_bytes(sealed)?).map_err(|_| DecryptError)
    }

    /// A keyed hash of a browser's device cookie: comparable, but not reversible to the cookie.
    pub fn device_hash(&self, device_id: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.device_key).expect("any key length");
        mac.update(device_id.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Hashes a staff password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

/// Checks a password against its stored hash; a malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(stored).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// API keys are stored as their SHA-256: a leaked database does not leak working keys.
pub fn hash_api_key(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// A new random API key, `hcp_` followed by 40 hex characters.
pub fn new_api_key() -> String {
    format!("hcp_{}", random_hex(20))
}

/// `n` random bytes.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    to_hex(&random_bytes(n))
}

/// A short code for people to read out or type: no 0/O, 1/I/L.
pub fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // 256 is not a multiple of 31: the small bias is harmless for a tracking code.
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_round_trips_and_is_not_stored_in_clear() {
        let secrets = Secrets::from_master(&[1; 32]);
        let sealed = secrets.encrypt("13800138000");
        assert!(!sealed.windows(11).any(|w| w == b"13800138000"));
        assert_eq!(secrets.decrypt(&sealed).unwrap(), "13800138000");
        let other = Secrets::from_master(&[2; 32]);
        assert!(other.decrypt(&sealed).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_master_key_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("hcp-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = Secrets::load(None, &dir).unwrap();
        let mode = std::fs::metadata(dir.join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        let again = Secrets::load(None, &dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            first.token_key(),
            again.token_key(),
            "kept, not regenerated"
        );
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("正确的密码 1");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码 1", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn keys_parse_from_hex_only() {
        assert!(parse_hex_key(&"ab".repeat(32)).is_ok());
        assert!(parse_hex_key("abc").is_err());
        assert!(parse_hex_key(&"zz".repeat(32)).is_err());
    }
}
