//! Writing one valid row: creates or updates the organisation, republishes
//! the profile and replaces the certificates, in the caller's transaction.

use chrono::NaiveDate;
use domain::DomainError;
use domain::account_events::AccountEvent;
use domain::certification::{Certification, CertificationDetails};
use domain::ids::OrganisationId;
use domain::organisation::{LegalIdentity, Organisation, OrganisationKind};
use domain::profile::{ProfileContent, ProfileStatus, SupplierProfile};
use domain::validation::ValidationErrors;
use persistence::{Tx, accounts, certifications, profiles};

use super::Outcome;
use super::row::{Supplier, key_field};
use crate::app::publisher::Publisher;
use crate::error::ApiResult;

pub(super) fn import_one(
    conn: &mut Tx,
    publisher: &Publisher,
    supplier: Supplier,
) -> ApiResult<Outcome> {
    let now = publisher.now;
    let existing = match &supplier.identity {
        LegalIdentity::French { siret } => accounts::find_organisation_by_siret(conn, siret)?,
        LegalIdentity::Foreign {
            country,
            registration_number,
        } => accounts::find_organisation_by_registration(conn, country, registration_number)?,
    };
    let Some(mut org) = existing else {
        create(conn, publisher, supplier)?;
        return Ok(Outcome::Created);
    };
    let field = key_field(&supplier.identity);
    if org.kind != OrganisationKind::Supplier {
        return Ok(Outcome::Rejected(ValidationErrors::single(
            field,
            "registered_as_buyer",
            "this organisation is registered as a buyer",
        )));
    }
    let profile = profiles::find(conn, org.id)?;
    if profile
        .as_ref()
        .is_some_and(|p| p.status == ProfileStatus::Suspended)
    {
        return Ok(Outcome::Rejected(ValidationErrors::single(
            field,
            "profile_suspended",
            "the back office suspended this supplier; reinstate it before importing over it",
        )));
    }

    let mut changed = Vec::new();
    if org.legal_name != supplier.legal_name {
        changed.push("legal_name");
    }
    if org.address != supplier.address || org.region != supplier.region {
        changed.push("address");
    }
    if org.website != supplier.website {
        changed.push("website");
    }
    if org.membership != supplier.membership {
        changed.push("membership");
    }
    if !changed.is_empty() {
        org.legal_name = supplier.legal_name;
        org.address = supplier.address;
        org.region = supplier.region;
        org.website = supplier.website;
        org.membership = supplier.membership;
        org.updated_at = now;
        accounts::update_organisation(conn, &org)?;
        publisher.publish_account(
            conn,
            AccountEvent::OrganisationReimported {
                organisation: org.id,
                fields: changed.clone(),
            },
        )?;
    }

    match profile {
        None => {
            publish(conn, publisher, org.id, supplier.content)?;
            changed.push("profile");
        }
        Some(mut profile) => {
            let read_version = profile.version;
            if let Some(reimported) = profile.reimport(supplier.content, now)? {
                if !profiles::update(conn, &profile, read_version)? {
                    return Err(DomainError::VersionMismatch {
                        current: read_version + 1,
                    }
                    .into());
                }
                publisher.publish_profile(conn, reimported)?;
                changed.push("profile");
            }
        }
    }

    let current = certifications::of_organisation(conn, org.id)?;
    if !same_certificates(&current, &supplier.certifications) {
        for old in &current {
            certifications::delete(conn, old)?;
            publisher.publish_certificate(conn, old.replace_by_import())?;
        }
        insert_certificates(conn, publisher, org.id, supplier.certifications)?;
        changed.push("certifications");
    }

    if changed.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    Ok(Outcome::Updated)
}

fn create(conn: &mut Tx, publisher: &Publisher, supplier: Supplier) -> ApiResult<()> {
    let now = publisher.now;
    let org = Organisation {
        id: OrganisationId::new(),
        kind: OrganisationKind::Supplier,
        legal_name: supplier.legal_name,
        identity: supplier.identity,
        address: supplier.address,
        region: supplier.region,
        website: supplier.website,
        membership: supplier.membership,
        created_at: now,
        updated_at: now,
    };
    accounts::insert_organisation(conn, &org)?;
    publisher.publish_account(
        conn,
        AccountEvent::OrganisationImported {
            organisation: org.id,
            kind: org.kind,
        },
    )?;
    publish(conn, publisher, org.id, supplier.content)?;
    insert_certificates(conn, publisher, org.id, supplier.certifications)?;
    Ok(())
}

fn publish(
    conn: &mut Tx,
    publisher: &Publisher,
    org: OrganisationId,
    content: ProfileContent,
) -> ApiResult<()> {
    let (profile, imported) = SupplierProfile::imported(org, content, publisher.now);
    profiles::insert(conn, &profile)?;
    publisher.publish_profile(conn, imported)
}

fn insert_certificates(
    conn: &mut Tx,
    publisher: &Publisher,
    org: OrganisationId,
    certificates: Vec<CertificationDetails>,
) -> ApiResult<()> {
    for details in certificates {
        let (certification, imported) = Certification::import(org, details, publisher.now);
        certifications::insert(conn, &certification)?;
        publisher.publish_certificate(conn, imported)?;
    }
    Ok(())
}

/// Whether the stored certificates say exactly what the file says (in any
/// order); an expert's verdict on them is kept when they do. A file that
/// gives no `document_ref` (CSV has no column for it) leaves the stored one
/// as it is.
fn same_certificates(stored: &[Certification], imported: &[CertificationDetails]) -> bool {
    let refs_given = imported.iter().any(|d| d.document_ref.is_some());
    let stored: Vec<CertificationDetails> = stored
        .iter()
        .map(|c| CertificationDetails {
            document_ref: c.details.document_ref.clone().filter(|_| refs_given),
            ..c.details.clone()
        })
        .collect();
    same_details(&stored, imported)
}

fn same_details(stored: &[CertificationDetails], imported: &[CertificationDetails]) -> bool {
    type Key<'a> = (
        &'a str,
        NaiveDate,
        NaiveDate,
        &'a str,
        &'a str,
        Option<&'a str>,
    );
    fn sorted<'a>(details: impl Iterator<Item = &'a CertificationDetails>) -> Vec<Key<'a>> {
        let mut keys: Vec<Key<'a>> = details
            .map(|d| {
                (
                    d.type_code.as_str(),
                    d.valid_from,
                    d.valid_until,
                    d.certifying_body.as_str(),
                    d.scope.as_str(),
                    d.document_ref.as_deref(),
                )
            })
            .collect();
        keys.sort_unstable();
        keys
    }
    sorted(stored.iter()) == sorted(imported.iter())
}
