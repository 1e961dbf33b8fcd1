//! 证据文件 — the evidence directory, `<data dir>/evidence/` (0700): each file under 32 random hex
//! digits (0600), written whole and synced before its row is inserted, removed again when the row
//! is not. Nothing from the upload (name, type) reaches the file system.

use std::io;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::platform::{crypto, state::AppState};

/// The evidence directory of a data directory.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceDir(PathBuf);

/// A file written: its name in the directory and its hex SHA-256.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub(crate) stored_name: String,
    pub(crate) sha256: String,
}

/// The hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    crypto::to_hex(&Sha256::digest(bytes))
}

/// A stored name is 32 lowercase hex digits: anything else never becomes a path.
fn valid_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl EvidenceDir {
    pub(crate) fn of(state: &AppState) -> Self {
        EvidenceDir(state.config.data_dir.join("evidence"))
    }

    /// Creates the directory if needed, readable by this user only.
    async fn ensure(&self) -> io::Result<()> {
        tokio::fs::create_dir_all(&self.0).await?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let private = std::fs::Permissions::from_mode(0o700);
            tokio::fs::set_permissions(&self.0, private).await?;
        }
        Ok(())
    }

    /// Writes `bytes` under a new random name (never over an existing file) and syncs it.
    pub(crate) async fn write(&self, bytes: &[u8]) -> io::Result<Written> {
        self.ensure().await?;
        let stored_name = crypto::random_hex(16);
        let path = self.0.join(&stored_name);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&path).await?;
        let written = async {
            file.write_all(bytes).await?;
            file.sync_all().await
        }
        .await;
        if let Err(e) = written {
            drop(file);
            self.remove(&[stored_name]).await;
            return Err(e);
        }
        Ok(Written {
            sha256: sha256_hex(bytes),
            stored_name,
        })
    }

    /// Removes files whose rows were not written (best effort: a failure is logged).
    pub(crate) async fn remove(&self, names: &[String]) {
        for name in names.iter().filter(|n| valid_name(n)) {
            if let Err(e) = tokio::fs::remove_file(self.0.join(name)).await {
                tracing::error!("evidence file {name} left behind: {e}");
            }
        }
    }

    /// The bytes of a stored file.
    pub(crate) async fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        if !valid_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a stored evidence name",
            ));
        }
        tokio::fs::read(self.0.join(name)).await
    }

    /// When a stored file was last written.
    pub(crate) async fn modified(&self, name: &str) -> io::Result<std::time::SystemTime> {
        tokio::fs::metadata(self.0.join(name)).await?.modified()
    }

    /// The stored names in the directory (none when it does not exist yet).
    pub(crate) async fn names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        let mut entries = match tokio::fs::read_dir(&self.0).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(e),
        };
        while let Some(entry) = entries.next_entry().await? {
            if let Some(name) = entry.file_name().to_str().filter(|n| valid_name(n)) {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_random_hex_names_become_paths() {
        assert!(valid_name(&crypto::random_hex(16)));
        for name in [
            "",
            "../secret.key",
            "0123456789abcdef0123456789abcdeF",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdef/123456789abcdef",
        ] {
            assert!(!valid_name(name), "{name}");
        }
    }
}
