//! The capability map: public counts per taxonomy node (JSON, SVG) and the
//! experts' supplier × capability matrix (CSV).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::auth::Actor;
use domain::capability_map::{CapabilityMap, MapNode, SupplierCount};
use openapi::publications::{
    AreaCountView, CapabilityMapNodeView, CapabilityMapView, HeldCertificationView,
    SupplierCountView,
};
use persistence::{index_events, publications};

use super::{Format, Rendered, csv_out, tree_svg};
use crate::app::catalogue::Catalogue;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

/// The map in `format`; the CSV matrix needs `reader` to be an expert or
/// an admin.
pub async fn capability_map(
    state: &AppState,
    format: Format,
    reader: Option<Actor>,
) -> ApiResult<Rendered<CapabilityMapView>> {
    let catalogue = state.catalogue().await?;
    let now = state.clock.now();
    if format == Format::Csv {
        reader
            .ok_or_else(|| {
                ApiError::coded(
                    ErrorCode::Unauthenticated,
                    "the capability matrix (format=csv) is for the cluster's experts: send a bearer token",
                )
            })?
            .may_export_capability_matrix()?;
        let entries = state.read(|conn| Ok(publications::matrix(conn)?)).await?;
        return Ok(Rendered::Csv {
            file_name: format!("capability-matrix-{}.csv", now.format("%Y-%m-%d")),
            text: csv_out::matrix(&catalogue, &entries)?,
        });
    }
    let built = state.capability_map.current(state, &catalogue, now).await?;
    let view = view(&catalogue, &built.map, built.at);
    Ok(match format {
        Format::Svg => Rendered::Svg(tree_svg::render(&view)),
        _ => Rendered::Json(view),
    })
}

/// The map as last built. Building it reads every published capability
/// (over a second at 100 000 suppliers), while it only changes with what
/// the index holds of a supplier (each such transaction bumps a committed
/// version, whichever instance made it), the day (certificates' validity) and the
/// taxonomy: a reader gets the map built for the data as it is, built once.
#[derive(Default)]
pub struct MapCache {
    /// Held while building, so concurrent readers wait for one build.
    built: tokio::sync::Mutex<Option<Arc<Built>>>,
}

pub struct Built {
    suppliers_version: i64,
    day: NaiveDate,
    catalogue: Arc<Catalogue>,
    map: CapabilityMap,
    /// When the map was built: the `generated_at` its readers see.
    at: DateTime<Utc>,
}

impl MapCache {
    async fn current(
        &self,
        state: &AppState,
        catalogue: &Arc<Catalogue>,
        now: DateTime<Utc>,
    ) -> ApiResult<Arc<Built>> {
        let day = now.date_naive();
        // Read before the lock, so that readers of a built map do not queue
        // behind each other's database round trip. A version read before
        // another reader's build at most builds once more, never serves
        // older data: a build reads the data after its version.
        let suppliers_version = state.read(|conn| Ok(index_events::version(conn)?)).await?;
        let mut built = self.built.lock().await;
        if let Some(current) = built.as_ref().filter(|b| {
            b.suppliers_version == suppliers_version
                && b.day == day
                && Arc::ptr_eq(&b.catalogue, catalogue)
        }) {
            return Ok(Arc::clone(current));
        }
        let (suppliers, tallies, held) = state
            .read(move |conn| {
                let suppliers = publications::published_suppliers(conn)?;
                let tallies = publications::node_tallies(conn)?;
                let held = publications::node_certifications(conn, day)?;
                Ok((suppliers, tallies, held))
            })
            .await?;
        let fresh = Arc::new(Built {
            suppliers_version,
            day,
            catalogue: Arc::clone(catalogue),
            map: CapabilityMap::build(catalogue.nodes(), suppliers, &tallies, &held),
            at: now,
        });
        *built = Some(Arc::clone(&fresh));
        Ok(fresh)
    }
}

fn count(count: SupplierCount) -> SupplierCountView {
    SupplierCountView {
        total: count.total(),
        members: count.members,
        non_members: count.non_members,
    }
}

fn view(catalogue: &Catalogue, map: &CapabilityMap, now: DateTime<Utc>) -> CapabilityMapView {
    use domain::account::Language;
    let node = |n: &MapNode| CapabilityMapNodeView {
        code: n.node.code.to_string(),
        parent: n.node.code.parent().map(|p| p.to_string()),
        depth: u32::try_from(n.depth).unwrap_or(u32::MAX),
        label_fr: n.node.fr.clone(),
        label_en: n.node.en.clone(),
        suppliers: count(n.suppliers),
        regions: areas(&n.regions),
        departments: areas(&n.departments),
        certifications: n
            .certifications
            .iter()
            .map(|c| HeldCertificationView {
                code: c.certification.clone(),
                label_fr: catalogue.certification_label(&c.certification, Language::Fr),
                label_en: catalogue.certification_label(&c.certification, Language::En),
                suppliers: c.suppliers,
            })
            .collect(),
    };
    CapabilityMapView {
        generated_at: now,
        suppliers: count(map.suppliers),
        nodes: map.nodes.iter().map(node).collect(),
    }
}

fn areas(areas: &[domain::capability_map::Area]) -> Vec<AreaCountView> {
    areas
        .iter()
        .map(|a| AreaCountView {
            name: a.name.clone(),
            suppliers: count(a.suppliers),
        })
        .collect()
}
