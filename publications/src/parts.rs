//! A booklet is typeset in parts, one typst compilation each: the entries
//! in slices of at most [`SLICE`] suppliers, numbered 1, 2… across the
//! slices; then the indexes; then the front matter (cover and contents,
//! numbered i, ii…, so its length moves no entry). The contents and the
//! indexes get their page numbers from the marks the slices left.
//!
//! Why: typst lays a whole document out several times (until page
//! references settle) and keeps every pass's pages and its layout cache
//! until the end: a 1 000-supplier edition in one compilation peaked at
//! ~350 MiB. A slice is laid out, exported and dropped before the next, so
//! the peak no longer grows with the booklet.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::RenderError;
use crate::document::{Document, Family, Term};
use crate::world::{self, Mark};

/// Suppliers per slice: about 20 pages, a few tens of MB in typst.
pub const SLICE: usize = 100;

/// What the template reads for one part.
#[derive(Serialize)]
struct PartData<'a> {
    lang: &'a str,
    labels: &'a serde_json::Value,
    filters: &'a [String],
    /// "front", "entries" or "index".
    part: &'static str,
    /// The footer's numbering pattern: "i" or "1".
    numbering: &'static str,
    /// The number printed on the part's first page.
    first_page: usize,
    families: &'a [Family],
    contents: Vec<ContentsLine>,
    index: IndexPages,
}

impl<'a> PartData<'a> {
    fn new(
        document: &'a Document,
        part: &'static str,
        numbering: &'static str,
        first_page: usize,
        families: &'a [Family],
    ) -> Self {
        Self {
            lang: &document.lang,
            labels: &document.labels,
            filters: &document.filters,
            part,
            numbering,
            first_page,
            families,
            contents: Vec::new(),
            index: IndexPages::default(),
        }
    }
}

#[derive(Serialize)]
struct ContentsLine {
    label: String,
    page: usize,
    suppliers: Vec<ContentsEntry>,
}

#[derive(Serialize)]
struct ContentsEntry {
    name: String,
    page: usize,
}

#[derive(Serialize, Default)]
struct IndexPages {
    capabilities: Vec<TermPages>,
    certifications: Vec<TermPages>,
}

#[derive(Serialize)]
struct TermPages {
    label: String,
    pages: Vec<usize>,
}

/// The families cut in slices of at most `size` suppliers, in reading
/// order; a family cut in two goes on in the next slice, `continued`.
/// Never empty: a booklet without suppliers is one empty slice.
pub(crate) fn slices(families: &[Family], size: usize) -> Vec<Vec<Family>> {
    let size = size.max(1);
    let mut slices: Vec<Vec<Family>> = vec![Vec::new()];
    let mut room = size;
    for family in families {
        let mut rest = family.suppliers.as_slice();
        let mut continued = false;
        loop {
            if room == 0 {
                slices.push(Vec::new());
                room = size;
            }
            let (head, tail) = rest.split_at(rest.len().min(room));
            room -= head.len();
            if let Some(slice) = slices.last_mut() {
                slice.push(Family {
                    continued,
                    suppliers: head.to_vec(),
                    ..family.clone()
                });
            }
            continued = true;
            rest = tail;
            if rest.is_empty() {
                break;
            }
        }
    }
    slices
}

/// The booklet's page numbers of every mark, by (kind, key), ascending and
/// each page once.
#[derive(Debug, Default)]
pub(crate) struct Pages(BTreeMap<(String, String), Vec<usize>>);

impl Pages {
    /// Records the marks of a part whose first page is numbered `first`.
    pub(crate) fn record(&mut self, marks: &[Mark], first: usize) {
        for mark in marks {
            let page = first + mark.page.saturating_sub(1);
            let pages = self
                .0
                .entry((mark.kind.clone(), mark.key.clone()))
                .or_default();
            if pages.last() != Some(&page) {
                pages.push(page);
            }
        }
    }

    pub(crate) fn of(&self, kind: &str, key: &str) -> &[usize] {
        self.0
            .get(&(kind.to_owned(), key.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    fn first(&self, kind: &str, key: &str) -> usize {
        self.of(kind, key).first().copied().unwrap_or_default()
    }

    fn terms(&self, kind: &str, terms: &[Term]) -> Vec<TermPages> {
        terms
            .iter()
            .map(|term| TermPages {
                label: term.label.clone(),
                pages: self.of(kind, &term.key).to_vec(),
            })
            .collect()
    }
}

/// A booklet typeset: its parts' PDFs in reading order, and the pages.
pub(crate) struct Parts {
    pub(crate) pdfs: Vec<Vec<u8>>,
    /// Pages of the front matter (numbered i, ii…).
    pub(crate) front_pages: usize,
    /// Where every mark landed, as printed (the contents' and the indexes'
    /// numbers): the tests compare them with the PDF's footers.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    pub(crate) pages: Pages,
}

pub(crate) fn typeset(
    template: &str,
    document: &Document,
    edition: NaiveDate,
    slice: usize,
) -> Result<Parts, RenderError> {
    let mut pdfs = Vec::new();
    let mut pages = Pages::default();
    let mut next = 1;
    for families in slices(&document.families, slice) {
        let data = serde_json::to_vec(&PartData::new(document, "entries", "1", next, &families))?;
        let typeset = world::typeset(template, data, edition)?;
        pages.record(&typeset.marks, next);
        next += typeset.pages;
        pdfs.push(typeset.pdf);
    }

    let index = IndexPages {
        capabilities: pages.terms("capability", &document.index.capabilities),
        certifications: pages.terms("certification", &document.index.certifications),
    };
    let has_index = !(index.capabilities.is_empty() && index.certifications.is_empty());
    if has_index {
        let data = serde_json::to_vec(&PartData {
            index,
            ..PartData::new(document, "index", "1", next, &[])
        })?;
        let typeset = world::typeset(template, data, edition)?;
        pages.record(&typeset.marks, next);
        pdfs.push(typeset.pdf);
    }

    let label = |name: &str| {
        document.labels[name]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut contents: Vec<ContentsLine> = document
        .families
        .iter()
        .map(|family| ContentsLine {
            label: family.label.clone(),
            page: pages.first("family", &family.key),
            suppliers: family
                .suppliers
                .iter()
                .map(|s| ContentsEntry {
                    name: s.name.clone(),
                    page: pages.first("supplier", &s.key),
                })
                .collect(),
        })
        .collect();
    for (key, name) in [
        ("capabilities", "index_capabilities"),
        ("certifications", "index_certifications"),
    ] {
        if let Some(&page) = pages.of("index", key).first() {
            contents.push(ContentsLine {
                label: label(name),
                page,
                suppliers: Vec::new(),
            });
        }
    }
    let data = serde_json::to_vec(&PartData {
        contents,
        ..PartData::new(document, "front", "i", 1, &[])
    })?;
    let front = world::typeset(template, data, edition)?;
    pdfs.insert(0, front.pdf);
    Ok(Parts {
        pdfs,
        front_pages: front.pages,
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Supplier;

    fn family(key: &str, suppliers: &[&str]) -> Family {
        serde_json::from_value(serde_json::json!({
            "key": key,
            "label": key,
            "suppliers": suppliers.iter().map(|s| serde_json::json!({
                "key": s, "name": s, "place": "", "member": false, "description": "",
                "capabilities": [], "certifications": [], "sectors": [], "equipment": [],
                "languages": [], "email": null, "phone": null, "website": null,
            })).collect::<Vec<_>>(),
        }))
        .expect("a family")
    }

    fn names(suppliers: &[Supplier]) -> Vec<&str> {
        suppliers.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn a_family_cut_by_a_slice_goes_on_in_the_next_one_without_its_heading() {
        let families = [family("a", &["a1", "a2", "a3"]), family("b", &["b1"])];
        let slices = slices(&families, 2);
        let shape: Vec<Vec<(&str, bool, Vec<&str>)>> = slices
            .iter()
            .map(|slice| {
                slice
                    .iter()
                    .map(|f| (f.key.as_str(), f.continued, names(&f.suppliers)))
                    .collect()
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                vec![("a", false, vec!["a1", "a2"])],
                vec![("a", true, vec!["a3"]), ("b", false, vec!["b1"])],
            ]
        );
    }

    #[test]
    fn no_supplier_is_one_empty_slice() {
        assert_eq!(slices(&[], 100).len(), 1);
        assert!(slices(&[], 100)[0].is_empty());
    }

    #[test]
    fn marks_are_numbered_from_their_part_s_first_page_each_page_once() {
        let mark = |key: &str, page| Mark {
            kind: "capability".to_owned(),
            key: key.to_owned(),
            page,
        };
        let mut pages = Pages::default();
        pages.record(&[mark("x", 1), mark("x", 1), mark("y", 3)], 1);
        pages.record(&[mark("x", 1), mark("x", 2)], 8);
        assert_eq!(pages.of("capability", "x"), [1, 8, 9]);
        assert_eq!(pages.of("capability", "y"), [3]);
        assert!(pages.of("certification", "x").is_empty());
    }
}
