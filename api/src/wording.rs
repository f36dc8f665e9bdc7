//! The French wording of problem documents. Errors are written in English
//! where they arise (the error table, the domain's field errors); a client
//! whose `Accept-Language` prefers French gets the title and every field
//! message in French, keyed by the stable codes. The free-text `detail`
//! stays English: it is for developers, the codes and messages are for
//! users.

use crate::error::ErrorCode;

/// The French title of a problem `code`; 409 codes that domain rules name
/// themselves (`request_open`, `email_taken`...) share the conflict title.
pub fn title_fr(code: &str, status: u16) -> &'static str {
    let known = ErrorCode::ALL.iter().find(|c| c.name() == code).copied();
    match known {
        Some(code) => code_title_fr(code),
        None if status == 409 => code_title_fr(ErrorCode::Conflict),
        None => "Requête refusée",
    }
}

fn code_title_fr(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        ValidationFailed => "Certains champs de la requête sont invalides",
        InvalidQuery => "Les paramètres de la requête sont invalides",
        UnknownQueryParameter => "Cette route ne prend pas ce paramètre",
        InvalidPath => "Un paramètre du chemin est invalide",
        InvalidHeader => "Un en-tête de la requête est invalide",
        BadRequest => "La requête est invalide",
        UnsupportedMediaType => "Envoyez le corps en application/json",
        PayloadTooLarge => "Le corps de la requête est trop volumineux",
        UnsupportedFileType => "Ce type de document n'est pas accepté",
        StorageQuotaExceeded => "Le quota de stockage de votre organisation est atteint",
        NdaRequired => "Acceptez d'abord l'accord de confidentialité de la demande",
        RangeNotSatisfiable => "La plage demandée est hors du fichier",
        RouteNotFound => "Cette route n'existe pas",
        NotFound => "Introuvable",
        MethodNotAllowed => "Méthode non permise sur cette route",
        MethodNotImplemented => "Cette méthode HTTP n'est pas prise en charge",
        UriTooLong => "Le chemin et les paramètres sont trop longs",
        HeadersTooLarge => "Les en-têtes de la requête sont trop volumineux",
        Unauthenticated => "Authentification requise",
        InvalidToken => "Le jeton d'accès est invalide ou expiré",
        InvalidCredentials => "Adresse e-mail ou mot de passe incorrect",
        InvalidRefreshToken => "Le jeton de renouvellement est invalide, expiré ou révoqué",
        InvalidOrExpiredLink => "Ce lien est invalide, expiré ou déjà utilisé",
        Forbidden => "Vous ne pouvez pas faire cela",
        CorsOriginRefused => "Cette origine ne peut pas appeler l'API depuis un navigateur",
        CorsRequestRefused => "Cette méthode ou cet en-tête n'est pas permis en cross-origin",
        EmailUnverified => "Vérifiez d'abord votre adresse e-mail",
        OrganisationSuspended => "Votre organisation est suspendue : lecture seule",
        CsrfFailed => "Le jeton CSRF manque ou ne correspond pas à son cookie",
        Conflict => "La requête est en conflit avec l'état actuel",
        PreconditionFailed => "L'objet a été modifié par quelqu'un d'autre",
        PreconditionRequired => "Envoyez If-Match avec la version modifiée",
        TooManyRequests => "Trop de requêtes",
        IdempotencyKeyMismatch => "Cette Idempotency-Key a servi pour une autre requête",
        IdempotencyKeyInUse => "La première requête avec cette Idempotency-Key est en cours",
        ServiceUnavailable => "Un service est indisponible ; réessayez plus tard",
        InternalError => "Erreur interne",
    }
}

/// The French message of a field error `code`, given its English message
/// (whose numbers, such as a length limit, it keeps). `None` for a code
/// without a translation: the English message is kept.
pub fn field_message_fr(code: &str, english: &str) -> Option<String> {
    let numbers: Vec<&str> = english
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .collect();
    let first = numbers.first().copied().unwrap_or_default();
    let message = match code {
        // Body shape (see `routes::body`).
        "malformed_json" => "le corps n'est pas du JSON valide".to_owned(),
        "wrong_type" => "valeur d'un type incorrect".to_owned(),
        "invalid_value" => "valeur non reconnue pour ce champ".to_owned(),
        "missing" => "ce champ est obligatoire".to_owned(),
        "unknown_field" => "ce champ n'existe pas ici".to_owned(),
        "unknown_query_parameter" => "ce paramètre n'existe pas sur cette route".to_owned(),
        // Field rules.
        "required" => "ce champ est obligatoire".to_owned(),
        "too_short" => format!("au moins {first} caractères"),
        "too_long" => format!("au plus {first} caractères"),
        "too_many" => format!("au plus {first} éléments"),
        "out_of_range" => match numbers.as_slice() {
            [low, high, ..] => format!("valeur hors limites : entre {low} et {high}"),
            [max] => format!("valeur hors limites : au plus {max}"),
            [] => "valeur hors limites".to_owned(),
        },
        "control_character" => "ne doit pas contenir de caractères de contrôle".to_owned(),
        "bidi_control" => {
            "ne doit pas contenir de caractères d'inversion du sens d'écriture".to_owned()
        }
        "invalid_email" => "une adresse e-mail s'écrit nom@exemple.fr".to_owned(),
        "invalid_format" => "format invalide".to_owned(),
        "invalid_checksum" => "ce SIRET a une clé de contrôle (Luhn) fausse".to_owned(),
        "not_applicable" => "un SIRET n'identifie que les organisations françaises".to_owned(),
        "invalid_url" => "une URL http(s) telle que https://exemple.fr".to_owned(),
        "https_url_required" => "une URL https:// est exigée".to_owned(),
        "private_address" => {
            "cette URL désigne une adresse privée, locale ou de lien local".to_owned()
        }
        "unknown_event_type" => "type d'événement inconnu".to_owned(),
        "invalid_date" => "une date s'écrit AAAA-MM-JJ".to_owned(),
        "before_valid_from" => "la fin doit suivre le début".to_owned(),
        "in_the_past" => "cette date est déjà passée ; choisissez-en une plus tardive".to_owned(),
        "too_far_ahead" => "cette date est trop lointaine (deux ans au plus)".to_owned(),
        "invalid_language" => "langue inconnue : fr ou en".to_owned(),
        "invalid_kind" => "une organisation est acheteuse ou fournisseur".to_owned(),
        "invalid_role" => "rôle inconnu".to_owned(),
        "invalid_status" => "statut inconnu".to_owned(),
        "invalid_membership" => "adhésion : member ou not_member".to_owned(),
        "invalid_sector" => "secteur inconnu".to_owned(),
        "invalid_headcount" => "effectif : 1-9, 10-49, 50-249 ou 250+".to_owned(),
        "invalid_phone" => {
            "un numéro de téléphone ne contient que des chiffres, espaces et + . - ( )".to_owned()
        }
        "invalid_code" => "code mal formé".to_owned(),
        "invalid_sort" => "tri inconnu".to_owned(),
        "invalid_cursor" => {
            "ce curseur ne vient pas de cette liste et de ce tri : repartez de la première page"
                .to_owned()
        }
        "invalid_currency" => "devise ISO 4217 acceptée : EUR, USD, GBP ou CHF".to_owned(),
        "currency_required" => "un budget indique sa devise, par exemple EUR".to_owned(),
        "invalid_amount" => {
            "un montant est un nombre positif d'au plus deux décimales, par exemple 12500.50"
                .to_owned()
        }
        "not_positive" => "un prix est supérieur à 0".to_owned(),
        "min_above_max" => "le minimum du budget dépasse son maximum".to_owned(),
        "unknown_capability" => "capacité absente de la taxonomie".to_owned(),
        "not_a_family" => {
            "une famille est un code de premier niveau de la taxonomie, par exemple machining"
                .to_owned()
        }
        "duplicate" => "ce document figure deux fois dans la liste".to_owned(),
        "unknown_file" => {
            "aucun document de votre organisation n'a cet identifiant (déposez-le avec POST /api/v1/files)"
                .to_owned()
        }
        "file_attached" => {
            "ce document est déjà joint ailleurs ; déposez-le de nouveau pour le joindre ici"
                .to_owned()
        }
        "unknown_certification_type" => "type de certification inconnu".to_owned(),
        "capabilities_required" => {
            "qualifier demande au moins une capacité de la taxonomie".to_owned()
        }
        "override_reason_required" => {
            "ce fournisseur n'a pas les certifications obligatoires : dites pourquoi le retenir"
                .to_owned()
        }
        "too_common" => "ce mot de passe est trop courant ; choisissez-en un autre".to_owned(),
        "not_an_answer" => "n'attribuez qu'à des fournisseurs ayant répondu".to_owned(),
        "not_published" => "seuls les fournisseurs publiés peuvent être retenus".to_owned(),
        "taken" => "déjà utilisé".to_owned(),
        "duplicate_in_file" => "déjà présent plus haut dans le fichier".to_owned(),
        "registered_as_buyer" => "cette organisation est inscrite comme acheteuse".to_owned(),
        "profile_suspended" => "ce fournisseur est suspendu".to_owned(),
        "invalid_shape" | "unreadable" => "ligne illisible".to_owned(),
        _ => return None,
    };
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_code_the_code_base_sends_has_french_words() {
        // The codes of `ValidationErrors::add/single` and `invalid(...)`
        // calls, read from the sources so a new code cannot be forgotten.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        for dir in ["domain/src", "api/src"] {
            for code in field_codes(&root.join(dir)) {
                if field_message_fr(&code, "").is_none() {
                    missing.push(code);
                }
            }
        }
        assert!(missing.is_empty(), "no French for {missing:?}");
    }

    /// The code argument (a string literal) of each `invalid(code, ..)`,
    /// `.add(field, code, ..)` and `single(field, code, ..)` call.
    fn field_codes(dir: &std::path::Path) -> Vec<String> {
        let mut codes = Vec::new();
        for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                codes.extend(field_codes(&path));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("source");
            for (opening, position) in [("invalid(", 0), (".add(", 1), ("single(", 1)] {
                for (at, _) in source.match_indices(opening) {
                    let args = arguments(&source[at + opening.len()..]);
                    if let Some(code) = args
                        .get(position)
                        .and_then(|a| a.strip_prefix('"')?.strip_suffix('"'))
                        .filter(|c| {
                            !c.is_empty()
                                && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
                        })
                    {
                        codes.push(code.to_owned());
                    }
                }
            }
        }
        codes
    }

    /// The top-level arguments of a call, from just after its `(`.
    fn arguments(text: &str) -> Vec<String> {
        let (mut args, mut current) = (Vec::new(), String::new());
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for c in text.chars() {
            if in_string {
                in_string = escaped || c != '"';
                escaped = !escaped && c == '\\';
            } else if c == '"' {
                in_string = true;
            } else if "([{".contains(c) {
                depth += 1;
            } else if ")]}".contains(c) {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if c == ',' && depth == 0 {
                args.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            current.push(c);
        }
        args.push(current.trim().to_owned());
        args
    }

    #[test]
    fn numbers_of_the_english_message_are_kept() {
        assert_eq!(
            field_message_fr("too_short", "must be at least 3 characters").as_deref(),
            Some("au moins 3 caractères")
        );
        assert_eq!(
            field_message_fr("out_of_range", "limit is between 1 and 100").as_deref(),
            Some("valeur hors limites : entre 1 et 100")
        );
        assert_eq!(field_message_fr("no_such_code", "x"), None);
        assert_eq!(title_fr("request_open", 409), title_fr("conflict", 409));
    }
}
