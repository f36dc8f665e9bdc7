//! The competence booklet's selection rules: which published suppliers a
//! booklet holds for the filters a reader chose, and under which capability
//! family each is filed. Loading the profiles and typesetting happen
//! elsewhere; this only decides.

use crate::organisation::Membership;
use crate::profile::{ProfileContent, Sector};
use crate::taxonomy::CapabilityCode;
use crate::validation::{self, ValidationErrors, invalid};

/// What a reader may narrow a booklet to. Every filter is optional; none
/// gives the whole directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BookletFilter {
    pub sector: Option<Sector>,
    /// A top-level node of the taxonomy (`machining`, not
    /// `machining.turning`): the booklet is organised by family.
    pub family: Option<CapabilityCode>,
    pub members_only: bool,
    /// As written on profiles ("Bourgogne-Franche-Comté"); compared without
    /// regard to case.
    pub region: Option<String>,
}

/// Raw query values, as received.
#[derive(Debug, Default)]
pub struct BookletFilterInput<'a> {
    pub sector: Option<&'a str>,
    pub family: Option<&'a str>,
    pub members_only: Option<bool>,
    pub region: Option<&'a str>,
}

impl BookletFilter {
    /// Parses every field; the errors name each failing one.
    pub fn parse(input: &BookletFilterInput<'_>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let sector = input
            .sector
            .filter(|s| !s.trim().is_empty())
            .and_then(|raw| errors.check("sector", Sector::parse(raw)));
        let family = input
            .family
            .filter(|s| !s.trim().is_empty())
            .and_then(|raw| {
                errors.check(
                    "family",
                    CapabilityCode::parse(raw).and_then(|code| match code.parent() {
                        None => Ok(code),
                        Some(_) => invalid(
                            "not_a_family",
                            "family is a top-level capability code such as machining",
                        ),
                    }),
                )
            });
        let region = input
            .region
            .filter(|s| !s.trim().is_empty())
            .and_then(|raw| errors.check("region", validation::line(raw, 1, 100)));
        errors.into_result(|| Self {
            sector,
            family,
            members_only: input.members_only.unwrap_or(false),
            region,
        })
    }

    /// Whether a published supplier belongs in the booklet.
    pub fn admits(&self, content: &ProfileContent, membership: Membership) -> bool {
        self.sector.is_none_or(|s| content.sectors.contains(&s))
            && self.family.as_ref().is_none_or(|family| {
                content
                    .capabilities
                    .iter()
                    .any(|c| family_of(&c.code) == *family)
            })
            && (!self.members_only || membership == Membership::Member)
            && self.region.as_deref().is_none_or(|region| {
                content.location.region.trim().to_lowercase() == region.trim().to_lowercase()
            })
    }

    /// The family a supplier is filed under in this booklet: the chosen
    /// family when there is one; else the family holding most of its
    /// capabilities, the first in `families` order on a tie, so each
    /// supplier has one entry and the contents read by family. `None` for a
    /// supplier without a capability the taxonomy knows.
    pub fn family_of_supplier(
        &self,
        content: &ProfileContent,
        families: &[CapabilityCode],
    ) -> Option<CapabilityCode> {
        if let Some(family) = &self.family {
            return Some(family.clone());
        }
        let count = |family: &CapabilityCode| {
            content
                .capabilities
                .iter()
                .filter(|c| family_of(&c.code) == *family)
                .count()
        };
        families
            .iter()
            .map(|family| (count(family), family))
            .filter(|(n, _)| *n > 0)
            // max_by_key keeps the last of equals: compare on the negated
            // position so the first family in order wins a tie.
            .enumerate()
            .max_by_key(|(position, (n, _))| (*n, std::cmp::Reverse(*position)))
            .map(|(_, (_, family))| family.clone())
    }
}

/// A capability's top-level ancestor.
pub fn family_of(code: &CapabilityCode) -> CapabilityCode {
    code.with_ancestors()
        .into_iter()
        .next()
        .unwrap_or_else(|| code.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileCapability;

    fn code(raw: &str) -> CapabilityCode {
        CapabilityCode::parse(raw).expect("a valid code")
    }

    fn content(capabilities: &[&str], sectors: &[Sector], region: &str) -> ProfileContent {
        let mut content = crate::profile::tests::profile().working;
        content.capabilities = capabilities
            .iter()
            .map(|c| ProfileCapability {
                code: code(c),
                detail: None,
            })
            .collect();
        content.sectors = sectors.to_vec();
        content.location.region = region.to_owned();
        content
    }

    #[test]
    fn every_filter_narrows_and_none_admits_all() {
        let c = content(
            &["machining.turning"],
            &[Sector::Medtech],
            "Bourgogne-Franche-Comté",
        );
        let all = BookletFilter::default();
        assert!(all.admits(&c, Membership::NotMember));
        let parse = |input: BookletFilterInput<'_>| BookletFilter::parse(&input).expect("valid");
        let medtech = parse(BookletFilterInput {
            sector: Some("medtech"),
            ..Default::default()
        });
        assert!(medtech.admits(&c, Membership::NotMember));
        let pharma = parse(BookletFilterInput {
            sector: Some("pharma"),
            ..Default::default()
        });
        assert!(!pharma.admits(&c, Membership::NotMember));
        let machining = parse(BookletFilterInput {
            family: Some("machining"),
            ..Default::default()
        });
        assert!(machining.admits(&c, Membership::NotMember));
        let plastics = parse(BookletFilterInput {
            family: Some("plastics"),
            ..Default::default()
        });
        assert!(!plastics.admits(&c, Membership::NotMember));
        let members = parse(BookletFilterInput {
            members_only: Some(true),
            ..Default::default()
        });
        assert!(!members.admits(&c, Membership::NotMember));
        assert!(members.admits(&c, Membership::Member));
        let region = parse(BookletFilterInput {
            region: Some(" bourgogne-franche-comté "),
            ..Default::default()
        });
        assert!(region.admits(&c, Membership::NotMember));
        let elsewhere = parse(BookletFilterInput {
            region: Some("Grand Est"),
            ..Default::default()
        });
        assert!(!elsewhere.admits(&c, Membership::NotMember));
    }

    #[test]
    fn bad_filters_name_their_fields() {
        let errors = BookletFilter::parse(&BookletFilterInput {
            sector: Some("shipbuilding"),
            family: Some("machining.turning"),
            members_only: None,
            region: Some(&"x".repeat(101)),
        })
        .expect_err("three bad fields");
        let fields: Vec<&str> = errors.errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["sector", "family", "region"]);
    }

    #[test]
    fn a_supplier_is_filed_under_its_main_family_first_in_order_on_a_tie() {
        let families = [code("machining"), code("plastics"), code("electronics")];
        let all = BookletFilter::default();
        let mostly_plastics = content(
            &[
                "machining.turning",
                "plastics.injection",
                "plastics.extrusion",
            ],
            &[Sector::Medtech],
            "",
        );
        assert_eq!(
            all.family_of_supplier(&mostly_plastics, &families),
            Some(code("plastics"))
        );
        let tie = content(
            &["electronics", "plastics.injection"],
            &[Sector::Medtech],
            "",
        );
        assert_eq!(
            all.family_of_supplier(&tie, &families),
            Some(code("plastics"))
        );
        let chosen = BookletFilter {
            family: Some(code("electronics")),
            ..BookletFilter::default()
        };
        assert_eq!(
            chosen.family_of_supplier(&tie, &families),
            Some(code("electronics"))
        );
    }
}
