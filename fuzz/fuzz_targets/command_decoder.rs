//! The websocket command decoder: any text frame gets a command or one of the typed errors,
//! never a panic, and every accepted command encodes and decodes back to itself.
#![no_main]

use expo_schema::ErrorCode;
use expo_server::hub::session::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // The transport delivers text frames as UTF-8 only.
        return;
    };
    match decode(text, 64 * 1024) {
        Ok((_, command)) => {
            let again = serde_json::to_string(&command).expect("a command serializes");
            let (_, back) = decode(&again, usize::MAX).expect("a command round-trips");
            assert_eq!(back, command);
        }
        Err((_, error)) => assert!(matches!(
            error.code,
            ErrorCode::MessageTooLarge
                | ErrorCode::BadRequest
                | ErrorCode::UnknownCommand
                | ErrorCode::InvalidCommand
        )),
    }
});
