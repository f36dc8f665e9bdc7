//! Supplier profiles: what a supplier says it does, and the review
//! lifecycle that decides what the public sees.
//!
//! A profile has a working copy, edited by the supplier, and a published
//! snapshot, the last version an expert approved. The public only ever sees
//! the snapshot, so edits to a published profile go to review while the
//! approved version stays online.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Email;
use crate::error::DomainError;
use crate::ids::{OrganisationId, UserId};
use crate::profile_events::{ProfileEvent, ProfileStep};
use crate::taxonomy::CapabilityCode;
use crate::validation::{self, Validated, ValidationErrors, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Medtech,
    Biotech,
    Pharma,
    Cosmetics,
    Nutrition,
    Aerospace,
    Other,
}

impl Sector {
    pub const ALL: [Self; 7] = [
        Self::Medtech,
        Self::Biotech,
        Self::Pharma,
        Self::Cosmetics,
        Self::Nutrition,
        Self::Aerospace,
        Self::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Medtech => "medtech",
            Self::Biotech => "biotech",
            Self::Pharma => "pharma",
            Self::Cosmetics => "cosmetics",
            Self::Nutrition => "nutrition",
            Self::Aerospace => "aerospace",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Validated<Self> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|s| s.as_str() == raw).map_or_else(
            || invalid("invalid_sector", "sectors are medtech, biotech, pharma, cosmetics, nutrition, aerospace, other"),
            Ok,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Micro => "1-9",
            Self::Small => "10-49",
            Self::Medium => "50-249",
            Self::Large => "250+",
        }
    }

    pub fn parse(raw: &str) -> Validated<Self> {
        [Self::Micro, Self::Small, Self::Medium, Self::Large]
            .into_iter()
            .find(|h| h.as_str() == raw.trim())
            .map_or_else(
                || {
                    invalid(
                        "invalid_headcount",
                        "headcount is 1-9, 10-49, 50-249 or 250+",
                    )
                },
                Ok,
            )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCapability {
    pub code: CapabilityCode,
    /// What exactly the supplier does in this capability.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub city: String,
    /// French département number or name ("25", "Doubs").
    pub department: String,
    pub region: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub role: Option<String>,
    pub email: Email,
    pub phone: Option<String>,
}

/// Everything a supplier writes on its profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileContent {
    pub description_fr: String,
    pub description_en: String,
    pub capabilities: Vec<ProfileCapability>,
    pub sectors: Vec<Sector>,
    pub equipment: Vec<String>,
    pub headcount: Option<Headcount>,
    pub location: Location,
    /// ISO 639-1 codes, e.g. fr, en, de.
    pub working_languages: Vec<String>,
    /// Shown in the public directory.
    pub public_contact_email: Option<Email>,
    pub public_phone: Option<String>,
    /// Shown only to the cluster's experts and, after an award, to the buyer.
    pub private_contacts: Vec<Contact>,
}

/// Raw profile input as received.
pub struct ProfileInput<'a> {
    pub description_fr: &'a str,
    pub description_en: &'a str,
    pub capabilities: Vec<(&'a str, Option<&'a str>)>,
    pub sectors: Vec<&'a str>,
    pub equipment: Vec<&'a str>,
    pub headcount: Option<&'a str>,
    pub city: &'a str,
    pub department: &'a str,
    pub region: &'a str,
    pub country: Option<&'a str>,
    pub working_languages: Vec<&'a str>,
    pub public_contact_email: Option<&'a str>,
    pub public_phone: Option<&'a str>,
    pub private_contacts: Vec<ContactInput<'a>>,
}

pub struct ContactInput<'a> {
    pub name: &'a str,
    pub role: Option<&'a str>,
    pub email: &'a str,
    pub phone: Option<&'a str>,
}

fn phone(raw: Option<&str>) -> Validated<Option<String>> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p)
            if p.len() <= 30
                && p.chars()
                    .all(|c| c.is_ascii_digit() || " +.-()".contains(c)) =>
        {
            Ok(Some(p.to_owned()))
        }
        Some(_) => invalid(
            "invalid_phone",
            "a phone number has digits, spaces and + . - ( ) only",
        ),
    }
}

impl ProfileContent {
    /// Parses every field; `known_capability` says whether a code exists in
    /// the taxonomy.
    pub fn parse(
        input: &ProfileInput<'_>,
        known_capability: impl Fn(&CapabilityCode) -> bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let description_fr = errors.check(
            "description_fr",
            validation::text(input.description_fr, 0, 5000),
        );
        let description_en = errors.check(
            "description_en",
            validation::text(input.description_en, 0, 5000),
        );
        if let (Some(fr), Some(en)) = (&description_fr, &description_en)
            && fr.is_empty()
            && en.is_empty()
        {
            errors.add(
                "description_fr",
                "required",
                "describe the organisation in French, English or both",
            );
        }
        errors.at_most("capabilities", &input.capabilities, 60);
        errors.at_most("sectors", &input.sectors, 10);
        errors.at_most("equipment", &input.equipment, 50);
        errors.at_most("working_languages", &input.working_languages, 10);
        errors.at_most("private_contacts", &input.private_contacts, 20);
        let mut capabilities = Vec::new();
        for (i, (code, detail)) in input.capabilities.iter().enumerate() {
            let field = format!("capabilities[{i}]");
            let code = errors.check(&format!("{field}.code"), CapabilityCode::parse(code));
            let detail = errors.check(
                &format!("{field}.detail"),
                validation::optional_text(*detail, 1000),
            );
            if let Some(code) = &code
                && !known_capability(code)
            {
                errors.add(
                    format!("{field}.code"),
                    "unknown_capability",
                    format!("{code} is not in the taxonomy"),
                );
                continue;
            }
            if let (Some(code), Some(detail)) = (code, detail)
                && !capabilities
                    .iter()
                    .any(|c: &ProfileCapability| c.code == code)
            {
                capabilities.push(ProfileCapability { code, detail });
            }
        }
        let mut sectors = Vec::new();
        for (i, raw) in input.sectors.iter().enumerate() {
            if let Some(sector) = errors.check(&format!("sectors[{i}]"), Sector::parse(raw))
                && !sectors.contains(&sector)
            {
                sectors.push(sector);
            }
        }
        let equipment: Vec<String> = input
            .equipment
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                errors.check(&format!("equipment[{i}]"), validation::text(e, 1, 200))
            })
            .collect();
        let headcount = errors.check(
            "headcount",
            input.headcount.map(Headcount::parse).transpose(),
        );
        let city = errors.check("location.city", validation::text(input.city, 1, 100));
        let department = errors.check(
            "location.department",
            validation::text(input.department, 0, 100),
        );
        let region = errors.check("location.region", validation::text(input.region, 1, 100));
        let country = errors.check(
            "location.country",
            crate::organisation::CountryCode::parse(input.country.unwrap_or("FR"))
                .map(|c| c.as_str().to_owned()),
        );
        let working_languages: Vec<String> = input
            .working_languages
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| {
                let lang = raw.trim().to_ascii_lowercase();
                let ok = lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase());
                errors.check(
                    &format!("working_languages[{i}]"),
                    if ok {
                        Ok(lang)
                    } else {
                        invalid(
                            "invalid_language",
                            "a language is an ISO 639-1 code such as fr",
                        )
                    },
                )
            })
            .collect();
        let public_contact_email = errors.check(
            "public_contact_email",
            input
                .public_contact_email
                .filter(|e| !e.trim().is_empty())
                .map(Email::parse)
                .transpose(),
        );
        let public_phone = errors.check("public_phone", phone(input.public_phone));
        let private_contacts: Vec<Contact> = input
            .private_contacts
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let field = format!("private_contacts[{i}]");
                let name = errors.check(&format!("{field}.name"), validation::text(c.name, 1, 120));
                let role = errors.check(
                    &format!("{field}.role"),
                    validation::optional_text(c.role, 120),
                );
                let email = errors.check(&format!("{field}.email"), Email::parse(c.email));
                let phone = errors.check(&format!("{field}.phone"), phone(c.phone));
                Some(Contact {
                    name: name?,
                    role: role?,
                    email: email?,
                    phone: phone?,
                })
            })
            .collect();
        match (
            description_fr,
            description_en,
            headcount,
            city,
            department,
            region,
            country,
            public_contact_email,
            public_phone,
        ) {
            (
                Some(description_fr),
                Some(description_en),
                Some(headcount),
                Some(city),
                Some(department),
                Some(region),
                Some(country),
                Some(public_contact_email),
                Some(public_phone),
            ) if errors.is_empty() => Ok(Self {
                description_fr,
                description_en,
                capabilities,
                sectors,
                equipment,
                headcount,
                location: Location {
                    city,
                    department,
                    region,
                    country,
                },
                working_languages,
                public_contact_email,
                public_phone,
                private_contacts,
            }),
            _ => Err(errors),
        }
    }

    /// What a submitted profile must have for an expert to review it.
    pub fn check_complete(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.capabilities.is_empty() {
            errors.add(
                "capabilities",
                "required",
                "list at least one capability before submitting",
            );
        }
        if self.sectors.is_empty() {
            errors.add(
                "sectors",
                "required",
                "list at least one sector served before submitting",
            );
        }
        errors.into_result(|| ())
    }
}

/// Where a profile stands in its review lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileStatus {
    /// Being written; never reviewed since the last change.
    Draft,
    /// Waiting for an expert.
    Submitted,
    /// An expert approved the working copy; it is the published snapshot.
    Published,
    /// An expert sent it back with a comment.
    ChangesRequested,
    /// Taken off the directory by the back office.
    Suspended,
}

impl ProfileStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Submitted,
        Self::Published,
        Self::ChangesRequested,
        Self::Suspended,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::ChangesRequested => "changes_requested",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Published,
            Self::ChangesRequested,
            Self::Suspended,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierProfile {
    pub organisation_id: OrganisationId,
    pub status: ProfileStatus,
    pub working: ProfileContent,
    pub published: Option<ProfileContent>,
    /// Incremented on every change; clients send it back in `If-Match`.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub last_review: Option<Review>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a lifecycle step changed, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ProfileStatus,
    pub to: ProfileStatus,
}

fn refuse(status: ProfileStatus, action: &str) -> DomainError {
    DomainError::InvalidState {
        code: format!("profile_{}", status.as_str()),
        message: format!(
            "cannot {action} a profile that is {}",
            status.as_str().replace('_', " ")
        ),
    }
}

impl SupplierProfile {
    pub fn new(
        organisation_id: OrganisationId,
        content: ProfileContent,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            organisation_id,
            status: ProfileStatus::Draft,
            working: content,
            published: None,
            version: 1,
            submitted_at: None,
            published_at: None,
            last_review: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// A profile the cluster vetted before the platform existed, loaded by
    /// `admin import-suppliers`: published at once, with no expert review
    /// recorded (no expert id is invented for it).
    pub fn imported(
        organisation_id: OrganisationId,
        content: ProfileContent,
        now: DateTime<Utc>,
    ) -> (Self, ProfileEvent) {
        let profile = Self {
            status: ProfileStatus::Published,
            published: Some(content.clone()),
            published_at: Some(now),
            ..Self::new(organisation_id, content, now)
        };
        let event = ProfileEvent {
            organisation: organisation_id,
            transition: None,
            step: ProfileStep::Imported,
        };
        (profile, event)
    }

    /// Publishes re-imported content in place of both the working copy and
    /// the snapshot. `None` when the public already sees exactly this
    /// content (a re-run of the same file), so an edit under review
    /// survives it. A suspended profile stays off the directory. The
    /// import's file has no phone or private contacts: those the profile
    /// has are kept, so that importing an export changes nothing.
    pub fn reimport(
        &mut self,
        mut content: ProfileContent,
        now: DateTime<Utc>,
    ) -> Result<Option<ProfileEvent>, DomainError> {
        if self.status == ProfileStatus::Suspended {
            return Err(refuse(self.status, "import over"));
        }
        if let Some(current) = &self.published {
            content.public_phone.clone_from(&current.public_phone);
            content
                .private_contacts
                .clone_from(&current.private_contacts);
        }
        if self.public_content() == Some(&content) {
            return Ok(None);
        }
        self.working = content.clone();
        self.published = Some(content);
        self.published_at = Some(now);
        Ok(Some(self.event(
            ProfileStatus::Published,
            ProfileStep::Imported,
            now,
        )))
    }

    /// The public sees the approved snapshot, unless suspended.
    pub fn public_content(&self) -> Option<&ProfileContent> {
        match self.status {
            ProfileStatus::Suspended => None,
            _ => self.published.as_ref(),
        }
    }

    /// `public_content`, taking the profile.
    pub fn into_public_content(self) -> Option<ProfileContent> {
        self.public_content().is_some().then_some(self.published)?
    }

    fn step(&mut self, to: ProfileStatus, now: DateTime<Utc>) -> Transition {
        let from = self.status;
        self.status = to;
        self.version += 1;
        self.updated_at = now;
        Transition { from, to }
    }

    /// Replaces the working copy. Edits to a published profile go straight to
    /// review; the published snapshot stays public meanwhile. A profile under
    /// review (submitted) is not edited until the expert decides.
    pub fn edit(
        &mut self,
        expected_version: i64,
        content: ProfileContent,
        now: DateTime<Utc>,
    ) -> Result<ProfileEvent, DomainError> {
        if expected_version != self.version {
            return Err(DomainError::VersionMismatch {
                current: self.version,
            });
        }
        let to = match self.status {
            ProfileStatus::Published => ProfileStatus::Submitted,
            // Under review: the expert decides on the version submitted, so
            // it cannot change underneath (wait for the decision).
            ProfileStatus::Submitted | ProfileStatus::Suspended => {
                return Err(refuse(self.status, "edit"));
            }
            other => other,
        };
        if to == ProfileStatus::Submitted {
            content.check_complete()?;
            self.submitted_at = Some(now);
        }
        self.working = content;
        Ok(self.event(to, ProfileStep::Edited, now))
    }

    /// A new profile, as a draft.
    pub fn create(
        organisation_id: OrganisationId,
        content: ProfileContent,
        now: DateTime<Utc>,
    ) -> (Self, ProfileEvent) {
        let event = ProfileEvent {
            organisation: organisation_id,
            transition: None,
            step: ProfileStep::Created,
        };
        (Self::new(organisation_id, content, now), event)
    }

    /// Takes the step to `to` and reports it as `step`.
    fn event(&mut self, to: ProfileStatus, step: ProfileStep, now: DateTime<Utc>) -> ProfileEvent {
        let transition = self.step(to, now);
        ProfileEvent::new(self.organisation_id, transition, step)
    }

    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<ProfileEvent, DomainError> {
        match self.status {
            ProfileStatus::Draft | ProfileStatus::ChangesRequested => {
                self.working.check_complete()?;
                self.submitted_at = Some(now);
                Ok(self.event(ProfileStatus::Submitted, ProfileStep::Submitted, now))
            }
            other => Err(refuse(other, "submit")),
        }
    }

    /// Whether the expert's decision is about the current version.
    fn check_reviewed(&self, reviewed_version: i64) -> Result<(), DomainError> {
        if reviewed_version == self.version {
            Ok(())
        } else {
            Err(DomainError::VersionMismatch {
                current: self.version,
            })
        }
    }

    /// Publishes the working copy of `reviewed_version`, the one the expert read.
    pub fn approve(
        &mut self,
        reviewed_version: i64,
        expert: UserId,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ProfileEvent, DomainError> {
        self.check_reviewed(reviewed_version)?;
        if self.status != ProfileStatus::Submitted {
            return Err(refuse(self.status, "approve"));
        }
        self.published = Some(self.working.clone());
        self.published_at = Some(now);
        self.last_review = Some(Review {
            by: expert,
            at: now,
            comment: comment.clone(),
        });
        let step = ProfileStep::Approved { comment };
        Ok(self.event(ProfileStatus::Published, step, now))
    }

    pub fn request_changes(
        &mut self,
        reviewed_version: i64,
        expert: UserId,
        comment: String,
        now: DateTime<Utc>,
    ) -> Result<ProfileEvent, DomainError> {
        self.check_reviewed(reviewed_version)?;
        if self.status != ProfileStatus::Submitted {
            return Err(refuse(self.status, "request changes on"));
        }
        self.last_review = Some(Review {
            by: expert,
            at: now,
            comment: Some(comment.clone()),
        });
        let step = ProfileStep::ChangesRequested { comment };
        Ok(self.event(ProfileStatus::ChangesRequested, step, now))
    }

    pub fn suspend(
        &mut self,
        expert: UserId,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<ProfileEvent, DomainError> {
        if self.status == ProfileStatus::Suspended || self.published.is_none() {
            return Err(refuse(self.status, "suspend"));
        }
        self.last_review = Some(Review {
            by: expert,
            at: now,
            comment: Some(reason.clone()),
        });
        let step = ProfileStep::Suspended { reason };
        Ok(self.event(ProfileStatus::Suspended, step, now))
    }

    pub fn reinstate(
        &mut self,
        expert: UserId,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ProfileEvent, DomainError> {
        if self.status != ProfileStatus::Suspended {
            return Err(refuse(self.status, "reinstate"));
        }
        self.last_review = Some(Review {
            by: expert,
            at: now,
            comment: comment.clone(),
        });
        // Anything edited meanwhile was never approved: back to review.
        let to = if self.published.as_ref() == Some(&self.working) {
            ProfileStatus::Published
        } else {
            ProfileStatus::Submitted
        };
        Ok(self.event(to, ProfileStep::Reinstated { comment }, now))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn content(description: &str) -> ProfileContent {
        let input = ProfileInput {
            description_fr: description,
            description_en: "",
            capabilities: vec![("machining.micro_machining", Some("titane, 5 axes"))],
            sectors: vec!["medtech"],
            equipment: vec![],
            headcount: Some("10-49"),
            city: "Besançon",
            department: "25",
            region: "Bourgogne-Franche-Comté",
            country: None,
            working_languages: vec!["fr", "en"],
            public_contact_email: Some("contact@microtech.example"),
            public_phone: None,
            private_contacts: vec![],
        };
        ProfileContent::parse(&input, |_| true).unwrap()
    }

    pub(crate) fn profile() -> SupplierProfile {
        SupplierProfile::new(OrganisationId::new(), content("Micro-usinage"), Utc::now())
    }

    #[test]
    fn a_profile_is_public_once_approved_and_edits_keep_the_approved_version_public() {
        let expert = UserId::new();
        let mut profile = profile();
        assert!(profile.public_content().is_none());
        let _step = profile.submit(Utc::now()).unwrap();
        let _step = profile
            .approve(profile.version, expert, None, Utc::now())
            .unwrap();
        assert_eq!(
            profile.public_content().map(|c| c.description_fr.as_str()),
            Some("Micro-usinage")
        );

        let version = profile.version;
        let edited = profile
            .edit(version, content("Micro-usinage et décolletage"), Utc::now())
            .unwrap();
        assert!(
            edited.awaits_review(),
            "an edit of a published profile is reviewed"
        );
        let transition = edited.transition.expect("a step");
        assert_eq!(
            (transition.from, transition.to),
            (ProfileStatus::Published, ProfileStatus::Submitted)
        );
        assert_eq!(
            profile.public_content().map(|c| c.description_fr.as_str()),
            Some("Micro-usinage")
        );
        let _step = profile
            .approve(profile.version, expert, None, Utc::now())
            .unwrap();
        assert_eq!(
            profile.public_content().map(|c| c.description_fr.as_str()),
            Some("Micro-usinage et décolletage")
        );
    }

    #[test]
    fn an_expert_decides_on_the_version_read_and_a_submitted_profile_waits_for_the_decision() {
        let expert = UserId::new();
        let mut profile = profile();
        let _step = profile.submit(Utc::now()).unwrap();
        let read = profile.version;
        let error = profile
            .edit(read, content("contact payments@evil.example"), Utc::now())
            .unwrap_err();
        assert!(
            matches!(error, DomainError::InvalidState { code, .. } if code == "profile_submitted")
        );
        assert!(matches!(
            profile.approve(read - 1, expert, None, Utc::now()),
            Err(DomainError::VersionMismatch { current }) if current == read
        ));
        assert!(matches!(
            profile.request_changes(read + 1, expert, "x".into(), Utc::now()),
            Err(DomainError::VersionMismatch { .. })
        ));
        assert_eq!(profile.status, ProfileStatus::Submitted);
        let _step = profile.approve(read, expert, None, Utc::now()).unwrap();
        assert_eq!(profile.published.as_ref(), Some(&profile.working));
    }

    #[test]
    fn a_stale_version_cannot_overwrite_a_newer_edit() {
        let mut profile = profile();
        let stale = profile.version;
        let _step = profile
            .edit(stale, content("première"), Utc::now())
            .unwrap();
        let error = profile
            .edit(stale, content("seconde"), Utc::now())
            .unwrap_err();
        assert!(matches!(error, DomainError::VersionMismatch { current } if current == stale + 1));
        assert_eq!(profile.working.description_fr, "première");
    }

    #[test]
    fn illegal_transitions_name_the_current_state() {
        let expert = UserId::new();
        let mut profile = profile();
        let code = |e: DomainError| match e {
            DomainError::InvalidState { code, .. } => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(
                profile
                    .approve(profile.version, expert, None, Utc::now())
                    .unwrap_err()
            ),
            "profile_draft"
        );
        assert_eq!(
            code(profile.suspend(expert, "x".into(), Utc::now()).unwrap_err()),
            "profile_draft"
        );
        let _step = profile.submit(Utc::now()).unwrap();
        assert_eq!(
            code(profile.submit(Utc::now()).unwrap_err()),
            "profile_submitted"
        );
        let _step = profile
            .request_changes(
                profile.version,
                expert,
                "ajoutez vos certificats".into(),
                Utc::now(),
            )
            .unwrap();
        assert_eq!(
            code(profile.reinstate(expert, None, Utc::now()).unwrap_err()),
            "profile_changes_requested"
        );
        let _step = profile.submit(Utc::now()).unwrap();
        let _step = profile
            .approve(profile.version, expert, None, Utc::now())
            .unwrap();
        let _step = profile
            .suspend(expert, "certificat frauduleux".into(), Utc::now())
            .unwrap();
        assert!(profile.public_content().is_none());
        let version = profile.version;
        assert_eq!(
            code(profile.edit(version, content("x"), Utc::now()).unwrap_err()),
            "profile_suspended"
        );
        let _step = profile.reinstate(expert, None, Utc::now()).unwrap();
        assert_eq!(profile.status, ProfileStatus::Published);
    }

    #[test]
    fn an_imported_profile_is_public_at_once_and_a_reimport_changes_only_what_differs() {
        let (mut profile, imported) =
            SupplierProfile::imported(OrganisationId::new(), content("Micro-usinage"), Utc::now());
        assert_eq!(imported.step, ProfileStep::Imported);
        assert_eq!(
            imported.transition, None,
            "a new profile comes from nowhere"
        );
        assert_eq!(profile.status, ProfileStatus::Published);
        assert_eq!(profile.version, 1);
        assert!(profile.last_review.is_none(), "no expert reviewed it");
        assert_eq!(
            profile.public_content().map(|c| c.description_fr.as_str()),
            Some("Micro-usinage")
        );

        assert_eq!(
            profile
                .reimport(content("Micro-usinage"), Utc::now())
                .unwrap(),
            None
        );
        assert_eq!(profile.version, 1);

        let step = profile
            .reimport(content("Micro-usinage et décolletage"), Utc::now())
            .unwrap();
        assert_eq!(
            step.and_then(|e| e.transition),
            Some(Transition {
                from: ProfileStatus::Published,
                to: ProfileStatus::Published
            })
        );
        assert_eq!(profile.version, 2);
        assert_eq!(profile.working, content("Micro-usinage et décolletage"));
        assert_eq!(
            profile.public_content().map(|c| c.description_fr.as_str()),
            Some("Micro-usinage et décolletage")
        );
    }

    #[test]
    fn a_reimport_keeps_the_phone_and_private_contacts_the_file_cannot_carry() {
        let mut with_contacts = content("Micro-usinage");
        with_contacts.public_phone = Some("+33 3 81 00 00 00".to_owned());
        with_contacts.private_contacts = vec![Contact {
            name: "Marc Girard".to_owned(),
            role: None,
            email: Email::parse("marc@precimicro.example").unwrap(),
            phone: None,
        }];
        let (mut profile, _) =
            SupplierProfile::imported(OrganisationId::new(), with_contacts.clone(), Utc::now());
        assert_eq!(
            profile
                .reimport(content("Micro-usinage"), Utc::now())
                .unwrap(),
            None,
            "the same file again changes nothing"
        );
        let _step = profile
            .reimport(content("Décolletage"), Utc::now())
            .unwrap()
            .expect("changed");
        let public = profile.public_content().expect("published");
        assert_eq!(public.description_fr, "Décolletage");
        assert_eq!(public.public_phone, with_contacts.public_phone);
        assert_eq!(public.private_contacts, with_contacts.private_contacts);
    }

    #[test]
    fn an_import_publishes_a_draft_but_never_a_suspended_profile() {
        let mut draft = profile();
        let step = draft.reimport(content("Importé"), Utc::now()).unwrap();
        assert_eq!(
            step.and_then(|e| e.transition).map(|t| (t.from, t.to)),
            Some((ProfileStatus::Draft, ProfileStatus::Published))
        );

        let expert = UserId::new();
        let _step = draft
            .suspend(expert, "certificat frauduleux".into(), Utc::now())
            .unwrap();
        let error = draft.reimport(content("Autre"), Utc::now()).unwrap_err();
        assert!(
            matches!(error, DomainError::InvalidState { code, .. } if code == "profile_suspended")
        );
        assert!(draft.public_content().is_none());
    }

    #[test]
    fn an_incomplete_profile_cannot_be_submitted() {
        let mut incomplete = profile();
        incomplete.working.capabilities.clear();
        let error = incomplete.submit(Utc::now()).unwrap_err();
        assert!(
            matches!(error, DomainError::Validation(e) if e.errors()[0].field == "capabilities")
        );
    }
}
