//! The programme's activity report (experts and admins).

use domain::activity::{
    ActivityReport, Breakdown, DurationStats, ReportPeriod, RequestTally, StepCounts,
    SupplierActivity, review_waits,
};
use domain::auth::Actor;
use openapi::publications::{
    ActivityReportView, BreakdownView, BuyersView, DurationView, MonthlyView, RequestStepsView,
    RequestTimesView, SupplierActivityView,
};
use persistence::{activity, publications};

use super::{Format, Rendered, chart, csv_out};
use crate::error::ApiResult;
use crate::state::{AppState, blocking};

pub async fn activity_report(
    state: &AppState,
    actor: Actor,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
) -> ApiResult<Rendered<ActivityReportView>> {
    actor.may_read_activity_report()?;
    let period = ReportPeriod::parse(from.as_deref(), to.as_deref());
    let format = Format::parse(format.as_deref());
    // Both checked before answering, so one 422 names every bad field.
    let (period, format) = match (period, format) {
        (Ok(period), Ok(format)) => (period, format),
        (Err(errors), Ok(_)) => return Err(errors.into()),
        (Ok(_), Err(error)) => return Err(error),
        (Err(mut errors), Err(_)) => {
            errors.add("format", "invalid_value", "format is json, csv or svg");
            return Err(errors.into());
        }
    };
    let now = state.clock.now();
    // Two connections at once: the year's requests are most of the work,
    // and the suppliers' side is read meanwhile.
    let requests = state.read(move |conn| {
        let mut tally = RequestTally::new(period);
        activity::requests(conn, &period, &mut tally)?;
        let firsts = activity::first_submissions(conn, &period)?;
        Ok((tally, firsts))
    });
    let suppliers = state.read(move |conn| {
        let listed = publications::published_suppliers(conn)?;
        let waits: Vec<i64> = activity::review_steps(conn, &period)?
            .iter()
            .flat_map(|steps| review_waits(steps, &period))
            .collect();
        let suppliers = SupplierActivity {
            listed_members: listed.members,
            listed_non_members: listed.non_members,
            new_profiles: activity::new_profiles(conn, &period)?,
            review_times: DurationStats::of(waits),
            certificates_verified: activity::certificates_verified(conn, &period)?,
        };
        Ok((suppliers, activity::emails_failed(conn, &period)?))
    });
    let ((tally, firsts), (suppliers, emails_failed)) = futures::try_join!(requests, suppliers)?;
    // Sorting the year's durations for their percentiles.
    let report = blocking(move || Ok(tally.report(&firsts, suppliers, emails_failed))).await?;
    let view = view(&report, now);
    let stem = format!("activity-{}-{}", period.from(), period.to());
    Ok(match format {
        Format::Json => Rendered::Json(view),
        Format::Csv => Rendered::Csv {
            file_name: format!("{stem}.csv"),
            text: csv_out::activity(&view)?,
        },
        Format::Svg => Rendered::Svg(chart::monthly(&view)?),
    })
}

fn steps(s: &StepCounts) -> RequestStepsView {
    RequestStepsView {
        received: s.received,
        qualified: s.qualified,
        rejected: s.rejected,
        opened: s.opened,
        awarded: s.awarded,
        cancelled: s.cancelled,
    }
}

fn duration(d: &DurationStats) -> DurationView {
    DurationView {
        count: d.count,
        median_seconds: d.median_seconds,
        p90_seconds: d.p90_seconds,
    }
}

fn breakdown(list: &[Breakdown]) -> Vec<BreakdownView> {
    list.iter()
        .map(|b| BreakdownView {
            key: b.key.clone(),
            requests: steps(&b.counts),
        })
        .collect()
}

fn view(report: &ActivityReport, now: chrono::DateTime<chrono::Utc>) -> ActivityReportView {
    let s = &report.suppliers;
    ActivityReportView {
        from: report.period.from(),
        to: report.period.to(),
        generated_at: now,
        requests: steps(&report.requests),
        by_sector: breakdown(&report.by_sector),
        by_capability_family: breakdown(&report.by_capability_family),
        by_buyer_region: breakdown(&report.by_buyer_region),
        buyers: BuyersView {
            new: report.new_buyers,
            returning: report.returning_buyers,
        },
        times: RequestTimesView {
            to_qualification: duration(&report.to_qualification),
            to_opening: duration(&report.to_opening),
            to_first_quote: duration(&report.to_first_quote),
            to_award: duration(&report.to_award),
        },
        quotes_per_opened_request: report.quotes_per_opened_request,
        connections: report.connections,
        suppliers: SupplierActivityView {
            listed_members: s.listed_members,
            listed_non_members: s.listed_non_members,
            new_profiles: s.new_profiles,
            review_times: duration(&s.review_times),
            certificates_verified: s.certificates_verified,
        },
        emails_failed: report.emails_failed,
        monthly: report
            .monthly
            .iter()
            .map(|m| MonthlyView {
                month: m.month.to_string(),
                requests: steps(&m.counts),
                connections: m.connections,
            })
            .collect(),
    }
}
