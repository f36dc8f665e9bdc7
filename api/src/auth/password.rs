//! argon2id password hashing. Each hash takes 19 MiB and a core for tens of
//! milliseconds, so hashing runs on the blocking pool, at most one per core
//! at a time, in working memory that is reused: a burst of logins queues
//! instead of multiplying the server's memory.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::config::PasswordHashCost;
use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash to verify against when the email is unknown, so that a login
    /// takes as long whether or not the account exists.
    dummy_hash: Arc<str>,
    /// One hash at a time per core.
    slots: Arc<Semaphore>,
    cores: usize,
    /// Working memory of finished hashes, at most one per core.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // Verifying against it costs what a real verification costs, and
        // nothing matches its all-zero output; start-up spends no hash on it.
        #[expect(
            clippy::expect_used,
            reason = "a constant salt and output of valid lengths"
        )]
        let dummy_hash = phc(
            &params,
            SaltString::from_b64("cG10LWR1bW15LXNhbHQ").expect("valid salt"),
            &[0; Params::DEFAULT_OUTPUT_LEN],
        )
        .expect("valid dummy hash");
        Self {
            params,
            dummy_hash: Arc::from(dummy_hash),
            slots: Arc::new(Semaphore::new(cores)),
            cores,
            memory: Arc::default(),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=...`) of a new random salt.
    pub async fn hash(&self, password: String) -> ApiResult<String> {
        self.in_slot(move |hasher| {
            hasher
                .hash_now(&password)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
        })
        .await
    }

    /// Whether `password` matches the stored hash. Without a stored hash
    /// (unknown account) it burns the same time and answers false. The
    /// parameters embedded in the hash are used, so raising the cost later
    /// keeps old hashes valid.
    pub async fn verify(&self, password: String, stored: Option<String>) -> ApiResult<bool> {
        self.in_slot(move |hasher| {
            Ok(match stored {
                Some(stored) => hasher.verify_now(&password, &stored),
                None => {
                    hasher.verify_now(&password, &hasher.dummy_hash);
                    false
                }
            })
        })
        .await
    }

    async fn in_slot<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Self) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing slots closed: {e}")))?;
        let hasher = self.clone();
        blocking(move || f(&hasher)).await
    }

    fn hash_now(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        self.derive(&argon2, password, salt_bytes, &mut output)?;
        phc(&self.params, salt, &output)
    }

    fn verify_now(&self, password: &str, stored: &str) -> bool {
        let Ok(hash) = PasswordHash::new(stored) else {
            return false;
        };
        let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
            return false;
        };
        let (Ok(algorithm), Ok(version), Ok(params)) = (
            Algorithm::try_from(hash.algorithm),
            hash.version.map_or(Ok(Version::V0x13), Version::try_from),
            Params::try_from(&hash),
        ) else {
            return false;
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let mut output = vec![0u8; expected.len()];
        let argon2 = Argon2::new(algorithm, version, params);
        let computed = self.derive(&argon2, password, salt_bytes, &mut output);
        // `Output` compares in constant time.
        computed.is_ok() && Output::new(&output).is_ok_and(|output| output == expected)
    }

    /// `argon2` of `password` and `salt` into `output`, in working memory
    /// taken from the pool and given back.
    fn derive(
        &self,
        argon2: &Argon2<'_>,
        password: &str,
        salt: &[u8],
        output: &mut [u8],
    ) -> Result<(), argon2::Error> {
        let pooled = self.memory.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut memory = pooled.unwrap_or_default();
        let blocks = argon2.params().block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let result =
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, output, &mut memory);
        let mut pool = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < self.cores {
            pool.push(memory);
        }
        result
    }
}

/// The PHC string of an argon2id hash.
fn phc(
    params: &Params,
    salt: SaltString,
    output: &[u8],
) -> Result<String, argon2::password_hash::Error> {
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(output)?),
    }
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hasher = PasswordHasher::new(PasswordHashCost::Fast);
        let hash = hasher.hash_now("titane-usinage-2026").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert!(hasher.verify_now("titane-usinage-2026", &hash));
        assert!(!hasher.verify_now("titane-usinage-2027", &hash));
        assert!(!hasher.verify_now("titane-usinage-2026", "not a hash"));
    }

    #[test]
    fn an_unknown_account_costs_a_verification_at_the_configured_cost() {
        let hasher = PasswordHasher::new(PasswordHashCost::Standard);
        let dummy = PasswordHash::new(&hasher.dummy_hash).expect("a PHC string");
        let params = Params::try_from(&dummy).expect("argon2 parameters");
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
        assert!(!hasher.verify_now("", &hasher.dummy_hash));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_verify() {
        use argon2::PasswordHasher as _;
        let params = Params::new(512, 2, 1, None).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"salle-blanche-iso7", &salt)
            .expect("hash")
            .to_string();
        let hasher = PasswordHasher::new(PasswordHashCost::Fast);
        assert!(hasher.verify_now("salle-blanche-iso7", &stored));
        assert!(!hasher.verify_now("salle-blanche-iso8", &stored));
    }
}
