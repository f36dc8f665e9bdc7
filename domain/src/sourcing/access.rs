//! Who may see and do what on a sourcing request. Anyone outside these
//! roles is told the request does not exist.

use crate::auth::Actor;
use crate::error::DomainError;
use crate::sourcing::request::{Party, SourcingRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAccess {
    /// A user of the buyer organisation that owns the request.
    Buyer,
    /// An expert or admin: sees everything, internal notes included.
    BackOffice,
    /// A supplier invited to answer: sees the request (anonymised when
    /// confidential), the answered questions, and only its own answer.
    InvitedSupplier,
}

impl RequestAccess {
    /// `invited` says whether the actor's organisation was invited.
    pub fn of(
        actor: &Actor,
        request: &SourcingRequest,
        invited: bool,
    ) -> Result<Self, DomainError> {
        if actor.belongs_to(request.buyer) {
            Ok(Self::Buyer)
        } else if actor.is_back_office() {
            Ok(Self::BackOffice)
        } else if invited && actor.role == crate::account::PlatformRole::Supplier {
            Ok(Self::InvitedSupplier)
        } else {
            Err(DomainError::NotFound("sourcing request"))
        }
    }

    /// The party this access acts as in the state machine.
    pub fn party(self) -> Result<Party, DomainError> {
        match self {
            Self::Buyer => Ok(Party::Buyer),
            Self::BackOffice => Ok(Party::Expert),
            Self::InvitedSupplier => Err(DomainError::Forbidden(
                "suppliers answer requests; the buyer and the experts run them",
            )),
        }
    }

    pub fn require(self, wanted: Self) -> Result<(), DomainError> {
        if self == wanted {
            Ok(())
        } else {
            Err(DomainError::Forbidden(match wanted {
                Self::Buyer => "only the buyer does this",
                Self::BackOffice => "only the cluster's experts do this",
                Self::InvitedSupplier => "only an invited supplier does this",
            }))
        }
    }

    pub fn sees_internal_notes(self) -> bool {
        self == Self::BackOffice
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::account::{Affiliation, OrgRole, PlatformRole};
    use crate::ids::{OrganisationId, UserId};
    use crate::sourcing::request::RequestContent;

    fn request(buyer: OrganisationId) -> SourcingRequest {
        let content = RequestContent {
            title: "t".into(),
            description: "d".into(),
            capabilities: vec![],
            certifications: vec![],
            sectors: vec![],
            quantities: None,
            budget: None,
            desired_delivery: None,
            response_deadline: Utc::now(),
            location_constraints: None,
            region: None,
            language: crate::account::Language::Fr,
            confidential: true,
            budget_visible: false,
            nda_required: false,
            attachments: vec![],
        };
        SourcingRequest::new(buyer, UserId::new(), content, Utc::now())
    }

    fn actor(role: PlatformRole, org: Option<OrganisationId>) -> Actor {
        let affiliation = org.map_or(Affiliation::BackOffice, |id| Affiliation::Organisation {
            id,
            role: OrgRole::Member,
        });
        Actor {
            user_id: UserId::new(),
            role,
            affiliation,
            email_verified: true,
            organisation_suspended: false,
        }
    }

    #[test]
    fn access_follows_ownership_invitation_and_back_office() {
        let buyer_org = OrganisationId::new();
        let r = request(buyer_org);
        let supplier = actor(PlatformRole::Supplier, Some(OrganisationId::new()));
        assert_eq!(
            RequestAccess::of(&actor(PlatformRole::Buyer, Some(buyer_org)), &r, false).ok(),
            Some(RequestAccess::Buyer)
        );
        assert_eq!(
            RequestAccess::of(&actor(PlatformRole::Expert, None), &r, false).ok(),
            Some(RequestAccess::BackOffice)
        );
        assert_eq!(
            RequestAccess::of(&supplier, &r, true).ok(),
            Some(RequestAccess::InvitedSupplier)
        );
        assert!(matches!(
            RequestAccess::of(&supplier, &r, false),
            Err(DomainError::NotFound(_))
        ));
        let other_buyer = actor(PlatformRole::Buyer, Some(OrganisationId::new()));
        assert!(
            matches!(
                RequestAccess::of(&other_buyer, &r, true),
                Err(DomainError::NotFound(_))
            ),
            "a buyer is never 'invited'"
        );
        assert!(RequestAccess::InvitedSupplier.party().is_err());
    }
}
