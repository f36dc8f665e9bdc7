//! The typst world a booklet is typeset in: one template, one data file,
//! the embedded fonts, no file system, no network, no system fonts.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::RenderError;

/// The one family the template sets text in: Libertinus Serif covers
/// Latin with every French accent, the no-break spaces and typographic
/// quotes. Only its files are parsed; the other embedded fonts are unused.
const FAMILY: &str = "Libertinus Serif";

/// Where the template reads the booklet's data (`json("/booklet.json")`).
const DATA_PATH: &str = "/booklet.json";
const MAIN_PATH: &str = "/booklet.typ";

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Parsed once per process: fonts and the standard library do not change.
static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .filter(|font| font.info().family == FAMILY)
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

fn file_id(path: &str) -> Result<FileId, RenderError> {
    VirtualPath::new(path)
        .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
        .map_err(|e| RenderError::Template(format!("{path}: {e:?}")))
}

struct BookletWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Option<Datetime>,
}

impl World for BookletWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// The edition date, not the machine's: the same data typesets the same
    /// booklet.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn today(edition: NaiveDate) -> Option<Datetime> {
    u8::try_from(edition.month())
        .ok()
        .zip(u8::try_from(edition.day()).ok())
        .and_then(|(month, day)| Datetime::from_ymd(edition.year(), month, day))
}

/// Where a `mark(kind, key)` of the template landed, on the part's own
/// pages (the first one is 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Mark {
    pub kind: String,
    pub key: String,
    #[serde(skip)]
    pub page: usize,
}

/// One part of the booklet typeset: its PDF and where its marks landed.
pub struct Typeset {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub marks: Vec<Mark>,
}

/// Typesets `data` (one part's JSON) with `template`.
pub fn typeset(template: &str, data: Vec<u8>, edition: NaiveDate) -> Result<Typeset, RenderError> {
    let today = today(edition);
    let world = BookletWorld {
        main: Source::new(file_id(MAIN_PATH)?, template.to_owned()),
        data_id: file_id(DATA_PATH)?,
        data: Bytes::new(data),
        today,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| RenderError::Template(messages(&errors)))?;
    // typst memoizes layout in a process-wide cache that only `evict`
    // empties. Nothing of this part will be laid out again (the next part
    // is other content), and the export below needs none of it: emptied
    // before the export, the cache never adds to the export's own peak.
    typst::comemo::evict(0);
    let marks = marks(&document)?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom("pmt-competence-booklet".to_owned()),
        timestamp: today.map(typst_pdf::Timestamp::new_utc),
        // The parts are merged into one PDF whose structure tree would not
        // follow: no tags rather than broken ones.
        tagged: false,
        ..typst_pdf::PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| RenderError::Export(messages(&errors)))?;
    typst::comemo::evict(0);
    Ok(Typeset {
        pdf,
        pages: document.pages().len(),
        marks,
    })
}

/// The template's marks, each with its page.
fn marks(document: &PagedDocument) -> Result<Vec<Mark>, RenderError> {
    use typst::introspection::{Introspector as _, MetadataElem};
    let label = typst::foundations::Label::new(typst::utils::PicoStr::intern("booklet-index"))
        .ok_or_else(|| RenderError::Template("no label".to_owned()))?;
    let introspector = document.introspector();
    introspector
        .query(&typst::foundations::Selector::Label(label))
        .iter()
        .filter_map(|content| {
            let value = &content.to_packed::<MetadataElem>()?.value;
            let page = introspector.page(content.location()?)?.get();
            Some((value.clone(), page))
        })
        .map(|(value, page)| {
            let mark: Mark = serde_json::to_value(&value)
                .and_then(serde_json::from_value)
                .map_err(|e| RenderError::Template(format!("a mark: {e}")))?;
            Ok(Mark { page, ..mark })
        })
        .collect()
}
