//! Typesets a booklet of N made-up suppliers and says how long it took:
//! `cargo run --release -p publications --example booklet -- 1000 /tmp/booklet.pdf`.
//!
//! With a third argument it also writes what `pmt typeset-booklet` reads on
//! stdin, to measure the typesetting process alone:
//! `… -- 1000 /tmp/booklet.pdf /tmp/booklet.json` then
//! `/usr/bin/time -v pmt typeset-booklet --edition 2026-11-30 < /tmp/booklet.json`.

use std::time::Instant;

use chrono::NaiveDate;
use domain::account::Language;
use domain::profile::Sector;
use publications::{
    Booklet, BookletCapability, BookletCertificate, BookletFamily, BookletSupplier,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().as_deref().unwrap_or("1000").parse()?;
    let out = args.next().unwrap_or_else(|| "booklet.pdf".to_owned());
    let input = args.next();
    let edition_date = NaiveDate::from_ymd_opt(2026, 11, 30).ok_or("date")?;
    let valid_until = NaiveDate::from_ymd_opt(2027, 6, 1).ok_or("date")?;
    let families = [
        "Usinage",
        "Électronique",
        "Plasturgie",
        "Traitements de surface",
        "Stérilisation",
    ];
    let booklet = Booklet {
        language: Language::Fr,
        edition_date,
        filters: Vec::new(),
        families: families
            .iter()
            .enumerate()
            .map(|(f, label)| BookletFamily {
                code: format!("family_{f}"),
                label: (*label).to_owned(),
                suppliers: (0..count)
                    .filter(|i| i % families.len() == f)
                    .map(|i| BookletSupplier {
                        name: format!("Entreprise {i:04} SAS"),
                        city: "Besançon".to_owned(),
                        region: "Bourgogne-Franche-Comté".to_owned(),
                        member: i % 3 == 0,
                        description: "Sous-traitance de précision pour les dispositifs médicaux : \
                                      usinage, décolletage, assemblage en salle propre ISO 7."
                            .repeat(2),
                        capabilities: (0..4)
                            .map(|c| BookletCapability {
                                code: format!("family_{f}.cap_{}", (i + c) % 12),
                                label: format!("{label} — compétence {}", (i + c) % 12),
                                detail: Some("pièces de 0,5 à 200 mm, titane et PEEK".to_owned()),
                            })
                            .collect(),
                        certifications: vec![BookletCertificate {
                            code: "iso_13485".to_owned(),
                            label: "ISO 13485".to_owned(),
                            scope: "Fabrication de composants".to_owned(),
                            certifying_body: "LNE/G-MED".to_owned(),
                            valid_until,
                            verified: i % 2 == 0,
                        }],
                        sectors: vec![Sector::Medtech, Sector::Pharma],
                        equipment: vec![
                            "Centre 5 axes DMG Mori".to_owned(),
                            "Salle propre ISO 7".to_owned(),
                        ],
                        working_languages: vec!["fr".to_owned(), "en".to_owned(), "de".to_owned()],
                        contact_email: Some(format!("contact{i}@example.com")),
                        phone: Some("+33 3 81 00 00 00".to_owned()),
                        website: Some(format!("https://entreprise{i}.example.com")),
                    })
                    .collect(),
            })
            .collect(),
    };
    if let Some(input) = input {
        std::fs::write(&input, publications::Job::of(&booklet)?.data)?;
    }
    let started = Instant::now();
    let pdf = publications::render(&booklet)?;
    let took = started.elapsed();
    std::fs::write(&out, &pdf)?;
    println!(
        "{count} suppliers: {} bytes in {:.2} s -> {out}",
        pdf.len(),
        took.as_secs_f64()
    );
    Ok(())
}
