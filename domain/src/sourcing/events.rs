//! What happened to a sourcing request, as the domain methods that change
//! it report it. Each event knows its entry in the request's history; the
//! application layer turns it into that entry and its emails in one place,
//! so a step cannot change a request and leave no trace.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::ids::{OrganisationId, SourcingRequestId, UserId};
use crate::sourcing::answers::Outcome;
use crate::sourcing::matching::{MatchDecision, MatchOrigin, MatchStatus};
use crate::sourcing::money::Money;
use crate::sourcing::request::{Action, RequirementChange, Transition};

/// The audit subject of a request's history.
pub const SUBJECT: &str = "sourcing_request";

#[derive(Debug, Clone, PartialEq)]
#[must_use = "an event is the step's audit entry and emails: publish it"]
pub enum RequestEvent {
    Created,
    Edited,
    /// The experts recoded the requirements; never empty.
    Recoded {
        changes: Vec<RequirementChange>,
    },
    /// A step of the state machine other than the award, with its comment
    /// (the deadline job closes with a comment of its own).
    Stepped {
        action: Action,
        transition: Transition,
        comment: Option<String>,
    },
    IdentityRevealed,
    Declined {
        supplier: OrganisationId,
        reason: String,
    },
    /// A first quote (revision 1) or a revision.
    Quoted {
        supplier: OrganisationId,
        revision: i32,
        price: Money,
    },
    QuestionAsked {
        supplier: OrganisationId,
        question: String,
    },
    QuestionAnswered {
        question: String,
        answer: String,
    },
    Shortlisted {
        supplier: OrganisationId,
        shortlisted: bool,
    },
    /// Every invited supplier's outcome, in the invitations' order.
    Awarded {
        transition: Transition,
        outcomes: Vec<(OrganisationId, Outcome)>,
    },
    /// The cluster suspended an invited supplier: it no longer takes part.
    SupplierWithdrawn {
        supplier: OrganisationId,
    },
    /// The buyer attached a document (its sanitised name).
    DocumentAttached {
        name: String,
    },
    /// An invited supplier accepted the request's non-disclosure agreement.
    NdaAccepted {
        supplier: OrganisationId,
    },
    MatchProposed {
        supplier: OrganisationId,
        origin: MatchOrigin,
        override_reason: Option<String>,
    },
    MatchDecided {
        supplier: OrganisationId,
        decision: MatchDecision,
        from: MatchStatus,
        to: MatchStatus,
        note: Option<String>,
    },
}

impl RequestEvent {
    /// The suppliers whose names the history entry shows.
    pub fn named_suppliers(&self) -> Vec<OrganisationId> {
        match self {
            Self::Shortlisted { supplier, .. }
            | Self::SupplierWithdrawn { supplier }
            | Self::NdaAccepted { supplier }
            | Self::MatchProposed { supplier, .. }
            | Self::MatchDecided { supplier, .. } => vec![*supplier],
            Self::Awarded { outcomes, .. } => outcomes
                .iter()
                .filter(|(_, o)| *o == Outcome::Awarded)
                .map(|(s, _)| *s)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The entry of the request's history. `actor` is `None` for the
    /// platform itself; `name_of` gives a supplier's name (`None` when it
    /// is gone).
    pub fn audit_entry(
        &self,
        actor: Option<UserId>,
        request: SourcingRequestId,
        name_of: impl Fn(OrganisationId) -> Option<String>,
        at: DateTime<Utc>,
    ) -> AuditEntry {
        let name = |s: &OrganisationId| name_of(*s).unwrap_or_default();
        let (action, transition, note, internal): (String, _, _, bool) = match self {
            Self::Created => ("request.created".into(), None, None, false),
            Self::Edited => ("request.edited".into(), None, None, false),
            Self::Recoded { changes } => {
                let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
                (
                    "request.recoded".into(),
                    None,
                    Some(lines.join("; ")),
                    false,
                )
            }
            Self::Stepped {
                transition,
                comment,
                ..
            } => (
                format!("request.{}", transition.to.as_str()),
                Some(*transition),
                comment.clone(),
                false,
            ),
            Self::IdentityRevealed => ("request.identity_revealed".into(), None, None, false),
            Self::Declined { reason, .. } => {
                ("answer.declined".into(), None, Some(reason.clone()), false)
            }
            Self::Quoted {
                revision, price, ..
            } => {
                let action = if *revision == 1 {
                    "answer.quoted"
                } else {
                    "answer.revised"
                };
                let note = format!("revision {revision}: {price}");
                (action.into(), None, Some(note), false)
            }
            Self::QuestionAsked { question, .. } => {
                ("question.asked".into(), None, Some(question.clone()), false)
            }
            Self::QuestionAnswered { answer, .. } => (
                "question.answered".into(),
                None,
                Some(answer.clone()),
                false,
            ),
            Self::Shortlisted {
                supplier,
                shortlisted,
            } => {
                let action = if *shortlisted {
                    "answer.shortlisted"
                } else {
                    "answer.unshortlisted"
                };
                (action.into(), None, name_of(*supplier), false)
            }
            Self::Awarded {
                transition,
                outcomes,
            } => {
                let names: Vec<String> = outcomes
                    .iter()
                    .filter(|(_, o)| *o == Outcome::Awarded)
                    .filter_map(|(s, _)| name_of(*s))
                    .collect();
                let note = Some(names.join(", "));
                ("request.awarded".into(), Some(*transition), note, false)
            }
            Self::SupplierWithdrawn { supplier } => {
                let note = format!("{}: supplier suspended by the cluster", name(supplier));
                ("answer.withdrawn".into(), None, Some(note), false)
            }
            Self::DocumentAttached { name } => (
                "request.document_attached".into(),
                None,
                Some(name.clone()),
                false,
            ),
            // The buyer sees who accepted: the entry names the supplier.
            Self::NdaAccepted { supplier } => (
                "request.nda_accepted".into(),
                None,
                Some(name(supplier)),
                false,
            ),
            // The experts' vetting is internal: buyers never read it.
            Self::MatchProposed {
                supplier,
                origin,
                override_reason,
            } => {
                let (name, origin) = (name(supplier), origin.as_str());
                let note = match override_reason {
                    Some(reason) => format!("{name} proposed ({origin}), override: {reason}"),
                    None => format!("{name} proposed ({origin})"),
                };
                ("match.proposed".into(), None, Some(note), true)
            }
            Self::MatchDecided {
                supplier,
                decision,
                from,
                to,
                note,
            } => {
                let action = match decision {
                    MatchDecision::Approve => "match.approved",
                    MatchDecision::Discard => "match.discarded",
                };
                let (name, from, to) = (name(supplier), from.as_str(), to.as_str());
                let note = match note {
                    Some(n) => format!("{name}: {from} → {to}: {n}"),
                    None => format!("{name}: {from} → {to}"),
                };
                (action.into(), None, Some(note), true)
            }
        };
        let mut entry = AuditEntry::new(actor, &action, SUBJECT, request, at).note(note, internal);
        if let Some(t) = transition {
            entry = entry.transition(Some(t.from.as_str()), t.to.as_str());
        }
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sourcing::request::RequestStatus;

    fn entry(event: &RequestEvent) -> AuditEntry {
        let acme = OrganisationId::from(uuid::Uuid::nil());
        let name_of = move |s: OrganisationId| (s == acme).then(|| "Acme".to_owned());
        event.audit_entry(
            Some(UserId::new()),
            SourcingRequestId::new(),
            name_of,
            Utc::now(),
        )
    }

    fn acme() -> OrganisationId {
        OrganisationId::from(uuid::Uuid::nil())
    }

    #[test]
    fn a_step_is_recorded_as_the_state_it_reaches_with_its_comment() {
        let e = entry(&RequestEvent::Stepped {
            action: Action::RequestChanges,
            transition: Transition {
                from: RequestStatus::Submitted,
                to: RequestStatus::ChangesRequested,
            },
            comment: Some("précisez les volumes".to_owned()),
        });
        assert_eq!(e.action, "request.changes_requested");
        assert_eq!(e.subject_type, SUBJECT);
        assert_eq!(e.from_state.as_deref(), Some("submitted"));
        assert_eq!(e.to_state.as_deref(), Some("changes_requested"));
        assert_eq!(e.note.as_deref(), Some("précisez les volumes"));
        assert!(!e.internal);
    }

    #[test]
    fn a_first_quote_and_a_revision_are_told_apart_with_their_price() {
        let price = Money::parse_positive("18400.00", "EUR").unwrap();
        let quoted = |revision| RequestEvent::Quoted {
            supplier: acme(),
            revision,
            price,
        };
        let first = entry(&quoted(1));
        assert_eq!(first.action, "answer.quoted");
        assert_eq!(first.note.as_deref(), Some("revision 1: 18400.00 EUR"));
        assert_eq!(entry(&quoted(2)).action, "answer.revised");
    }

    #[test]
    fn the_award_names_the_awarded_suppliers_only() {
        let e = entry(&RequestEvent::Awarded {
            transition: Transition {
                from: RequestStatus::Closed,
                to: RequestStatus::Awarded,
            },
            outcomes: vec![
                (OrganisationId::new(), Outcome::NotSelected),
                (acme(), Outcome::Awarded),
            ],
        });
        assert_eq!(e.action, "request.awarded");
        assert_eq!(e.note.as_deref(), Some("Acme"));
        assert_eq!(e.to_state.as_deref(), Some("awarded"));
    }

    #[test]
    fn the_experts_vetting_is_internal_and_names_the_supplier() {
        let proposed = entry(&RequestEvent::MatchProposed {
            supplier: acme(),
            origin: MatchOrigin::Manual,
            override_reason: Some("certification en cours".to_owned()),
        });
        assert!(proposed.internal);
        assert_eq!(
            proposed.note.as_deref(),
            Some("Acme proposed (manual), override: certification en cours")
        );
        let discarded = entry(&RequestEvent::MatchDecided {
            supplier: acme(),
            decision: MatchDecision::Discard,
            from: MatchStatus::Proposed,
            to: MatchStatus::Discarded,
            note: None,
        });
        assert!(discarded.internal);
        assert_eq!(discarded.action, "match.discarded");
        assert_eq!(
            discarded.note.as_deref(),
            Some("Acme: proposed → discarded")
        );
    }

    #[test]
    fn a_withdrawal_names_the_suspended_supplier_for_the_buyer() {
        let e = entry(&RequestEvent::SupplierWithdrawn { supplier: acme() });
        assert_eq!(e.action, "answer.withdrawn");
        assert_eq!(
            e.note.as_deref(),
            Some("Acme: supplier suspended by the cluster")
        );
        assert!(!e.internal, "the buyer reads why a supplier left");
    }

    #[test]
    fn a_shortlisting_shows_the_name_and_nothing_when_it_is_gone() {
        let e = entry(&RequestEvent::Shortlisted {
            supplier: OrganisationId::new(),
            shortlisted: false,
        });
        assert_eq!(e.action, "answer.unshortlisted");
        assert_eq!(e.note, None);
    }
}
