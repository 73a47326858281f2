//! The master key (see the module above) and sealing with it. Kept apart from the rest of
//! `credentials` because the shared state holds a `Keyring`, and this file needs no state.

use crate::error::{AppError, AppResult};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const KEY_FILE: &str = "master.key";
pub const KEY_ENV: &str = "SLUICE_MASTER_KEY";

/// The master key, loaded (or created) on first use.
pub struct Keyring {
    data_dir: PathBuf,
    key: OnceLock<Result<[u8; 32], String>>,
}

impl Keyring {
    pub fn new(data_dir: PathBuf) -> Self {
        Keyring { data_dir, key: OnceLock::new() }
    }

    fn key(&self) -> AppResult<&[u8; 32]> {
        self.key
            .get_or_init(|| load_or_create(&self.data_dir, std::env::var(KEY_ENV).ok()))
            .as_ref()
            .map_err(|e| AppError::Internal(format!("master key: {e}")))
    }

    /// Fails at start-up rather than at the first secret.
    pub fn check(&self) -> Result<(), String> {
        self.key().map(|_| ()).map_err(|e| e.to_string())
    }

    /// Seals `plain` into one text (nonce and ciphertext), for secrets kept on their owner's own
    /// row, such as webhook signing secrets; `aad` binds it to that row.
    pub fn seal_text(&self, aad: &str, plain: &str) -> AppResult<String> {
        let (nonce, sealed) = self.seal(aad, plain)?;
        let mut bytes = nonce;
        bytes.extend(sealed);
        Ok(format!("v1:{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
    }

    /// `None` when the text was sealed for another row, under another key, or altered.
    pub fn open_text(&self, aad: &str, text: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text.strip_prefix("v1:")?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        self.open(aad, nonce, sealed).ok()
    }

    pub(super) fn seal(&self, aad: &str, secret: &str) -> AppResult<(Vec<u8>, Vec<u8>)> {
        let cipher = XChaCha20Poly1305::new(self.key()?.into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| AppError::internal("sealing a credential failed"))?;
        Ok((nonce.to_vec(), sealed))
    }

    pub(super) fn open(&self, aad: &str, nonce: &[u8], sealed: &[u8]) -> AppResult<String> {
        let cipher = XChaCha20Poly1305::new(self.key()?.into());
        if nonce.len() != 24 {
            return Err(AppError::internal("stored credential has a bad nonce"));
        }
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
            .map_err(|_| AppError::internal("a stored credential does not open with this master key"))?;
        String::from_utf8(plain).map_err(AppError::internal)
    }
}

fn load_or_create(data_dir: &Path, env: Option<String>) -> Result<[u8; 32], String> {
    if let Some(value) = env.filter(|v| !v.trim().is_empty()) {
        return parse_key(value.trim())
            .ok_or_else(|| format!("{KEY_ENV} must be 64 hex characters or base64 of 32 bytes"));
    }
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(text.trim()).ok_or_else(|| format!("{} does not hold a 32-byte key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(&path, &hex::encode(key)).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text).ok().or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())?;
    bytes.try_into().ok()
}

/// Created with mode 0600 from the start, never widened afterwards.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let mut options = std::fs::OpenOptions::new();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path(), None).unwrap();
        let again = load_or_create(dir.path(), None).unwrap();
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let env = load_or_create(dir.path(), Some("11".repeat(32))).unwrap();
        assert_eq!(env, [0x11; 32]);
        assert!(load_or_create(dir.path(), Some("short".into())).is_err());
    }

    #[test]
    fn sealed_secrets_open_only_for_their_own_row() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::new(dir.path().to_path_buf());
        let (nonce, sealed) = ring.seal("t1/cred_a", "hunter2").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(ring.open("t1/cred_a", &nonce, &sealed).unwrap(), "hunter2");
        assert!(ring.open("t2/cred_a", &nonce, &sealed).is_err());
    }

    #[test]
    fn sealed_text_opens_for_its_row_only_and_refuses_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::new(dir.path().to_path_buf());
        let text = ring.seal_text("webhook-endpoint/ep_1", "whsec_abc").unwrap();
        assert!(text.starts_with("v1:") && !text.contains("whsec_abc"));
        assert_eq!(ring.open_text("webhook-endpoint/ep_1", &text).as_deref(), Some("whsec_abc"));
        assert_eq!(ring.open_text("webhook-endpoint/ep_2", &text), None, "copied to another endpoint");
        let mut altered = text.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(ring.open_text("webhook-endpoint/ep_1", &altered), None);
    }
}
