//! Secrets at rest: values such as OAuth refresh tokens are sealed with AES-256-GCM under
//! `DATA_ENCRYPTION_KEY` before they reach the database. Each value gets a fresh random
//! 96-bit nonce, and a context string (what the value is and whose) is authenticated with
//! it, so a sealed value copied to another row or purpose fails to open. ring does the
//! cipher: it is already in the tree for TLS, so no second crypto stack is compiled.

use std::fmt;

use base64::{engine::general_purpose, Engine as _};
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};

/// The sealed form's prefix: the scheme, so a later one can sit beside it.
const VERSION: &str = "v1.";

/// A 256-bit data-encryption key. Never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(***)")
    }
}

/// A sealed value that does not open: another key, another context, or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value could not be opened (wrong DATA_ENCRYPTION_KEY, or damaged)")]
pub struct OpenError;

impl DataKey {
    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> DataKey {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        DataKey(bytes)
    }

    /// 32 bytes written as 64 hex digits, or as base64 (standard or URL-safe alphabet,
    /// padded or not). The reason never echoes the value.
    pub fn parse(raw: &str) -> Result<DataKey, &'static str> {
        let raw = raw.trim();
        let decoded = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(raw).ok()
        } else {
            [
                &general_purpose::STANDARD,
                &general_purpose::STANDARD_NO_PAD,
                &general_purpose::URL_SAFE,
                &general_purpose::URL_SAFE_NO_PAD,
            ]
            .iter()
            .find_map(|engine| engine.decode(raw).ok())
        };
        let bytes = decoded.ok_or(
            "expected 32 bytes as 64 hex digits or as base64 (generate one with \
             `openssl rand -base64 32`)",
        )?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(DataKey)
            .map_err(|_| "must be exactly 32 bytes (64 hex digits or 44 base64 characters)")
    }

    /// The key as hex, for the development key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> LessSafeKey {
        // 32 bytes is always a valid AES-256 key.
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("AES-256 key length"))
    }

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let mut buf = plaintext.as_bytes().to_vec();
        self.cipher()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .expect("AES-GCM sealing of an in-memory value");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{VERSION}{}", general_purpose::URL_SAFE_NO_PAD.encode(out))
    }

    /// The plaintext of a value sealed under this key with the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, OpenError> {
        let raw = sealed
            .strip_prefix(VERSION)
            .and_then(|b| general_purpose::URL_SAFE_NO_PAD.decode(b).ok())
            .filter(|raw| raw.len() > NONCE_LEN)
            .ok_or(OpenError)?;
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
        let mut body = body.to_vec();
        let plain = self
            .cipher()
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut body)
            .map_err(|_| OpenError)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_with_a_fresh_nonce_each_time() {
        let key = DataKey::generate();
        let a = key.seal("youtube:u1", "1//refresh-token");
        let b = key.seal("youtube:u1", "1//refresh-token");
        assert_ne!(a, b, "same plaintext, different nonces");
        assert!(!a.contains("refresh-token"));
        assert_eq!(key.open("youtube:u1", &a).unwrap(), "1//refresh-token");
    }

    #[test]
    fn refuses_another_key_another_context_or_a_damaged_value() {
        let key = DataKey::generate();
        let sealed = key.seal("youtube:u1", "secret");
        assert_eq!(
            DataKey::generate().open("youtube:u1", &sealed),
            Err(OpenError)
        );
        assert_eq!(key.open("youtube:u2", &sealed), Err(OpenError));
        let mut damaged = sealed.clone();
        damaged.pop();
        damaged.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(key.open("youtube:u1", &damaged), Err(OpenError));
        for bad in ["", "v1.", "v2.abc", "plaintext"] {
            assert_eq!(key.open("youtube:u1", bad), Err(OpenError), "{bad}");
        }
    }

    #[test]
    fn parses_hex_and_base64_keys_of_32_bytes_only() {
        let bytes = [7u8; 32];
        let want = DataKey::from_bytes(bytes);
        let cases = [
            hex::encode(bytes),
            general_purpose::STANDARD.encode(bytes),
            general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        ];
        for raw in cases {
            assert_eq!(DataKey::parse(&raw), Ok(want.clone()), "{raw}");
        }
        for bad in [
            "",
            "abc",
            &hex::encode([1u8; 16]),
            &general_purpose::STANDARD.encode([1u8; 31]),
        ] {
            assert!(DataKey::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{want:?}").contains("07"));
    }
}
