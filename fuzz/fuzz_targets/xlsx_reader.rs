//! The import reader on XLSX (ZIP) bodies: no panic, no allocation beyond the limits (libFuzzer
//! reports a run over `-rss_limit_mb` or a single allocation over `-malloc_limit_mb`).
#![no_main]

use expo_server::booths::import::{read_for_fuzzing, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Every input is read as a workbook: the ZIP signature is put in front when missing.
    let body: std::borrow::Cow<[u8]> = if data.starts_with(b"PK\x03\x04") {
        data.into()
    } else {
        [b"PK\x03\x04".as_slice(), data].concat().into()
    };
    let (rows, widest, _errors) = read_for_fuzzing(&body);
    assert!(rows <= MAX_SHEET_ROWS);
    assert!(widest <= MAX_SHEET_COLUMNS);
});
