//! The closed sets of the wire: each enum mirrors a domain enum variant for
//! variant (an exhaustive `From` each way, so a new domain variant does not
//! compile until it is here too), and spells each value as the domain's
//! `as_str` does (tested). The document shows them as `enum`s, so generated
//! clients get union types instead of strings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use domain::account::{
    Language as DomainLanguage, OrgRole as DomainOrgRole, PlatformRole as DomainPlatformRole,
};
use domain::actions::{
    CertificateAction as DomainCertificateAction, InvitationAction as DomainInvitationAction,
    MatchAction as DomainMatchAction, ProfileAction as DomainProfileAction,
    RequestAction as DomainRequestAction,
};
use domain::notification::{
    DeliveryStatus as DomainDeliveryStatus, NotificationKind as DomainNotificationKind,
};
use domain::organisation::{
    Membership as DomainMembership, OrganisationKind as DomainOrganisationKind,
};
use domain::profile::{
    Headcount as DomainHeadcount, ProfileStatus as DomainProfileStatus, Sector as DomainSector,
};
use domain::sourcing::answers::{
    InvitationStatus as DomainInvitationStatus, Outcome as DomainOutcome,
};
use domain::sourcing::matching::{
    MatchOrigin as DomainMatchOrigin, MatchStatus as DomainMatchStatus,
};
use domain::sourcing::request::RequestStatus as DomainRequestStatus;

macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident mirrors $domain:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The domain's spelling of this value.
            pub fn as_str(self) -> &'static str {
                $domain::from(self).as_str()
            }
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value { $($domain::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => Self::$variant),+ }
            }
        }
    };
}

mirror! {
    /// Language of emails and labels.
    Language mirrors DomainLanguage { Fr, En }
}

mirror! {
    /// What a user is on the platform.
    PlatformRole mirrors DomainPlatformRole { Buyer, Supplier, Expert, Admin }
}

mirror! {
    /// A user's role in their organisation: owners also manage its users.
    OrganisationRole mirrors DomainOrgRole { Owner, Member }
}

mirror! {
    /// `buyer` (donneur d'ordres) or `supplier` (sous-traitant).
    OrganisationKind mirrors DomainOrganisationKind { Buyer, Supplier }
}

mirror! {
    /// Whether the organisation is a member of the cluster.
    Membership mirrors DomainMembership { Member, NotMember }
}

mirror! {
    /// Where a sourcing request stands in its lifecycle.
    RequestStatus mirrors DomainRequestStatus {
        Draft,
        Submitted,
        Qualified,
        ChangesRequested,
        Rejected,
        Open,
        Closed,
        Awarded,
        Cancelled,
    }
}

mirror! {
    /// An expert's decision on a proposed supplier.
    MatchStatus mirrors DomainMatchStatus { Proposed, Approved, Discarded }
}

mirror! {
    /// Who proposed the match: the capability index or an expert by hand.
    MatchOrigin mirrors DomainMatchOrigin { Index, Manual }
}

mirror! {
    /// Where an invited supplier stands; `withdrawn` when the cluster
    /// suspended the supplier.
    InvitationStatus mirrors DomainInvitationStatus { Invited, Declined, Answered, Withdrawn }
}

mirror! {
    /// The buyer's decision on an answer, once the request is awarded.
    InvitationOutcome mirrors DomainOutcome { Awarded, NotSelected }
}

mirror! {
    /// Where a supplier profile stands in its review lifecycle.
    ProfileStatus mirrors DomainProfileStatus {
        Draft,
        Submitted,
        Published,
        ChangesRequested,
        Suspended,
    }
}

mirror! {
    /// Delivery state of an outbox email.
    DeliveryStatus mirrors DomainDeliveryStatus { Pending, Sending, Sent, Failed }
}

mirror! {
    /// What an outbox email is about.
    NotificationKind mirrors DomainNotificationKind {
        VerifyEmail,
        PasswordReset,
        OrganisationInvitation,
        ProfileSubmitted,
        ProfileApproved,
        ProfileChangesRequested,
        RequestSubmitted,
        RequestQualified,
        RequestChangesRequested,
        RequestRejected,
        InvitationToQuote,
        QuestionAnswered,
        AnswerReceived,
        DeadlineApproaching,
        Awarded,
        NotSelected,
        CertificationExpiring,
        InvitationExistingAccount,
        SupplierWithdrawn,
        WebhookDisabled,
    }
}

mirror! {
    /// A market a supplier serves or a request belongs to.
    Sector mirrors DomainSector { Medtech, Biotech, Pharma, Cosmetics, Nutrition, Aerospace, Other }
}

mirror! {
    /// What the caller may do now to a request, each the operation of the
    /// same name (`edit`: `PUT /requests/{id}`, `recode`:
    /// `PUT /requests/{id}/requirements`, `award`: `POST /requests/{id}/award`,
    /// `reveal_identity`: `POST /requests/{id}/reveal-identity`, the others
    /// `POST /requests/{id}/<action>` with `-` for `_`).
    RequestAction mirrors DomainRequestAction {
        Edit,
        Recode,
        Submit,
        Qualify,
        RequestChanges,
        Reject,
        Open,
        Close,
        Cancel,
        Award,
        RevealIdentity,
    }
}

mirror! {
    /// What the caller may decide now about a match:
    /// `POST /requests/{id}/matches/{match_id}/<action>`.
    MatchAction mirrors DomainMatchAction { Approve, Discard }
}

mirror! {
    /// What the caller may do now with an invitation: the invited supplier
    /// `quote` (`POST /requests/{id}/quotes`), `decline`
    /// (`POST /requests/{id}/decline`) and `ask`
    /// (`POST /requests/{id}/questions`); the buyer `shortlist`
    /// (`PUT /requests/{id}/answers/{supplier_id}/shortlist`, on or off).
    InvitationAction mirrors DomainInvitationAction { Quote, Decline, Ask, Shortlist }
}

mirror! {
    /// What the caller may do now to a supplier profile: `edit`
    /// (`PUT /organisations/{id}/profile`), `submit`
    /// (`POST /organisations/{id}/profile/submit`), and the experts'
    /// `POST /backoffice/profiles/{id}/<action>` (`request-changes` for
    /// `request_changes`).
    ProfileAction mirrors DomainProfileAction {
        Edit,
        Submit,
        Approve,
        RequestChanges,
        Suspend,
        Reinstate,
    }
}

mirror! {
    /// What the caller may do now to a certificate: `update` and `delete`
    /// (`PUT`/`DELETE /organisations/{id}/certifications/{cert_id}`), and the
    /// experts' `POST /backoffice/certifications/{id}/<action>`.
    CertificateAction mirrors DomainCertificateAction { Update, Delete, Verify, Reject }
}

/// A supplier's number of employees, as a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Headcount {
    #[serde(rename = "1-9")]
    Micro,
    #[serde(rename = "10-49")]
    Small,
    #[serde(rename = "50-249")]
    Medium,
    #[serde(rename = "250+")]
    Large,
}

impl Headcount {
    pub const ALL: &[Self] = &[Self::Micro, Self::Small, Self::Medium, Self::Large];

    /// The domain's spelling of this value.
    pub fn as_str(self) -> &'static str {
        DomainHeadcount::from(self).as_str()
    }
}

impl From<DomainHeadcount> for Headcount {
    fn from(value: DomainHeadcount) -> Self {
        match value {
            DomainHeadcount::Micro => Self::Micro,
            DomainHeadcount::Small => Self::Small,
            DomainHeadcount::Medium => Self::Medium,
            DomainHeadcount::Large => Self::Large,
        }
    }
}

impl From<Headcount> for DomainHeadcount {
    fn from(value: Headcount) -> Self {
        match value {
            Headcount::Micro => Self::Micro,
            Headcount::Small => Self::Small,
            Headcount::Medium => Self::Medium,
            Headcount::Large => Self::Large,
        }
    }
}

/// Anything a user may act as: their platform role and, in an
/// organisation, their role there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Supplier,
    Expert,
    Admin,
    Owner,
    Member,
}

impl From<DomainPlatformRole> for Role {
    fn from(value: DomainPlatformRole) -> Self {
        match value {
            DomainPlatformRole::Buyer => Self::Buyer,
            DomainPlatformRole::Supplier => Self::Supplier,
            DomainPlatformRole::Expert => Self::Expert,
            DomainPlatformRole::Admin => Self::Admin,
        }
    }
}

impl From<DomainOrgRole> for Role {
    fn from(value: DomainOrgRole) -> Self {
        match value {
            DomainOrgRole::Owner => Self::Owner,
            DomainOrgRole::Member => Self::Member,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled_as_the_domain<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
        for value in all {
            assert_eq!(
                serde_json::to_value(value).expect("serializes"),
                serde_json::Value::from(as_str(*value))
            );
        }
    }

    #[test]
    fn every_value_is_spelled_as_the_domain_spells_it() {
        spelled_as_the_domain(Language::ALL, Language::as_str);
        spelled_as_the_domain(PlatformRole::ALL, PlatformRole::as_str);
        spelled_as_the_domain(OrganisationRole::ALL, OrganisationRole::as_str);
        spelled_as_the_domain(OrganisationKind::ALL, OrganisationKind::as_str);
        spelled_as_the_domain(Membership::ALL, Membership::as_str);
        spelled_as_the_domain(RequestStatus::ALL, RequestStatus::as_str);
        spelled_as_the_domain(MatchStatus::ALL, MatchStatus::as_str);
        spelled_as_the_domain(MatchOrigin::ALL, MatchOrigin::as_str);
        spelled_as_the_domain(InvitationStatus::ALL, InvitationStatus::as_str);
        spelled_as_the_domain(InvitationOutcome::ALL, InvitationOutcome::as_str);
        spelled_as_the_domain(ProfileStatus::ALL, ProfileStatus::as_str);
        spelled_as_the_domain(DeliveryStatus::ALL, DeliveryStatus::as_str);
        spelled_as_the_domain(NotificationKind::ALL, NotificationKind::as_str);
        spelled_as_the_domain(Sector::ALL, Sector::as_str);
        spelled_as_the_domain(Headcount::ALL, Headcount::as_str);
        spelled_as_the_domain(RequestAction::ALL, RequestAction::as_str);
        spelled_as_the_domain(MatchAction::ALL, MatchAction::as_str);
        spelled_as_the_domain(InvitationAction::ALL, InvitationAction::as_str);
        spelled_as_the_domain(ProfileAction::ALL, ProfileAction::as_str);
        spelled_as_the_domain(CertificateAction::ALL, CertificateAction::as_str);
    }

    #[test]
    fn roles_are_spelled_as_the_domain_spells_them() {
        for role in PlatformRole::ALL {
            let domain = DomainPlatformRole::from(*role);
            assert_eq!(
                serde_json::to_value(Role::from(domain)).expect("serializes"),
                serde_json::Value::from(domain.as_str())
            );
        }
        for role in OrganisationRole::ALL {
            let domain = DomainOrgRole::from(*role);
            assert_eq!(
                serde_json::to_value(Role::from(domain)).expect("serializes"),
                serde_json::Value::from(domain.as_str())
            );
        }
    }
}
