//! QR badge codes as a camera or keyboard delivers them: no panic, and what passes has the
//! stored shape and is a fixed point.
#![no_main]

use expo_server::monitor::badge_code;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(code) = badge_code(&text) {
        assert_eq!(code.len(), 15);
        assert!(code.starts_with("EXPO-"));
        assert!(code[5..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(badge_code(&code).as_deref(), Some(code.as_str()));
    }
});
