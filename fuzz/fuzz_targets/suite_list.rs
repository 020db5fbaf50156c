//! The pasted-suite-list parser of `tlsdiag suites`: arbitrary bytes through
//! `decode_text` (UTF-8 / UTF-16 with BOM) and `parse`, then checked against
//! every built-in profile.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsdiag::diagnose::suite_list::{self, SuiteCheck};

fuzz_target!(|data: &[u8]| {
    let text = suite_list::decode_text(data);
    let list = suite_list::parse(&text);
    assert!(list.suites.len() <= suite_list::MAX_TOKENS);
    assert!(list.unknown.len() <= 64);
    for profile in &tlsdiag::diagnose::profiles::builtin() {
        let check = SuiteCheck::new(&list, profile);
        let _ = check.powershell();
        let _ = check.policy_line(&list);
    }
});
