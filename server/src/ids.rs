//! Identifiers and secrets: prefixed random ids, and hashes of bearer secrets.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new id such as `iss_5f0c2a9b4e7d1c3a8b6f`; the prefix says what it names.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(10))
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Bearer secrets (API keys, session tokens) are stored only as this hash.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A human-friendly random password for seeded accounts (no look-alike characters).
pub fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}
