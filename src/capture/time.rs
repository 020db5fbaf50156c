//! Capture timestamps.
//!
//! Kept as signed nanoseconds since the Unix epoch: enough for pcap's 32-bit
//! seconds, pcapng's 64-bit ticks at any resolution up to year 2262, and captures
//! whose clock was before 1970 (`sv__tls-pre-1970.pcap`). Reports print RFC 3339
//! UTC with microseconds, as the contract asks.

use std::fmt;

/// A point in capture time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    nanos: i64,
}

impl Timestamp {
    /// From nanoseconds since the epoch.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self { nanos }
    }

    /// From seconds and a sub-second part counted in `units_per_sec` units,
    /// saturating instead of overflowing on absurd values.
    pub fn from_parts(secs: i64, frac: u64, units_per_sec: u64) -> Self {
        let frac_nanos = if units_per_sec == 0 {
            0
        } else {
            (u128::from(frac) * 1_000_000_000 / u128::from(units_per_sec)) as i128
        };
        let total = i128::from(secs) * 1_000_000_000 + frac_nanos;
        Self {
            nanos: i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }),
        }
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i64 {
        self.nanos
    }

    /// Seconds (as a float) from `earlier` to `self`; negative if `self` is earlier.
    ///
    /// The difference is taken in integer nanoseconds first: today's times are
    /// ~1.8e18 ns, beyond f64's 53-bit mantissa, so converting each time before
    /// subtracting rounds every duration to a multiple of 256 ns.
    pub fn seconds_since(self, earlier: Timestamp) -> f64 {
        let nanos = i128::from(self.nanos) - i128::from(earlier.nanos);
        nanos as f64 / 1e9
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339, UTC, microseconds: `2022-08-04T16:57:17.390368Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.nanos.div_euclid(1_000_000_000);
        let micros = self.nanos.rem_euclid(1_000_000_000) / 1000;
        match time::OffsetDateTime::from_unix_timestamp(secs) {
            Ok(dt) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                micros
            ),
            Err(_) => write!(f, "@{}.{:06}", secs, micros),
        }
    }
}

impl Timestamp {
    /// The `Display` form for years 0–9999, written into a stack buffer
    /// without `fmt` or the `time` crate: every connection record carries
    /// times, and this is on the NDJSON path of every connection.
    pub(crate) fn rfc3339_micros(self) -> Option<[u8; 27]> {
        let secs = self.nanos.div_euclid(1_000_000_000);
        let micros = self.nanos.rem_euclid(1_000_000_000) / 1000;
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        if !(0..=9999).contains(&year) {
            return None;
        }
        let sod = secs.rem_euclid(86_400);
        let mut buf = *b"0000-00-00T00:00:00.000000Z";
        let fields: [(usize, usize, i64); 7] = [
            (0, 4, year),
            (5, 2, month),
            (8, 2, day),
            (11, 2, sod / 3600),
            (14, 2, sod / 60 % 60),
            (17, 2, sod % 60),
            (20, 6, micros),
        ];
        for (at, width, mut value) in fields {
            for slot in buf.iter_mut().skip(at).take(width).rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        Some(buf)
    }
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`, exact for every i64 day count we produce).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe.saturating_add(era.saturating_mul(400)) + i64::from(month <= 2);
    (year, month, day)
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.rfc3339_micros() {
            Some(buf) => serializer.serialize_str(std::str::from_utf8(&buf).unwrap_or_default()),
            None => serializer.collect_str(self),
        }
    }
}

/// Formats a Unix time in seconds as RFC 3339 UTC (certificate validity).
pub fn rfc3339_seconds(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Err(_) => format!("@{secs}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_form_equals_display_form() {
        // i64 nanoseconds span 1677–2262: step ~115 days with odd remainders.
        let mut nanos: i64 = i64::MIN + 1;
        while nanos < i64::MAX - 9_987_654_321_123_457 {
            let t = Timestamp::from_nanos(nanos);
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("\"{t}\""), "{nanos}");
            nanos = nanos.saturating_add(9_987_654_321_123_457);
        }
        for nanos in [i64::MIN, i64::MAX, 0, -1, 951_782_400_000_000_000] {
            let t = Timestamp::from_nanos(nanos);
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("\"{t}\""), "{nanos}");
        }
    }

    #[test]
    fn formats_rfc3339_micro() {
        let t = Timestamp::from_parts(1_659_632_237, 390_368, 1_000_000);
        assert_eq!(t.to_string(), "2022-08-04T16:57:17.390368Z");
    }

    #[test]
    fn nanosecond_resolution_truncates_to_micro() {
        let t = Timestamp::from_parts(0, 999_999_999, 1_000_000_000);
        assert_eq!(t.to_string(), "1970-01-01T00:00:00.999999Z");
    }

    #[test]
    fn before_epoch() {
        let t = Timestamp::from_parts(-1, 500_000, 1_000_000);
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.500000Z");
    }

    #[test]
    fn durations_keep_nanoseconds() {
        let a = Timestamp::from_parts(1_795_449_570, 180_285_591, 1_000_000_000);
        let b = Timestamp::from_parts(1_795_449_570, 230_371_677, 1_000_000_000);
        assert_eq!(b.seconds_since(a), 0.050_086_086);
        assert_eq!(a.seconds_since(b), -0.050_086_086);
        let (min, max) = (
            Timestamp::from_nanos(i64::MIN),
            Timestamp::from_nanos(i64::MAX),
        );
        assert!(max.seconds_since(min) > 1.8e10);
    }

    #[test]
    fn saturates() {
        let t = Timestamp::from_parts(i64::MAX, 0, 1);
        assert_eq!(t.as_nanos(), i64::MAX);
    }
}
