//! The password policy. Hashing is infrastructure (argon2id in `api`); the
//! rule that decides which passwords are acceptable lives here.

use std::fmt;

use crate::validation::{Validated, invalid};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords that attackers try first. Anything shorter than the minimum
/// length is already refused, so only longer ones need listing.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password that satisfies the policy. Its `Debug` never prints it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Validated<Self> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return invalid(
                "too_short",
                format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
            );
        }
        if chars > MAX_PASSWORD_CHARS {
            return invalid(
                "too_long",
                format!("a password has at most {MAX_PASSWORD_CHARS} characters"),
            );
        }
        let lowered = raw.to_lowercase();
        let first = lowered.chars().next();
        if lowered.chars().all(|c| Some(c) == first)
            || COMMON_PASSWORDS.lines().any(|common| common == lowered)
        {
            return invalid(
                "too_common",
                "this password is too common; choose a less predictable one",
            );
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> &'static str {
        NewPassword::parse(raw).unwrap_err().errors()[0].code
    }

    #[test]
    fn short_common_and_repetitive_passwords_are_refused() {
        assert_eq!(code("short"), "too_short");
        assert_eq!(code("Password123"), "too_common");
        assert_eq!(code("AZERTYUIOP"), "too_common");
        assert_eq!(code("aaaaaaaaaaaa"), "too_common");
        assert_eq!(code(&"x".repeat(129)), "too_long");
    }

    #[test]
    fn a_long_uncommon_password_is_accepted_and_never_printed() {
        let password = NewPassword::parse("titane-usinage-2026").unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(***)");
    }
}
