use super::Routes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use openapi::problem::Problem;
use openapi::publications::{
    ActivityReportQuery, ActivityReportView, CapabilityMapQuery, CapabilityMapView,
};

use crate::app::publications::{Format, activity, capability_map};
use crate::auth::Authenticated;
use crate::auth::extractor::authenticate;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_capability_map).service(get_activity_report);
}

/// Get the capability map.
///
/// The capability taxonomy ("briques technologiques") with, per node, the
/// published suppliers that master it (the node or one below it), members
/// of the cluster and others, by region and département, and the
/// certifications they most hold (valid today). Public: published profiles
/// only, never a suspended or unpublished one. `format=svg` draws the tree
/// with its counts; `format=csv` is the supplier × capability matrix (one
/// row per published supplier, one column per taxonomy code: the
/// supplier's detail, `x` without one, empty when not declared) for the
/// cluster's experts and admins only: it needs their bearer token (401
/// without, 403 for anyone else).
#[utoipa::path(
    operation_id = "getCapabilityMap",
    tag = "publications",
    security((), ("bearer" = [])),
    params(CapabilityMapQuery),
    responses(
        (status = 200, description = "The map: JSON (default), the SVG drawing (`format=svg`) or the CSV matrix (`format=csv`, experts and admins)", content((CapabilityMapView = "application/json"), (String = "image/svg+xml"), (String = "text/csv")),
            headers(("Content-Disposition" = String, description = "For the CSV: `attachment` with a dated file name"))),
        (status = 401, description = "`unauthenticated`, `invalid_token`: `format=csv` without a valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: `format=csv` is for the cluster's experts and admins", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `format` (`invalid_value`) is not json, csv or svg", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/publications/capability-map")]
async fn get_capability_map(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CapabilityMapQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(query.format.as_deref())?;
    // Only the matrix names its reader; the counts are public.
    let reader = match format {
        Format::Csv => Some(authenticate(&req).await?.0),
        Format::Json | Format::Svg => None,
    };
    Ok(capability_map::capability_map(&state, format, reader)
        .await?
        .into_response())
}

/// Get the programme's activity report.
///
/// What the platform brought over a period, as the funder asks for it in
/// the annual activity report: requests received, qualified, rejected,
/// opened, awarded and cancelled (overall, by sector, capability family and
/// buyer region, month by month), new and returning buyers, times from
/// submission to each step (median, 90th percentile), quotes per opened
/// request, connections made by awards, suppliers listed, new profiles,
/// review times, certificates verified and emails failed. Each indicator is
/// defined in the schema. Experts and admins. `format=csv` gives one
/// indicator a row (`section,key,indicator,value`), `format=svg` the
/// monthly series drawn.
#[utoipa::path(
    operation_id = "getActivityReport",
    tag = "publications",
    security(("bearer" = [])),
    params(ActivityReportQuery),
    responses(
        (status = 200, description = "The report: JSON (default), CSV (`format=csv`) or the monthly chart (`format=svg`)", content((ActivityReportView = "application/json"), (String = "text/csv"), (String = "image/svg+xml")),
            headers(("Content-Disposition" = String, description = "For the CSV: `attachment` with the period in the file name"))),
        (status = 403, description = "`forbidden`: experts and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `from` or `to` missing (`required`) or not a date (`invalid_date`), `from` after `to` (`min_above_max`), a period over 1098 days (`out_of_range` on `to`), `format` not json, csv or svg (`invalid_value`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/reports/activity")]
async fn get_activity_report(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ActivityReportQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    Ok(
        activity::activity_report(&state, auth.0, query.from, query.to, query.format)
            .await?
            .into_response(),
    )
}
