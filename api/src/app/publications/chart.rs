//! The activity report's monthly series drawn with `plotters` (SVG backend
//! only): requests by step and connections, one line each.

use openapi::publications::{ActivityReportView, MonthlyView};
use plotters::prelude::*;

use crate::error::{ApiError, ApiResult};

const SIZE: (u32, u32) = (1000, 560);

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("chart: {e}"))
}

pub fn monthly(report: &ActivityReportView) -> ApiResult<String> {
    let months: Vec<&str> = report.monthly.iter().map(|m| m.month.as_str()).collect();
    type Series<'a> = (&'a str, RGBColor, Vec<u64>);
    let column = |value: fn(&MonthlyView) -> u64| report.monthly.iter().map(value).collect();
    let series: Vec<Series> = vec![
        (
            "reçues / received",
            RGBColor(31, 111, 139),
            column(|m| m.requests.received),
        ),
        (
            "qualifiées / qualified",
            RGBColor(76, 154, 42),
            column(|m| m.requests.qualified),
        ),
        (
            "rejetées / rejected",
            RGBColor(200, 60, 60),
            column(|m| m.requests.rejected),
        ),
        (
            "ouvertes / opened",
            RGBColor(230, 150, 30),
            column(|m| m.requests.opened),
        ),
        (
            "attribuées / awarded",
            RGBColor(120, 70, 160),
            column(|m| m.requests.awarded),
        ),
        (
            "annulées / cancelled",
            RGBColor(120, 120, 120),
            column(|m| m.requests.cancelled),
        ),
        (
            "mises en relation / connections",
            RGBColor(0, 0, 0),
            column(|m| m.connections),
        ),
    ];
    let top = series
        .iter()
        .flat_map(|(_, _, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let last = months.len().saturating_sub(1).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let caption = format!(
            "Activité mensuelle / Monthly activity, {} – {}",
            report.from, report.to
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0usize..last, 0u64..top + top / 10 + 1)
            .map_err(failed)?;
        let label = |i: &usize| months.get(*i).map(|m| (*m).to_owned()).unwrap_or_default();
        chart
            .configure_mesh()
            .x_labels(months.len().min(12))
            .x_label_formatter(&label)
            .y_desc("demandes / requests")
            .draw()
            .map_err(failed)?;
        for (name, color, values) in &series {
            let color = *color;
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i, *v)),
                    color.stroke_width(2),
                ))
                .map_err(failed)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}
