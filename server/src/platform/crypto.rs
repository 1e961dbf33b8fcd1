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

/// The keys derived from one master key, each for one purpose, and the id that marks what the
/// encryption key sealed.
#[derive(Clone)]
struct Keyring {
    id: [u8; 4],
    token_key: [u8; 32],
    device_key: [u8; 32],
    cipher: XChaCha20Poly1305,
}

/// The keys in use: the current master key's, which sign, seal and hash everything new, and those
/// of earlier master keys (`HAOCHAPING_OLD_KEYS`), which still verify the links and open the
/// personal data they made. Sealed data carries its key's id; data sealed before ids existed is
/// tried with every key.
#[derive(Clone)]
pub struct Secrets {
    current: Keyring,
    old: Vec<Keyring>,
}

/// What begins sealed data that carries its key's id.
const SEALED_WITH_ID: u8 = b'K';

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
    let bytes = from_hex(hex).context("the key must be hex")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the key must be 32 bytes"))
}

/// The bytes a hex string spells; `None` when it is not hex.
pub(crate) fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
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
    /// Uses the configured key, or the one kept in `data_dir/secret.key`, generating it if missing;
    /// `old` are earlier master keys (hex), still accepted for what they signed and sealed.
    pub fn load_with_old(
        configured: Option<&str>,
        old: &[String],
        data_dir: &Path,
    ) -> anyhow::Result<Self> {
        let mut secrets = Self::load(configured, data_dir)?;
        for hex in old {
            secrets.old.push(Keyring::from_master(
                &parse_hex_key(hex).context("HAOCHAPING_OLD_KEYS")?,
            ));
        }
        Ok(secrets)
    }

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
            current: Keyring::from_master(master),
            old: Vec::new(),
        }
    }

    /// The key that signs new rating tokens.
    pub fn token_key(&self) -> &[u8] {
        &self.current.token_key
    }

    /// Checks a rating token with the current key, then with earlier ones: a link issued before
    /// the master key changed still works until it expires.
    pub fn verify_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<domain::token::TokenClaims, domain::token::TokenError> {
        let first = domain::token::TokenClaims::verify(token, &self.current.token_key, now);
        match first {
            Err(domain::token::TokenError::Forged) => self
                .old
                .iter()
                .map(|k| domain::token::TokenClaims::verify(token, &k.token_key, now))
                .find(|r| !matches!(r, Err(domain::token::TokenError::Forged)))
                .unwrap_or(first),
            other => other,
        }
    }

    /// Encrypts personal data: a random 24-byte nonce, then the ciphertext with its tag.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        self.encrypt_bytes(plain.as_bytes())
    }

    /// Encrypts bytes (a TOTP secret) the same way: `K`, the key's id, then nonce and ciphertext.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain)
            .expect("encryption of a short text cannot fail");
        [
            &[SEALED_WITH_ID],
            self.current.id.as_slice(),
            &nonce,
            &sealed,
        ]
        .concat()
    }

    /// Decrypts what [`Secrets::encrypt_bytes`] produced, with whichever key sealed it.
    pub fn decrypt_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let keys = || std::iter::once(&self.current).chain(&self.old);
        if let [SEALED_WITH_ID, a, b, c, d, rest @ ..] = sealed
            && let Some(key) = keys().find(|k| k.id == [*a, *b, *c, *d])
            && let Ok(plain) = key.open(rest)
        {
            return Ok(plain);
        }
        // Sealed before key ids: nonce and ciphertext only.
        keys().find_map(|k| k.open(sealed).ok()).ok_or(DecryptError)
    }

    /// Whether `sealed` was sealed with the current key (else it wants re-sealing after a change
    /// of master key).
    pub fn sealed_with_current(&self, sealed: &[u8]) -> bool {
        sealed.first() == Some(&SEALED_WITH_ID) && sealed.get(1..5) == Some(&self.current.id[..])
    }

    /// Decrypts what [`Secrets::encrypt`] produced.
    pub fn decrypt(&self, sealed: &[u8]) -> Result<String, DecryptError> {
        String::from_utf8(self.decrypt_bytes(sealed)?).map_err(|_| DecryptError)
    }

    /// A keyed hash of a browser's device cookie: comparable, but not reversible to the cookie.
    pub fn device_hash(&self, device_id: &str) -> Vec<u8> {
        self.current.device_hash(device_id)
    }

    /// The keyed hashes of `device_id` under the current key, then under each earlier key: what
    /// was hashed before a change of master key is still recognised while that key is listed.
    pub fn device_hashes(&self, device_id: &str) -> Vec<Vec<u8>> {
        std::iter::once(&self.current)
            .chain(&self.old)
            .map(|k| k.device_hash(device_id))
            .collect()
    }
}

impl Keyring {
    fn from_master(master: &[u8; 32]) -> Self {
        let id = derive(master, "key-id");
        Keyring {
            id: [id[0], id[1], id[2], id[3]],
            token_key: derive(master, "rating-token"),
            device_key: derive(master, "device"),
            cipher: XChaCha20Poly1305::new(&derive(master, "personal-data").into()),
        }
    }

    fn device_hash(&self, device_id: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.device_key).expect("any key length");
        mac.update(device_id.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Opens nonce and ciphertext.
    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, DecryptError> {
        if sealed.len() < 24 {
            return Err(DecryptError);
        }
        let (nonce, body) = sealed.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| DecryptError)
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
    fn after_a_change_of_master_key_old_links_and_old_personal_data_still_open() {
        let before = Secrets::from_master(&[1; 32]);
        let sealed = before.encrypt("13800138000");
        let claims = domain::token::TokenClaims {
            occurrence_id: 7,
            expires_at: 2_000_000_000,
            channel: Some(domain::Channel::Sms),
            nonce: [3; 8],
        };
        let token = claims.sign(before.token_key());
        // Sealed before key ids existed: nonce and ciphertext only.
        let legacy = sealed[5..].to_vec();

        let after = Secrets {
            old: vec![Keyring::from_master(&[1; 32])],
            ..Secrets::from_master(&[2; 32])
        };
        assert_eq!(after.decrypt(&sealed).unwrap(), "13800138000");
        assert_eq!(after.decrypt(&legacy).unwrap(), "13800138000");
        assert_eq!(after.verify_token(&token, 0).unwrap(), claims);
        assert!(!after.sealed_with_current(&sealed));
        assert!(after.sealed_with_current(&after.encrypt("x")));
        // A device cookie signed, or a tablet enrolled, before the change is still recognised.
        let hashes = after.device_hashes("tablet:abc");
        assert_eq!(
            hashes[0],
            after.device_hash("tablet:abc"),
            "current key first"
        );
        assert!(hashes.contains(&before.device_hash("tablet:abc")));
        // Without the old key, neither opens.
        let forgetful = Secrets::from_master(&[2; 32]);
        assert!(forgetful.decrypt(&sealed).is_err());
        assert!(
            !forgetful
                .device_hashes("tablet:abc")
                .contains(&before.device_hash("tablet:abc"))
        );
        assert_eq!(
            forgetful.verify_token(&token, 0),
            Err(domain::token::TokenError::Forged)
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
