//! The behaviour every [`CapabilityIndex`] engine must have, as scenarios that
//! the tests of each engine run one test each: `search::contract_tests!(with open)`.
//! Compiled with the `contract` feature only, for tests.
//!
//! Each scenario clears the index and loads its own small catalogue, so scenarios
//! are independent of each other and of leftovers. Failures panic with a message
//! naming the engine and the broken expectation.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::{
    CandidateQuery, CapabilityIndex, CertificationDoc, IndexError, SearchQuery, SearchResults,
    SortOrder, Submitted, SupplierDocument, Tier,
};

/// The clock of the suite: 2025-06-15T15:06:40Z.
pub const NOW: i64 = 1_750_000_000;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
const BFC: &str = "Bourgogne-Franche-Comté";

/// One `#[tokio::test]` per scenario, for one engine. `$with` is an async
/// function that opens a fresh index, runs the closure on it and cleans up;
/// attributes (such as `#[ignore = "needs MEILI_URL"]`) apply to every test.
#[macro_export]
macro_rules! contract_tests {
    ($(#[$attr:meta])* with $with:path) => {
        $crate::contract_tests!(@each [$(#[$attr])*] $with; health typo_tolerance sentences_rank_words_instead_of_requiring_all a_capability_the_text_names_lifts_its_holders a_certification_the_text_names_lifts_its_holders stop_words_only_is_no_text words_matching_nothing_find_nothing accent_insensitivity cross_language capability_filter_matches_descendants sector_region_and_member_filters certification_validity_follows_the_clock verified_only_counts_verified_certificates certification_counts_at_day_boundaries facet_counts stable_pagination sort_orders highlights highlights_escape_supplier_text upsert_replaces_delete_removes_clear_empties submitted_chunks_are_searchable_once_settled candidates_rank_by_requirements_met candidates_from_text candidates_include_explained_partial_matches candidates_include_holders_of_capabilities_the_text_names candidates_sum_the_words_a_profile_says);
    };
    (@each $attrs:tt $with:path; $($scenario:ident)*) => {
        $($crate::contract_tests!(@one $attrs $with; $scenario);)*
    };
    (@one [$(#[$attr:meta])*] $with:path; $scenario:ident) => {
        $(#[$attr])*
        #[tokio::test]
        async fn $scenario() {
            $with(|index| async move { $crate::contract::$scenario(&index).await }).await;
        }
    };
}

pub async fn health(index: &dyn CapabilityIndex) {
    ok(index, "health", index.health().await);
    assert!(
        ["embedded", "meilisearch"].contains(&index.engine_name()),
        "unexpected engine name {}",
        index.engine_name()
    );
}

pub async fn typo_tolerance(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let (precimeca, sterilab, laser) = (id(1), id(2), id(3));
    for (text, expected) in [
        ("usinnage", precimeca),     // 8 letters, one extra letter
        ("micro-usinag", precimeca), // truncated last word
        ("steriliation", sterilab),  // 12 letters, one missing letter
        ("sterilistaion", sterilab), // transposition
        ("lazer", laser),            // 5 letters, one substitution
    ] {
        let found = found(index, text).await;
        assert!(
            found.contains(&expected),
            "[{}] typo query {text:?} should find {expected}, found {found:?}",
            index.engine_name()
        );
    }
    for text in ["usinxxge", "gama"] {
        let found = found(index, text).await;
        assert!(
            found.is_empty(),
            "[{}] {text:?} exceeds the typo budget (2 typos on 8 letters, 1 on 4) yet found {found:?}",
            index.engine_name()
        );
    }
}

/// People type sentences: every word is optional, and the supplier matching
/// most of the meaningful words comes first.
pub async fn sentences_rank_words_instead_of_requiring_all(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let engine = index.engine_name();
    for (sentence, expected) in [
        ("usinage de vis en titane", id(1)),
        ("sous-traitant usinage titane", id(1)),
        (
            "je cherche un sous-traitant pour usiner des implants en titane",
            id(1),
        ),
        ("stérilisation oxyde éthylène dispositifs", id(2)),
        (
            "We are looking for a partner to sterilise catheters with ethylene oxide",
            id(2),
        ),
        (
            "Nous recherchons un prestataire pour l'électropolissage d'implants",
            id(5),
        ),
    ] {
        let results = search(index, text(sentence)).await;
        assert_eq!(
            results.hits.first().map(|hit| hit.id),
            Some(expected),
            "[{engine}] {sentence:?} should rank {expected} first, got {:?}",
            hit_ids(&results)
        );
    }
    // Two steriliser: the one matching more words first.
    let ranked = hit_ids(&search(index, text("stérilisation oxyde éthylène")).await);
    let position = |n: u128| ranked.iter().position(|found| *found == id(n));
    assert!(
        position(2).is_some() && position(6).is_some() && position(2) < position(6),
        "[{engine}] matching three words beats matching one: {ranked:?}"
    );
}

/// A capability the buyer's text names (the suggester's reading, filled in
/// by the application) lifts its holders among the text's matches as one
/// more word would, and brings in no document the text does not match.
pub async fn a_capability_the_text_names_lifts_its_holders(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let fda = |n: u128, name: &str, description: &str| SupplierDocument {
        capability_codes: strings(&["regulatory", "regulatory.fda_submissions"]),
        description_en: description.to_owned(),
        ..supplier(n, name)
    };
    let other = |n: u128, name: &str, description: &str| SupplierDocument {
        capability_codes: strings(&["testing", "testing.mechanical"]),
        description_en: description.to_owned(),
        ..supplier(n, name)
    };
    reset(
        index,
        vec![
            other(91, "Ortho Lab", "Clearance studies of orthopedic devices."),
            fda(
                92,
                "Atlantic Files",
                "Clearance files for orthopedic products.",
            ),
            fda(93, "Plastijura", "Injection plastique."),
            other(94, "Tube Works", "Tubing for devices."),
            other(95, "Pack Works", "Pouches for devices."),
        ],
    )
    .await;
    let sentence = "clearance of orthopedic devices";
    let plain = hit_ids(&search(index, text(sentence)).await);
    assert_eq!(
        plain.first(),
        Some(&id(91)),
        "[{engine}] without it, the profile matching more words first: {plain:?}"
    );
    let named = hit_ids(
        &search(
            index,
            SearchQuery {
                named_capabilities: strings(&["regulatory.fda_submissions"]),
                ..text(sentence)
            },
        )
        .await,
    );
    assert_eq!(
        named.first(),
        Some(&id(92)),
        "[{engine}] the holder of the named capability first: {named:?}"
    );
    assert_eq!(
        named.iter().collect::<BTreeSet<_>>(),
        plain.iter().collect::<BTreeSet<_>>(),
        "[{engine}] the same matches: {named:?} / {plain:?}"
    );
    assert!(!named.contains(&id(93)), "[{engine}] {named:?}");
}

/// A certification the text names ("certifié ISO 11137", read by the
/// application) lifts its holders among the text's matches as one more word
/// would, when their certificate is valid, and brings in no document the
/// text does not match.
pub async fn a_certification_the_text_names_lifts_its_holders(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let sterilises = |n: u128, name: &str, description: &str, certified: bool| SupplierDocument {
        description_fr: description.to_owned(),
        certifications: if certified {
            vec![cert("iso_11137", NOW - YEAR, NOW + YEAR)]
        } else {
            vec![cert("iso_13485", NOW - YEAR, NOW + YEAR)]
        },
        ..supplier(n, name)
    };
    reset(
        index,
        vec![
            sterilises(81, "Oxyde Sud", "Stérilisation de kits.", false),
            sterilises(82, "Rayons Est", "Stérilisation de dispositifs.", true),
            sterilises(83, "Rayons Nord", "Irradiation de composants.", true),
            sterilises(84, "Vapeur Ouest", "Nettoyage de kits.", false),
            sterilises(85, "Pack Centre", "Conditionnement de kits.", false),
            // Its certificate expired: what the buyer asked for no more than none.
            SupplierDocument {
                description_fr: "Stérilisation de kits.".to_owned(),
                certifications: vec![cert("iso_11137", NOW - 3 * YEAR, NOW - YEAR)],
                ..supplier(86, "Rayons Ouest")
            },
        ],
    )
    .await;
    let sentence = "stérilisation de kits";
    let plain = hit_ids(&search(index, text(sentence)).await);
    assert_eq!(
        plain.first(),
        Some(&id(81)),
        "[{engine}] without it, the profile matching more words first: {plain:?}"
    );
    let named = hit_ids(
        &search(
            index,
            SearchQuery {
                named_certifications: strings(&["iso_11137"]),
                ..text(sentence)
            },
        )
        .await,
    );
    assert_eq!(
        named.first(),
        Some(&id(82)),
        "[{engine}] the holder of the named certification first, not the holder of an \
         expired one: {named:?}"
    );
    assert_eq!(
        named.iter().collect::<BTreeSet<_>>(),
        plain.iter().collect::<BTreeSet<_>>(),
        "[{engine}] the same matches: {named:?} / {plain:?}"
    );
    assert!(!named.contains(&id(83)), "[{engine}] {named:?}");
}

/// A sentence of stop words and request phrasing says nothing: it answers as
/// an empty query, never an error.
pub async fn stop_words_only_is_no_text(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let engine = index.engine_name();
    let everything = search(index, all()).await.total;
    for words in [
        "je cherche un sous-traitant pour",
        "we are looking for a supplier",
        "de la",
    ] {
        let results = search(index, text(words)).await;
        assert_eq!(
            results.total, everything,
            "[{engine}] {words:?} answers like an empty query"
        );
    }
}

pub async fn words_matching_nothing_find_nothing(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let results = search(index, text("zzyzx qwxv")).await;
    assert_eq!(
        (results.total, results.hits.len()),
        (0, 0),
        "[{}] no word matches: no hits",
        index.engine_name()
    );
}

pub async fn accent_insensitivity(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let (polimed, sterinord) = (id(5), id(6));
    for (text, expected) in [
        ("electropolissage", polimed),
        ("ÉLECTROPOLISSAGE", polimed),
        ("stérilisation", sterinord),
        ("Sterilisation", id(2)),
    ] {
        let found = found(index, text).await;
        assert!(
            found.contains(&expected),
            "[{}] {text:?} should find {expected} whatever the accents, found {found:?}",
            index.engine_name()
        );
    }
}

pub async fn cross_language(index: &dyn CapabilityIndex) {
    reset(index, cross_language_catalogue()).await;
    for (text, expected, why) in [
        (
            "décolletage",
            id(7),
            "the French label of an English-only profile",
        ),
        (
            "tournage de précision",
            id(7),
            "French synonym in the labels",
        ),
        (
            "cleanroom",
            id(8),
            "synonym of 'salle propre' in a French-only profile",
        ),
        (
            "machining",
            id(9),
            "synonym of 'usinage' in a French-only profile",
        ),
        (
            "testing",
            id(11),
            "synonym of 'essais' in a French-only profile",
        ),
        (
            "usinage",
            id(12),
            "synonym of 'machining' in an English-only profile",
        ),
        (
            "flacons",
            id(13),
            "the French name of the product an English-only profile makes",
        ),
        (
            "sterile barrier pouches",
            id(14),
            "the English name of the packaging a French-only profile seals",
        ),
    ] {
        let found = found(index, text).await;
        assert!(
            found.contains(&expected),
            "[{}] {text:?} should find {expected} ({why}), found {found:?}",
            index.engine_name()
        );
    }
}

pub async fn capability_filter_matches_descendants(index: &dyn CapabilityIndex) {
    reset(index, filter_catalogue()).await;
    for (capabilities, expected) in [
        (vec!["machining"], vec![21, 22]),
        (vec!["machining.micro_machining"], vec![21]),
        (vec!["machining.micro_machining", "plastics"], vec![21, 23]),
        (vec!["optics"], vec![]),
    ] {
        let query = SearchQuery {
            capabilities: strings(&capabilities),
            ..all()
        };
        assert_ids(
            index,
            query,
            &expected,
            &format!("capabilities {capabilities:?}"),
        )
        .await;
    }
}

pub async fn sector_region_and_member_filters(index: &dyn CapabilityIndex) {
    reset(index, filter_catalogue()).await;
    let cases = [
        (
            SearchQuery {
                sectors: strings(&["medtech"]),
                ..all()
            },
            vec![21, 23],
            "sector medtech",
        ),
        (
            SearchQuery {
                sectors: strings(&["aerospace", "pharma"]),
                ..all()
            },
            vec![22, 24],
            "sectors aerospace or pharma",
        ),
        (
            SearchQuery {
                regions: strings(&[BFC]),
                ..all()
            },
            vec![21, 23],
            "region BFC",
        ),
        (
            SearchQuery {
                regions: strings(&["Grand Est", "Auvergne-Rhône-Alpes"]),
                ..all()
            },
            vec![22, 24],
            "two regions",
        ),
        (
            SearchQuery {
                member: Some(true),
                ..all()
            },
            vec![21, 23],
            "members",
        ),
        (
            SearchQuery {
                member: Some(false),
                ..all()
            },
            vec![22, 24],
            "non-members",
        ),
        (
            SearchQuery {
                capabilities: strings(&["machining"]),
                member: Some(true),
                ..all()
            },
            vec![21],
            "capability and member together",
        ),
        (
            SearchQuery {
                text: Some("usinage".to_owned()),
                sectors: strings(&["aerospace"]),
                ..all()
            },
            vec![22],
            "text and sector together",
        ),
    ];
    for (query, expected, what) in cases {
        assert_ids(index, query, &expected, what).await;
    }
}

/// `verified_only`: a certificate the supplier only declared neither passes
/// a certification filter nor counts in the facets; alone, it keeps the
/// holders of some verified certificate valid at `now`.
pub async fn verified_only_counts_verified_certificates(index: &dyn CapabilityIndex) {
    reset(index, filter_catalogue()).await;
    let verified_only = |codes: &[&str], now: i64| SearchQuery {
        certifications: strings(codes),
        verified_only: true,
        now,
        ..all()
    };
    let cases = [
        (
            verified_only(&["iso_13485"], NOW),
            vec![21],
            "verified and valid (22's verified one expired)",
        ),
        (
            verified_only(&["iso_9001"], NOW),
            vec![22],
            "21's iso_9001 is only declared",
        ),
        (verified_only(&["iso_17025"], NOW), vec![], "declared only"),
        (
            verified_only(&["iso_13485"], NOW - 2 * DAY),
            vec![21, 22],
            "before 22's expiry",
        ),
        (
            verified_only(&[], NOW),
            vec![21, 22],
            "holders of some verified certificate",
        ),
        (
            verified_only(&[], NOW + 3 * YEAR),
            vec![],
            "every verified certificate expired",
        ),
    ];
    for (query, expected, what) in cases {
        assert_ids(index, query, &expected, what).await;
    }
    let facets = search(index, verified_only(&[], NOW))
        .await
        .facets
        .certifications;
    assert_eq!(
        facets,
        counts(&[("iso_13485", 1), ("iso_9001", 1)]),
        "[{}] with verified_only, certification facets count verified certificates only",
        index.engine_name()
    );
}

pub async fn certification_validity_follows_the_clock(index: &dyn CapabilityIndex) {
    reset(index, filter_catalogue()).await;
    let certified = |codes: &[&str], now: i64| SearchQuery {
        certifications: strings(codes),
        now,
        ..all()
    };
    let cases = [
        (
            certified(&["iso_13485"], NOW),
            vec![21],
            "valid only (22 expired, 23 not yet valid)",
        ),
        (certified(&["iso_9001"], NOW), vec![21, 22], "iso_9001"),
        (
            certified(&["iso_13485", "iso_9001"], NOW),
            vec![21],
            "both certifications",
        ),
        (certified(&["iso_17025"], NOW), vec![24], "iso_17025"),
        (
            certified(&["iso_13485"], NOW - 2 * DAY),
            vec![21, 22],
            "before 22's expiry",
        ),
        (
            certified(&["iso_13485"], NOW + 60 * DAY),
            vec![21, 23],
            "after 23's start",
        ),
    ];
    for (query, expected, what) in cases {
        assert_ids(index, query, &expected, what).await;
    }

    let facets = search(index, all()).await.facets.certifications;
    assert_eq!(
        facets,
        counts(&[("iso_13485", 1), ("iso_17025", 1), ("iso_9001", 2)]),
        "[{}] certification facets must count valid certificates only",
        index.engine_name()
    );
    let later = search(
        index,
        SearchQuery {
            now: NOW + 60 * DAY,
            ..all()
        },
    )
    .await;
    assert_eq!(
        later.facets.certifications.get("iso_13485"),
        Some(&2),
        "[{}] a certificate that became valid must count without reindexing",
        index.engine_name()
    );
}

/// Certificates are dates, so their windows turn at midnight; counted from
/// pieces of days by one engine, the certification facets must still be
/// exact to the second, at midnight, and for windows turning within a day,
/// whatever the query (no text, a word, a sentence, a sorted page).
pub async fn certification_counts_at_day_boundaries(index: &dyn CapabilityIndex) {
    let midnight = NOW - NOW.rem_euclid(DAY);
    let with =
        |n: u128, description: &str, certifications: Vec<CertificationDoc>| SupplierDocument {
            description_fr: description.to_owned(),
            certifications,
            ..supplier(n, &format!("Atelier {n}"))
        };
    let docs = vec![
        with(
            31,
            "usinage titane",
            vec![cert("iso_13485", midnight - 100 * DAY, midnight + DAY)],
        ),
        with(
            32,
            "usinage titane implants",
            vec![
                cert("iso_13485", midnight - 3 * YEAR, midnight - 30 * DAY),
                cert("iso_13485", midnight - 30 * DAY, midnight + 2 * YEAR),
                cert("iso_9001", midnight + DAY, midnight + YEAR),
            ],
        ),
        with(
            33,
            "usinage",
            vec![cert("iso_13485", NOW - 3_600, NOW + 3_600)],
        ),
        with(
            34,
            "traitement de surface",
            vec![cert("iso_9001", midnight - YEAR, midnight + YEAR)],
        ),
        with(
            35,
            "usinage titane",
            vec![
                cert("iso_13485", midnight - YEAR, midnight),
                cert("iso_9001", midnight - YEAR, midnight + 3 * YEAR),
            ],
        ),
    ];
    reset(index, docs.clone()).await;
    let engine = index.engine_name();
    let moments = [
        midnight - 1,
        midnight,
        NOW - 3_601,
        NOW - 3_600,
        NOW,
        NOW + 3_600,
        midnight + DAY - 1,
        midnight + DAY,
        midnight + 2 * DAY,
    ];
    for now in moments {
        for (what, query) in [
            ("everything", all()),
            ("a word", text("usinage")),
            ("a sentence", text("usinage de pièces en titane")),
            (
                "a sorted page",
                SearchQuery {
                    sort: SortOrder::NameAsc,
                    ..text("usinage titane")
                },
            ),
        ] {
            let results = search(index, SearchQuery { now, ..query }).await;
            let found: BTreeSet<Uuid> = hit_ids(&results).into_iter().collect();
            let mut expected = std::collections::BTreeMap::new();
            for doc in docs.iter().filter(|doc| found.contains(&doc.id)) {
                for code in ["iso_13485", "iso_9001"] {
                    if doc.has_valid_certification(code, now) {
                        *expected.entry(code.to_owned()).or_insert(0) += 1;
                    }
                }
            }
            assert_eq!(
                results.facets.certifications,
                expected,
                "[{engine}] certification facets of {what} at {now} ({} s after midnight)",
                now - midnight
            );
        }
    }
    // The same, named: at midnight 35's certificate has just expired, and
    // 33's is valid for two hours of the day only.
    let at = |now: i64| SearchQuery { now, ..all() };
    assert_eq!(
        search(index, at(midnight - 1)).await.facets.certifications,
        counts(&[("iso_13485", 3), ("iso_9001", 2)]),
        "[{engine}] the second before midnight"
    );
    assert_eq!(
        search(index, at(midnight)).await.facets.certifications,
        counts(&[("iso_13485", 2), ("iso_9001", 2)]),
        "[{engine}] at midnight"
    );
    assert_eq!(
        search(index, at(NOW)).await.facets.certifications,
        counts(&[("iso_13485", 3), ("iso_9001", 2)]),
        "[{engine}] within 33's two hours"
    );
    assert_eq!(
        search(index, at(midnight + DAY))
            .await
            .facets
            .certifications,
        counts(&[("iso_13485", 1), ("iso_9001", 3)]),
        "[{engine}] the next day"
    );
}

pub async fn facet_counts(index: &dyn CapabilityIndex) {
    reset(index, filter_catalogue()).await;
    let results = search(
        index,
        SearchQuery {
            capabilities: strings(&["machining"]),
            ..all()
        },
    )
    .await;
    let engine = index.engine_name();
    assert_eq!(results.total, 2, "[{engine}] total of the machining filter");
    let facets = &results.facets;
    assert_eq!(
        facets.capabilities,
        counts(&[
            ("machining", 2),
            ("machining.micro_machining", 1),
            ("machining.milling", 1)
        ]),
        "[{engine}] capability facets over the filtered documents"
    );
    assert_eq!(
        facets.sectors,
        counts(&[("aerospace", 1), ("medtech", 1)]),
        "[{engine}] sectors"
    );
    assert_eq!(
        facets.regions,
        counts(&[("Auvergne-Rhône-Alpes", 1), (BFC, 1)]),
        "[{engine}] regions"
    );
    assert_eq!(
        facets.member,
        counts(&[("false", 1), ("true", 1)]),
        "[{engine}] member"
    );
    assert_eq!(
        facets.certifications,
        counts(&[("iso_13485", 1), ("iso_9001", 2)]),
        "[{engine}] certifications"
    );

    let text = search(
        index,
        SearchQuery {
            text: Some("usinage".to_owned()),
            ..all()
        },
    )
    .await;
    assert_eq!(text.total, 2, "[{engine}] total of the text query");
    assert_eq!(
        text.facets.sectors,
        counts(&[("aerospace", 1), ("medtech", 1)]),
        "[{engine}] facets follow the text query"
    );
}

pub async fn stable_pagination(index: &dyn CapabilityIndex) {
    let docs: Vec<SupplierDocument> = (0..23)
        .map(|n| SupplierDocument {
            description_fr: "Usinage de précision de pièces médicales.".to_owned(),
            ..supplier(100 + (n * 7919) % 101, &format!("Atelier {n:02}"))
        })
        .collect();
    reset(index, docs).await;
    let engine = index.engine_name();
    for text in [Some("usinage"), None] {
        let query = SearchQuery {
            text: text.map(str::to_owned),
            limit: 100,
            ..all()
        };
        let everything = hit_ids(&search(index, query.clone()).await);
        assert_eq!(
            everything.len(),
            23,
            "[{engine}] all documents for {text:?}"
        );
        let mut paged = Vec::new();
        for offset in (0..23).step_by(5) {
            let page = search(
                index,
                SearchQuery {
                    offset,
                    limit: 5,
                    ..query.clone()
                },
            )
            .await;
            assert_eq!(page.total, 23, "[{engine}] total on every page");
            let again = search(
                index,
                SearchQuery {
                    offset,
                    limit: 5,
                    ..query.clone()
                },
            )
            .await;
            assert_eq!(
                hit_ids(&page),
                hit_ids(&again),
                "[{engine}] same page twice"
            );
            paged.extend(hit_ids(&page));
        }
        assert_eq!(
            paged, everything,
            "[{engine}] pages of {text:?} must concatenate to the full list, without overlap or gap"
        );
    }
}

pub async fn sort_orders(index: &dyn CapabilityIndex) {
    let named = [
        (31, "Delta Lab", 3),
        (32, "Bravo Mécanique", 5),
        (33, "Echo Stéril", 1),
        (34, "Alpha Usinage", 4),
        (35, "Charlie Plast", 2),
    ];
    let docs = named
        .iter()
        .map(|(n, name, age)| SupplierDocument {
            updated_at: NOW - age * DAY,
            ..supplier(*n, name)
        })
        .collect();
    reset(index, docs).await;
    let by_name = search(
        index,
        SearchQuery {
            sort: SortOrder::NameAsc,
            ..all()
        },
    )
    .await;
    assert_eq!(
        hit_ids(&by_name),
        ids(&[34, 32, 35, 31, 33]),
        "[{}] sort by name",
        index.engine_name()
    );
    let recent = search(
        index,
        SearchQuery {
            sort: SortOrder::UpdatedDesc,
            ..all()
        },
    )
    .await;
    assert_eq!(
        hit_ids(&recent),
        ids(&[33, 35, 31, 34, 32]),
        "[{}] sort by last update",
        index.engine_name()
    );
}

pub async fn highlights(index: &dyn CapabilityIndex) {
    reset(index, typo_catalogue()).await;
    let engine = index.engine_name();
    let results = search(
        index,
        SearchQuery {
            text: Some("usinage".to_owned()),
            ..all()
        },
    )
    .await;
    let hit = results.hits.iter().find(|hit| hit.id == id(1));
    let description = hit.and_then(|hit| hit.highlights.get("description_fr"));
    assert!(
        description.is_some_and(|text| text.contains("<em>Usinage</em>")),
        "[{engine}] description_fr should highlight the match, got {description:?}"
    );
    assert!(
        hit.is_some_and(|hit| hit.score.is_some()),
        "[{engine}] a text query scores hits"
    );
    let typo = search(
        index,
        SearchQuery {
            text: Some("usinnage".to_owned()),
            ..all()
        },
    )
    .await;
    let marked = typo
        .hits
        .iter()
        .find(|hit| hit.id == id(1))
        .and_then(|hit| hit.highlights.get("description_fr"));
    assert!(
        marked.is_some_and(|text| text.contains("<em>")),
        "[{engine}] typo matches are highlighted too, got {marked:?}"
    );
    let plain = search(index, all()).await;
    assert!(
        plain
            .hits
            .iter()
            .all(|hit| hit.highlights.is_empty() && hit.score.is_none()),
        "[{engine}] no highlights nor scores without text"
    );
}

pub async fn upsert_replaces_delete_removes_clear_empties(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    reset(index, vec![supplier(41, "Ancienne Raison Sociale")]).await;
    ok(
        index,
        "upsert",
        index.upsert(vec![supplier(41, "Nouvelle Enseigne")]).await,
    );
    assert_eq!(
        search(index, all()).await.total,
        1,
        "[{engine}] upsert must replace, not add"
    );
    assert_eq!(
        hit_ids(&search(index, text("nouvelle")).await),
        ids(&[41]),
        "[{engine}] new name"
    );
    assert!(
        search(index, text("ancienne")).await.hits.is_empty(),
        "[{engine}] old name gone"
    );

    let twice = vec![supplier(42, "Premier Envoi"), supplier(42, "Second Envoi")];
    ok(index, "upsert", index.upsert(twice).await);
    assert_eq!(
        search(index, all()).await.total,
        2,
        "[{engine}] one document per id in a batch"
    );

    ok(index, "delete", index.delete(vec![id(41)]).await);
    assert_eq!(
        hit_ids(&search(index, all()).await),
        ids(&[42]),
        "[{engine}] delete removes"
    );
    assert!(
        search(index, text("nouvelle")).await.hits.is_empty(),
        "[{engine}] deleted text gone"
    );

    ok(index, "clear", index.clear().await);
    assert_eq!(
        search(index, all()).await.total,
        0,
        "[{engine}] clear empties the index"
    );
}

/// A rebuild sends its chunks without waiting for each, then settles them:
/// once settled, every chunk is searchable, a later chunk replacing an
/// earlier one's document of the same id.
pub async fn submitted_chunks_are_searchable_once_settled(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    reset(index, vec![]).await;
    let mut sent = Submitted::default();
    for chunk in [
        vec![supplier(43, "Premier Lot"), supplier(44, "Premier Lot")],
        vec![supplier(45, "Second Lot"), supplier(43, "Lot Corrigé")],
    ] {
        ok(index, "submit", index.submit(chunk, &mut sent).await);
    }
    ok(index, "settle", index.settle(sent).await);
    assert_eq!(
        search(index, all()).await.total,
        3,
        "[{engine}] every chunk indexed, one document per id"
    );
    assert_eq!(
        hit_ids(&search(index, text("corrigé")).await),
        ids(&[43]),
        "[{engine}] the later chunk replaces"
    );
    assert_eq!(
        hit_ids(&search(index, text("premier")).await),
        ids(&[44]),
        "[{engine}] the replaced text is gone"
    );
}

pub async fn candidates_rank_by_requirements_met(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let full = SupplierDocument {
        capability_codes: strings(&["machining", "machining.micro_machining"]),
        sectors: strings(&["medtech"]),
        certifications: vec![cert("iso_13485", NOW - YEAR, NOW + YEAR)],
        ..supplier(51, "Microtech Complet")
    };
    let expired = SupplierDocument {
        id: id(52),
        name: "Microtech Expiré".to_owned(),
        certifications: vec![cert("iso_13485", NOW - 3 * YEAR, NOW - DAY)],
        ..full.clone()
    };
    let bare = SupplierDocument {
        capability_codes: strings(&["machining", "machining.micro_machining"]),
        region: "Grand Est".to_owned(),
        ..supplier(53, "Microtech Nu")
    };
    let bare_titanium = SupplierDocument {
        description_fr: "Micro-usinage du titane.".to_owned(),
        ..SupplierDocument {
            id: id(54),
            name: "Microtech Titane".to_owned(),
            ..bare.clone()
        }
    };
    let no_capability = SupplierDocument {
        capability_codes: strings(&["machining", "machining.milling"]),
        ..SupplierDocument {
            id: id(55),
            name: "Fraisage Complet".to_owned(),
            ..full.clone()
        }
    };
    reset(
        index,
        vec![full, expired, bare, bare_titanium, no_capability],
    )
    .await;

    let need = CandidateQuery {
        capabilities: strings(&["machining.micro_machining"]),
        certifications: strings(&["iso_13485"]),
        sectors: strings(&["medtech"]),
        region: Some(BFC.to_owned()),
        text: None,
        named_capabilities: Vec::new(),
        now: NOW,
        limit: 10,
    };
    let ranked = candidates(index, need.clone()).await;
    let order: Vec<Uuid> = ranked.iter().map(|candidate| candidate.id).collect();
    assert_eq!(
        &order[..2],
        &ids(&[51, 52])[..],
        "[{engine}] 4 requirements, then 3 (expired certificate)"
    );
    assert_eq!(
        order
            .iter()
            .skip(2)
            .take(2)
            .copied()
            .collect::<BTreeSet<_>>(),
        ids(&[53, 54]).into_iter().collect(),
        "[{engine}] then the capability-only suppliers; 55 lacks the capability"
    );
    assert!(
        ranked[0].score > ranked[1].score && ranked[1].score > ranked[2].score,
        "[{engine}] scores must fall with requirements met: {ranked:?}"
    );
    assert_eq!(
        ranked.get(4).map(|c| (c.id, c.tier)),
        Some((id(55), Tier::Partial)),
        "[{engine}] 55 mills (a sibling of micro-machining): a partial candidate, last"
    );

    let before_expiry = candidates(
        index,
        CandidateQuery {
            now: NOW - 2 * DAY,
            ..need.clone()
        },
    )
    .await;
    assert_eq!(
        before_expiry
            .iter()
            .take(2)
            .map(|c| c.id)
            .collect::<BTreeSet<_>>(),
        ids(&[51, 52]).into_iter().collect(),
        "[{engine}] before expiry both meet every requirement"
    );
    assert!(
        (before_expiry[0].score - before_expiry[1].score).abs() < 1.0,
        "[{engine}] same requirements met, same integer part: {before_expiry:?}"
    );

    let with_text = candidates(
        index,
        CandidateQuery {
            text: Some("titane".to_owned()),
            ..need.clone()
        },
    )
    .await;
    let position = |n: u128| with_text.iter().position(|c| c.id == id(n));
    assert!(
        position(54) < position(53),
        "[{engine}] text relevance breaks ties between equal requirements: {with_text:?}"
    );
    assert_eq!(
        with_text[0].id,
        id(51),
        "[{engine}] text never outweighs a requirement"
    );

    // A list shorter than the holders keeps the best of them: every holder
    // meeting more requirements, then, among those meeting as many, the
    // best text matches (54 names titanium, 53 does not).
    let short = candidates(
        index,
        CandidateQuery {
            text: Some("titane".to_owned()),
            limit: 3,
            ..need.clone()
        },
    )
    .await;
    assert_eq!(
        short.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids(&[51, 52, 54]),
        "[{engine}] a short list: requirements first, then text: {short:?}"
    );
    let limited = candidates(index, CandidateQuery { limit: 1, ..need }).await;
    assert_eq!(limited.len(), 1, "[{engine}] limit");
    assert_eq!(limited[0].id, id(51), "[{engine}] the one meeting most");
}

pub async fn candidates_from_text(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let certified = SupplierDocument {
        description_fr: "Stérilisation par irradiation gamma.".to_owned(),
        certifications: vec![cert("iso_11137", NOW - YEAR, NOW + YEAR)],
        ..supplier(61, "Gammatec")
    };
    let plain = SupplierDocument {
        description_en: "Gamma sterilisation services.".to_owned(),
        ..supplier(62, "Irradiance")
    };
    let unrelated = SupplierDocument {
        description_fr: "Injection plastique.".to_owned(),
        ..supplier(63, "Plastijura")
    };
    reset(index, vec![certified, plain, unrelated]).await;
    let need = CandidateQuery {
        text: Some("stérilisation".to_owned()),
        certifications: strings(&["iso_11137"]),
        now: NOW,
        limit: 10,
        ..CandidateQuery::default()
    };
    let ranked: Vec<Uuid> = candidates(index, need).await.iter().map(|c| c.id).collect();
    assert_eq!(
        ranked,
        ids(&[61, 62]),
        "[{engine}] text selects, the certificate ranks"
    );

    let empty = index
        .candidates(CandidateQuery {
            now: NOW,
            limit: 10,
            ..CandidateQuery::default()
        })
        .await;
    assert!(
        matches!(empty, Err(IndexError::InvalidQuery(_))),
        "[{engine}] a need without capability nor text is invalid, got {empty:?}"
    );
}

/// Suppliers holding a sibling capability, or whose profile speaks of the need,
/// reach the expert as partial candidates, below every full one, with the words
/// they matched.
pub async fn candidates_include_explained_partial_matches(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let holder = SupplierDocument {
        capability_codes: strings(&["surface", "surface.electropolishing"]),
        description_fr: "Finition de pièces.".to_owned(),
        ..supplier(71, "Polifinition")
    };
    let sibling = SupplierDocument {
        capability_codes: strings(&["surface", "surface.passivation"]),
        description_fr: "Passivation et électropolissage de stents et d'implants en nitinol."
            .to_owned(),
        ..supplier(72, "Passiv'Est")
    };
    let by_text = SupplierDocument {
        capability_codes: strings(&["machining", "machining.laser_micromachining"]),
        description_en: "Laser cutting and electropolishing of nitinol stents.".to_owned(),
        ..supplier(73, "Stent Factory")
    };
    let unrelated = SupplierDocument {
        capability_codes: strings(&["plastics", "plastics.injection_moulding"]),
        description_fr: "Injection plastique.".to_owned(),
        ..supplier(74, "Plastijura")
    };
    reset(index, vec![holder, sibling, by_text, unrelated]).await;
    let ranked = candidates(
        index,
        CandidateQuery {
            capabilities: strings(&["surface.electropolishing"]),
            text: Some(
                "Électropolissage de stents en nitinol découpés au laser, 2 000 pièces par an"
                    .to_owned(),
            ),
            now: NOW,
            limit: 10,
            ..CandidateQuery::default()
        },
    )
    .await;
    let order: Vec<(Uuid, Tier)> = ranked.iter().map(|c| (c.id, c.tier)).collect();
    assert_eq!(
        order.first(),
        Some(&(id(71), Tier::Full)),
        "[{engine}] the holder first, though its text matches least: {ranked:?}"
    );
    assert_eq!(
        order[1..]
            .iter()
            .map(|(id, _)| *id)
            .collect::<BTreeSet<_>>(),
        ids(&[72, 73]).into_iter().collect(),
        "[{engine}] then the sibling holder and the profile matching the text; not the moulder: {ranked:?}"
    );
    assert!(
        order[1..].iter().all(|(_, tier)| *tier == Tier::Partial),
        "[{engine}] both partial: {ranked:?}"
    );
    let sibling = ranked.iter().find(|c| c.id == id(72));
    for word in ["electropolissage", "stents", "nitinol"] {
        assert!(
            sibling.is_some_and(|c| c.matched_terms.iter().any(|term| term == word)),
            "[{engine}] the sibling's explanation names {word:?}: {sibling:?}"
        );
    }

    // A list the holders fill has no room for a partial candidate.
    let filled = candidates(
        index,
        CandidateQuery {
            capabilities: strings(&["surface.electropolishing"]),
            text: Some("Électropolissage de stents en nitinol".to_owned()),
            now: NOW,
            limit: 1,
            ..CandidateQuery::default()
        },
    )
    .await;
    assert_eq!(
        filled.iter().map(|c| (c.id, c.tier)).collect::<Vec<_>>(),
        [(id(71), Tier::Full)],
        "[{engine}] the holder alone: {filled:?}"
    );
}

/// A candidate's text relevance sums the need's words its profile says, each
/// weighed by its rarity in the catalogue: the maker of laser diodes, saying
/// two of the need's specific words, comes before the lab saying only the
/// rarest one.
pub async fn candidates_sum_the_words_a_profile_says(index: &dyn CapabilityIndex) {
    let engine = index.engine_name();
    let profiles = [
        (81, "Photonique Doubs", "Photodynamic research on tissues."),
        (82, "Diodes Jura", "Laser diode modules for instruments."),
        (83, "Marquage Vesoul", "Laser marking of metal parts."),
        (84, "Bancs Dole", "Diode testing on dedicated benches."),
    ];
    let moulders = (85..=90).map(|n| (n, "Mouliste", "Injection moulding of caps."));
    let docs = profiles
        .into_iter()
        .chain(moulders)
        .map(|(n, name, description)| SupplierDocument {
            description_en: description.to_owned(),
            ..supplier(n, &format!("{name} {n}"))
        })
        .collect();
    reset(index, docs).await;
    let ranked = candidates(
        index,
        CandidateQuery {
            text: Some("Photodynamic laser diode".to_owned()),
            now: NOW,
            limit: 10,
            ..CandidateQuery::default()
        },
    )
    .await;
    let order: Vec<Uuid> = ranked.iter().map(|c| c.id).collect();
    assert_eq!(
        order.get(..2),
        Some(&ids(&[82, 81])[..]),
        "[{engine}] two of the words, then the rarest alone: {ranked:?}"
    );
    assert!(
        order
            .iter()
            .all(|id| !ids(&[85, 86, 87, 88, 89, 90]).contains(id)),
        "[{engine}] no profile saying none of the words: {ranked:?}"
    );
}

/// A need spanning two capabilities ("the firmware, with its electronic
/// board"): the holders of a capability its text names are partial candidates
/// even when their profile says little of the rest; a domain named in passing
/// brings in no one.
pub async fn candidates_include_holders_of_capabilities_the_text_names(
    index: &dyn CapabilityIndex,
) {
    let engine = index.engine_name();
    let software = SupplierDocument {
        capability_codes: strings(&["software", "software.iec_62304"]),
        description_fr: "Développement de logiciel embarqué et firmware de dispositifs \
                         médicaux connectés selon l'IEC 62304, tests et documentation."
            .to_owned(),
        ..supplier(81, "Firmware Santé")
    };
    let boards = SupplierDocument {
        capability_codes: strings(&["electronics", "electronics.pcb_assembly"]),
        description_en: "SMT lines.".to_owned(),
        ..supplier(82, "Cartes Comtoises")
    };
    let lab = SupplierDocument {
        capability_codes: strings(&["testing", "testing.mechanical"]),
        description_fr: "Essais de traction.".to_owned(),
        ..supplier(83, "Labo Traction")
    };
    reset(index, vec![software, boards, lab]).await;
    let need = CandidateQuery {
        capabilities: strings(&["software.iec_62304"]),
        // The named capabilities below stand for what the application's
        // suggester reads in a longer text ("…, avec sa carte électronique et
        // des tests utilisateurs"); this part is what neither the board maker
        // nor the lab speaks of.
        text: Some("Firmware d'un patch ECG connecté selon l'IEC 62304".to_owned()),
        now: NOW,
        limit: 10,
        ..CandidateQuery::default()
    };
    let unnamed: Vec<Uuid> = candidates(index, need.clone())
        .await
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        unnamed,
        [id(81)],
        "[{engine}] by the text alone, neither the board maker nor the lab is a candidate"
    );
    let ranked = candidates(
        index,
        CandidateQuery {
            named_capabilities: strings(&[
                "software.iec_62304",
                "electronics.pcb_assembly",
                "testing",
            ]),
            ..need
        },
    )
    .await;
    let order: Vec<(Uuid, Tier)> = ranked.iter().map(|c| (c.id, c.tier)).collect();
    assert_eq!(
        order,
        [(id(81), Tier::Full), (id(82), Tier::Partial)],
        "[{engine}] the board maker as a partial candidate; not the lab, whose domain was only \
         named in passing"
    );
}

// --- catalogues -------------------------------------------------------------------

/// Highlights are HTML for frontends: a supplier's own markup is escaped,
/// only the `<em>` around matches is real.
pub async fn highlights_escape_supplier_text(index: &dyn CapabilityIndex) {
    reset(
        index,
        vec![SupplierDocument {
            description_fr: "<script>alert('x')</script> Anodisation & <em>passivation</em>"
                .to_owned(),
            ..supplier(1, "Surfaces <b>SAS</b>")
        }],
    )
    .await;
    let engine = index.engine_name();
    let results = search(
        index,
        SearchQuery {
            text: Some("anodisation".to_owned()),
            ..all()
        },
    )
    .await;
    let description = results
        .hits
        .first()
        .and_then(|hit| hit.highlights.get("description_fr"))
        .cloned();
    assert_eq!(
        description.as_deref(),
        Some(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <em>Anodisation</em> &amp; &lt;em&gt;passivation&lt;/em&gt;"
        ),
        "[{engine}] supplier text is escaped in highlights"
    );
}

fn typo_catalogue() -> Vec<SupplierDocument> {
    vec![
        SupplierDocument {
            description_fr:
                "Usinage de précision et micro-usinage de pièces implantables en titane.".to_owned(),
            ..supplier(1, "Précimeca")
        },
        SupplierDocument {
            description_fr: "Stérilisation à l'oxyde d'éthylène et irradiation gamma.".to_owned(),
            ..supplier(2, "Stérilab")
        },
        SupplierDocument {
            description_en: "Femtosecond laser cutting of stents.".to_owned(),
            ..supplier(3, "Photon Concept")
        },
        SupplierDocument {
            description_fr: "Injection plastique de pièces techniques.".to_owned(),
            ..supplier(4, "Plastijura")
        },
        SupplierDocument {
            description_fr: "Électropolissage et passivation d'implants.".to_owned(),
            ..supplier(5, "Polimed")
        },
        SupplierDocument {
            description_en: "Steam sterilisation for hospitals.".to_owned(),
            ..supplier(6, "Sterinord")
        },
    ]
}

fn cross_language_catalogue() -> Vec<SupplierDocument> {
    vec![
        SupplierDocument {
            description_en: "Swiss-type turning of bone screws and dental implants.".to_owned(),
            capability_codes: strings(&["machining", "machining.swiss_turning"]),
            capability_labels: strings(&[
                "Usinage",
                "Machining",
                "Décolletage",
                "Swiss-type turning",
                "tournage",
                "turning",
                "bar turning",
            ]),
            ..supplier(7, "Swiss Precision Parts")
        },
        SupplierDocument {
            description_fr: "Assemblage de dispositifs médicaux en salle propre ISO 7.".to_owned(),
            ..supplier(8, "Jura Assemblage")
        },
        SupplierDocument {
            description_fr: "Usinage de pièces en inox pour l'instrumentation.".to_owned(),
            ..supplier(9, "Atelier Vuillemin")
        },
        SupplierDocument {
            description_fr: "Injection plastique de boîtiers.".to_owned(),
            ..supplier(10, "Plastijura")
        },
        SupplierDocument {
            description_fr: "Essais mécaniques de fatigue sur implants.".to_owned(),
            ..supplier(11, "Labo Dijon")
        },
        SupplierDocument {
            description_en: "Machining of titanium spinal implants.".to_owned(),
            ..supplier(12, "Spine Works")
        },
        SupplierDocument {
            description_en: "Blow moulding of bottles for pharmacies.".to_owned(),
            ..supplier(13, "Jura Packaging Works")
        },
        SupplierDocument {
            description_fr: "Scellage de sachets pelables.".to_owned(),
            ..supplier(14, "Conditionnement Doubs")
        },
    ]
}

/// 21 and 22 machine, 23 moulds, 24 measures; see each certificate's window.
fn filter_catalogue() -> Vec<SupplierDocument> {
    vec![
        SupplierDocument {
            description_fr: "Usinage et micro-usinage.".to_owned(),
            capability_codes: strings(&["machining", "machining.micro_machining"]),
            sectors: strings(&["medtech"]),
            member: true,
            certifications: vec![
                verified(cert("iso_13485", NOW - YEAR, NOW + 2 * YEAR)),
                cert("iso_9001", NOW - YEAR, NOW + YEAR),
            ],
            ..supplier(21, "Microméca")
        },
        SupplierDocument {
            description_fr: "Usinage 5 axes.".to_owned(),
            capability_codes: strings(&["machining", "machining.milling"]),
            sectors: strings(&["aerospace"]),
            region: "Auvergne-Rhône-Alpes".to_owned(),
            certifications: vec![
                verified(cert("iso_13485", NOW - 3 * YEAR, NOW - DAY)),
                verified(cert("iso_9001", NOW - YEAR, NOW + YEAR)),
            ],
            ..supplier(22, "Fraisage Rhône")
        },
        SupplierDocument {
            description_fr: "Injection plastique.".to_owned(),
            capability_codes: strings(&["plastics", "plastics.injection_moulding"]),
            sectors: strings(&["medtech", "cosmetics"]),
            member: true,
            certifications: vec![cert("iso_13485", NOW + 30 * DAY, NOW + 3 * YEAR)],
            ..supplier(23, "Plastimed")
        },
        SupplierDocument {
            description_fr: "Métrologie et contrôle dimensionnel.".to_owned(),
            capability_codes: strings(&["testing", "testing.metrology"]),
            sectors: strings(&["pharma"]),
            region: "Grand Est".to_owned(),
            certifications: vec![cert("iso_17025", NOW - YEAR, NOW + YEAR)],
            ..supplier(24, "Mesures Est")
        },
    ]
}

// --- helpers ----------------------------------------------------------------------

/// The suite's document ids: `Uuid::from_u128(n)`.
pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn ids(ns: &[u128]) -> Vec<Uuid> {
    ns.iter().map(|n| id(*n)).collect()
}

fn supplier(n: u128, name: &str) -> SupplierDocument {
    SupplierDocument {
        id: id(n),
        name: name.to_owned(),
        description_fr: String::new(),
        description_en: String::new(),
        capability_codes: Vec::new(),
        capability_labels: Vec::new(),
        capability_details: Vec::new(),
        certifications: Vec::new(),
        sectors: Vec::new(),
        region: BFC.to_owned(),
        department: "Doubs".to_owned(),
        city: "Besançon".to_owned(),
        country: "FR".to_owned(),
        member: false,
        equipment: Vec::new(),
        updated_at: NOW - DAY,
    }
}

fn cert(code: &str, valid_from: i64, valid_until: i64) -> CertificationDoc {
    CertificationDoc {
        code: code.to_owned(),
        valid_from,
        valid_until,
        verified: false,
    }
}

fn verified(cert: CertificationDoc) -> CertificationDoc {
    CertificationDoc {
        verified: true,
        ..cert
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

fn counts(pairs: &[(&str, usize)]) -> std::collections::BTreeMap<String, usize> {
    pairs
        .iter()
        .map(|(key, count)| ((*key).to_owned(), *count))
        .collect()
}

/// Everything at [`NOW`], first 100 hits.
fn all() -> SearchQuery {
    SearchQuery {
        now: NOW,
        limit: 100,
        ..SearchQuery::default()
    }
}

fn text(text: &str) -> SearchQuery {
    SearchQuery {
        text: Some(text.to_owned()),
        ..all()
    }
}

fn hit_ids(results: &SearchResults) -> Vec<Uuid> {
    results.hits.iter().map(|hit| hit.id).collect()
}

fn ok<T>(index: &dyn CapabilityIndex, what: &str, result: Result<T, IndexError>) -> T {
    result.unwrap_or_else(|err| panic!("[{}] {what} failed: {err}", index.engine_name()))
}

async fn reset(index: &dyn CapabilityIndex, docs: Vec<SupplierDocument>) {
    ok(index, "clear", index.clear().await);
    ok(index, "upsert", index.upsert(docs).await);
}

async fn search(index: &dyn CapabilityIndex, query: SearchQuery) -> SearchResults {
    let what = format!("search {query:?}");
    ok(index, &what, index.search(query).await)
}

async fn candidates(index: &dyn CapabilityIndex, need: CandidateQuery) -> Vec<crate::Candidate> {
    let what = format!("candidates {need:?}");
    ok(index, &what, index.candidates(need).await)
}

async fn found(index: &dyn CapabilityIndex, words: &str) -> BTreeSet<Uuid> {
    hit_ids(&search(index, text(words)).await)
        .into_iter()
        .collect()
}

async fn assert_ids(
    index: &dyn CapabilityIndex,
    query: SearchQuery,
    expected: &[u128],
    what: &str,
) {
    let results = search(index, query).await;
    let found: BTreeSet<Uuid> = hit_ids(&results).into_iter().collect();
    let expected: BTreeSet<Uuid> = ids(expected).into_iter().collect();
    assert_eq!(found, expected, "[{}] {what}", index.engine_name());
    assert_eq!(
        results.total,
        expected.len(),
        "[{}] total for {what}",
        index.engine_name()
    );
}
