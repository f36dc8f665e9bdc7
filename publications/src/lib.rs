//! The cluster's typeset publications. Today one: the competence booklet
//! ("livret de compétences"), in French or English, handed out at trade
//! fairs.
//!
//! The caller hands plain data ([`Booklet`]: what the public may see,
//! already selected and labelled) and gets PDF bytes back. User text never
//! becomes typst markup: the data reaches the template as a JSON file that
//! the template reads and iterates, so a supplier named `#exit` or
//! `*Acme* <x>` is printed as written.
//!
//! This is the only crate of the workspace that depends on typst (slow to
//! compile): the rest rebuilds without it.

mod booklet;
mod document;
mod merge;
mod parts;
mod wording;
mod world;

pub use wording::sort_key;

pub use booklet::{
    Booklet, BookletCapability, BookletCertificate, BookletFamily, BookletSupplier, FilterLabel,
};

/// Why a booklet could not be typeset. Not the reader's fault: the data is
/// plain text, so any error is a bug in the template or the fonts.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the booklet template failed: {0}")]
    Template(String),
    #[error("the PDF export failed: {0}")]
    Export(String),
    #[error("the booklet data could not be serialised: {0}")]
    Data(#[from] serde_json::Error),
    #[error("the typesetting process failed: {0}")]
    Process(String),
}

/// The template's source; part of every cached edition's key, so that a
/// new template never serves a PDF typeset by the old one.
pub const TEMPLATE: &str = include_str!("templates/booklet.typ");

/// Typesets `booklet` as a PDF.
pub fn render(booklet: &Booklet) -> Result<Vec<u8>, RenderError> {
    let job = Job::of(booklet)?;
    typeset(job.data, job.edition_date)
}

/// What typesetting a booklet needs, as plain bytes: so that it can run in
/// another process (a fault while typesetting then ends that process, and
/// whatever typst allocated goes back to the system with it).
pub struct Job {
    /// The template's data file (JSON).
    pub data: Vec<u8>,
    pub edition_date: chrono::NaiveDate,
}

impl Job {
    pub fn of(booklet: &Booklet) -> Result<Self, RenderError> {
        Ok(Self {
            data: serde_json::to_vec(&document::Document::of(booklet)?)?,
            edition_date: booklet.edition_date,
        })
    }
}

/// Typesets a [`Job`]'s data with [`TEMPLATE`], in parts (see
/// [`parts`]) joined into one PDF.
pub fn typeset(data: Vec<u8>, edition_date: chrono::NaiveDate) -> Result<Vec<u8>, RenderError> {
    let document: document::Document = serde_json::from_slice(&data)?;
    drop(data);
    let parts = parts::typeset(TEMPLATE, &document, edition_date, parts::SLICE)?;
    merge::merge(&parts.pdfs, parts.front_pages)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use domain::account::Language;

    use super::*;

    fn supplier(name: &str) -> BookletSupplier {
        BookletSupplier {
            name: name.to_owned(),
            city: "Besançon".to_owned(),
            region: "Bourgogne-Franche-Comté".to_owned(),
            member: true,
            description: "Décolletage de précision.".to_owned(),
            capabilities: vec![BookletCapability {
                code: "machining.swiss_turning".to_owned(),
                label: "Décolletage".to_owned(),
                detail: Some("titane".to_owned()),
            }],
            certifications: Vec::new(),
            sectors: vec![domain::profile::Sector::Medtech],
            equipment: Vec::new(),
            working_languages: vec!["fr".to_owned()],
            contact_email: None,
            phone: None,
            website: None,
        }
    }

    /// The font maps of a PDF (ToUnicode CMaps), decompressed.
    fn unicode_maps(pdf: &[u8]) -> String {
        use std::io::Read as _;
        let mut maps = String::new();
        let mut rest = pdf;
        while let Some(start) = rest.windows(7).position(|w| w == b"stream\n") {
            let body = &rest[start + 7..];
            let end = body
                .windows(9)
                .position(|w| w == b"endstream")
                .unwrap_or(body.len());
            let mut text = String::new();
            if flate2::read::ZlibDecoder::new(&body[..end])
                .read_to_string(&mut text)
                .is_ok()
                && text.contains("beginbf")
            {
                maps.push_str(&text);
            }
            // Past `endstream`, which itself ends in `stream\n`.
            rest = body.get(end + 9..).unwrap_or_default();
        }
        maps
    }

    #[test]
    fn french_labels_carry_a_real_no_break_space_and_markup_in_names_stays_text() {
        let booklet = Booklet {
            language: Language::Fr,
            edition_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
            filters: Vec::new(),
            families: vec![BookletFamily {
                code: "machining".to_owned(),
                label: "Usinage".to_owned(),
                suppliers: vec![supplier("*Acme* #exit $x$ <a> @b [c] \\ _d_")],
            }],
        };
        let pdf = render(&booklet).expect("a name full of markup is typeset as text");
        assert!(
            unicode_maps(&pdf).to_uppercase().contains("<00A0>"),
            "a glyph of the French booklet stands for U+00A0"
        );
    }

    #[test]
    fn an_empty_booklet_is_still_a_pdf() {
        for language in [Language::Fr, Language::En] {
            let pdf = render(&Booklet {
                language,
                edition_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
                filters: vec![FilterLabel::MembersOnly],
                families: Vec::new(),
            })
            .expect("typeset");
            assert!(pdf.starts_with(b"%PDF-"), "{language:?}");
        }
    }

    /// The PDF's text, page by page (pdftotext separates pages by a form
    /// feed).
    fn pages_text(pdf: &[u8]) -> Vec<String> {
        let path = std::env::temp_dir().join(format!("booklet-{}.pdf", std::process::id()));
        std::fs::write(&path, pdf).expect("a temporary file");
        let output = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (Debian poppler-utils) is installed");
        std::fs::remove_file(&path).ok();
        assert!(output.status.success(), "pdftotext failed");
        String::from_utf8_lossy(&output.stdout)
            .split('\u{c}')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn contents_and_index_give_the_pages_printed_on_the_entries_across_slices() {
        const NAMES: [&str; 7] = [
            "Alpha Usinage",
            "Bravo Découpe",
            "Charlie Moulage",
            "Delta Frittage",
            "Écho Polissage",
            "Foxtrot Gravure",
            "Golf Soudure",
        ];
        let mut first = supplier("");
        first.description =
            "Sous-traitance de précision pour les dispositifs médicaux. ".repeat(40);
        let suppliers: Vec<BookletSupplier> = NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| BookletSupplier {
                name: (*name).to_owned(),
                // Long enough for some entries to fill a page or more.
                description: first.description.repeat(i % 3),
                capabilities: vec![BookletCapability {
                    code: format!("cap_{i}"),
                    label: format!("Savoir-faire {name}"),
                    detail: None,
                }],
                ..first.clone()
            })
            .collect();
        let booklet = Booklet {
            language: Language::Fr,
            edition_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
            filters: Vec::new(),
            families: vec![
                BookletFamily {
                    code: "machining".to_owned(),
                    label: "Usinage".to_owned(),
                    suppliers: suppliers[..4].to_vec(),
                },
                BookletFamily {
                    code: "joining".to_owned(),
                    label: "Assemblage".to_owned(),
                    suppliers: suppliers[4..].to_vec(),
                },
            ],
        };
        let document = document::Document::of(&booklet).expect("data");
        // Slices of 3: the first family is cut, the second starts mid-slice.
        let parts = parts::typeset(TEMPLATE, &document, booklet.edition_date, 3).expect("typeset");
        assert_eq!(parts.pdfs.len(), 1 + 3 + 1, "front, three slices, index");
        let pdf = merge::merge(&parts.pdfs, parts.front_pages).expect("merged");
        let pages = pages_text(&pdf);

        // The number printed at the foot of each page of entries, and its text.
        let printed: Vec<(usize, &String)> = pages
            .iter()
            .skip(parts.front_pages)
            .filter_map(|text| {
                let number = text.split_whitespace().last()?.parse().ok()?;
                Some((number, text))
            })
            .collect();
        let numbers: Vec<usize> = printed.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            numbers,
            (1..=numbers.len()).collect::<Vec<_>>(),
            "entries and indexes are numbered 1, 2… across the slices"
        );
        assert!(numbers.len() > 4, "the entries span several pages");
        let page_of = |words: &str| {
            printed
                .iter()
                .find(|(_, text)| {
                    text.lines().any(|line| {
                        line.trim_start_matches(|c: char| !c.is_alphanumeric()) == words
                    })
                })
                .map(|(n, _)| *n)
                .unwrap_or_else(|| panic!("{words:?} is printed"))
        };
        for (i, name) in NAMES.iter().enumerate() {
            // A long entry may start a page before its capabilities.
            assert_eq!(
                parts.pages.of("supplier", &i.to_string()),
                [page_of(name)],
                "the contents give the page of {name}'s heading"
            );
            assert_eq!(
                parts.pages.of("capability", &format!("cap_{i}")),
                [page_of(&format!("Savoir-faire {name}"))],
                "the index gives the page of {name}'s capability"
            );
        }
        // And the contents print them: "Golf Soudure ……… N".
        let contents = pages[1].replace('.', " ");
        let golf = parts.pages.of("supplier", "6")[0];
        assert!(
            contents.contains("Golf Soudure") && contents.contains(&golf.to_string()),
            "{contents}"
        );
    }
}
