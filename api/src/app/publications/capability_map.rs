//! The capability map: public counts per taxonomy node (JSON, SVG) and the
//! experts' supplier × capability matrix (CSV).

use domain::auth::Actor;
use domain::capability_map::{CapabilityMap, MapNode, SupplierCount};
use openapi::publications::{
    AreaCountView, CapabilityMapNodeView, CapabilityMapView, HeldCertificationView,
    SupplierCountView,
};
use persistence::publications;

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
    let today = now.date_naive();
    let map = state
        .read(move |conn| {
            let suppliers = publications::published_suppliers(conn)?;
            let tallies = publications::node_tallies(conn)?;
            let held = publications::node_certifications(conn, today)?;
            Ok((suppliers, tallies, held))
        })
        .await
        .map(|(suppliers, tallies, held)| {
            CapabilityMap::build(catalogue.nodes(), suppliers, &tallies, &held)
        })?;
    let view = view(&catalogue, &map, now);
    Ok(match format {
        Format::Svg => Rendered::Svg(tree_svg::render(&view)),
        _ => Rendered::Json(view),
    })
}

fn count(count: SupplierCount) -> SupplierCountView {
    SupplierCountView {
        total: count.total(),
        members: count.members,
        non_members: count.non_members,
    }
}

fn view(
    catalogue: &Catalogue,
    map: &CapabilityMap,
    now: chrono::DateTime<chrono::Utc>,
) -> CapabilityMapView {
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
