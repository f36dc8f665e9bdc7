//! What a caller may do now on an object, for the `allowed_actions` of its
//! view: each candidate action is tried on a copy of the object through the
//! very rule its use case runs (party, state, ownership, standing, verified
//! address, facts such as an approved match), so the list a frontend shows
//! buttons from cannot drift from what the server accepts.

mod sourcing;
mod supplier;

pub use sourcing::{
    InvitationAction, InvitationFacts, MatchAction, RequestAction, RequestFacts,
    invitation_actions, match_actions, request_actions,
};
pub use supplier::{CertificateAction, ProfileAction, certificate_actions, profile_actions};

use crate::auth::Actor;
use crate::error::DomainError;

/// An enum of actions with its list and its wire spelling.
macro_rules! action_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $spelling:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: [Self; [$($spelling),+].len()] = [$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $spelling),+ }
            }
        }
    };
}
pub(crate) use action_enum;

/// The actions of `all` that `attempt` accepts for `actor`. Every action is
/// a write, and a suspended supplier's users write nothing (the same
/// refusal the server gives every write of theirs).
fn allowed<A: Copy>(
    actor: &Actor,
    all: &[A],
    attempt: impl Fn(A) -> Result<(), DomainError>,
) -> Vec<A> {
    if actor.may_act_for_organisation().is_err() {
        return Vec::new();
    }
    all.iter()
        .copied()
        .filter(|a| attempt(*a).is_ok())
        .collect()
}
