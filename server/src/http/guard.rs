//! Small defences shared by every domain: spreadsheet-safe export cells, text that databases
//! and terminals cannot be fooled by, image dimensions read from a file's first bytes, and the
//! security headers every response carries.
//!
//! The limits these enforce are listed in `docs/limits.md`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::borrow::Cow;

/// The widest or tallest image accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8_000;
/// The most pixels an image may have (width × height).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// A cell for a CSV export that no spreadsheet program evaluates as a formula.
///
/// Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula (or becomes
/// one) in Excel, LibreOffice and Google Sheets; such text gets a leading `'`, which those
/// programs show as plain text. Plain numbers (`-5`, `+3.2`) stay as they are.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let risky = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A decimal number as a spreadsheet reads one (`-5`, `+3.25`, `1e6`); not `inf` or `NaN`,
/// which Rust parses as numbers but a spreadsheet reads as names in a formula.
fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Characters that reorder how text is displayed (right-to-left overrides, isolates and
/// marks): in a file name they make `invoice_fdp.exe` look like `invoice_exe.pdf`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether JSON text holds a `\u0000` escape (a NUL character once decoded). Postgres text
/// cannot store NUL, so such bodies are refused before they reach a query.
pub fn json_has_nul(raw: &[u8]) -> bool {
    let needle = b"u0000";
    let mut i = 0;
    while i + needle.len() < raw.len() {
        if raw[i] == b'\\' {
            // Count this run of backslashes: an odd run escapes the next character.
            let start = i;
            while i < raw.len() && raw[i] == b'\\' {
                i += 1;
            }
            let run = i - start;
            if run % 2 == 1 && raw[i..].starts_with(needle) {
                return true;
            }
        } else {
            i += 1;
        }
    }
    false
}

/// The width and height an image declares in its header (PNG, GIF, WebP, JPEG), when the
/// given first bytes of the file say.
pub fn image_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let le16 = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let be32 = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let le24 = |at: usize| {
        head.get(at..at + 3)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]))
    };
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be32(16)?, be32(20)?));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some((le16(6)? as u32, le16(8)? as u32));
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return match head.get(12..16)? {
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            b"VP8L" => {
                let bits = head
                    .get(21..25)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?;
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8 " => Some(((le16(26)? & 0x3fff) as u32, (le16(28)? & 0x3fff) as u32)),
            _ => None,
        };
    }
    if head.starts_with(b"\xff\xd8") {
        let mut at = 2;
        while at + 4 <= head.len() {
            if head[at] != 0xff {
                return None;
            }
            let marker = head[at + 1];
            if marker == 0xff {
                at += 1;
                continue;
            }
            let length = be16(at + 2)? as usize;
            let is_frame = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
            if is_frame {
                return Some((be16(at + 7)? as u32, be16(at + 5)? as u32));
            }
            if length < 2 {
                return None;
            }
            at += 2 + length;
        }
    }
    None
}

/// Refuses images whose declared size is beyond [`MAX_IMAGE_SIDE`] or [`MAX_IMAGE_PIXELS`]
/// (a decompression bomb: a few kilobytes that a browser inflates to gigabytes), and images
/// whose size cannot be read from their first bytes.
pub fn check_image_dimensions(head: &[u8]) -> Result<(), String> {
    match image_dimensions(head) {
        Some((w, h)) if w == 0 || h == 0 => Err("the image has no pixels".into()),
        Some((w, h))
            if w > MAX_IMAGE_SIDE
                || h > MAX_IMAGE_SIDE
                || w as u64 * h as u64 > MAX_IMAGE_PIXELS =>
        {
            Err(format!(
                "images may be at most {MAX_IMAGE_SIDE} pixels wide and high and have at most \
                 {MAX_IMAGE_PIXELS} pixels; this one is {w}×{h}"
            ))
        }
        Some(_) => Ok(()),
        None => Err("the image's size cannot be read from its header".into()),
    }
}

/// The client's address: the peer of the TCP connection, or with `EXPO_TRUST_FORWARDED_FOR`
/// (behind a load balancer) the last address the proxy appended to `X-Forwarded-For`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl axum::extract::FromRequestParts<crate::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(client_address(
            &parts.headers,
            &parts.extensions,
            state.config.trust_forwarded_for,
        ))
    }
}

/// See [`ClientAddress`].
pub fn client_address(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trust_forwarded_for: bool,
) -> ClientAddress {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(address) = forwarded {
            return ClientAddress(address.chars().take(64).collect());
        }
    }
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    ClientAddress(peer.unwrap_or_else(|| "unknown".into()))
}

/// The content security policy of every response: scripts, styles and everything else from
/// this server only, no inline script, no framing, no plugins. Media may come from `blob:`
/// (camera previews) and from `media_origins` (the stage's HLS server, which players fetch
/// playlists and segments from: `media-src` and `connect-src`), images from `data:` (QR codes
/// drawn by the page), and the page talks to its own websocket.
pub fn content_security_policy(media_origins: &[String]) -> String {
    let extra: String = media_origins.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob:{extra}; \
         connect-src 'self' ws: wss:{extra}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The origin (`scheme://host[:port]`) of an absolute `http(s)` address, as a policy source;
/// `None` for a relative address (the fair's own origin) or one a policy cannot carry.
pub fn origin_of(address: &str) -> Option<String> {
    let (scheme, rest) = address.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (!host.is_empty() && host.chars().all(safe)).then(|| format!("{scheme}://{host}"))
}

/// What [`security_headers`] sets, fixed at start-up.
#[derive(Clone)]
pub struct SecurityHeaders {
    pub hsts: bool,
    pub csp: HeaderValue,
}

impl SecurityHeaders {
    pub fn new(hsts: bool, media_origins: &[String]) -> SecurityHeaders {
        let csp = content_security_policy(media_origins);
        SecurityHeaders {
            hsts,
            csp: HeaderValue::from_str(&csp).expect("a policy of checked origins is a header"),
        }
    }
}

/// Adds the security headers to every response (pages, JSON, files).
pub async fn security_headers(
    State(settings): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: HeaderValue| {
        headers.entry(name).or_insert(value);
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        settings.csp.clone(),
    );
    set(
        headers,
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    );
    set(
        headers,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set(
        headers,
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    set(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if settings.hsts {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// Bounded fuzzing for unit tests: random mutations of seed inputs, reproducible from a fixed
/// seed. Coverage-guided fuzzing (`cargo fuzz`) needs a nightly compiler; these runs use the
/// same idea (mutate known-good inputs, check the code under test never panics and keeps its
/// limits) on stable, in every `cargo test`. `EXPO_FUZZ_ITERS` runs more iterations.
#[cfg(test)]
pub(crate) mod fuzzing {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// How many inputs each target tries.
    pub fn iterations() -> usize {
        std::env::var("EXPO_FUZZ_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1500)
    }

    /// A reproducible random source for one target.
    pub fn rng(target: &str) -> StdRng {
        let seed = target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        StdRng::seed_from_u64(seed)
    }

    /// A mutation of one of the seeds: bytes flipped, inserted, deleted, duplicated, or
    /// interesting values (0, 0xff, quotes, commas, newlines, long runs) put in.
    pub fn mutate(rng: &mut StdRng, seeds: &[&[u8]]) -> Vec<u8> {
        let mut data = seeds[rng.gen_range(0..seeds.len())].to_vec();
        let rounds = rng.gen_range(1..8);
        for _ in 0..rounds {
            let at = if data.is_empty() {
                0
            } else {
                rng.gen_range(0..data.len())
            };
            match rng.gen_range(0..7) {
                0 if !data.is_empty() => data[at] ^= 1 << rng.gen_range(0..8),
                1 => data.insert(at, rng.gen()),
                2 if !data.is_empty() => {
                    data.remove(at);
                }
                3 => {
                    const SPECIAL: &[u8] = b"\0\xff\"',\r\n\\{}[]:=+-@\t";
                    data.insert(at, SPECIAL[rng.gen_range(0..SPECIAL.len())]);
                }
                4 if !data.is_empty() => {
                    let end = (at + rng.gen_range(1..64)).min(data.len());
                    let chunk = data[at..end].to_vec();
                    data.splice(at..at, chunk);
                }
                5 => {
                    let byte = rng.gen();
                    let run = rng.gen_range(1..512);
                    data.splice(at..at, std::iter::repeat_n(byte, run));
                }
                _ => data.truncate(at),
            }
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_origins_of_addresses() {
        assert_eq!(
            origin_of("https://stage.example/hls").as_deref(),
            Some("https://stage.example")
        );
        assert_eq!(
            origin_of("HTTP://127.0.0.1:8088/hls/").as_deref(),
            Some("http://127.0.0.1:8088")
        );
        assert_eq!(
            origin_of("https://user:pw@[::1]:9000/x?y#z").as_deref(),
            Some("https://[::1]:9000")
        );
        for not_one in [
            "/hls",
            "ftp://stage.example/hls",
            "https://",
            "https://a b/",
            "https://a;b/",
        ] {
            assert_eq!(origin_of(not_one), None, "{not_one}");
        }
        let policy = content_security_policy(&["https://stage.example".into()]);
        assert!(policy.contains("media-src 'self' blob: https://stage.example;"));
        assert!(policy.contains("connect-src 'self' ws: wss: https://stage.example;"));
        assert!(content_security_policy(&[]).contains("media-src 'self' blob:;"));
    }

    #[test]
    fn fuzz_upload_sniffing() {
        let png = {
            let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            png.extend_from_slice(&[0, 0, 2, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0]);
            png
        };
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
            0xff, 0xc0, 0, 17, 8, 1, 0xe0, 2, 0x80, 3,
        ];
        let webp = b"RIFF\x24\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x7f\x02\0\xdf\x01\0";
        let seeds: &[&[u8]] = &[&png, &jpeg, webp, b"GIF89a\x20\0\x10\0", b"%PDF-1.4\n"];
        let mut rng = fuzzing::rng("upload sniffing");
        for _ in 0..fuzzing::iterations() {
            let head = fuzzing::mutate(&mut rng, seeds);
            let _ = infer::get(&head);
            if let Some((w, h)) = image_dimensions(&head) {
                let ok = check_image_dimensions(&head).is_ok();
                let within = w > 0
                    && h > 0
                    && w <= MAX_IMAGE_SIDE
                    && h <= MAX_IMAGE_SIDE
                    && w as u64 * h as u64 <= MAX_IMAGE_PIXELS;
                assert_eq!(ok, within, "{w}×{h} from {head:?}");
            } else {
                assert!(check_image_dimensions(&head).is_err());
            }
        }
    }

    #[test]
    fn fuzz_export_cells_and_text_checks() {
        let seeds: &[&[u8]] = &[b"=HYPERLINK(\"x\")", b"-5", b"Ivan", "한국".as_bytes(), b""];
        let mut rng = fuzzing::rng("export cells");
        for _ in 0..fuzzing::iterations() {
            let raw = fuzzing::mutate(&mut rng, seeds);
            let text = String::from_utf8_lossy(&raw);
            let cell = csv_cell(&text);
            // What a spreadsheet would evaluate is never left as a formula.
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert!(is_plain_number(&cell), "{cell:?}");
            }
            let _ = json_has_nul(&raw);
        }
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1+2"), "'+1+2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("-5"), "-5");
        assert_eq!(csv_cell("-inf"), "'-inf");
        assert_eq!(csv_cell("+NaN"), "'+NaN");
        assert_eq!(csv_cell("-1e5"), "-1e5");
        assert_eq!(csv_cell("-"), "'-");
        assert_eq!(csv_cell("+3.5"), "+3.5");
        assert_eq!(csv_cell("Ivan"), "Ivan");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn nul_escapes_are_found() {
        assert!(json_has_nul(br#"{"a":"x\u0000"}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\u0001"}"#));
    }

    #[test]
    fn bidi_controls() {
        assert!(is_bidi_control('\u{202e}'));
        assert!(is_bidi_control('\u{2067}'));
        assert!(!is_bidi_control('a'));
        assert!(!is_bidi_control('한'));
    }

    #[test]
    fn png_and_gif_dimensions() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((100_000, 100_000)));
        assert!(check_image_dimensions(&png).is_err());
        let gif = b"GIF89a\x20\x00\x10\x00";
        assert_eq!(image_dimensions(gif), Some((32, 16)));
        assert!(check_image_dimensions(gif).is_ok());
        assert_eq!(image_dimensions(b"not an image"), None);
    }

    #[test]
    fn jpeg_dimensions() {
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 480 and width 640.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10];
        jpeg.extend_from_slice(&[0u8; 14]);
        jpeg.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80]);
        assert_eq!(image_dimensions(&jpeg), Some((640, 480)));
    }
}
