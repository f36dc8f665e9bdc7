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

pub fn typeset(template: &str, data: Vec<u8>, edition: NaiveDate) -> Result<Vec<u8>, RenderError> {
    let today = u8::try_from(edition.month())
        .ok()
        .zip(u8::try_from(edition.day()).ok())
        .and_then(|(month, day)| Datetime::from_ymd(edition.year(), month, day));
    let world = BookletWorld {
        main: Source::new(file_id(MAIN_PATH)?, template.to_owned()),
        data_id: file_id(DATA_PATH)?,
        data: Bytes::new(data),
        today,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| RenderError::Template(messages(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom("pmt-competence-booklet".to_owned()),
        timestamp: today.map(typst_pdf::Timestamp::new_utc),
        ..typst_pdf::PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| RenderError::Export(messages(&errors)));
    // typst memoizes layout in a process-wide cache that only `evict`
    // empties: without it a server would keep the layout of every edition
    // it ever typeset (hundreds of MB for 1 000 suppliers). Each edition is
    // typeset once and then served from the disk: nothing to reuse.
    typst::comemo::evict(0);
    pdf
}
