//! Secrets Sluice must read back (webhook signing secrets, provider credentials) are sealed with
//! XChaCha20-Poly1305 under a master key kept in the data dir (`master.key`, mode 0600) or given
//! as `SLUICE_MASTER_KEY` (base64 of 32 bytes). A stolen database alone reveals none of them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;

const KEY_FILE: &str = "master.key";
const ENV_KEY: &str = "SLUICE_MASTER_KEY";
/// Sealed values start with this, so a future key or algorithm can sit beside it.
const VERSION: &str = "v1:";

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    /// The key from `SLUICE_MASTER_KEY`, else `<data_dir>/master.key`, created on first start.
    pub fn open(data_dir: &Path) -> Result<SecretBox, String> {
        let key = match std::env::var(ENV_KEY) {
            Ok(encoded) => STANDARD
                .decode(encoded.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| format!("{ENV_KEY} must be base64 of 32 bytes"))?,
            Err(_) => load_or_create(&data_dir.join(KEY_FILE))?,
        };
        Ok(SecretBox { cipher: XChaCha20Poly1305::new_from_slice(&key).map_err(|e| e.to_string())? })
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail.
        let sealed = self.cipher.encrypt(XNonce::from_slice(&nonce), plain.as_bytes()).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// `None` when the value was sealed under another key or was tampered with.
    pub fn unseal(&self, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, body) = bytes.split_at(24);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

fn load_or_create(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(bytes) = std::fs::read(path) {
        return if bytes.len() == 32 { Ok(bytes) } else { Err(format!("{} is not a 32-byte key", path.display())) };
    }
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    write_private(path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_unseals_and_refuses_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let sb = SecretBox::open(dir.path()).unwrap();
        let sealed = sb.seal("whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(sb.unseal(&sealed).as_deref(), Some("whsec_abc"));
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sb.unseal(&tampered), None);
        // The key persists: a second open reads the same one.
        let again = SecretBox::open(dir.path()).unwrap();
        assert_eq!(again.unseal(&sealed).as_deref(), Some("whsec_abc"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
