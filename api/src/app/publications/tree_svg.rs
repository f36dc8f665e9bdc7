//! The capability map drawn: the taxonomy as an indented tree, one line per
//! node with its labels, its supplier count and a bar (members, then
//! non-members). Written as SVG text: a tree needs no plotting library.

use std::fmt::Write as _;

use openapi::publications::CapabilityMapView;

use super::xml_text;

const ROW: usize = 24;
const TOP: usize = 64;
const WIDTH: usize = 1000;
const INDENT: usize = 22;
const BAR_X: usize = 640;
const BAR_WIDTH: usize = 300;
const MEMBER: &str = "#1f6f8b";
const NON_MEMBER: &str = "#9ccfd8";

pub fn render(map: &CapabilityMapView) -> String {
    let height = TOP + ROW * map.nodes.len() + 40;
    let widest = map
        .nodes
        .iter()
        .map(|n| n.suppliers.total)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = String::new();
    // `write!` to a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13"><title>Cartographie des compétences / Capability map</title><rect width="100%" height="100%" fill="white"/><text x="16" y="26" font-size="18" font-weight="bold">Cartographie des compétences / Capability map</text><text x="16" y="48" fill="dimgray">{} fournisseurs publiés / published suppliers ({} membres / members) · {}</text>"#,
        map.suppliers.total,
        map.suppliers.members,
        map.generated_at.format("%Y-%m-%d"),
    );
    let _ = write!(
        svg,
        r#"<rect x="{BAR_X}" y="38" width="12" height="12" fill="{MEMBER}"/><text x="{}" y="48">membres / members</text><rect x="{}" y="38" width="12" height="12" fill="{NON_MEMBER}"/><text x="{}" y="48">non-membres / non-members</text>"#,
        BAR_X + 16,
        BAR_X + 160,
        BAR_X + 176,
    );
    for (i, node) in map.nodes.iter().enumerate() {
        let y = TOP + ROW * i + 16;
        let x = 16 + INDENT * node.depth as usize;
        let weight = if node.depth == 0 { "bold" } else { "normal" };
        let label = if node.label_fr == node.label_en {
            xml_text(&node.label_fr)
        } else {
            format!(
                "{} / {}",
                xml_text(&node.label_fr),
                xml_text(&node.label_en)
            )
        };
        let _ = write!(
            svg,
            r#"<g><title>{code}</title><text x="{x}" y="{y}" font-weight="{weight}">{label}</text>"#,
            code = xml_text(&node.code),
        );
        let scale = |n: u64| (n as usize * BAR_WIDTH) / widest as usize;
        let (members, others) = (
            scale(node.suppliers.members),
            scale(node.suppliers.non_members),
        );
        let _ = write!(
            svg,
            r#"<rect x="{BAR_X}" y="{}" width="{members}" height="14" fill="{MEMBER}"/><rect x="{}" y="{}" width="{others}" height="14" fill="{NON_MEMBER}"/><text x="{}" y="{y}" text-anchor="end">{}</text></g>"#,
            y - 11,
            BAR_X + members,
            y - 11,
            BAR_X - 8,
            node.suppliers.total,
        );
    }
    svg.push_str("</svg>");
    svg
}
