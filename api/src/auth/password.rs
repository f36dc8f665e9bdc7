//! argon2id password hashing. Hashing is CPU-heavy: callers run it on the
//! blocking pool, never on an executor thread.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::PasswordHashCost;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash to verify against when the email is unknown, so that a login
    /// takes as long whether or not the account exists.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(cost: PasswordHashCost) -> Self {
        // OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
        let (memory_kib, iterations) = match cost {
            PasswordHashCost::Standard => (19 * 1024, 2),
            PasswordHashCost::Fast => (256, 1),
        };
        #[expect(
            clippy::expect_used,
            reason = "constant parameters within argon2's bounds"
        )]
        let params = Params::new(memory_kib, iterations, 1, None).expect("valid argon2 parameters");
        let mut hasher = Self {
            params,
            dummy_hash: String::new(),
        };
        #[expect(
            clippy::expect_used,
            reason = "hashing a constant with valid parameters cannot fail"
        )]
        let dummy = hasher
            .hash("dummy password for timing")
            .expect("hash the dummy password");
        hasher.dummy_hash = dummy;
        hasher
    }

    fn argon2(&self) -> Argon2<'_> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(self
            .argon2()
            .hash_password(password.as_bytes(), &salt)?
            .to_string())
    }

    /// Verifies against the stored hash; the parameters embedded in the hash
    /// are used, so raising the cost later keeps old hashes valid.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        PasswordHash::new(stored)
            .map(|hash| {
                self.argon2()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Burns the same time as a real verification.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hasher = PasswordHasher::new(PasswordHashCost::Fast);
        let hash = hasher.hash("titane-usinage-2026").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("titane-usinage-2026", &hash));
        assert!(!hasher.verify("titane-usinage-2027", &hash));
        assert!(!hasher.verify("titane-usinage-2026", "not a hash"));
    }
}
