//! JSON and NDJSON, as the contract defines them.

use std::io::Write;

use serde::Serialize;

use crate::analysis::CaptureSummary;
use crate::capture::CaptureFormat;
use crate::error::{Error, Warning};
use crate::{Analysis, Output};

use super::ndjson;
pub use super::ndjson::CaptureLines;

/// Writes one analysis as a pretty JSON document (and a newline).
pub fn write_document(out: &mut dyn Write, analysis: &Analysis) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, analysis).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes one streamed item, tagged with its capture, into `buf` (cleared
/// first), newline included: the bytes serde_json would write (see
/// [`ndjson`](super::ndjson), and [`CaptureLines`] to escape the capture's name
/// once for all its lines). Writing into a `Vec` and writing the line at once
/// is several times cheaper than writing token by token through a `dyn Write`.
pub fn line_into(buf: &mut Vec<u8>, capture: &str, item: &Output) {
    ndjson::line_into(buf, capture, item);
}

/// What [`line_into`] writes, through serde: the tags are written first and
/// the item's own object joined to them (what `#[serde(flatten)]` would do).
/// The reference the hand-written lines are tested against.
#[cfg(test)]
pub(crate) fn line_into_serde(
    buf: &mut Vec<u8>,
    capture: &str,
    item: &Output,
) -> Result<(), Error> {
    buf.clear();
    let kind = match item {
        Output::Connection(_) => "connection",
        Output::Dns(_) => "dns",
        Output::Finding(_) => "finding",
    };
    buf.extend_from_slice(b"{\"kind\":\"");
    buf.extend_from_slice(kind.as_bytes());
    buf.extend_from_slice(b"\",\"capture\":");
    serde_json::to_writer(&mut *buf, capture).map_err(std::io::Error::from)?;
    let start = buf.len();
    let result = match item {
        Output::Connection(c) => serde_json::to_writer(&mut *buf, c.as_ref()),
        Output::Dns(d) => serde_json::to_writer(&mut *buf, d),
        Output::Finding(f) => serde_json::to_writer(&mut *buf, f),
    };
    result.map_err(std::io::Error::from)?;
    // The item's object opens with `{`: it becomes the comma after the tags
    // (or is dropped with its `}` when the object is empty).
    match buf.get(start..) {
        Some(b"{}") => buf.truncate(start),
        _ => {
            if let Some(open) = buf.get_mut(start) {
                *open = b',';
            }
        }
    }
    if buf.len() == start {
        buf.push(b'}');
    }
    buf.push(b'\n');
    Ok(())
}

/// Writes one streamed item as an NDJSON line tagged with its capture.
pub fn write_line(out: &mut dyn Write, capture: &str, item: &Output) -> Result<(), Error> {
    let mut buf = Vec::with_capacity(2048);
    line_into(&mut buf, capture, item);
    out.write_all(&buf)?;
    Ok(())
}

/// The line that ends a capture's NDJSON.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureLine {
    /// Always `capture`.
    pub kind: &'static str,
    /// The capture's name (archive path + member for scan).
    pub capture: String,
    /// Its format, when it could be read.
    pub format: Option<CaptureFormat>,
    /// Frames read.
    pub frames: u64,
    /// Problems inside it.
    pub warnings: Vec<Warning>,
    /// Connections reported.
    pub connections: u64,
    /// Connections with an error finding.
    pub failed: u64,
    /// Why it could not be analysed at all, if it could not.
    pub error: Option<String>,
}

impl CaptureLine {
    /// The line for an analysed capture.
    pub fn analysed(capture: &str, summary: &CaptureSummary, failed: u64) -> Self {
        Self {
            kind: "capture",
            capture: capture.to_string(),
            format: Some(summary.format),
            frames: summary.frames,
            warnings: summary.warnings.clone(),
            connections: summary.connections,
            failed,
            error: None,
        }
    }

    /// The line for a capture that could not be analysed.
    pub fn unreadable(capture: &str, error: &Error) -> Self {
        Self {
            kind: "capture",
            capture: capture.to_string(),
            format: None,
            frames: 0,
            warnings: Vec::new(),
            connections: 0,
            failed: 0,
            error: Some(error.to_string().replace('\n', " ")),
        }
    }
}

/// Writes any serializable value as one NDJSON line.
pub fn write_value_line<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<(), Error> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}
