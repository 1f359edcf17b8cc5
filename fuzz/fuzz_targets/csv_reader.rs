//! The import reader on CSV bodies: no panic, and never more rows or columns than the limits.
#![no_main]

use expo_server::booths::import::{read_for_fuzzing, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bodies that start like a ZIP go to the XLSX reader (its own target).
    if data.starts_with(b"PK\x03\x04") {
        return;
    }
    let (rows, widest, _errors) = read_for_fuzzing(data);
    assert!(rows <= MAX_SHEET_ROWS);
    assert!(widest <= MAX_SHEET_COLUMNS);
});
