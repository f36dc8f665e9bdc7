//! Who may do what. Every handler asks one of these rules; none decides by
//! itself.

use crate::account::{Affiliation, OrgRole, PlatformRole, User};
use crate::error::DomainError;
use crate::ids::{OrganisationId, UserId};

/// The authenticated caller: the account a verified access token names, as
/// it stands now (role, organisation, verified address, suspension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: PlatformRole,
    pub affiliation: Affiliation,
    /// Whether the user proved their address (emailed link or invitation).
    pub email_verified: bool,
    /// Whether the user's supplier organisation is suspended.
    pub organisation_suspended: bool,
}

impl Actor {
    /// The actor an active account speaks for.
    pub fn of(user: &User, organisation_suspended: bool) -> Self {
        Self {
            user_id: user.id,
            role: user.platform_role,
            affiliation: user.affiliation,
            email_verified: user.email_verified_at.is_some(),
            organisation_suspended,
        }
    }

    /// Actions that reach other people (submitting a request, quoting,
    /// inviting) need a proven address: an unverified account may only
    /// prepare them.
    pub fn require_verified_email(&self, action: &'static str) -> Result<(), DomainError> {
        if self.email_verified {
            Ok(())
        } else {
            Err(DomainError::EmailUnverified(action))
        }
    }

    /// A suspended supplier's users keep read access and nothing else: no
    /// write acts for the organisation.
    pub fn may_act_for_organisation(&self) -> Result<(), DomainError> {
        if self.organisation_suspended {
            Err(DomainError::OrganisationSuspended)
        } else {
            Ok(())
        }
    }

    pub fn organisation_id(&self) -> Option<OrganisationId> {
        match self.affiliation {
            Affiliation::Organisation { id, .. } => Some(id),
            Affiliation::BackOffice => None,
        }
    }

    pub fn belongs_to(&self, organisation: OrganisationId) -> bool {
        self.organisation_id() == Some(organisation)
    }

    pub fn is_back_office(&self) -> bool {
        self.role.is_back_office()
    }

    pub fn is_admin(&self) -> bool {
        self.role == PlatformRole::Admin
    }

    /// Owners bring colleagues into their own organisation; admins may
    /// invite into any organisation.
    pub fn may_invite_into(&self, organisation: OrganisationId) -> Result<(), DomainError> {
        match self.affiliation {
            Affiliation::Organisation {
                id,
                role: OrgRole::Owner,
            } if id == organisation => Ok(()),
            // Admins give an organisation the cluster imported its first owner.
            _ if self.is_admin() => Ok(()),
            _ => Err(DomainError::Forbidden(
                "only an owner of the organisation invites its users",
            )),
        }
    }

    /// Members read their organisation; the back office reads them all.
    /// Anyone else is told it does not exist.
    pub fn may_view_organisation(&self, organisation: OrganisationId) -> Result<(), DomainError> {
        if self.belongs_to(organisation) || self.is_back_office() {
            Ok(())
        } else {
            Err(DomainError::NotFound("organisation"))
        }
    }

    /// A supplier's own users write its profile and certifications. The back
    /// office reviews but does not write for them; anyone else is told the
    /// profile does not exist.
    pub fn may_edit_supplier(&self, organisation: OrganisationId) -> Result<(), DomainError> {
        if self.belongs_to(organisation) && self.role == PlatformRole::Supplier {
            Ok(())
        } else if self.is_back_office() {
            Err(DomainError::Forbidden(
                "suppliers edit their own profile; experts review it",
            ))
        } else {
            Err(DomainError::NotFound("supplier profile"))
        }
    }

    /// Who reads a supplier's working profile (unpublished edits included)
    /// and its review history: its own users and the back office. Anyone
    /// else is told it does not exist; the public reads the published copy
    /// through the directory ([`crate::profile::SupplierProfile::public_content`]).
    pub fn may_view_supplier_profile(
        &self,
        organisation: OrganisationId,
    ) -> Result<(), DomainError> {
        if self.is_back_office() {
            Ok(())
        } else {
            self.may_edit_supplier(organisation)
        }
    }

    /// Membership of the cluster is an administrative fact, not self-declared.
    pub fn may_change_membership(&self) -> Result<(), DomainError> {
        self.require_admin("only an admin changes cluster membership")
    }

    pub fn may_manage_users(&self) -> Result<(), DomainError> {
        self.require_admin("only an admin manages user accounts")
    }

    fn require_admin(&self, why: &'static str) -> Result<(), DomainError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(why))
        }
    }

    /// Experts (and admins) do the back-office work.
    pub fn require_back_office(&self) -> Result<(), DomainError> {
        if self.is_back_office() {
            Ok(())
        } else {
            Err(DomainError::Forbidden("only the cluster's experts do this"))
        }
    }

    /// The activity report counts every request, confidential ones too:
    /// the back office's, for the funder.
    pub fn may_read_activity_report(&self) -> Result<(), DomainError> {
        if self.is_back_office() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "the activity report is for the cluster's experts and admins",
            ))
        }
    }

    /// The supplier × capability matrix lists every supplier's exact
    /// capabilities in bulk: a working file of the experts, not a public
    /// download (the map's counts are public; one profile at a time is).
    pub fn may_export_capability_matrix(&self) -> Result<(), DomainError> {
        if self.is_back_office() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "the capability matrix is for the cluster's experts and admins",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: PlatformRole, affiliation: Affiliation) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
            affiliation,
            email_verified: true,
            organisation_suspended: false,
        }
    }

    #[test]
    fn unverified_users_prepare_but_do_not_reach_others() {
        let mut buyer = actor(
            PlatformRole::Buyer,
            Affiliation::Organisation {
                id: OrganisationId::new(),
                role: OrgRole::Owner,
            },
        );
        assert!(buyer.require_verified_email("submit a request").is_ok());
        buyer.email_verified = false;
        assert!(matches!(
            buyer.require_verified_email("submit a request"),
            Err(DomainError::EmailUnverified(_))
        ));
    }

    #[test]
    fn a_suspended_organisation_only_reads() {
        let mut supplier = actor(
            PlatformRole::Supplier,
            Affiliation::Organisation {
                id: OrganisationId::new(),
                role: OrgRole::Owner,
            },
        );
        assert!(supplier.may_act_for_organisation().is_ok());
        supplier.organisation_suspended = true;
        assert!(matches!(
            supplier.may_act_for_organisation(),
            Err(DomainError::OrganisationSuspended)
        ));
    }

    #[test]
    fn owners_of_the_same_organisation_and_admins_invite() {
        let org = OrganisationId::new();
        let other = OrganisationId::new();
        let owner = actor(
            PlatformRole::Buyer,
            Affiliation::Organisation {
                id: org,
                role: OrgRole::Owner,
            },
        );
        let member = actor(
            PlatformRole::Buyer,
            Affiliation::Organisation {
                id: org,
                role: OrgRole::Member,
            },
        );
        let admin = actor(PlatformRole::Admin, Affiliation::BackOffice);
        assert!(owner.may_invite_into(org).is_ok());
        assert!(owner.may_invite_into(other).is_err());
        assert!(member.may_invite_into(org).is_err());
        assert!(
            admin.may_invite_into(org).is_ok(),
            "admins give imported organisations their owner"
        );
        let expert = actor(PlatformRole::Expert, Affiliation::BackOffice);
        assert!(expert.may_invite_into(org).is_err());
    }

    #[test]
    fn outsiders_cannot_tell_an_organisation_exists() {
        let org = OrganisationId::new();
        let stranger = actor(
            PlatformRole::Supplier,
            Affiliation::Organisation {
                id: OrganisationId::new(),
                role: OrgRole::Owner,
            },
        );
        assert!(matches!(
            stranger.may_view_organisation(org),
            Err(DomainError::NotFound(_))
        ));
        let expert = actor(PlatformRole::Expert, Affiliation::BackOffice);
        assert!(expert.may_view_organisation(org).is_ok());
    }

    #[test]
    fn a_working_profile_is_read_by_its_own_suppliers_and_the_back_office_only() {
        let org = OrganisationId::new();
        let own = actor(
            PlatformRole::Supplier,
            Affiliation::Organisation {
                id: org,
                role: OrgRole::Member,
            },
        );
        assert!(own.may_view_supplier_profile(org).is_ok());
        let expert = actor(PlatformRole::Expert, Affiliation::BackOffice);
        assert!(expert.may_view_supplier_profile(org).is_ok());
        for stranger in [
            actor(
                PlatformRole::Supplier,
                Affiliation::Organisation {
                    id: OrganisationId::new(),
                    role: OrgRole::Owner,
                },
            ),
            actor(
                PlatformRole::Buyer,
                Affiliation::Organisation {
                    id: org,
                    role: OrgRole::Owner,
                },
            ),
        ] {
            assert!(matches!(
                stranger.may_view_supplier_profile(org),
                Err(DomainError::NotFound("supplier profile"))
            ));
        }
    }

    #[test]
    fn only_the_suppliers_own_users_edit_its_profile() {
        let org = OrganisationId::new();
        let own = actor(
            PlatformRole::Supplier,
            Affiliation::Organisation {
                id: org,
                role: OrgRole::Member,
            },
        );
        let other = actor(
            PlatformRole::Supplier,
            Affiliation::Organisation {
                id: OrganisationId::new(),
                role: OrgRole::Owner,
            },
        );
        let buyer = actor(
            PlatformRole::Buyer,
            Affiliation::Organisation {
                id: org,
                role: OrgRole::Owner,
            },
        );
        let expert = actor(PlatformRole::Expert, Affiliation::BackOffice);
        assert!(own.may_edit_supplier(org).is_ok());
        assert!(matches!(
            other.may_edit_supplier(org),
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            buyer.may_edit_supplier(org),
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            expert.may_edit_supplier(org),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn only_admins_manage_users_and_membership() {
        let expert = actor(PlatformRole::Expert, Affiliation::BackOffice);
        let admin = actor(PlatformRole::Admin, Affiliation::BackOffice);
        assert!(expert.may_manage_users().is_err());
        assert!(expert.may_change_membership().is_err());
        assert!(admin.may_manage_users().is_ok());
        assert!(admin.may_change_membership().is_ok());
    }
}
