//! Uploaded documents' rows, the outbox of objects to remove from the file
//! store, and the NDA acceptances that open a request's files to an
//! invited supplier.
//!
//! A `files` row exists only for an object stored completely: the upload
//! writes the object first, then the row. Whatever stops referencing an
//! object (removing its row) writes a `storage_removals` row in the same
//! transaction, and the files worker removes the object after the commit,
//! so no row ever points to a removed object. An upload also registers its
//! key as a removal due a day later before it starts, and takes it back in
//! the transaction that saves its row: a crash mid-upload leaves a removal
//! that cleans the object up.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use domain::documents::{Attachment, DisplayName, DocumentType, StoredFile};
use domain::ids::{FileId, OrganisationId, SourcingRequestId, UserId};

use crate::Cursor;
use crate::convert::{enum_value, from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{files, request_nda_acceptances, storage_removals};
use crate::tx::Tx;

const TABLE: &str = "files";

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = files)]
struct Row {
    id: String,
    organisation_id: String,
    uploaded_by: String,
    display_name: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    attached_kind: Option<String>,
    attached_id: Option<String>,
    created_at: i64,
}

impl Row {
    fn from_domain(file: &StoredFile) -> Result<Self> {
        let (attached_kind, attached_id) = match file.attachment {
            Some(a) => (Some(a.kind().to_owned()), Some(a.target_id())),
            None => (None, None),
        };
        Ok(Self {
            id: file.id.to_string(),
            organisation_id: file.organisation.to_string(),
            uploaded_by: file.uploaded_by.to_string(),
            display_name: file.name.as_str().to_owned(),
            media_type: file.document_type.media_type().to_owned(),
            size_bytes: i64::try_from(file.size_bytes).map_err(|e| corrupt(TABLE, e))?,
            sha256: file.sha256.clone(),
            storage_key: file.storage_key.clone(),
            attached_kind,
            attached_id,
            created_at: micros(file.created_at),
        })
    }

    fn into_domain(self) -> Result<StoredFile> {
        let attachment = match (self.attached_kind.as_deref(), self.attached_id.as_deref()) {
            (None, None) => None,
            (Some(kind), Some(target)) => Some(
                Attachment::parse(kind, target)
                    .ok_or_else(|| corrupt(TABLE, format!("attachment {kind:?} {target:?}")))?,
            ),
            (kind, _) => return Err(corrupt(TABLE, format!("attachment {kind:?}"))),
        };
        Ok(StoredFile {
            id: id(TABLE, &self.id)?,
            organisation: id(TABLE, &self.organisation_id)?,
            uploaded_by: id(TABLE, &self.uploaded_by)?,
            name: DisplayName::from_stored(self.display_name),
            document_type: enum_value(TABLE, &self.media_type, DocumentType::parse_media_type)?,
            size_bytes: u64::try_from(self.size_bytes).map_err(|e| corrupt(TABLE, e))?,
            sha256: self.sha256,
            storage_key: self.storage_key,
            attachment,
            created_at: from_micros(TABLE, self.created_at)?,
        })
    }
}

pub fn insert(conn: &mut DbConnection, file: &StoredFile) -> Result<()> {
    diesel::insert_into(files::table)
        .values(Row::from_domain(file)?)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, file: FileId) -> Result<Option<StoredFile>> {
    files::table
        .find(file.to_string())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// Saves a file's attachment; false when another attach won the race.
pub fn save_attachment(conn: &mut DbConnection, file: &StoredFile) -> Result<bool> {
    let Some(attachment) = file.attachment else {
        return Ok(false);
    };
    let updated = diesel::update(
        files::table
            .find(file.id.to_string())
            .filter(files::attached_kind.is_null()),
    )
    .set((
        files::attached_kind.eq(attachment.kind()),
        files::attached_id.eq(attachment.target_id()),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The files attached to `to`, oldest first.
pub fn attached_to(conn: &mut DbConnection, to: Attachment) -> Result<Vec<StoredFile>> {
    files::table
        .filter(files::attached_kind.eq(to.kind()))
        .filter(files::attached_id.eq(to.target_id()))
        .order((files::created_at.asc(), files::id.asc()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// The files attached to any of `targets` (all of one kind), oldest
/// first: one query for a page of quotes, questions or certificates.
pub fn attached_to_each(
    conn: &mut DbConnection,
    targets: &[Attachment],
) -> Result<Vec<StoredFile>> {
    let Some(first) = targets.first() else {
        return Ok(Vec::new());
    };
    let ids: Vec<String> = targets.iter().map(|t| t.target_id()).collect();
    let found = files::table
        .filter(files::attached_kind.eq(first.kind()))
        .filter(files::attached_id.eq_any(ids))
        .order((files::created_at.asc(), files::id.asc()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect::<Result<Vec<_>>>()?;
    Ok(found
        .into_iter()
        .filter(|f| f.attachment.is_some_and(|a| targets.contains(&a)))
        .collect())
}

/// A page of an organisation's unattached files, oldest first, after the
/// keyset `after`.
pub fn unattached_page(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<StoredFile>> {
    let mut query = files::table
        .filter(files::organisation_id.eq(organisation.to_string()))
        .filter(files::attached_kind.is_null())
        .order((files::created_at.asc(), files::id.asc()))
        .select(Row::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        let at = micros(at);
        query = query.filter(
            files::created_at
                .gt(at)
                .or(files::created_at.eq(at).and(files::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Bytes stored for an organisation (its quota's use). Summed here rather
/// than with SQL `SUM`, whose type differs between the backends; an
/// organisation holds at most a few thousand files.
pub fn bytes_used(conn: &mut DbConnection, organisation: OrganisationId) -> Result<u64> {
    let sizes: Vec<i64> = files::table
        .filter(files::organisation_id.eq(organisation.to_string()))
        .select(files::size_bytes)
        .load(conn)?;
    Ok(sizes.into_iter().map(|s| s.unsigned_abs()).sum())
}

/// Unattached files created before `before`, at most `limit`.
pub fn unattached_before(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<StoredFile>> {
    files::table
        .filter(files::attached_kind.is_null())
        .filter(files::created_at.lt(micros(before)))
        .order(files::created_at.asc())
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Deletes a file's row and queues its object's removal, due at once.
pub fn remove(tx: &mut Tx, file: &StoredFile, now: DateTime<Utc>) -> Result<()> {
    diesel::delete(files::table.find(file.id.to_string())).execute(&mut **tx)?;
    schedule_removal(tx, &file.storage_key, now, now)
}

/// Queues the removal of the object `key` at `due`, or moves an already
/// queued one to `due` (the last call decides: removing a file whose
/// upload guard is still pending makes its removal due now).
pub fn schedule_removal(
    tx: &mut Tx,
    key: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if due <= now {
        tx.removal_queued_now();
    }
    let conn: &mut DbConnection = tx;
    let rescheduled = diesel::update(storage_removals::table.find(key))
        .set(storage_removals::due_at.eq(micros(due)))
        .execute(conn)?;
    if rescheduled == 0 {
        diesel::insert_into(storage_removals::table)
            .values((
                storage_removals::storage_key.eq(key),
                storage_removals::due_at.eq(micros(due)),
                storage_removals::attempts.eq(0),
                storage_removals::created_at.eq(micros(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the removal of `key`: the guard an upload registered, now that
/// a row references its object, or a removal carried out.
pub fn cancel_removal(conn: &mut DbConnection, key: &str) -> Result<()> {
    diesel::delete(storage_removals::table.find(key)).execute(conn)?;
    Ok(())
}

/// Keys of objects due for removal, at most `limit`.
pub fn due_removals(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(storage_removals::table
        .filter(storage_removals::due_at.le(micros(now)))
        .order(storage_removals::due_at.asc())
        .limit(limit)
        .select(storage_removals::storage_key)
        .load(conn)?)
}

/// A removal failed (storage down): try again later, backing off.
pub fn removal_failed(conn: &mut DbConnection, key: &str, now: DateTime<Utc>) -> Result<()> {
    let attempts: i32 = storage_removals::table
        .find(key)
        .select(storage_removals::attempts)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    let delay = TimeDelta::seconds(30 * (1 << attempts.clamp(0, 7)));
    diesel::update(storage_removals::table.find(key))
        .set((
            storage_removals::attempts.eq(attempts + 1),
            storage_removals::due_at.eq(micros(now + delay)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records that `supplier` accepted the NDA of `request`; false when it
/// had already.
pub fn accept_nda(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool> {
    if nda_accepted(conn, request, supplier)? {
        return Ok(false);
    }
    diesel::insert_into(request_nda_acceptances::table)
        .values((
            request_nda_acceptances::request_id.eq(request.to_string()),
            request_nda_acceptances::organisation_id.eq(supplier.to_string()),
            request_nda_acceptances::accepted_by.eq(by.to_string()),
            request_nda_acceptances::accepted_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn nda_accepted(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
) -> Result<bool> {
    let found = request_nda_acceptances::table
        .find((request.to_string(), supplier.to_string()))
        .select(request_nda_acceptances::accepted_at)
        .first::<i64>(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Who accepted a request's NDA and when, oldest first.
pub fn nda_acceptances(
    conn: &mut DbConnection,
    request: SourcingRequestId,
) -> Result<Vec<(OrganisationId, UserId, DateTime<Utc>)>> {
    let rows: Vec<(String, String, i64)> = request_nda_acceptances::table
        .filter(request_nda_acceptances::request_id.eq(request.to_string()))
        .order(request_nda_acceptances::accepted_at.asc())
        .select((
            request_nda_acceptances::organisation_id,
            request_nda_acceptances::accepted_by,
            request_nda_acceptances::accepted_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(org, user, at)| {
            Ok((
                id("request_nda_acceptances", &org)?,
                id("request_nda_acceptances", &user)?,
                from_micros("request_nda_acceptances", at)?,
            ))
        })
        .collect()
}
