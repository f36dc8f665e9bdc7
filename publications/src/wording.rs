//! The booklet's words in French and English. French typography: a
//! no-break space before the colon, day-month-year dates in words.

use chrono::{Datelike, NaiveDate};
use domain::account::Language;
use domain::profile::Sector;
use serde::Serialize;

/// No-break space: French puts one before `:` so the colon never starts a
/// line.
const NBSP: char = '\u{a0}';

#[derive(Debug, Serialize)]
pub struct Labels {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub edition: String,
    pub language: &'static str,
    pub filters: &'static str,
    pub supplier_count: String,
    pub contents: &'static str,
    pub capabilities: &'static str,
    pub certifications: &'static str,
    pub sectors: &'static str,
    pub equipment: &'static str,
    pub working_languages: &'static str,
    pub contact: &'static str,
    pub website: &'static str,
    pub member: &'static str,
    pub verified: &'static str,
    pub declared: &'static str,
    pub index_capabilities: &'static str,
    pub index_certifications: &'static str,
    pub empty: &'static str,
    pub page: &'static str,
    /// What follows a field's name: `" :"` with a no-break space in French.
    pub colon: String,
}

pub fn labels(language: Language, edition_date: NaiveDate, suppliers: usize) -> Labels {
    let date = date(language, edition_date);
    match language {
        Language::Fr => Labels {
            title: "Livret de compétences",
            subtitle: "Savoir-faire des acteurs de la filière santé",
            edition: format!("Édition du {date}"),
            language: "Édition française",
            filters: "Sélection",
            supplier_count: match suppliers {
                0 => "Aucune entreprise".to_owned(),
                1 => "1 entreprise".to_owned(),
                n => format!("{n} entreprises"),
            },
            contents: "Sommaire",
            capabilities: "Compétences",
            certifications: "Certifications",
            sectors: "Secteurs",
            equipment: "Équipements",
            working_languages: "Langues de travail",
            contact: "Contact",
            website: "Site web",
            member: "Adhérent du cluster",
            verified: "vérifiée",
            declared: "déclarée",
            index_capabilities: "Index des compétences",
            index_certifications: "Index des certifications",
            empty: "Aucune entreprise publiée ne répond à cette sélection.",
            page: "Page",
            colon: format!("{NBSP}:"),
        },
        Language::En => Labels {
            title: "Competence booklet",
            subtitle: "Know-how of the health industry's companies",
            edition: format!("Edition of {date}"),
            language: "English edition",
            filters: "Selection",
            supplier_count: match suppliers {
                0 => "No company".to_owned(),
                1 => "1 company".to_owned(),
                n => format!("{n} companies"),
            },
            contents: "Contents",
            capabilities: "Capabilities",
            certifications: "Certifications",
            sectors: "Sectors",
            equipment: "Equipment",
            working_languages: "Working languages",
            contact: "Contact",
            website: "Website",
            member: "Cluster member",
            verified: "verified",
            declared: "declared",
            index_capabilities: "Index of capabilities",
            index_certifications: "Index of certifications",
            empty: "No published company matches this selection.",
            page: "Page",
            colon: ":".to_owned(),
        },
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "1er mars 2027", "30 novembre 2026"; "1 March 2027".
pub fn date(language: Language, day: NaiveDate) -> String {
    let month = day.month0() as usize;
    match language {
        Language::Fr if day.day() == 1 => format!("1er {} {}", MONTHS_FR[month], day.year()),
        Language::Fr => format!("{} {} {}", day.day(), MONTHS_FR[month], day.year()),
        Language::En => format!("{} {} {}", day.day(), MONTHS_EN[month], day.year()),
    }
}

pub fn valid_until(language: Language, day: NaiveDate) -> String {
    match language {
        Language::Fr => format!("valable jusqu’au {}", date(language, day)),
        Language::En => format!("valid until {}", date(language, day)),
    }
}

pub fn sector(language: Language, sector: Sector) -> &'static str {
    match (language, sector) {
        (Language::Fr, Sector::Medtech) => "Dispositifs médicaux",
        (Language::En, Sector::Medtech) => "Medical devices",
        (Language::Fr, Sector::Biotech) => "Biotechnologies",
        (Language::En, Sector::Biotech) => "Biotechnology",
        (Language::Fr, Sector::Pharma) => "Pharmacie",
        (Language::En, Sector::Pharma) => "Pharmaceuticals",
        (Language::Fr, Sector::Cosmetics) => "Cosmétique",
        (Language::En, Sector::Cosmetics) => "Cosmetics",
        (Language::Fr, Sector::Nutrition) => "Nutrition",
        (Language::En, Sector::Nutrition) => "Nutrition",
        (Language::Fr, Sector::Aerospace) => "Aéronautique et spatial",
        (Language::En, Sector::Aerospace) => "Aerospace",
        (Language::Fr, Sector::Other) => "Autres secteurs",
        (Language::En, Sector::Other) => "Other sectors",
    }
}

/// The languages a supplier may list, named in the booklet's language; an
/// unlisted code is printed as its code.
pub fn working_language(language: Language, code: &str) -> String {
    const NAMES: [(&str, &str, &str); 12] = [
        ("fr", "français", "French"),
        ("en", "anglais", "English"),
        ("de", "allemand", "German"),
        ("it", "italien", "Italian"),
        ("es", "espagnol", "Spanish"),
        ("pt", "portugais", "Portuguese"),
        ("nl", "néerlandais", "Dutch"),
        ("pl", "polonais", "Polish"),
        ("zh", "chinois", "Chinese"),
        ("ja", "japonais", "Japanese"),
        ("ar", "arabe", "Arabic"),
        ("ru", "russe", "Russian"),
    ];
    NAMES
        .iter()
        .find(|(iso, _, _)| iso.eq_ignore_ascii_case(code))
        .map_or_else(
            || code.to_uppercase(),
            |(_, fr, en)| match language {
                Language::Fr => (*fr).to_owned(),
                Language::En => (*en).to_owned(),
            },
        )
}

/// "Membres du cluster uniquement"... for the cover's selection.
pub fn members_only(language: Language) -> &'static str {
    match language {
        Language::Fr => "adhérents du cluster uniquement",
        Language::En => "cluster members only",
    }
}

pub fn filter_kind(language: Language, kind: &str) -> &'static str {
    match (language, kind) {
        (Language::Fr, "sector") => "Secteur",
        (Language::En, "sector") => "Sector",
        (Language::Fr, "family") => "Famille de compétences",
        (Language::En, "family") => "Capability family",
        (Language::Fr, _) => "Région",
        (Language::En, _) => "Region",
    }
}

/// A sort key that files "Électronique" with the E's, not after Z.
pub fn sort_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
            'û' | 'ü' | 'ú' | 'ù' => 'u',
            'ÿ' => 'y',
            'œ' => 'o',
            'æ' => 'a',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    #[test]
    fn dates_are_written_in_words_in_each_language() {
        assert_eq!(date(Language::Fr, day(2026, 11, 30)), "30 novembre 2026");
        assert_eq!(date(Language::Fr, day(2027, 3, 1)), "1er mars 2027");
        assert_eq!(date(Language::En, day(2027, 3, 1)), "1 March 2027");
    }

    #[test]
    fn french_puts_a_no_break_space_before_the_colon() {
        let fr = labels(Language::Fr, day(2026, 11, 30), 2);
        assert_eq!(fr.colon, "\u{a0}:");
        assert_eq!(fr.edition, "Édition du 30 novembre 2026");
        assert_eq!(labels(Language::En, day(2026, 11, 30), 1).colon, ":");
    }

    #[test]
    fn accented_terms_sort_with_their_letter() {
        let mut terms = ["Usinage", "Électronique", "Emballage"];
        terms.sort_by_key(|t| sort_key(t));
        assert_eq!(terms, ["Électronique", "Emballage", "Usinage"]);
    }
}
