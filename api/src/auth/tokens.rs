//! Opaque secrets given to users. Only their SHA-256 digest is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token. A plain hash suffices: tokens carry 256 bits
/// of entropy, so there is nothing to brute-force.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The refresh token that succeeds `token` in its session. It is derived
/// with the server's key rather than drawn at random so that a replay of
/// `token` within the reuse grace (two tabs refreshing at once) can answer
/// the same successor without any token being stored in clear; without the
/// key, nobody can compute it from `token`.
pub fn successor(key: &[u8], token: &str) -> String {
    // HMAC accepts keys of any length; the error type exists for MACs that
    // do not.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(b"pmt refresh successor\0");
    mac.update(token.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successor_is_the_same_for_the_same_token_and_key_only() {
        let next = successor(b"key one", "token");
        assert_eq!(next, successor(b"key one", "token"));
        assert_ne!(next, successor(b"key two", "token"));
        assert_ne!(next, successor(b"key one", "other token"));
        assert_eq!(
            next.len(),
            random_token().len(),
            "as long as a random token"
        );
    }
}
