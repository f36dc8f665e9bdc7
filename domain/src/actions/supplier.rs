//! Actions on a supplier's profile and certificates: its own users write
//! them, the experts review them.

use chrono::{DateTime, Utc};

use super::{action_enum, allowed};
use crate::auth::Actor;
use crate::certification::Certification;
use crate::profile::SupplierProfile;

action_enum! {
    /// What the supplier or the experts do to a profile.
    ProfileAction {
        Edit = "edit",
        Submit = "submit",
        Approve = "approve",
        RequestChanges = "request_changes",
        Suspend = "suspend",
        Reinstate = "reinstate",
    }
}

action_enum! {
    /// What the supplier or the experts do to a certificate.
    CertificateAction {
        Update = "update",
        Delete = "delete",
        Verify = "verify",
        Reject = "reject",
    }
}

/// What `actor` may do to `profile` at `now`. A review names the version
/// read, so each is tried on the current one; comments are input, not
/// rules, and tried empty.
pub fn profile_actions(
    actor: &Actor,
    profile: &SupplierProfile,
    now: DateTime<Utc>,
) -> Vec<ProfileAction> {
    allowed(actor, &ProfileAction::ALL, |action| {
        let mut copy = profile.clone();
        let version = copy.version;
        let expert = actor.user_id;
        match action {
            ProfileAction::Edit => {
                actor.may_edit_supplier(copy.organisation_id)?;
                let content = copy.working.clone();
                copy.edit(version, content, now).map(drop)
            }
            ProfileAction::Submit => {
                actor.may_edit_supplier(copy.organisation_id)?;
                copy.submit(now).map(drop)
            }
            ProfileAction::Approve => {
                actor.require_back_office()?;
                copy.approve(version, expert, None, now).map(drop)
            }
            ProfileAction::RequestChanges => {
                actor.require_back_office()?;
                copy.request_changes(version, expert, String::new(), now)
                    .map(drop)
            }
            ProfileAction::Suspend => {
                actor.require_back_office()?;
                copy.suspend(expert, String::new(), now).map(drop)
            }
            ProfileAction::Reinstate => {
                actor.require_back_office()?;
                copy.reinstate(expert, None, now).map(drop)
            }
        }
    })
}

/// What `actor` may do to `certification` at `now`.
pub fn certificate_actions(
    actor: &Actor,
    certification: &Certification,
    now: DateTime<Utc>,
) -> Vec<CertificateAction> {
    allowed(actor, &CertificateAction::ALL, |action| {
        let mut copy = certification.clone();
        let version = copy.version;
        match action {
            // Re-declaring is accepted in any status: it starts a new review.
            CertificateAction::Update | CertificateAction::Delete => {
                actor.may_edit_supplier(copy.organisation_id)
            }
            CertificateAction::Verify => {
                actor.require_back_office()?;
                copy.verify(version, actor.user_id, None, now).map(drop)
            }
            CertificateAction::Reject => {
                actor.require_back_office()?;
                copy.reject(version, actor.user_id, String::new(), now)
                    .map(drop)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Affiliation, OrgRole, PlatformRole};
    use crate::ids::UserId;
    use crate::profile::tests::profile;

    #[test]
    fn the_supplier_writes_the_expert_reviews_and_suspension_stops_the_supplier() {
        let now = Utc::now();
        let mut draft = profile();
        let mut own = Actor {
            user_id: UserId::new(),
            role: PlatformRole::Supplier,
            affiliation: Affiliation::Organisation {
                id: draft.organisation_id,
                role: OrgRole::Member,
            },
            email_verified: true,
            organisation_suspended: false,
        };
        let expert = Actor {
            role: PlatformRole::Expert,
            affiliation: Affiliation::BackOffice,
            ..own
        };
        assert_eq!(
            profile_actions(&own, &draft, now),
            [ProfileAction::Edit, ProfileAction::Submit]
        );
        assert!(profile_actions(&expert, &draft, now).is_empty());
        let _submitted = draft.submit(now).unwrap();
        assert!(profile_actions(&own, &draft, now).is_empty());
        assert_eq!(
            profile_actions(&expert, &draft, now),
            [ProfileAction::Approve, ProfileAction::RequestChanges]
        );
        own.organisation_suspended = true;
        assert!(profile_actions(&own, &draft, now).is_empty());
    }
}
