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

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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
