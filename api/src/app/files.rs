//! Documents: upload (streamed to the file store, typed from its bytes,
//! hashed, bounded by the size limit and the organisation's quota),
//! attachment to a request, download under the rules of what a file is
//! attached to, and the NDA that opens a request's files to an invited
//! supplier.

use std::ops::Range;

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::auth::Actor;
use domain::certification::VerificationStatus;
use domain::documents::{
    Attachment, DisplayName, DocumentEvent, DocumentType, ProfileDocument, ReadContext,
    RemovalReason, SNIFF_BYTES, Seal, StoredFile, UNATTACHED_LIFETIME, check_quota,
};
use domain::ids::{FileId, SourcingRequestId};
use domain::sourcing::RequestAccess;
use futures::{Stream, StreamExt as _};
use openapi::files::{AttachedToView, AttachmentKind, FileView, NdaAcceptanceView};
use openapi::paging::{FilePage, ListQuery};
use persistence::{DbConnection, Tx, accounts, certifications, files, profiles, sourcing};
use sha2::{Digest as _, Sha256};
use storage::{Download, StorageKey, Upload};

use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
use crate::app::publisher::Publisher;
use crate::app::sourcing::{load, not_found as request_not_found};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

pub fn view(file: &StoredFile) -> FileView {
    FileView {
        id: *file.id.as_uuid(),
        name: file.name.as_str().to_owned(),
        media_type: file.document_type.media_type().to_owned(),
        size_bytes: file.size_bytes,
        sha256: file.sha256.clone(),
        attached_to: file.attachment.map(|a| {
            let (kind, id) = match a {
                Attachment::Request(id) => (AttachmentKind::Request, *id.as_uuid()),
                Attachment::Quote(id) => (AttachmentKind::Quote, *id.as_uuid()),
                Attachment::Answer(id) => (AttachmentKind::Answer, *id.as_uuid()),
                Attachment::Certificate(id) => (AttachmentKind::Certificate, *id.as_uuid()),
                Attachment::Profile(org, ProfileDocument::Logo) => {
                    (AttachmentKind::ProfileLogo, *org.as_uuid())
                }
                Attachment::Profile(org, ProfileDocument::Brochure) => {
                    (AttachmentKind::ProfileBrochure, *org.as_uuid())
                }
            };
            AttachedToView { kind, id }
        }),
        created_at: file.created_at,
    }
}

/// What the client says of the body it sends.
pub struct UploadRequest {
    /// The `X-Filename` header, percent-decoded.
    pub name: String,
    /// `Content-Length`, when the body is not chunked.
    pub declared_length: Option<u64>,
}

fn too_large(limit: u64) -> ApiError {
    ApiError::coded(
        ErrorCode::PayloadTooLarge,
        format!("a document is at most {limit} bytes (UPLOAD_LIMIT_BYTES)"),
    )
}

/// What the bytes streamed so far tell.
struct Received {
    size: u64,
    sha256: Sha256,
    head: Vec<u8>,
}

/// Streams `body` into `upload`, hashing it and keeping its first bytes,
/// refusing past `limit`. Holds one network chunk at a time (plus the S3
/// part being filled), never the whole body.
async fn receive<S, E>(upload: &mut dyn Upload, mut body: S, limit: u64) -> ApiResult<Received>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut received = Received {
        size: 0,
        sha256: Sha256::new(),
        head: Vec::with_capacity(SNIFF_BYTES),
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::coded(
                ErrorCode::BadRequest,
                format!("the upload was cut short: {e}"),
            )
        })?;
        received.size += chunk.len() as u64;
        if received.size > limit {
            return Err(too_large(limit));
        }
        received.sha256.update(&chunk);
        if received.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - received.head.len()).min(chunk.len());
            received.head.extend_from_slice(&chunk[..take]);
        }
        upload.write(chunk).await?;
    }
    Ok(received)
}

/// Stores a new document for the actor's organisation. The object is
/// written completely before its row: a failure or a crash before the row
/// leaves no row, and the removal registered first cleans the object.
pub async fn upload<S, E>(
    state: &AppState,
    actor: Actor,
    request: UploadRequest,
    body: S,
) -> ApiResult<FileView>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    actor.may_act_for_organisation()?;
    let organisation = actor.organisation_id().ok_or(DomainError::Forbidden(
        "documents belong to a buyer or supplier organisation",
    ))?;
    let (limit, quota) = (
        state.settings.upload_limit_bytes,
        state.settings.org_storage_quota_bytes,
    );
    if request.declared_length.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let name = DisplayName::sanitise(&request.name);
    let used = state
        .read(move |conn| Ok(files::bytes_used(conn, organisation)?))
        .await?;
    check_quota(used, request.declared_length.unwrap_or(0), quota)?;

    let key = StorageKey::generate();
    let now = state.clock.now();
    // The guard: if this process dies mid-upload, the worker removes
    // whatever was written under `key` a day later.
    state
        .transaction(move |conn| {
            Ok(files::schedule_removal(
                conn,
                &key.to_string(),
                now + UNATTACHED_LIFETIME,
                now,
            )?)
        })
        .await?;
    let mut upload = state.files.create(key).await?;
    let received = match receive(upload.as_mut(), body, limit).await {
        Ok(received) => received,
        Err(error) => {
            abort(upload, key).await;
            return Err(error);
        }
    };
    let document_type = match accepted(&received, used, quota) {
        Ok(document_type) => document_type,
        Err(error) => {
            abort(upload, key).await;
            return Err(error);
        }
    };
    upload.finish().await?;

    let file = StoredFile {
        id: FileId::new(),
        organisation,
        uploaded_by: actor.user_id,
        name,
        document_type,
        size_bytes: received.size,
        sha256: format!("{:x}", received.sha256.finalize()),
        storage_key: key.to_string(),
        attachment: None,
        created_at: now,
    };
    let publisher = Publisher::new(state, Some(actor));
    let saved = state
        .transaction(move |conn| {
            // Again under the transaction: two concurrent uploads must not
            // both fit the room left for one.
            check_quota(
                files::bytes_used(conn, organisation)?,
                file.size_bytes,
                quota,
            )?;
            files::insert(conn, &file)?;
            files::cancel_removal(conn, &file.storage_key)?;
            publisher.publish_document(
                conn,
                DocumentEvent::Uploaded {
                    file: file.id,
                    name: file.name.clone(),
                    document_type: file.document_type,
                    size_bytes: file.size_bytes,
                },
            )?;
            Ok(view(&file))
        })
        .await;
    if saved.is_err() {
        // The guard still stands: make it due now.
        remove_soon(state, key).await;
    }
    saved
}

/// The type of what was received, if it is a document we keep and fits
/// the quota.
fn accepted(received: &Received, used: u64, quota: u64) -> ApiResult<DocumentType> {
    if received.size == 0 {
        return Err(domain::ValidationErrors::single(
            "body",
            "required",
            "the document is empty (0 bytes)",
        )
        .into());
    }
    let document_type = DocumentType::detect(&received.head, received.size).ok_or_else(|| {
        ApiError::coded(
            ErrorCode::UnsupportedFileType,
            "this is not an accepted document type (PDF, PNG, JPEG, STEP, IGES, STL, DXF, \
             DOCX, XLSX, ZIP), whatever its name says",
        )
    })?;
    check_quota(used, received.size, quota)?;
    Ok(document_type)
}

async fn abort(upload: Box<dyn Upload>, key: StorageKey) {
    if let Err(error) = upload.abort().await {
        // The guard registered before the upload removes it later.
        tracing::warn!(%error, %key, "aborting an upload failed");
    }
}

async fn remove_soon(state: &AppState, key: StorageKey) {
    let now = state.clock.now();
    let scheduled = state
        .transaction(move |conn| Ok(files::schedule_removal(conn, &key.to_string(), now, now)?))
        .await;
    if let Err(error) = scheduled {
        tracing::warn!(%error, %key, "object left for the guard's removal");
    }
}

/// The file of the actor's organisation that may still be attached.
fn own_file(conn: &mut DbConnection, actor: &Actor, id: FileId) -> ApiResult<StoredFile> {
    files::find(conn, id)?
        .filter(|f| actor.belongs_to(f.organisation))
        .ok_or_else(|| ApiError::not_found("file"))
}

/// The buyer attaches an uploaded file to its request while it may edit
/// the request.
pub async fn attach_to_request(
    state: &AppState,
    actor: Actor,
    request_id: SourcingRequestId,
    file_id: FileId,
) -> ApiResult<FileView> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, request_id)?;
            // The role first: an expert is told no, not that the file is
            // not its own.
            access.require(RequestAccess::Buyer)?;
            let mut file = own_file(conn, &actor, file_id)?;
            let attached_to_request =
                request.attach_document(access.party()?, file.name.as_str())?;
            let attached = file.attach(&actor, Attachment::Request(request_id))?;
            if !files::save_attachment(conn, &file)? {
                return Err(DomainError::Conflict {
                    code: "file_attached",
                    message: "this file was attached meanwhile".to_owned(),
                }
                .into());
            }
            publisher.publish_document(conn, attached)?;
            publisher.publish(conn, &request, attached_to_request)?;
            Ok(view(&file))
        })
        .await
}

/// Whether an invited supplier still has to accept the request's NDA.
fn nda_pending(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &domain::sourcing::SourcingRequest,
    access: RequestAccess,
) -> ApiResult<bool> {
    Ok(match (access, actor.organisation_id()) {
        (RequestAccess::InvitedSupplier, Some(org)) if request.content.nda_required => {
            !files::nda_accepted(conn, request.id, org)?
        }
        _ => false,
    })
}

/// The documents of a request, for whoever reads them (an invited supplier
/// after the NDA, when one is required).
pub async fn of_request(
    state: &AppState,
    actor: Actor,
    request_id: SourcingRequestId,
) -> ApiResult<Vec<FileView>> {
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, request_id)?;
            if nda_pending(conn, &actor, &request, access)? {
                return Err(DomainError::NdaRequired.into());
            }
            let list = files::attached_to(conn, Attachment::Request(request_id))?;
            Ok(list.iter().map(view).collect())
        })
        .await
}

/// The reader's access to a request; `None` when it is out of its reach.
fn request_access(
    conn: &mut DbConnection,
    actor: &Actor,
    request_id: SourcingRequestId,
) -> ApiResult<Option<(domain::sourcing::SourcingRequest, RequestAccess)>> {
    match load(conn, actor, request_id) {
        Ok(found) => Ok(Some(found)),
        Err(ApiError::Domain(DomainError::NotFound(_))) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A file's metadata, under the rules of what it is attached to.
fn readable(conn: &mut DbConnection, actor: &Actor, id: FileId) -> ApiResult<StoredFile> {
    let file = files::find(conn, id)?.ok_or_else(|| ApiError::not_found("file"))?;
    let of_request =
        |conn: &mut DbConnection, request_id: SourcingRequestId| -> ApiResult<ReadContext> {
            Ok(match request_access(conn, actor, request_id)? {
                Some((request, access)) => ReadContext::Request {
                    access: Some(access),
                    nda_pending: nda_pending(conn, actor, &request, access)?,
                },
                None => ReadContext::Request {
                    access: None,
                    nda_pending: false,
                },
            })
        };
    let context = match file.attachment {
        None => ReadContext::Unattached,
        Some(Attachment::Request(request_id)) => of_request(conn, request_id)?,
        // Whoever reads the answer: the request's readers (an invited
        // supplier after its NDA), answers being given to every one of them.
        Some(Attachment::Answer(question)) => match sourcing::find_question(conn, question)? {
            Some(q) => of_request(conn, q.request)?,
            None => return Err(ApiError::not_found("file")),
        },
        Some(Attachment::Quote(quote)) => {
            let quote =
                sourcing::find_quote(conn, quote)?.ok_or_else(|| ApiError::not_found("file"))?;
            ReadContext::Quote {
                access: request_access(conn, actor, quote.request)?.map(|(_, access)| access),
                quoted_by_reader: actor.belongs_to(quote.supplier),
            }
        }
        Some(Attachment::Certificate(_)) => ReadContext::Certificate,
        Some(Attachment::Profile(org, _)) => ReadContext::Profile {
            published: profiles::find(conn, org)?.is_some_and(|p| p.public_content().is_some()),
        },
    };
    file.may_read(actor, context)?;
    Ok(file)
}

/// A file's metadata, to whoever may download it.
pub async fn metadata(state: &AppState, actor: Actor, id: FileId) -> ApiResult<FileView> {
    state
        .read(move |conn| Ok(view(&readable(conn, &actor, id)?)))
        .await
}

const UNATTACHED: &str = "unattached_files";

/// The files of the actor's organisation waiting to be attached (removed
/// 24 hours after their upload otherwise), oldest first.
pub async fn unattached(state: &AppState, actor: Actor, query: ListQuery) -> ApiResult<FilePage> {
    let organisation = actor.organisation_id().ok_or(DomainError::Forbidden(
        "documents belong to a buyer or supplier organisation",
    ))?;
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, UNATTACHED)?;
    state
        .read(move |conn| {
            let rows = files::unattached_page(conn, organisation, after, limit + 1)?;
            let (list, next_cursor) =
                page(rows, limit, |f| time_cursor(UNATTACHED, f.created_at, f.id));
            Ok(FilePage {
                items: list.iter().map(view).collect(),
                next_cursor,
            })
        })
        .await
}

/// Its organisation deletes a file not attached yet, or attached to what
/// still lets it go: a request the buyer may still edit, a certificate not
/// verified, a profile. A submitted quote's, a given answer's and a verified
/// certificate's files stay (409 `file_immutable`). The object goes after
/// the commit.
pub async fn delete(state: &AppState, actor: Actor, id: FileId) -> ApiResult<()> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |tx| {
            let file = files::find(tx, id)?
                .filter(|f| actor.belongs_to(f.organisation))
                .ok_or_else(|| ApiError::not_found("file"))?;
            let seal = match file.attachment {
                None => None,
                Some(Attachment::Request(request_id)) => {
                    let (request, access) = load(tx, &actor, request_id)?;
                    request.may_remove_document(access.party()?)?;
                    None
                }
                Some(to @ Attachment::Certificate(certificate)) => {
                    // A deleted certificate's proofs outlive it only when
                    // it was verified (the others went with it).
                    let status = certifications::find(tx, certificate)?
                        .map_or(VerificationStatus::Verified, |c| c.status);
                    to.seal(Some(status))
                }
                Some(to) => to.seal(None),
            };
            remove_one(tx, &actor, &file, seal, RemovalReason::Deleted, &publisher)
        })
        .await
}

/// Removes one file its organisation let go (unless `seal` keeps it): its
/// row now, its object after the commit, in its history.
pub fn remove_one(
    tx: &mut Tx,
    actor: &Actor,
    file: &StoredFile,
    seal: Option<Seal>,
    reason: RemovalReason,
    publisher: &Publisher,
) -> ApiResult<()> {
    let removed = file.remove(actor, seal, reason)?;
    files::remove(tx, file, publisher.now)?;
    publisher.publish_document(tx, removed)
}

/// A download: the file, and its bytes (the range asked, when satisfiable).
pub struct Served {
    pub file: StoredFile,
    pub range: Option<Range<u64>>,
    pub download: Download,
}

pub async fn download(
    state: &AppState,
    actor: Actor,
    id: FileId,
    range: impl FnOnce(u64) -> ApiResult<Option<Range<u64>>>,
) -> ApiResult<Served> {
    let file = state.read(move |conn| readable(conn, &actor, id)).await?;
    let range = range(file.size_bytes)?;
    let key = StorageKey::parse(&file.storage_key)?;
    let download = state.files.read(key, range.clone()).await?;
    Ok(Served {
        file,
        range,
        download,
    })
}

/// An invited supplier accepts the request's non-disclosure agreement; the
/// request's history records it (the buyer reads who accepted).
pub async fn accept_nda(
    state: &AppState,
    actor: Actor,
    request_id: SourcingRequestId,
) -> ApiResult<Vec<NdaAcceptanceView>> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, request_id)?;
            access.require(RequestAccess::InvitedSupplier)?;
            actor.require_verified_email("accepting a non-disclosure agreement")?;
            let supplier = actor.organisation_id().ok_or_else(request_not_found)?;
            let already = files::nda_accepted(conn, request_id, supplier)?;
            if let Some(event) = request.accept_nda(supplier, already)? {
                files::accept_nda(conn, request_id, supplier, actor.user_id, publisher.now)?;
                publisher.publish(conn, &request, event)?;
            }
            acceptances(conn, request_id, Some(supplier))
        })
        .await
}

/// Who accepted the NDA: every supplier for the buyer and the back office.
pub async fn nda_acceptances(
    state: &AppState,
    actor: Actor,
    request_id: SourcingRequestId,
) -> ApiResult<Vec<NdaAcceptanceView>> {
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, request_id)?;
            let only = match access {
                RequestAccess::InvitedSupplier => actor.organisation_id(),
                RequestAccess::Buyer | RequestAccess::BackOffice => None,
            };
            acceptances(conn, request_id, only)
        })
        .await
}

fn acceptances(
    conn: &mut DbConnection,
    request_id: SourcingRequestId,
    only: Option<domain::ids::OrganisationId>,
) -> ApiResult<Vec<NdaAcceptanceView>> {
    let rows: Vec<_> = files::nda_acceptances(conn, request_id)?
        .into_iter()
        .filter(|(org, _, _)| only.is_none_or(|o| o == *org))
        .collect();
    let ids: Vec<_> = rows.iter().map(|(org, _, _)| *org).collect();
    let names = accounts::find_organisations(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(org, user, at)| NdaAcceptanceView {
            organisation_id: *org.as_uuid(),
            organisation_name: names
                .iter()
                .find(|o| o.id == org)
                .map(|o| o.legal_name.clone())
                .unwrap_or_default(),
            accepted_by: *user.as_uuid(),
            accepted_at: at,
        })
        .collect())
}

/// Removes the files attached to `to` (a cancelled draft's), in the
/// caller's transaction: rows now, objects by the worker after the commit.
pub fn remove_attached(
    tx: &mut Tx,
    to: Attachment,
    reason: RemovalReason,
    publisher: &Publisher,
) -> ApiResult<()> {
    let attached = files::attached_to(tx, to)?;
    remove_all(tx, &attached, reason, publisher)
}

/// Removes `list`'s rows and queues their objects' removal, each in the
/// file's history.
fn remove_all(
    tx: &mut Tx,
    list: &[StoredFile],
    reason: RemovalReason,
    publisher: &Publisher,
) -> ApiResult<()> {
    for file in list {
        files::remove(tx, file, publisher.now)?;
        publisher.publish_document(
            tx,
            DocumentEvent::Removed {
                file: file.id,
                reason,
            },
        )?;
    }
    Ok(())
}

/// Files never attached within their lifetime: rows removed (objects
/// queued for removal) in one transaction per batch. Returns how many.
pub async fn expire_unattached(state: &AppState) -> ApiResult<usize> {
    let publisher = Publisher::new(state, None);
    let removed = state
        .transaction(move |tx| {
            let before: DateTime<Utc> = publisher.now - UNATTACHED_LIFETIME;
            let expired = files::unattached_before(tx, before, 500)?;
            remove_all(tx, &expired, RemovalReason::NeverAttached, &publisher)?;
            Ok(expired.len())
        })
        .await?;
    Ok(removed)
}

/// Removes the objects whose removal is due, after the commits that
/// queued them; a failure is retried later. Returns how many went.
pub async fn run_removals(state: &AppState) -> ApiResult<usize> {
    let now = state.clock.now();
    let due = state
        .read(move |conn| Ok(files::due_removals(conn, now, 200)?))
        .await?;
    let mut removed = 0;
    for raw in due {
        let outcome = match StorageKey::parse(&raw) {
            Ok(key) => state.files.delete(key).await,
            // Not a key we generate: nothing to remove.
            Err(_) => Ok(()),
        };
        let raw_key = raw.clone();
        let recorded = match outcome {
            Ok(()) => {
                removed += 1;
                state
                    .transaction(move |conn| Ok(files::cancel_removal(conn, &raw_key)?))
                    .await
            }
            Err(error) => {
                tracing::warn!(%error, key = %raw, "object removal failed; retrying later");
                state
                    .transaction(move |conn| Ok(files::removal_failed(conn, &raw_key, now)?))
                    .await
            }
        };
        recorded?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_body_is_refused_one_byte_past_the_limit() {
        let dir = tempfile_dir();
        let store = storage::local::LocalDirectory::open(&dir).expect("store");
        let chunks = |n: usize| {
            futures::stream::iter(
                (0..2).map(move |_| Ok::<_, std::io::Error>(Bytes::from(vec![b'a'; n / 2]))),
            )
        };
        let key = StorageKey::generate();
        let mut upload = storage::FileStore::create(&store, key)
            .await
            .expect("create");
        assert!(receive(upload.as_mut(), chunks(10), 10).await.is_ok());
        let mut upload2 = storage::FileStore::create(&store, StorageKey::generate())
            .await
            .expect("create");
        let error = receive(upload2.as_mut(), chunks(12), 11)
            .await
            .err()
            .expect("refused");
        assert!(matches!(
            error,
            ApiError::Coded {
                code: ErrorCode::PayloadTooLarge,
                ..
            }
        ));
        let _ = upload.abort().await;
        let _ = upload2.abort().await;
    }

    fn tempfile_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("pmt-files-{}", uuid::Uuid::new_v4()))
    }
}
