//! Upload sniffing: the first bytes of an upload, typed for every kind of booth media and for
//! chat attachments. No panic; what is accepted has an accepted type, and an accepted image
//! has dimensions within the limits.
#![no_main]

use expo_schema::MediaKind;
use expo_server::booths::media::accepted;
use expo_server::http::guard::{image_dimensions, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
use expo_server::uploads::sniff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server sniffs at most the first 8 KiB.
    let head = &data[..data.len().min(8192)];
    for kind in [
        MediaKind::Logo,
        MediaKind::Photo,
        MediaKind::Brochure,
        MediaKind::Video,
    ] {
        if let Ok((mime, _ext)) = sniff(head, |m| accepted(kind, m), kind.as_str()) {
            assert!(accepted(kind, &mime), "{mime} accepted as {kind:?}");
            if mime.starts_with("image/") {
                let (w, h) = image_dimensions(head).expect("an accepted image has dimensions");
                assert!(w > 0 && h > 0 && w <= MAX_IMAGE_SIDE && h <= MAX_IMAGE_SIDE);
                assert!(u64::from(w) * u64::from(h) <= MAX_IMAGE_PIXELS);
            }
        }
    }
});
