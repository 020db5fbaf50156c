//! Errors and warnings.
//!
//! [`Error`] is for conditions that stop the analysis of a whole input before it
//! starts (the file cannot be opened, it is not a capture). Everything that goes
//! wrong *inside* a capture — a truncated record, a packet that does not decode, a
//! buffer cap that was hit — is a [`Warning`]: it is carried in the report, names
//! the frame where it happened, and the analysis goes on with partial results.

use std::fmt;
use std::path::PathBuf;

use crate::capture::FrameNo;

/// A fatal condition: the input cannot be analysed at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The input does not start like a pcap or pcapng file.
    #[error("{path}: not a pcap or pcapng capture ({detail})")]
    NotACapture {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// The input starts like a capture but its file header cannot be decoded.
    #[error("{path}: unreadable capture header: {detail}")]
    BadHeader {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// An archive (tar, zip) or one of its members cannot be read.
    #[error("{path}: unreadable archive: {detail}")]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// A command-line value could not be used (a suite list, a profile file).
    #[error("{0}")]
    Usage(String),
    /// Writing the report failed (other than a closed pipe, which `main` ends quietly).
    #[error("writing the report: {0}")]
    Output(#[from] std::io::Error),
}

/// A problem inside a capture: reported, and the analysis goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The frame where it was noticed, when there is one.
    pub frame: Option<FrameNo>,
    /// What happened, in one line.
    pub message: String,
}

impl Warning {
    /// A warning tied to a frame.
    pub fn at(frame: FrameNo, message: impl Into<String>) -> Self {
        Self {
            frame: Some(frame),
            message: message.into(),
        }
    }

    /// A warning about the capture as a whole.
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            frame: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.frame {
            Some(frame) => write!(f, "frame {}: {}", frame.0, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
