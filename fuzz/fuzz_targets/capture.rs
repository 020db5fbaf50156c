//! Whole pipeline: arbitrary bytes as a capture file (pcap, pcapng, or either
//! gzip-compressed), analysed and rendered as JSON, table and `explain`.
//!
//! Invariants checked beyond "no panic": an input that opens (valid header)
//! always analyses to `Ok`; the reports always render into memory.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tlsdiag::capture::input;
use tlsdiag::report::{explain, json, table};
use tlsdiag::{CaptureReader, Limits, Options};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.pcap");
    let Ok(opened) = input::from_reader(path, Box::new(Cursor::new(data.to_vec()))) else {
        return;
    };
    let Ok(reader) = CaptureReader::new(opened, path) else {
        return;
    };
    // Small caps, so that eviction and buffer-cap paths are reached by small inputs.
    let options = Options {
        limits: Limits {
            max_flows: 64,
            max_held_bytes: 64 * 1024,
        },
        ..Options::default()
    };
    let analysis = match tlsdiag::analyze_reader(reader, "fuzz.pcap", &options) {
        Ok(a) => a,
        Err(e) => panic!("a capture whose header was valid failed to analyse: {e}"),
    };
    let mut out = Vec::new();
    let _ = json::write_document(&mut out, &analysis);
    out.clear();
    let _ = table::write_analysis(&mut out, &analysis);
    out.clear();
    let _ = explain::write_analysis(&mut out, &analysis);
});
