//! The booklet's parts, each a PDF of its own, joined into one: their
//! pages in order under one page tree, the front matter's catalog and
//! document information, and page labels (i, ii… then 1, 2…) so that a
//! viewer's page numbers are the printed ones.

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::RenderError;

/// Page attributes a page may inherit from its page tree node: the tree is
/// rebuilt, so each page carries its own.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

fn failed(e: lopdf::Error) -> RenderError {
    RenderError::Export(format!("merging the parts: {e}"))
}

fn inherit(document: &mut Document, page: ObjectId) {
    let mut found: Vec<(&[u8], Object)> = Vec::new();
    let mut node = document.get_dictionary(page).ok();
    // A page tree is shallow; the bound only guards against a cycle.
    for _ in 0..32 {
        let Some(dictionary) = node else { break };
        for key in INHERITED {
            if !found.iter().any(|(k, _)| *k == key)
                && let Ok(value) = dictionary.get(key)
            {
                found.push((key, value.clone()));
            }
        }
        node = dictionary
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|parent| document.get_dictionary(parent))
            .ok();
    }
    if let Ok(dictionary) = document.get_dictionary_mut(page) {
        for (key, value) in found {
            if !dictionary.has(key) {
                dictionary.set(key, value);
            }
        }
    }
}

/// Joins `parts` (PDFs) in order; the first `front_pages` pages are
/// labelled in lower-case roman numerals, the others from 1.
pub fn merge(parts: &[Vec<u8>], front_pages: usize) -> Result<Vec<u8>, RenderError> {
    let mut merged = Document::with_version("1.7");
    let mut pages: Vec<ObjectId> = Vec::new();
    let mut catalog: Option<Dictionary> = None;
    let mut info: Option<Object> = None;
    let mut next_id = 1;
    for bytes in parts {
        let mut part = Document::load_mem(bytes).map_err(failed)?;
        part.renumber_objects_with(next_id);
        next_id = part.max_id + 1;
        for page in part.get_pages().into_values() {
            inherit(&mut part, page);
            pages.push(page);
        }
        if catalog.is_none() {
            catalog = part.catalog().ok().cloned();
            info = part.trailer.get(b"Info").ok().cloned();
        }
        for (id, object) in part.objects {
            let kind = object
                .as_dict()
                .and_then(|d| d.get_type())
                .unwrap_or_default();
            // Each part's own tree and catalog are replaced below.
            if kind != b"Pages" && kind != b"Catalog" {
                merged.objects.insert(id, object);
            }
        }
    }
    merged.max_id = next_id - 1;

    let tree_id = merged.new_object_id();
    for page in &pages {
        if let Ok(dictionary) = merged.get_dictionary_mut(*page) {
            dictionary.set("Parent", tree_id);
        }
    }
    let count = i64::try_from(pages.len()).unwrap_or(i64::MAX);
    let kids: Vec<Object> = pages.into_iter().map(Object::Reference).collect();
    merged.objects.insert(
        tree_id,
        Object::Dictionary(Dictionary::from_iter([
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
        ])),
    );

    let mut catalog = catalog.unwrap_or_default();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", tree_id);
    // The front matter's outline and structure would point at its pages
    // only.
    for key in [
        &b"Outlines"[..],
        b"StructTreeRoot",
        b"MarkInfo",
        b"PageMode",
    ] {
        catalog.remove(key);
    }
    let label = |style: &[u8]| {
        Object::Dictionary(Dictionary::from_iter([("S", Object::Name(style.to_vec()))]))
    };
    catalog.set(
        "PageLabels",
        Dictionary::from_iter([(
            "Nums",
            Object::Array(vec![
                Object::Integer(0),
                label(b"r"),
                Object::Integer(i64::try_from(front_pages).unwrap_or(i64::MAX)),
                label(b"D"),
            ]),
        )]),
    );
    let catalog_id = merged.add_object(catalog);
    merged.trailer.set("Root", catalog_id);
    if let Some(info) = info {
        merged.trailer.set("Info", info);
    }
    let mut pdf = Vec::new();
    merged
        .save_to(&mut pdf)
        .map_err(|e| RenderError::Export(format!("writing the merged PDF: {e}")))?;
    Ok(pdf)
}
