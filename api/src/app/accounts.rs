//! Registration, email verification, password reset, invitations, profile.

use domain::account::{Affiliation, Email, OrgRole, PlatformRole, TokenPurpose, User};
use domain::account_events::AccountEvent;
use domain::auth::Actor;
use domain::email_limits::Quota;
use domain::ids::{InvitationId, OrganisationId};
use domain::notification::NotificationKind;
use domain::organisation::{Membership, Organisation};
use domain::password::NewPassword;
use domain::registration::{Registration, RegistrationInput, parse_language, parse_new_user};
use domain::{DomainError, ValidationErrors};
use openapi::accounts::{
    AcceptInvitationRequest, InvitationPreview, InvitationRequest, InvitationView, MeResponse,
    OrganisationView, PreferencesRequest, RegisterRequest, UserView,
};
use openapi::paging::{ListQuery, UserPage};
use persistence::tokens::Invitation;
use persistence::{DbConnection, accounts, notifications, tokens as token_store};

use crate::app::outbox::{queue_for_address, queue_for_user};
use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
use crate::app::publisher::Publisher;
use crate::auth::tokens::{digest, random_token};
use crate::email::links::{FrontendLinks, FrontendRoute};
use crate::email::mail::Mail;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

const INVITATION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(7);

fn email_taken() -> ApiError {
    DomainError::Conflict {
        code: "email_taken",
        message: "an account already uses this email".to_owned(),
    }
    .into()
}

fn siret_taken() -> ApiError {
    DomainError::Conflict {
        code: "siret_taken",
        message: "this SIRET is already registered; ask its owner for an invitation".to_owned(),
    }
    .into()
}

/// Creates an organisation and its owner; queues the verification email.
pub async fn register(state: &AppState, body: RegisterRequest) -> ApiResult<(User, Organisation)> {
    let registration = Registration::parse(&RegistrationInput {
        kind: &body.organisation.kind,
        legal_name: &body.organisation.legal_name,
        siret: body.organisation.siret.as_deref(),
        country: body.organisation.country.as_deref(),
        registration_number: body.organisation.registration_number.as_deref(),
        street: &body.organisation.address.street,
        postal_code: &body.organisation.address.postal_code,
        city: &body.organisation.address.city,
        region: &body.organisation.region,
        website: body.organisation.website.as_deref(),
        email: &body.user.email,
        password: &body.user.password,
        full_name: &body.user.full_name,
        language: body.user.language.as_deref(),
    })?;
    let hash = hash_password(state, &registration.owner.password).await?;
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let result = state
        .transaction(move |conn| {
            if accounts::email_taken(conn, &registration.owner.email)? {
                return Err(email_taken());
            }
            if let Some(siret) = registration.organisation.identity.siret()
                && accounts::siret_taken(conn, siret)?
            {
                return Err(siret_taken());
            }
            let new = registration.organisation;
            let organisation = Organisation {
                id: OrganisationId::new(),
                kind: new.kind,
                legal_name: new.legal_name,
                identity: new.identity,
                address: new.address,
                region: new.region,
                website: new.website,
                membership: Membership::NotMember,
                created_at: now,
                updated_at: now,
            };
            accounts::insert_organisation(conn, &organisation)?;
            let owner = registration.owner;
            let user = User::new(
                owner.email,
                owner.full_name,
                PlatformRole::for_organisation(organisation.kind),
                Affiliation::Organisation {
                    id: organisation.id,
                    role: OrgRole::Owner,
                },
                owner.language,
                None,
                now,
            );
            accounts::insert_user(conn, &user, &hash)?;
            publisher.publish_account(
                conn,
                AccountEvent::Registered {
                    owner: user.id,
                    organisation: organisation.id,
                    kind: organisation.kind,
                },
            )?;
            Ok((user, organisation))
        })
        .await;
    // A concurrent registration with the same email can win the race past
    // the check above; the unique index still refuses the second one.
    match result {
        Err(ApiError::Persistence(persistence::PersistenceError::UniqueViolation(detail)))
            if detail.contains("siret") =>
        {
            Err(siret_taken())
        }
        Err(ApiError::Persistence(persistence::PersistenceError::UniqueViolation(_))) => {
            Err(email_taken())
        }
        other => other,
    }
}

/// Which account event mails whom, in the caller's transaction: the one
/// place an account's emails are queued (`Publisher::publish_account`).
pub(crate) fn emails_of(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    event: &AccountEvent,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let (user, purpose) = match event {
        AccountEvent::Registered { owner: user, .. }
        | AccountEvent::VerificationRequested { user } => (*user, TokenPurpose::VerifyEmail),
        AccountEvent::PasswordResetRequested { user } => (*user, TokenPurpose::ResetPassword),
        AccountEvent::UserInvited {
            by,
            organisation,
            email,
            token,
            ..
        } => return invitation_email(conn, links, *by, *organisation, email, token, now),
        AccountEvent::EmailVerified { .. }
        | AccountEvent::PasswordReset { .. }
        | AccountEvent::InvitationAccepted { .. }
        | AccountEvent::CreatedByCli { .. }
        | AccountEvent::OrganisationImported { .. }
        | AccountEvent::OrganisationReimported { .. } => return Ok(()),
    };
    let user = accounts::find_user(conn, user)?.ok_or_else(|| ApiError::not_found("user"))?;
    email_link(conn, &user, purpose, links, now)
}

/// An invitation's email: the link to accept for a new address, a note
/// for an address that has an account (told, not invited: the link to
/// accept is never sent, so the stored invitation cannot be used).
fn invitation_email(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    by: domain::ids::UserId,
    org_id: OrganisationId,
    email: &Email,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let organisation = accounts::find_organisation(conn, org_id)?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    let inviter = accounts::find_user(conn, by)?.ok_or_else(|| ApiError::not_found("user"))?;
    let existing = accounts::find_user_by_email(conn, email)?.map(|(user, _)| user);
    let inviter_language = inviter.language;
    let (inviter, organisation) = (inviter.full_name, organisation.legal_name);
    match existing {
        Some(user) => queue_for_user(
            conn,
            &user,
            &Mail::InvitationExistingAccount {
                inviter,
                organisation,
                link: links.to(FrontendRoute::Login),
            },
            now,
        ),
        // The invitee has no preference yet: the inviter's language.
        None => queue_for_address(
            conn,
            email,
            inviter_language,
            &Mail::OrganisationInvitation {
                inviter,
                organisation,
                link: links.to(FrontendRoute::AcceptInvitation { token }),
            },
            now,
        ),
    }
}

/// Issues a fresh single-use token for `purpose` (older ones stop working)
/// and emails its link.
fn email_link(
    conn: &mut DbConnection,
    user: &User,
    purpose: TokenPurpose,
    links: &FrontendLinks,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let token = random_token();
    let mail = match purpose {
        TokenPurpose::VerifyEmail => Mail::VerifyEmail {
            link: links.to(FrontendRoute::VerifyEmail { token: &token }),
        },
        TokenPurpose::ResetPassword => Mail::PasswordReset {
            link: links.to(FrontendRoute::ResetPassword { token: &token }),
        },
    };
    token_store::invalidate_one_time(conn, user.id, purpose, now)?;
    token_store::insert_one_time(
        conn,
        user.id,
        purpose,
        &digest(&token),
        now + purpose.lifetime(),
        now,
    )?;
    queue_for_user(conn, user, &mail, now)
}

pub async fn hash_password(state: &AppState, password: &NewPassword) -> ApiResult<String> {
    state.hasher.hash(password.expose().to_owned()).await
}

pub async fn verify_email(state: &AppState, token: String) -> ApiResult<()> {
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let user = state
        .transaction(move |conn| {
            let user_id = token_store::consume_one_time(
                conn,
                TokenPurpose::VerifyEmail,
                &digest(&token),
                now,
            )?
            .ok_or_else(invalid_link)?;
            accounts::mark_email_verified(conn, user_id, now)?;
            publisher.publish_account(conn, AccountEvent::EmailVerified { user: user_id })?;
            Ok(user_id)
        })
        .await?;
    state.standing.forget_user(user);
    Ok(())
}

fn invalid_link() -> ApiError {
    ApiError::coded(ErrorCode::InvalidOrExpiredLink, "ask for a new link")
}

pub async fn resend_verification(state: &AppState, actor: Actor) -> ApiResult<()> {
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let user = accounts::find_user(conn, actor.user_id)?
                .ok_or_else(|| ApiError::not_found("user"))?;
            if user.email_verified_at.is_none() {
                let quota = Quota::verification_per_user();
                let sent = notifications::queued_since(
                    conn,
                    user.email.as_str(),
                    NotificationKind::VerifyEmail,
                    quota.since(now),
                )?;
                quota.check(&sent, now).map_err(throttled)?;
                publisher
                    .publish_account(conn, AccountEvent::VerificationRequested { user: user.id })?;
            }
            Ok(())
        })
        .await
}

/// Always succeeds, whether or not the email belongs to an account, so the
/// endpoint cannot be used to discover accounts.
pub async fn request_password_reset(state: &AppState, email: String) -> ApiResult<()> {
    let Ok(email) = Email::parse(&email) else {
        return Err(ValidationErrors::single(
            "email",
            "invalid_email",
            "an email address looks like name@example.fr",
        )
        .into());
    };
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let Some((user, _)) = accounts::find_user_by_email(conn, &email)? else {
                return Ok(());
            };
            if !user.active {
                return Ok(());
            }
            // Beyond the quota nothing more is sent, and the answer stays
            // the same: a 429 here would tell which addresses have accounts.
            let quota = Quota::password_reset_per_user();
            let sent = notifications::queued_since(
                conn,
                user.email.as_str(),
                NotificationKind::PasswordReset,
                quota.since(now),
            )?;
            if quota.check(&sent, now).is_err() {
                return Ok(());
            }
            publisher.publish_account(conn, AccountEvent::PasswordResetRequested { user: user.id })
        })
        .await
}

/// Sets a new password from an emailed token and ends every session.
pub async fn reset_password(
    state: &AppState,
    token: String,
    new_password: String,
) -> ApiResult<()> {
    let password = NewPassword::parse(&new_password).map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.check::<()>("new_password", Err(e));
        ApiError::from(errors)
    })?;
    let hash = hash_password(state, &password).await?;
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let user = state
        .transaction(move |conn| {
            let user_id = token_store::consume_one_time(
                conn,
                TokenPurpose::ResetPassword,
                &digest(&token),
                now,
            )?
            .ok_or_else(invalid_link)?;
            accounts::set_password_hash(conn, user_id, &hash, now)?;
            token_store::revoke_all_of_user(conn, user_id, now)?;
            // Receiving the link proves the address.
            accounts::mark_email_verified(conn, user_id, now)?;
            publisher.publish_account(conn, AccountEvent::PasswordReset { user: user_id })?;
            Ok(user_id)
        })
        .await?;
    // Every session ended: this instance refuses its access tokens at once.
    state.standing.forget_user(user);
    Ok(())
}

pub async fn me(state: &AppState, actor: Actor) -> ApiResult<MeResponse> {
    state
        .read(move |conn| {
            let user = accounts::find_user(conn, actor.user_id)?
                .filter(|u| u.active)
                .ok_or_else(|| {
                    ApiError::coded(
                        ErrorCode::InvalidToken,
                        "this account no longer exists or is deactivated",
                    )
                })?;
            let organisation = match user.organisation_id() {
                Some(id) => accounts::find_organisation(conn, id)?,
                None => None,
            };
            let mut roles = vec![openapi::vocabulary::Role::from(user.platform_role)];
            roles.extend(user.org_role().map(openapi::vocabulary::Role::from));
            Ok(MeResponse {
                user: UserView::from(&user),
                organisation: organisation.as_ref().map(OrganisationView::from),
                roles,
            })
        })
        .await
}

pub async fn update_preferences(
    state: &AppState,
    actor: Actor,
    body: PreferencesRequest,
) -> ApiResult<UserView> {
    let mut errors = ValidationErrors::new();
    let language = body
        .language
        .as_deref()
        .map(|l| errors.check("language", parse_language(Some(l))));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            let user = accounts::find_user(conn, actor.user_id)?
                .ok_or_else(|| ApiError::not_found("user"))?;
            let language = language.flatten().unwrap_or(user.language);
            let opt_out = body
                .notifications_opt_out
                .unwrap_or(user.notifications_opt_out);
            accounts::set_preferences(conn, user.id, language, opt_out, now)?;
            let updated =
                accounts::find_user(conn, user.id)?.ok_or_else(|| ApiError::not_found("user"))?;
            Ok(UserView::from(&updated))
        })
        .await
}

pub async fn organisation(
    state: &AppState,
    actor: Actor,
    org_id: OrganisationId,
) -> ApiResult<OrganisationView> {
    actor.may_view_organisation(org_id)?;
    state
        .read(move |conn| {
            let org = accounts::find_organisation(conn, org_id)?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            Ok(OrganisationView::from(&org))
        })
        .await
}

const ORGANISATION_USERS: &str = "organisation-users";

pub async fn organisation_users(
    state: &AppState,
    actor: Actor,
    org_id: OrganisationId,
    query: ListQuery,
) -> ApiResult<UserPage> {
    actor.may_view_organisation(org_id)?;
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, ORGANISATION_USERS)?;
    state
        .read(move |conn| {
            if accounts::find_organisation(conn, org_id)?.is_none() {
                return Err(ApiError::not_found("organisation"));
            }
            let rows = accounts::users_page_of_organisation(conn, org_id, after, limit + 1)?;
            let (users, next_cursor) = page(rows, limit, |u| {
                time_cursor(ORGANISATION_USERS, u.created_at, u.id)
            });
            Ok(UserPage {
                items: users.iter().map(UserView::from).collect(),
                next_cursor,
            })
        })
        .await
}

/// An owner invites a colleague by email; the invitation link is emailed.
///
/// The answer is the same whether or not the address has an account, so
/// inviting cannot probe for accounts: an existing account is told by email
/// instead of invited (its invitation row is kept, without a usable link,
/// so that it counts towards the quotas like any other). Invitations are
/// limited per organisation and per recipient (429 with `Retry-After`).
pub async fn invite(
    state: &AppState,
    actor: Actor,
    org_id: OrganisationId,
    body: InvitationRequest,
) -> ApiResult<InvitationView> {
    // Outsiders learn nothing about the organisation; members get a clear 403.
    actor.may_view_organisation(org_id)?;
    actor.may_invite_into(org_id)?;
    actor.require_verified_email("inviting")?;
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&body.email));
    let role = errors.check(
        "role",
        match body.role.as_deref() {
            None => Ok(OrgRole::Member),
            Some(raw) => OrgRole::parse(raw).ok_or_else(|| {
                ValidationErrors::single("", "invalid_role", "a role is owner or member")
            }),
        },
    );
    let (Some(email), Some(role)) = (email, role) else {
        return Err(errors.into());
    };
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            if accounts::find_organisation(conn, org_id)?.is_none() {
                return Err(ApiError::not_found("organisation"));
            }
            if accounts::find_user(conn, actor.user_id)?.is_none() {
                return Err(ApiError::not_found("user"));
            }
            for (quota, sent) in [
                (
                    Quota::invitations_per_organisation(),
                    token_store::invitations_sent_since(
                        conn,
                        org_id,
                        Quota::invitations_per_organisation().since(now),
                    )?,
                ),
                (
                    Quota::invitations_per_recipient(),
                    token_store::invitations_received_since(
                        conn,
                        &email,
                        Quota::invitations_per_recipient().since(now),
                    )?,
                ),
            ] {
                quota.check(&sent, now).map_err(throttled)?;
            }
            let invitation = Invitation {
                id: InvitationId::new(),
                organisation_id: org_id,
                email: email.clone(),
                org_role: role,
                invited_by: actor.user_id,
                expires_at: now + INVITATION_LIFETIME,
                accepted_at: None,
                created_at: now,
            };
            let token = random_token();
            token_store::insert_invitation(conn, &invitation, &digest(&token))?;
            publisher.publish_account(
                conn,
                AccountEvent::UserInvited {
                    by: actor.user_id,
                    organisation: org_id,
                    email: email.clone(),
                    role,
                    token,
                },
            )?;
            Ok(InvitationView {
                id: *invitation.id.as_uuid(),
                organisation_id: *org_id.as_uuid(),
                email: email.to_string(),
                role: role.into(),
                expires_at: invitation.expires_at,
            })
        })
        .await
}

/// A quota refused an email: 429 with the wait until one may go.
fn throttled(wait: chrono::TimeDelta) -> ApiError {
    ApiError::RateLimited {
        retry_after: wait.to_std().unwrap_or(std::time::Duration::from_secs(1)),
    }
}

/// The sender of `invitation` while they are active. An invitation speaks
/// for its sender: once they are deactivated (or gone), it no longer opens
/// the organisation, nor is it shown.
fn active_sender(conn: &mut DbConnection, invitation: &Invitation) -> ApiResult<Option<User>> {
    Ok(accounts::find_user(conn, invitation.invited_by)?.filter(|user| user.active))
}

/// Who invites to what, for the page behind the emailed link. A used,
/// expired or unknown token, or one whose sender has since been
/// deactivated, is not found: the same answer for each.
pub async fn invitation_preview(state: &AppState, token: String) -> ApiResult<InvitationPreview> {
    let now = state.clock.now();
    let not_found = || ApiError::not_found("invitation");
    state
        .read(move |conn| {
            let invitation = token_store::find_pending_invitation(conn, &digest(&token), now)?
                .ok_or_else(not_found)?;
            let inviter = active_sender(conn, &invitation)?.ok_or_else(not_found)?;
            let organisation = accounts::find_organisation(conn, invitation.organisation_id)?
                .ok_or_else(not_found)?;
            Ok(InvitationPreview {
                organisation_name: organisation.legal_name,
                organisation_kind: organisation.kind.into(),
                invited_by: inviter.full_name,
                role: invitation.org_role.into(),
            })
        })
        .await
}

/// Creates the invitee's account in the inviting organisation. The emailed
/// token proves the address, so the account starts verified.
pub async fn accept_invitation(
    state: &AppState,
    body: AcceptInvitationRequest,
) -> ApiResult<UserView> {
    let mut errors = ValidationErrors::new();
    let full_name = errors.check(
        "full_name",
        domain::validation::line(&body.full_name, 1, 120),
    );
    let password = errors.check("password", NewPassword::parse(&body.password));
    let language = errors.check("language", parse_language(body.language.as_deref()));
    let (Some(full_name), Some(password), Some(language)) = (full_name, password, language) else {
        return Err(errors.into());
    };
    let hash = hash_password(state, &password).await?;
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let invitation = token_store::accept_invitation(conn, &digest(&body.token), now)?
                .ok_or_else(invalid_link)?;
            if active_sender(conn, &invitation)?.is_none() {
                return Err(invalid_link());
            }
            if accounts::email_taken(conn, &invitation.email)? {
                return Err(email_taken());
            }
            let organisation = accounts::find_organisation(conn, invitation.organisation_id)?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            let user = User::new(
                invitation.email,
                full_name,
                PlatformRole::for_organisation(organisation.kind),
                Affiliation::Organisation {
                    id: organisation.id,
                    role: invitation.org_role,
                },
                language,
                // The emailed token proves the address.
                Some(now),
                now,
            );
            accounts::insert_user(conn, &user, &hash)?;
            publisher.publish_account(
                conn,
                AccountEvent::InvitationAccepted {
                    user: user.id,
                    organisation: organisation.id,
                    email: user.email.clone(),
                },
            )?;
            Ok(UserView::from(&user))
        })
        .await
}

/// Used by the bootstrap CLI to create experts and admins, who never
/// self-register.
pub async fn create_back_office_user(
    state: &AppState,
    role: PlatformRole,
    email: &str,
    full_name: &str,
    password: &str,
) -> ApiResult<User> {
    if !role.is_back_office() {
        return Err(ValidationErrors::single(
            "role",
            "invalid_role",
            "the CLI creates experts and admins only",
        )
        .into());
    }
    let mut errors = ValidationErrors::new();
    let new = parse_new_user(&mut errors, "", email, password, full_name, None);
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let hash = hash_password(state, &new.password).await?;
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    state
        .transaction(move |conn| {
            if accounts::email_taken(conn, &new.email)? {
                return Err(email_taken());
            }
            let user = User::new(
                new.email,
                new.full_name,
                role,
                Affiliation::BackOffice,
                new.language,
                Some(now),
                now,
            );
            accounts::insert_user(conn, &user, &hash)?;
            publisher.publish_account(
                conn,
                AccountEvent::CreatedByCli {
                    user: user.id,
                    role,
                },
            )?;
            Ok(user)
        })
        .await
}
