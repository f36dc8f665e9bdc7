//! The public side of the directory: taxonomy, certification catalogue,
//! search and published profiles.

use domain::ValidationErrors;
use domain::account::Language;
use domain::admin_events::AdminEvent;
use domain::auth::Actor;
use domain::ids::OrganisationId;
use domain::organisation::Membership;
use domain::taxonomy::{self, CapabilityCode, CapabilityNode};
use openapi::directory::{
    CapabilityView, CertificationTypeView, FacetValue, LabelledCode, NewCapabilityRequest,
    PublicCertificationView, PublicProfileView, SupplierFacets, SupplierHit, SupplierSearchQuery,
    SupplierSearchResponse, SupplierSort, TaxonomyNodeView,
};
use persistence::{accounts, catalogue, certifications, profiles};
use search::{SearchQuery, SortOrder};

use crate::app::catalogue::Catalogue;
use crate::app::paging;
use crate::app::publisher::Publisher;
use crate::app::suggestions;
use crate::app::suppliers::{self, Listed};
use crate::app::views;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

fn tree_view(nodes: Vec<taxonomy::TreeNode>) -> Vec<TaxonomyNodeView> {
    nodes
        .into_iter()
        .map(|n| TaxonomyNodeView {
            code: n.code,
            label: n.label,
            children: tree_view(n.children),
        })
        .collect()
}

pub async fn taxonomy(state: &AppState, language: Language) -> ApiResult<Vec<TaxonomyNodeView>> {
    let nodes = state.read(|conn| Ok(catalogue::taxonomy(conn)?)).await?;
    Ok(tree_view(taxonomy::tree(&nodes, language)))
}

pub async fn certification_types(
    state: &AppState,
    language: Language,
) -> ApiResult<Vec<CertificationTypeView>> {
    let types = state
        .read(|conn| Ok(catalogue::certification_types(conn)?))
        .await?;
    Ok(types
        .into_iter()
        .map(|t| {
            let (label, description) = match language {
                Language::Fr => (t.fr, t.description_fr),
                Language::En => (t.en, t.description_en),
            };
            CertificationTypeView {
                code: t.code.as_str().to_owned(),
                label,
                description,
            }
        })
        .collect())
}

/// Admins extend the taxonomy under an existing node (or at the top level).
pub async fn add_capability(
    state: &AppState,
    actor: Actor,
    body: NewCapabilityRequest,
) -> ApiResult<CapabilityView> {
    actor.may_manage_users()?;
    let mut errors = ValidationErrors::new();
    let code = match body.parent.as_deref() {
        Some(parent) => errors
            .check("parent", CapabilityCode::parse(parent))
            .and_then(|parent| errors.check("slug", parent.child(&body.slug))),
        None => errors.check("slug", CapabilityCode::parse(&body.slug)),
    };
    let fr = errors.check("label_fr", domain::validation::text(&body.label_fr, 1, 120));
    let en = errors.check("label_en", domain::validation::text(&body.label_en, 1, 120));
    errors.at_most("synonyms", &body.synonyms, 30);
    let synonyms: Vec<String> = body
        .synonyms
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            errors.check(
                &format!("synonyms[{i}]"),
                domain::validation::text(s, 1, 80),
            )
        })
        .collect();
    let (Some(code), Some(fr), Some(en)) = (code, fr, en) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let node = CapabilityNode {
        code,
        fr,
        en,
        synonyms,
    };
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    let added = state
        .transaction(move |conn| {
            let existing = Catalogue::load(conn)?;
            if let Some(parent) = node.code.parent()
                && !existing.has_capability(&parent)
            {
                return Err(ValidationErrors::single(
                    "parent",
                    "unknown_capability",
                    format!("{parent} is not in the taxonomy"),
                )
                .into());
            }
            if existing.has_capability(&node.code) {
                return Err(domain::DomainError::Conflict {
                    code: "capability_exists",
                    message: format!("{} already exists", node.code),
                }
                .into());
            }
            let position = catalogue::next_position(conn)?;
            catalogue::insert_node(conn, &node, position, now)?;
            publisher.publish_admin(
                conn,
                AdminEvent::CapabilityAdded {
                    code: node.code.clone(),
                },
            )?;
            Ok(CapabilityView {
                code: node.code.to_string(),
                label_fr: node.fr,
                label_en: node.en,
                synonyms: node.synonyms,
            })
        })
        .await?;
    state.catalogue.invalidate();
    Ok(added)
}

fn list(raw: Option<&str>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

const SUPPLIERS: &str = "suppliers";
/// How deep a ranked search reads: past this, refine the query.
const MAX_DEPTH: usize = 10_000;

/// Searches published suppliers. Only data the public may see is indexed.
/// Suggestions offered with a search that found nothing.
const ZERO_HIT_SUGGESTIONS: usize = 5;

pub async fn search(
    state: &AppState,
    query: SupplierSearchQuery,
    language: Language,
) -> ApiResult<SupplierSearchResponse> {
    let mut errors = ValidationErrors::new();
    let sort = match query.sort.as_deref().map(SupplierSort::parse) {
        None | Some(Some(SupplierSort::Relevance)) => SortOrder::Relevance,
        Some(Some(SupplierSort::Name)) => SortOrder::NameAsc,
        Some(Some(SupplierSort::Recent)) => SortOrder::UpdatedDesc,
        Some(None) => {
            errors.add("sort", "invalid_sort", "sort is relevance, name or recent");
            SortOrder::Relevance
        }
    };
    let limit = errors
        .check("", paging::checked_limit(query.limit))
        .unwrap_or(paging::DEFAULT_LIMIT);
    let capabilities = list(query.capability.as_deref());
    for (i, code) in capabilities.iter().enumerate() {
        errors.check(&format!("capability[{i}]"), CapabilityCode::parse(code));
    }
    let sectors = list(query.sector.as_deref());
    for (i, sector) in sectors.iter().enumerate() {
        errors.check(
            &format!("sector[{i}]"),
            domain::profile::Sector::parse(sector),
        );
    }
    if let Some(text) = &query.q
        && text.chars().count() > 200
    {
        errors.add("q", "too_long", "a query has at most 200 characters");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // A ranked search has no keyset: its cursor holds how far the previous
    // pages read (under the same list name, so another list's is refused).
    let offset = match paging::parse_text_cursor(query.cursor, SUPPLIERS)? {
        None => 0,
        Some((read, _)) => read
            .parse::<usize>()
            .ok()
            .filter(|read| *read <= MAX_DEPTH)
            .ok_or_else(paging::invalid_cursor)?,
    };
    let limit = usize::try_from(limit).unwrap_or(1);
    let now = state.clock.now();
    let text = query.q.filter(|q| !q.trim().is_empty());
    state.ensure_index_settings().await?;
    let catalogue = state.catalogue().await?;
    let named = text
        .as_deref()
        .map(|text| catalogue.suggester().named(text))
        .unwrap_or_default();
    let results = state
        .index
        .search(SearchQuery {
            text: text.clone(),
            named_capabilities: named.capabilities,
            named_certifications: named.certifications,
            capabilities,
            certifications: list(query.certification.as_deref()),
            verified_only: query.verified_only.unwrap_or(false),
            sectors,
            regions: list(query.region.as_deref()),
            member: query.member,
            now: now.timestamp(),
            sort,
            offset,
            limit,
        })
        .await?;

    let read = offset + results.hits.len();
    let next_cursor = results
        .hits
        .last()
        .filter(|_| read < results.total && read <= MAX_DEPTH)
        .map(|last| paging::text_cursor(SUPPLIERS, &read.to_string(), last.id));
    let ids: Vec<OrganisationId> = results
        .hits
        .iter()
        .map(|h| OrganisationId::from(h.id))
        .collect();
    let today = now.date_naive();
    let mut listed = state.read(move |conn| suppliers::load(conn, &ids)).await?;
    let items = results
        .hits
        .into_iter()
        .filter_map(|hit| {
            // The index may lag behind a suspension: the database decides.
            let Listed {
                organisation,
                content,
                certifications,
                ..
            } = listed.remove(&OrganisationId::from(hit.id))?;
            Some(SupplierHit {
                id: hit.id,
                name: organisation.legal_name,
                city: content.location.city,
                region: content.location.region,
                member: organisation.membership == Membership::Member,
                sectors: content.sectors.iter().map(|s| (*s).into()).collect(),
                capabilities: content
                    .capabilities
                    .iter()
                    .map(|c| LabelledCode {
                        code: c.code.to_string(),
                        label: catalogue.capability_label(c.code.as_str(), language),
                    })
                    .collect(),
                certifications: views::badges(&certifications, today, &catalogue, language),
                highlights: hit.highlights,
            })
        })
        .collect();
    let facet = |counts: std::collections::BTreeMap<String, usize>,
                 label: &dyn Fn(&str) -> String|
     -> Vec<FacetValue> {
        let mut values: Vec<FacetValue> = counts
            .into_iter()
            .map(|(value, count)| FacetValue {
                label: label(&value),
                value,
                count,
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values
    };
    let facets = results.facets;
    // Nothing found: say what the words may mean in the taxonomy's terms.
    let suggestions = match &text {
        Some(text) if results.total == 0 => {
            suggestions::views(&catalogue, text, ZERO_HIT_SUGGESTIONS, language)
        }
        _ => Vec::new(),
    };
    Ok(SupplierSearchResponse {
        items,
        next_cursor,
        total: results.total,
        suggestions,
        facets: SupplierFacets {
            capabilities: facet(facets.capabilities, &|code| {
                catalogue.capability_label(code, language)
            }),
            certifications: facet(facets.certifications, &|code| {
                catalogue.certification_label(code, language)
            }),
            sectors: facet(facets.sectors, &str::to_owned),
            regions: facet(facets.regions, &str::to_owned),
            member: facet(facets.member, &|value| {
                match (value, language) {
                    ("true", Language::Fr) => "Adhérent",
                    ("true", Language::En) => "Cluster member",
                    (_, Language::Fr) => "Non adhérent",
                    (_, Language::En) => "Not a member",
                }
                .to_owned()
            }),
        },
    })
}

/// A published profile; 404 for anything not published (or suspended).
pub async fn public_profile(
    state: &AppState,
    org: OrganisationId,
    language: Language,
) -> ApiResult<PublicProfileView> {
    let today = state.clock.now().date_naive();
    let catalogue = state.catalogue().await?;
    state
        .read(move |conn| {
            let not_found = || ApiError::not_found("supplier");
            let profile = profiles::find(conn, org)?.ok_or_else(not_found)?;
            let content = profile.public_content().ok_or_else(not_found)?;
            let organisation = accounts::find_organisation(conn, org)?.ok_or_else(not_found)?;
            let certs = certifications::of_organisation(conn, org)?;
            let (logo, brochure) = crate::app::attachments::profile_documents(conn, org)?;
            Ok(PublicProfileView {
                id: *org.as_uuid(),
                name: organisation.legal_name,
                website: organisation.website.map(|w| w.as_str().to_owned()),
                member: organisation.membership == Membership::Member,
                description_fr: content.description_fr.clone(),
                description_en: content.description_en.clone(),
                capabilities: views::capabilities(content, &catalogue),
                sectors: content.sectors.iter().map(|s| (*s).into()).collect(),
                equipment: content.equipment.clone(),
                headcount: content.headcount.map(Into::into),
                location: views::location(content),
                working_languages: content.working_languages.clone(),
                public_contact_email: content
                    .public_contact_email
                    .as_ref()
                    .map(ToString::to_string),
                public_phone: content.public_phone.clone(),
                certifications: certs
                    .iter()
                    .filter(|c| c.counts_on(today))
                    .map(|c| PublicCertificationView {
                        type_code: c.details.type_code.as_str().to_owned(),
                        label: catalogue
                            .certification_label(c.details.type_code.as_str(), language),
                        scope: c.details.scope.clone(),
                        certifying_body: c.details.certifying_body.clone(),
                        valid_until: c.details.valid_until,
                        status: views::status(c.status),
                    })
                    .collect(),
                logo,
                brochure,
                published_at: profile.published_at,
            })
        })
        .await
}

/// `lang` wins over `Accept-Language`; French by default.
pub fn language(lang: Option<&str>, accept_language: Option<&str>) -> ApiResult<Language> {
    match lang {
        Some(raw) => Language::parse(raw)
            .ok_or_else(|| ApiError::coded(ErrorCode::InvalidQuery, "lang is fr or en")),
        None => Ok(accept_language
            .and_then(Language::from_accept_language)
            .unwrap_or_default()),
    }
}
