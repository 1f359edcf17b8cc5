//! The calendar (.ics) writer: meeting texts (names, messages, places) through the same
//! escaping the server uses, into an event and a calendar with a generated VTIMEZONE for a
//! fuzzed zone and span. No panic; every line ends in CRLF with no bare CR or LF inside, so no
//! text can add a property of its own; exactly one event and one calendar end.
#![no_main]

use expo_server::meetings::calendar::{ics_text, one_line, vtimezone};
use icalendar::{Component, EventLike};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    // Two bytes choose the reader's zone, two the start (days from 2026) and two the span (up
    // to 60 days: a fair and its follow-ups; each hour of span costs an offset lookup).
    let zones = chrono_tz::TZ_VARIANTS;
    let tz = zones[usize::from(u16::from_le_bytes([data[0], data[1]])) % zones.len()];
    let day_ms: i64 = 24 * 3600 * 1000;
    let start =
        1_767_225_600_000 + i64::from(u16::from_le_bytes([data[2], data[3]]) % 3650) * day_ms;
    let span = i64::from(u16::from_le_bytes([data[4], data[5]]) % 60) * day_ms;
    let text = String::from_utf8_lossy(&data[6..]);
    let mut event = icalendar::Event::new();
    event
        .summary(&one_line(&text))
        .description(&ics_text(&text))
        .location(&one_line(&text));
    let mut calendar = icalendar::Calendar::new();
    calendar.name(&one_line(&text));
    let written = calendar.push(event.done()).done().to_string();
    let zone = vtimezone(tz, start, start + span);
    for part in [written.as_str(), zone.as_str()] {
        assert!(part.ends_with("\r\n"));
        for line in part.split("\r\n") {
            assert!(
                !line.contains(['\r', '\n']),
                "a bare line break in {line:?}"
            );
        }
    }
    let properties: Vec<&str> = written
        .split("\r\n")
        .filter(|l| !l.starts_with(' '))
        .collect();
    assert_eq!(
        properties.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        1
    );
    assert_eq!(
        properties.iter().filter(|l| **l == "END:VCALENDAR").count(),
        1
    );
    assert_eq!(zone.matches("BEGIN:VTIMEZONE").count(), 1);
});
