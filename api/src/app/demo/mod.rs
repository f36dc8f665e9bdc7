//! A demo that looks like the cluster, for `make run`: about fifty fictional
//! suppliers of the regional health-tech supply chain (companies, academic
//! labs, technical platforms) spread over the whole taxonomy, members and
//! not, with certificates verified, declared, rejected or about to expire;
//! six buyers; and sourcing requests in every state of the workflow.
//!
//! Everything goes through the use cases the API calls (registration,
//! membership, profile edit and review, certificate declaration and
//! verification, the request workflow with an expert's recoding, matching,
//! answers and award), so the audit trail, index events and emails are
//! those of real use. The data is in `data.rs` and its JSON files.

mod data;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use domain::account::{Language, PlatformRole, User};
use domain::auth::Actor;
use domain::ids::{CertificationId, MatchId, OrganisationId, QuestionId, SourcingRequestId};
use domain::sourcing::RequestStatus;
use domain::sourcing::matching::MatchDecision;
use domain::sourcing::request::Action;
use openapi::accounts::{AddressBody, NewUserInput, OrganisationInput, RegisterRequest};
use openapi::directory::{
    CapabilityInput, CertificationInput, ContactInput, LocationInput, ProfileInput,
};
use openapi::sourcing::{AddMatchRequest, AwardRequest, MatchDecisionRequest, QuoteInput};
use persistence::accounts;

use self::data::{CertificateStatus, Decision, Organisation, Review, Supplier};
use crate::app::accounts::{create_back_office_user, register};
use crate::app::profiles::{self, CertificateVerdict, Decision as ReviewDecision};
use crate::app::sourcing::requests::{self, Step};
use crate::app::sourcing::{answers, matching};
use crate::app::{admin, indexing};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "demo-pmt-business-2026";
const EXPERT: &str = "expert@pmt-business.example";
const ADMIN: &str = "admin@pmt-business.example";
/// Where every demo account is listed (the start-up output shows a few).
const ACCOUNTS_FILE: &str = "demo-accounts.txt";

fn invalid_data(what: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("demo data: {what}"))
}

fn actor(user: &User) -> Actor {
    Actor::of(user, false)
}

/// A demo organisation's owner, as the seed acts on its behalf.
#[derive(Clone, Copy)]
struct Account {
    actor: Actor,
    organisation: OrganisationId,
}

/// The demo accounts by email.
struct Accounts(HashMap<String, Account>);

impl Accounts {
    fn get(&self, email: &str) -> ApiResult<Account> {
        self.0
            .get(email)
            .copied()
            .ok_or_else(|| invalid_data(format!("no demo account {email}")))
    }
}

/// Seeds only an empty database; returns what to print (accounts and their
/// password).
pub async fn seed(state: &AppState) -> ApiResult<Option<String>> {
    let empty = state
        .read(|conn| Ok(accounts::list_users(conn, None, 1)?.is_empty()))
        .await?;
    if !empty {
        return Ok(None);
    }
    let data = data::load().map_err(invalid_data)?;
    let expert = create_back_office_user(
        state,
        PlatformRole::Expert,
        EXPERT,
        "Élodie Expert",
        DEMO_PASSWORD,
    )
    .await?;
    let admin = create_back_office_user(
        state,
        PlatformRole::Admin,
        ADMIN,
        "Admin PMT",
        DEMO_PASSWORD,
    )
    .await?;
    let (expert, admin) = (actor(&expert), actor(&admin));
    let started = std::time::Instant::now();
    let accounts = open_accounts(state, &data, admin).await?;
    let today = state.clock.now().date_naive();
    let mut certificates = 0;
    for supplier in &data.suppliers {
        let account = accounts.get(&supplier.organisation.email)?;
        let (actor, org) = (account.actor, account.organisation);
        profiles::save(state, actor, org, None, profile(supplier)?).await?;
        for certificate in &supplier.certificates {
            certificates += 1;
            certify(state, account, expert, certificate, today, certificates).await?;
        }
        review(state, account, expert, supplier).await?;
    }
    // The experts' matches come from the capability index, as they would.
    while indexing::apply_pending(state).await? {}
    // Each match an expert adds ranks the candidates again: most of the
    // time left, spread over the cores.
    let accounts = Arc::new(accounts);
    concurrently(data.requests.iter().map(|request| {
        let (state, accounts, request) = (state.clone(), accounts.clone(), request.clone());
        async move { walk(&state, &accounts, expert, &request).await }
    }))
    .await?;
    tracing::info!(
        suppliers = data.suppliers.len(),
        requests = data.requests.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "demo data loaded"
    );
    Ok(Some(credentials(state, &data)))
}

/// Opens every demo organisation's account, several at a time: password
/// hashing (one at a time per core) is most of the seeding time, and the
/// registration use case hashes each account's password.
async fn open_accounts(
    state: &AppState,
    data: &data::DemoData,
    admin: Actor,
) -> ApiResult<Accounts> {
    let buyers = data.buyers.iter().map(|b| ("buyer", b));
    let suppliers = data.suppliers.iter().map(|s| ("supplier", &s.organisation));
    let opened = concurrently(buyers.chain(suppliers).map(|(kind, org)| {
        let (state, org) = (state.clone(), org.clone());
        async move {
            let account = open_account(&state, kind, &org, admin).await?;
            Ok((org.email, account))
        }
    }))
    .await?;
    Ok(Accounts(opened.into_iter().collect()))
}

/// Runs the tasks at once (the cores, the password hasher's slots and the
/// database pool bound how many really run); fails with the first failure.
async fn concurrently<T: Send + 'static>(
    tasks: impl IntoIterator<Item = impl Future<Output = ApiResult<T>> + Send + 'static>,
) -> ApiResult<Vec<T>> {
    let mut running = tokio::task::JoinSet::new();
    for task in tasks {
        running.spawn(task);
    }
    let mut done = Vec::new();
    while let Some(finished) = running.join_next().await {
        done.push(finished.map_err(|e| ApiError::Internal(e.into()))??);
    }
    Ok(done)
}

/// Registers the organisation with its owner (email verified), a member of
/// the cluster if it is one.
async fn open_account(
    state: &AppState,
    kind: &str,
    org: &Organisation,
    admin: Actor,
) -> ApiResult<Account> {
    let place = org
        .place()
        .ok_or_else(|| invalid_data(format!("{}: address", org.name)))?;
    let (user, organisation) = register(
        state,
        RegisterRequest {
            organisation: OrganisationInput {
                kind: kind.to_owned(),
                legal_name: org.name.clone(),
                siret: org.siret.clone(),
                country: org.country.clone(),
                registration_number: org.registration_number.clone(),
                address: AddressBody {
                    street: place.street.to_owned(),
                    postal_code: place.postal_code.to_owned(),
                    city: place.city.to_owned(),
                },
                region: place.region.to_owned(),
                website: Some(website(&org.email)),
            },
            user: NewUserInput {
                email: org.email.clone(),
                password: DEMO_PASSWORD.to_owned(),
                full_name: org.person.clone(),
                language: org.language.clone(),
            },
        },
    )
    .await?;
    // The demo owners do not click the emailed link.
    let (now, user_id) = (state.clock.now(), user.id);
    state
        .transaction(move |conn| Ok(accounts::mark_email_verified(conn, user_id, now)?))
        .await?;
    if org.member {
        admin::set_membership(state, admin, organisation.id, "member".to_owned()).await?;
    }
    Ok(Account {
        actor: Actor {
            email_verified: true,
            ..actor(&user)
        },
        organisation: organisation.id,
    })
}

/// `https://www.` and the domain of the email.
fn website(email: &str) -> String {
    let domain = email.rsplit_once('@').map_or(email, |(_, d)| d);
    format!("https://www.{domain}")
}

/// The supplier submits its profile; an expert reviews it as the data says.
async fn review(state: &AppState, supplier: Account, expert: Actor, s: &Supplier) -> ApiResult<()> {
    let org = supplier.organisation;
    let version = Some(profiles::submit(state, supplier.actor, org).await?.version);
    let decision = match s.review {
        Review::Submitted => return Ok(()),
        Review::Published => ReviewDecision::Approve(version, None),
        Review::ChangesRequested => ReviewDecision::RequestChanges(
            version,
            s.review_comment
                .clone()
                .ok_or_else(|| invalid_data(format!("{}: review comment", s.organisation.name)))?,
        ),
    };
    profiles::review(state, expert, org, decision).await?;
    Ok(())
}

fn profile(s: &Supplier) -> ApiResult<ProfileInput> {
    let org = &s.organisation;
    let place = org
        .place()
        .ok_or_else(|| invalid_data(format!("{}: address", org.name)))?;
    Ok(ProfileInput {
        description_fr: s.fr.clone(),
        description_en: s.en.clone(),
        capabilities: s
            .capabilities
            .iter()
            .map(|(code, detail)| CapabilityInput {
                code: code.clone(),
                detail: Some(detail.clone()).filter(|d| !d.is_empty()),
            })
            .collect(),
        sectors: s.sectors.clone(),
        equipment: s.equipment.clone(),
        headcount: Some(s.headcount.clone()),
        location: LocationInput {
            city: place.city.to_owned(),
            department: place.department.to_owned(),
            region: place.region.to_owned(),
            country: org.country.clone(),
        },
        working_languages: s.languages.clone(),
        public_contact_email: Some(org.email.clone()),
        public_phone: None,
        private_contacts: vec![ContactInput {
            name: org.person.clone(),
            role: Some(s.role.clone()),
            email: org.email.clone(),
            phone: None,
        }],
    })
}

/// Declares a certificate, then the expert's verdict. Validity dates vary
/// with `n` so that the certificates do not all start on the same day.
async fn certify(
    state: &AppState,
    supplier: Account,
    expert: Actor,
    c: &data::Certificate,
    today: NaiveDate,
    n: i64,
) -> ApiResult<()> {
    let day = |offset: i64| {
        (today + TimeDelta::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    let valid_until = c.expires_in_days.unwrap_or(200 + n * 131 % 700);
    let declared = profiles::add_certification(
        state,
        supplier.actor,
        supplier.organisation,
        CertificationInput {
            type_code: c.type_code.clone(),
            scope: c.scope.clone(),
            certifying_body: c.body.clone(),
            valid_from: day(-365 - n * 37 % 500),
            valid_until: day(valid_until),
            document_ref: None,
        },
    )
    .await?;
    let id = CertificationId::from(declared.id);
    let version = Some(declared.version);
    match c.status {
        CertificateStatus::Declared => {}
        CertificateStatus::Verified => {
            let verdict = CertificateVerdict::Verify {
                comment: c.note.clone(),
            };
            profiles::verify_certification(state, expert, id, version, verdict).await?;
        }
        CertificateStatus::Rejected => {
            let verdict = CertificateVerdict::Reject {
                comment: c.note.clone().unwrap_or_default(),
            };
            profiles::verify_certification(state, expert, id, version, verdict).await?;
        }
    }
    Ok(())
}

/// One step of a request's workflow; returns the request's version.
async fn step(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    action: Action,
    comment: Option<String>,
) -> ApiResult<i64> {
    let step = Step { action, comment };
    Ok(requests::step(state, actor, id, step, Language::Fr)
        .await?
        .version)
}

/// Drafts the request and takes it through the workflow up to its status,
/// each step by the party that takes it in real use.
async fn walk(
    state: &AppState,
    accounts: &Accounts,
    expert: Actor,
    r: &data::Request,
) -> ApiResult<()> {
    let buyer = accounts.get(&r.buyer)?.actor;
    let target = r.status;
    // The comment belongs to the step that reaches the request's status.
    let comment = |reached: RequestStatus| r.comment.clone().filter(|_| reached == target);
    let id = SourcingRequestId::from(
        requests::create(state, buyer, need(state, r)?, Language::Fr)
            .await?
            .id,
    );
    if target == RequestStatus::Draft {
        return Ok(());
    }
    let version = step(
        state,
        buyer,
        id,
        Action::Submit,
        comment(RequestStatus::Submitted),
    )
    .await?;
    let (who, action) = match target {
        RequestStatus::Submitted => return Ok(()),
        RequestStatus::Cancelled => (buyer, Action::Cancel),
        RequestStatus::ChangesRequested => (expert, Action::RequestChanges),
        RequestStatus::Rejected => (expert, Action::Reject),
        _ => (expert, Action::Qualify),
    };
    let reached = if action == Action::Qualify {
        RequestStatus::Qualified
    } else {
        target
    };
    // The expert recodes what the buyer's words mean before qualifying.
    if let Some(requirements) = r.recode.clone().filter(|_| action == Action::Qualify) {
        let body = serde_json::from_value(requirements).map_err(invalid_data)?;
        requests::recode(state, expert, id, Some(version), body, Language::Fr).await?;
    }
    step(state, who, id, action, comment(reached)).await?;
    if reached != RequestStatus::Qualified {
        return Ok(());
    }
    for m in &r.matches {
        vet(state, accounts, expert, id, m).await?;
    }
    if target == RequestStatus::Qualified {
        return Ok(());
    }
    step(
        state,
        expert,
        id,
        Action::Open,
        comment(RequestStatus::Open),
    )
    .await?;
    answer(state, accounts, buyer, id, r).await?;
    if target == RequestStatus::Open {
        return Ok(());
    }
    step(
        state,
        buyer,
        id,
        Action::Close,
        comment(RequestStatus::Closed),
    )
    .await?;
    if target == RequestStatus::Closed {
        return Ok(());
    }
    let mut supplier_ids = Vec::new();
    for email in &r.awarded {
        supplier_ids.push(*accounts.get(email)?.organisation.as_uuid());
    }
    answers::award(
        state,
        buyer,
        id,
        AwardRequest { supplier_ids },
        Language::Fr,
    )
    .await?;
    Ok(())
}

/// The buyer's need as the API takes it, with its dates from today.
fn need(state: &AppState, r: &data::Request) -> ApiResult<openapi::sourcing::RequestInput> {
    let now = state.clock.now();
    let mut need = r.need.clone();
    let deadline = now + TimeDelta::days(r.deadline_in_days);
    need.insert("response_deadline".into(), deadline.to_rfc3339().into());
    if let Some(days) = r.delivery_in_days {
        let delivery = (now + TimeDelta::days(days)).date_naive();
        need.insert("desired_delivery".into(), delivery.to_string().into());
    }
    serde_json::from_value(need.into()).map_err(invalid_data)
}

/// An expert proposes the supplier as a match and decides.
async fn vet(
    state: &AppState,
    accounts: &Accounts,
    expert: Actor,
    id: SourcingRequestId,
    m: &data::Match,
) -> ApiResult<()> {
    let supplier = accounts.get(&m.supplier)?.organisation;
    let proposed = matching::add(
        state,
        expert,
        id,
        AddMatchRequest {
            supplier_id: *supplier.as_uuid(),
            override_reason: m.override_reason.clone(),
        },
        Language::Fr,
    )
    .await?;
    if m.decision == Decision::Proposed {
        return Ok(());
    }
    matching::decide(
        state,
        expert,
        id,
        MatchId::from(proposed.id),
        if m.decision == Decision::Approved {
            MatchDecision::Approve
        } else {
            MatchDecision::Discard
        },
        MatchDecisionRequest {
            note: m.note.clone(),
            note_for_buyer: m.note_for_buyer.clone(),
        },
        Language::Fr,
    )
    .await?;
    Ok(())
}

/// The invited suppliers' questions (answered by the buyer), quotes and
/// declines.
async fn answer(
    state: &AppState,
    accounts: &Accounts,
    buyer: Actor,
    id: SourcingRequestId,
    r: &data::Request,
) -> ApiResult<()> {
    for q in &r.questions {
        let supplier = accounts.get(&q.supplier)?.actor;
        let asked = answers::ask(state, supplier, id, q.question.clone()).await?;
        let question = QuestionId::from(asked.id);
        let answer = openapi::sourcing::AnswerInput {
            answer: q.answer.clone(),
            file_ids: Vec::new(),
        };
        answers::answer_question(state, buyer, id, question, answer).await?;
    }
    let valid_until = (state.clock.now().date_naive() + TimeDelta::days(60)).to_string();
    for q in &r.quotes {
        let supplier = accounts.get(&q.supplier)?.actor;
        let terms = QuoteInput {
            amount: q.amount.clone(),
            currency: "EUR".to_owned(),
            lead_time_days: q.lead_time_days,
            valid_until: valid_until.clone(),
            message: q.message.clone(),
            attachments: Vec::new(),
            file_ids: Vec::new(),
        };
        answers::quote(state, supplier, id, terms).await?;
    }
    for d in &r.declines {
        let supplier = accounts.get(&d.supplier)?.actor;
        answers::decline(state, supplier, id, d.reason.clone()).await?;
    }
    Ok(())
}

/// One line per account: role, email, organisation.
fn line(role: &str, email: &str, name: &str) -> String {
    format!("  {role:<8} {email:<42} {name}")
}

fn supplier_line(s: &Supplier) -> String {
    let family = s
        .capabilities
        .first()
        .map_or("", |(code, _)| code.split('.').next().unwrap_or(code));
    let member = if s.organisation.member {
        ", member"
    } else {
        ""
    };
    let name = format!("{} ({family}{member})", s.organisation.name);
    line("supplier", &s.organisation.email, &name)
}

/// What the server prints: the password, every buyer, one supplier per
/// capability family, the back office; every account goes to a file in the
/// data directory.
fn credentials(state: &AppState, data: &data::DemoData) -> String {
    let buyers = data.buyers.iter().map(|b| line("buyer", &b.email, &b.name));
    let back_office = [
        line("expert", EXPERT, "back office"),
        line("admin", ADMIN, "back office"),
    ];
    let everyone: Vec<String> = buyers
        .clone()
        .chain(data.suppliers.iter().map(supplier_line))
        .chain(back_office.clone())
        .collect();
    let file = state.settings.data_dir.join(ACCOUNTS_FILE);
    let listed = match std::fs::write(&file, everyone.join("\n") + "\n") {
        Ok(()) => format!("every account is listed in {}", file.display()),
        Err(error) => {
            tracing::warn!(%error, file = %file.display(), "cannot write the demo accounts");
            "an admin lists them all at GET /api/v1/admin/users".to_owned()
        }
    };
    let mut families = Vec::new();
    let shown: Vec<String> = data
        .suppliers
        .iter()
        .filter(|s| s.review == Review::Published)
        .filter(|s| {
            let family = s.capabilities.first().map(|(c, _)| c.split('.').next());
            let new = !families.contains(&family);
            families.push(family);
            new
        })
        .map(supplier_line)
        .collect();
    let mut lines = vec![
        "Demo data loaded. Every demo account uses the password:".to_owned(),
        format!("  {DEMO_PASSWORD}"),
    ];
    lines.extend(buyers);
    lines.extend(shown.iter().cloned());
    lines.extend(back_office);
    lines.push(format!(
        "  ... and {} more suppliers (one per capability family is shown); {listed}.",
        data.suppliers.len() - shown.len()
    ));
    lines.join("\n")
}
