//! Files attached to what is not a request: a quote revision's and an
//! answer's files (ids in their bodies), a certificate's proof, a profile's
//! logo and brochure; and the views that show them. A request's own
//! documents, downloads and removals are in `files`.

use domain::ValidationErrors;
use domain::auth::Actor;
use domain::documents::{Attachment, ProfileDocument, RemovalReason, StoredFile};
use domain::ids::{CertificationId, FileId, OrganisationId};
use domain::{DomainError, certification::Certification};
use openapi::directory::CertificationView;
use openapi::files::FileView;
use persistence::{DbConnection, Tx, certifications, files, profiles};
use uuid::Uuid;

use crate::app::files::{remove_one, view};
use crate::app::publisher::Publisher;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How many files one quote revision or answer carries.
pub const MAX_FILES: usize = 20;

/// The ids of a body's `file_ids`, at most [`MAX_FILES`], each once.
pub fn parse_file_ids(ids: &[Uuid]) -> Result<Vec<FileId>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    errors.at_most("file_ids", ids, MAX_FILES);
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            errors.add(
                format!("file_ids[{i}]"),
                "duplicate",
                "this file is listed twice",
            );
        }
    }
    errors.into_result(|| ids.iter().map(|id| FileId::from(*id)).collect())
}

/// Attaches `ids` (files of the actor's organisation, not attached yet) to
/// `to` in the caller's transaction, each in its file's history. A file
/// that is not the actor's to attach is refused by its place in the list.
pub fn attach_all(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: &[FileId],
    to: Attachment,
    publisher: &Publisher,
) -> ApiResult<Vec<StoredFile>> {
    let mut attached = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let field = format!("file_ids[{i}]");
        let mut file = files::find(conn, *id)?
            .filter(|f| actor.belongs_to(f.organisation))
            .ok_or_else(|| {
                ValidationErrors::single(
                    field.clone(),
                    "unknown_file",
                    "no file of your organisation has this id (upload it with POST /api/v1/files)",
                )
            })?;
        let event = file.attach(actor, to).map_err(|error| match error {
            DomainError::Conflict { message, .. } => ApiError::from(ValidationErrors::single(
                field.clone(),
                "file_attached",
                message,
            )),
            other => other.into(),
        })?;
        if !files::save_attachment(conn, &file)? {
            return Err(ValidationErrors::single(
                field,
                "file_attached",
                "this file was attached elsewhere meanwhile",
            )
            .into());
        }
        publisher.publish_document(conn, event)?;
        attached.push(file);
    }
    Ok(attached)
}

/// The views of the files in `all` attached to `to`.
pub fn views_of(all: &[StoredFile], to: Attachment) -> Vec<FileView> {
    all.iter()
        .filter(|f| f.attachment == Some(to))
        .map(view)
        .collect()
}

/// The supplier attaches a proof to its certificate, for the experts who
/// verify it. A verified certificate takes no new proof: what the expert
/// verified stays what it saw (change the certificate to submit it again).
pub async fn attach_proof(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    id: CertificationId,
    file_id: FileId,
) -> ApiResult<CertificationView> {
    actor.may_edit_supplier(org)?;
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let certification = certifications::find(conn, id)?
                .filter(|c| c.organisation_id == org)
                .ok_or_else(|| ApiError::not_found("certification"))?;
            certification.may_take_proof()?;
            let mut file = files::find(conn, file_id)?
                .filter(|f| actor.belongs_to(f.organisation))
                .ok_or_else(|| ApiError::not_found("file"))?;
            let attached = file.attach(&actor, Attachment::Certificate(id))?;
            if !files::save_attachment(conn, &file)? {
                return Err(DomainError::Conflict {
                    code: "file_attached",
                    message: "this file was attached meanwhile".to_owned(),
                }
                .into());
            }
            publisher.publish_document(conn, attached)?;
            certification_with_proofs(conn, &certification, &actor, publisher.now)
        })
        .await
}

/// A certificate as the supplier or an expert reads it: with its proofs.
pub fn certification_with_proofs(
    conn: &mut DbConnection,
    certification: &Certification,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<CertificationView> {
    let proofs = files::attached_to(conn, Attachment::Certificate(certification.id))?;
    let mut certificate = crate::app::views::certification(certification, actor, now);
    certificate.proofs = Some(proofs.iter().map(view).collect());
    Ok(certificate)
}

/// Fills the proofs of `views` (certificates the actor may see the proofs
/// of), in one query.
pub fn add_proofs(conn: &mut DbConnection, views: &mut [CertificationView]) -> ApiResult<()> {
    let targets: Vec<Attachment> = views
        .iter()
        .map(|v| Attachment::Certificate(v.id.into()))
        .collect();
    let proofs = files::attached_to_each(conn, &targets)?;
    for (v, target) in views.iter_mut().zip(targets) {
        v.proofs = Some(views_of(&proofs, target));
    }
    Ok(())
}

/// The supplier sets its profile's logo or brochure; the previous one, if
/// any, is removed (its object after the commit). Readable by anyone once
/// the profile is published.
pub async fn set_profile_document(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    slot: ProfileDocument,
    file_id: FileId,
) -> ApiResult<FileView> {
    actor.may_edit_supplier(org)?;
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |tx| {
            profiles::find(tx, org)?.ok_or_else(|| ApiError::not_found("supplier profile"))?;
            let to = Attachment::Profile(org, slot);
            let mut file = files::find(tx, file_id)?
                .filter(|f| actor.belongs_to(f.organisation))
                .ok_or_else(|| ApiError::not_found("file"))?;
            let attached = file.attach(&actor, to)?;
            for previous in files::attached_to(tx, to)? {
                remove_one(
                    tx,
                    &actor,
                    &previous,
                    None,
                    RemovalReason::Replaced,
                    &publisher,
                )?;
            }
            if !files::save_attachment(tx, &file)? {
                return Err(DomainError::Conflict {
                    code: "file_attached",
                    message: "this file was attached meanwhile".to_owned(),
                }
                .into());
            }
            publisher.publish_document(tx, attached)?;
            Ok(view(&file))
        })
        .await
}

/// A profile's logo and brochure.
pub fn profile_documents(
    conn: &mut DbConnection,
    org: OrganisationId,
) -> ApiResult<(Option<FileView>, Option<FileView>)> {
    let logo = files::attached_to(conn, Attachment::Profile(org, ProfileDocument::Logo))?;
    let brochure = files::attached_to(conn, Attachment::Profile(org, ProfileDocument::Brochure))?;
    Ok((logo.last().map(view), brochure.last().map(view)))
}

/// Removes the proofs of a certificate being deleted, unless it was
/// verified: a verified certificate's proof is kept as the expert saw it
/// (its organisation and the experts still read it).
pub fn remove_proofs(
    tx: &mut Tx,
    actor: &Actor,
    certification: &Certification,
    publisher: &Publisher,
) -> ApiResult<()> {
    let to = Attachment::Certificate(certification.id);
    if to.seal(Some(certification.status)).is_some() {
        return Ok(());
    }
    for proof in files::attached_to(tx, to)? {
        remove_one(
            tx,
            actor,
            &proof,
            None,
            RemovalReason::CertificateDeleted,
            publisher,
        )?;
    }
    Ok(())
}
