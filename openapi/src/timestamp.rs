//! One precision for every timestamp the API writes: RFC 3339 in UTC with
//! exactly six fractional digits (`2026-11-30T05:04:13.123456Z`), what the
//! database keeps. chrono's default drops zero fractions and keeps
//! nanoseconds, so a value read back could differ from the one a write
//! answered.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

pub fn micros<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(at))
}

pub fn micros_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => micros(at, serializer),
        None => serializer.serialize_none(),
    }
}

pub fn format(at: &DateTime<Utc>) -> String {
    use chrono::SubsecRound as _;
    at.trunc_subsecs(6)
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_always_utc() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T06:04:13.123456789+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format(&at), "2026-11-30T05:04:13.123456Z");
        let whole = DateTime::parse_from_rfc3339("2026-11-30T05:04:13Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format(&whole), "2026-11-30T05:04:13.000000Z");
    }
}
