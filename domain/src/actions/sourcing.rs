//! Actions on a sourcing request, its matches and its invitations.

use chrono::{DateTime, Utc};

use super::{action_enum, allowed};
use crate::auth::Actor;
use crate::error::DomainError;
use crate::sourcing::RequestAccess;
use crate::sourcing::answers::{Invitation, InvitationStatus};
use crate::sourcing::matching::{Match, matching_allowed};
use crate::sourcing::request::{Action, SourcingRequest};

action_enum! {
    /// What the buyer or the experts do to a request.
    RequestAction {
        Edit = "edit",
        Recode = "recode",
        Submit = "submit",
        Qualify = "qualify",
        RequestChanges = "request_changes",
        Reject = "reject",
        Open = "open",
        Close = "close",
        Cancel = "cancel",
        Award = "award",
        RevealIdentity = "reveal_identity",
    }
}

action_enum! {
    /// What an expert decides about a proposed supplier.
    MatchAction {
        Approve = "approve",
        Discard = "discard",
    }
}

action_enum! {
    /// What happens to one supplier's invitation: the supplier quotes,
    /// declines or asks; the buyer puts its answer on or off the shortlist.
    InvitationAction {
        Quote = "quote",
        Decline = "decline",
        Ask = "ask",
        Shortlist = "shortlist",
    }
}

/// What some request actions depend on beyond the request itself.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// Opening invites the approved matches, and needs one.
    pub matches: &'a [Match],
    /// The award names suppliers that quoted.
    pub invitations: &'a [Invitation],
}

/// What `actor`, reading `request` with `access`, may do to it at `now`.
pub fn request_actions(
    actor: &Actor,
    access: RequestAccess,
    request: &SourcingRequest,
    facts: RequestFacts<'_>,
    now: DateTime<Utc>,
) -> Vec<RequestAction> {
    allowed(actor, &RequestAction::ALL, |action| {
        let party = access.party()?;
        let mut copy = request.clone();
        let step = match action {
            RequestAction::Edit => {
                let content = copy.content.clone();
                return copy.edit(party, copy.version, content, now).map(drop);
            }
            RequestAction::Recode => {
                let requirements = copy.content.requirements();
                return copy
                    .recode(party, copy.version, requirements, now)
                    .map(drop);
            }
            RequestAction::RevealIdentity => return copy.reveal_identity(party, now).map(drop),
            RequestAction::Award => {
                // Any one supplier that quoted makes an award possible.
                let winner = facts
                    .invitations
                    .iter()
                    .find(|i| i.status == InvitationStatus::Answered)
                    .map(|i| i.supplier)
                    .ok_or(DomainError::Forbidden("no answer to award"))?;
                let mut invitations = facts.invitations.to_vec();
                return copy
                    .award(party, &[winner], &mut invitations, now)
                    .map(drop);
            }
            RequestAction::Submit => Action::Submit,
            RequestAction::Qualify => Action::Qualify,
            RequestAction::RequestChanges => Action::RequestChanges,
            RequestAction::Reject => Action::Reject,
            RequestAction::Open => Action::Open,
            RequestAction::Close => Action::Close,
            RequestAction::Cancel => Action::Cancel,
        };
        step.require_standing(actor)?;
        copy.take(step, party, None, now).map(drop)?;
        if step == Action::Open {
            Invitation::of_approved(copy.id, facts.matches, now)?;
        }
        Ok(())
    })
}

/// What `actor` may decide about a match of `request`.
pub fn match_actions(
    actor: &Actor,
    access: RequestAccess,
    request: &SourcingRequest,
) -> Vec<MatchAction> {
    // Approving and discarding ask the same of the expert and the request.
    allowed(actor, &MatchAction::ALL, |_| {
        access.require(RequestAccess::BackOffice)?;
        matching_allowed(request.status)
    })
}

/// What some invitation actions depend on beyond the invitation itself.
#[derive(Debug, Clone, Copy)]
pub struct InvitationFacts {
    /// How many questions the supplier asked on this request.
    pub asked_so_far: usize,
}

/// What `actor`, reading `request` with `access`, may do with `invitation`
/// at `now`: the invited supplier its own, the buyer any.
pub fn invitation_actions(
    actor: &Actor,
    access: RequestAccess,
    request: &SourcingRequest,
    invitation: &Invitation,
    facts: InvitationFacts,
    now: DateTime<Utc>,
) -> Vec<InvitationAction> {
    let own = || -> Result<(), DomainError> {
        access.require(RequestAccess::InvitedSupplier)?;
        if actor.belongs_to(invitation.supplier) {
            Ok(())
        } else {
            Err(DomainError::NotFound("invitation"))
        }
    };
    allowed(actor, &InvitationAction::ALL, |action| match action {
        InvitationAction::Quote => {
            own()?;
            invitation.accepts_quote(actor, request, now)
        }
        InvitationAction::Decline => {
            own()?;
            invitation.accepts_decline(request, now)
        }
        InvitationAction::Ask => {
            own()?;
            invitation.accepts_question(actor, request, facts.asked_so_far, now)
        }
        InvitationAction::Shortlist => {
            access.require(RequestAccess::Buyer)?;
            request.accepts_shortlisting()
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::account::{Affiliation, OrgRole, PlatformRole};
    use crate::ids::{OrganisationId, UserId};
    use crate::sourcing::request::tests::content;

    fn actor(role: PlatformRole, org: Option<OrganisationId>) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
            affiliation: org.map_or(Affiliation::BackOffice, |id| Affiliation::Organisation {
                id,
                role: OrgRole::Member,
            }),
            email_verified: true,
            organisation_suspended: false,
        }
    }

    const NO_FACTS: RequestFacts<'static> = RequestFacts {
        matches: &[],
        invitations: &[],
    };

    #[test]
    fn a_draft_is_edited_submitted_cancelled_and_revealed_by_its_buyer_only() {
        let now = Utc::now();
        let org = OrganisationId::new();
        let draft =
            SourcingRequest::new(org, UserId::new(), content(now + TimeDelta::days(9)), now);
        let buyer = actor(PlatformRole::Buyer, Some(org));
        assert_eq!(
            request_actions(&buyer, RequestAccess::Buyer, &draft, NO_FACTS, now),
            [
                RequestAction::Edit,
                RequestAction::Submit,
                RequestAction::Cancel,
                RequestAction::RevealIdentity
            ]
        );
        let expert = actor(PlatformRole::Expert, None);
        assert_eq!(
            request_actions(&expert, RequestAccess::BackOffice, &draft, NO_FACTS, now),
            [RequestAction::Cancel]
        );
        let supplier = actor(PlatformRole::Supplier, Some(OrganisationId::new()));
        assert!(
            request_actions(
                &supplier,
                RequestAccess::InvitedSupplier,
                &draft,
                NO_FACTS,
                now
            )
            .is_empty()
        );
    }

    #[test]
    fn an_unverified_buyer_prepares_but_does_not_submit() {
        let now = Utc::now();
        let org = OrganisationId::new();
        let draft =
            SourcingRequest::new(org, UserId::new(), content(now + TimeDelta::days(9)), now);
        let mut buyer = actor(PlatformRole::Buyer, Some(org));
        buyer.email_verified = false;
        let actions = request_actions(&buyer, RequestAccess::Buyer, &draft, NO_FACTS, now);
        assert!(!actions.contains(&RequestAction::Submit));
        assert!(actions.contains(&RequestAction::Edit));
    }

    #[test]
    fn a_passed_deadline_takes_submit_away() {
        let now = Utc::now();
        let org = OrganisationId::new();
        let draft =
            SourcingRequest::new(org, UserId::new(), content(now + TimeDelta::days(1)), now);
        let later = now + TimeDelta::days(2);
        let buyer = actor(PlatformRole::Buyer, Some(org));
        let actions = request_actions(&buyer, RequestAccess::Buyer, &draft, NO_FACTS, later);
        assert!(!actions.contains(&RequestAction::Submit));
    }

    #[test]
    fn a_suspended_supplier_does_nothing_with_its_invitation() {
        let now = Utc::now();
        let supplier_org = OrganisationId::new();
        let mut request = SourcingRequest::new(
            OrganisationId::new(),
            UserId::new(),
            content(now + TimeDelta::days(9)),
            now,
        );
        request.status = crate::sourcing::RequestStatus::Open;
        let invitation = Invitation {
            request: request.id,
            supplier: supplier_org,
            status: InvitationStatus::Invited,
            decline_reason: None,
            shortlisted: false,
            outcome: None,
            invited_at: now,
            responded_at: None,
        };
        let mut supplier = actor(PlatformRole::Supplier, Some(supplier_org));
        let facts = InvitationFacts { asked_so_far: 0 };
        let access = RequestAccess::InvitedSupplier;
        assert_eq!(
            invitation_actions(&supplier, access, &request, &invitation, facts, now),
            [
                InvitationAction::Quote,
                InvitationAction::Decline,
                InvitationAction::Ask
            ]
        );
        supplier.email_verified = false;
        assert_eq!(
            invitation_actions(&supplier, access, &request, &invitation, facts, now),
            [InvitationAction::Decline]
        );
        supplier.organisation_suspended = true;
        assert!(
            invitation_actions(&supplier, access, &request, &invitation, facts, now).is_empty()
        );
    }
}
