//! The browser's copy of the protocol: the ES module `assets/gen/protocol.js`, generated from
//! the Rust definitions of this crate so the web client never keeps a list of its own.
//!
//! The tag names come from the enums themselves, through their JSON Schema (the same derive
//! that serves `/api/v1/protocol.json`): a variant added to [`Command`], [`ServerFrame`],
//! [`ReplyData`], [`RoomEvent`] or [`ErrorCode`] appears in the module without anyone listing
//! it. The constants come from the `ALL` lists that [`close_code`], [`limits`] and [`room`]
//! declare together with their constants, and the languages from [`LANGUAGES`].
//!
//! `schema/tests/protocol_module.rs` compares the checked-in file with [`protocol_module`] and
//! fails when it is stale; [`REGENERATE`] rewrites it.

use crate::domain::{BASE_LANGUAGE, LANGUAGES};
use crate::error::ErrorCode;
use crate::protocol::{
    close_code, limits, room, Command, Listed, ReplyData, RoomEvent, ServerFrame, PROTOCOL_VERSION,
};
use schemars::JsonSchema;
use serde_json::Value;
use std::fmt::Write as _;

/// Where the module lives, relative to the repository root.
pub const MODULE_PATH: &str = "assets/gen/protocol.js";

/// The command that rewrites the module.
pub const REGENERATE: &str = "EXPO_REGENERATE=1 cargo test -p expo-schema --test protocol_module";

/// One tag value of a tagged enum, with its variant's doc.
struct Tag {
    value: String,
    doc: String,
}

/// The tag values of an enum, in declaration order, read from its JSON Schema: `tag` is the
/// serde tag field of an internally tagged enum, `None` for a plain string enum.
fn tags<T: JsonSchema>(tag: Option<&str>) -> Vec<Tag> {
    let root = serde_json::to_value(schemars::schema_for!(T)).expect("a schema serializes");
    let title = root["title"].as_str().unwrap_or("?").to_string();
    let doc = |v: &Value| v["description"].as_str().unwrap_or_default().to_string();
    let single = |v: &Value| -> String {
        match v["enum"].as_array().map(Vec::as_slice) {
            Some([Value::String(s)]) => s.clone(),
            _ => panic!("{title}: a variant without one tag value: {v}"),
        }
    };
    let mut out = Vec::new();
    match (root["oneOf"].as_array(), tag) {
        (Some(variants), Some(tag)) => {
            for v in variants {
                out.push(Tag {
                    value: single(&v["properties"][tag]),
                    doc: doc(v),
                });
            }
        }
        (Some(variants), None) => {
            for v in variants {
                out.push(Tag {
                    value: single(v),
                    doc: doc(v),
                });
            }
        }
        // A string enum none of whose variants has a doc comment.
        (None, None) => {
            for v in root["enum"]
                .as_array()
                .expect("a string enum lists its values")
            {
                out.push(Tag {
                    value: v.as_str().expect("string values").to_string(),
                    doc: String::new(),
                });
            }
        }
        (None, Some(_)) => panic!("{title}: not a tagged enum"),
    }
    for t in &out {
        assert!(
            is_snake(&t.value),
            "{title}: tag {:?} is not snake_case",
            t.value
        );
    }
    out
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A doc comment as one JSDoc line (empty when there is none).
fn jsdoc(out: &mut String, indent: &str, doc: &str) {
    let text = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        let _ = writeln!(out, "{indent}/** {} */", text.replace("*/", "*\\/"));
    }
}

/// A JavaScript string literal (single-quoted, as the client's code is written).
fn js_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `export const NAME = Object.freeze({ KEY: value, … });`, each entry with its doc.
fn frozen_object(out: &mut String, doc: &str, name: &str, entries: &[(String, String, String)]) {
    jsdoc(out, "", doc);
    let _ = writeln!(out, "export const {name} = Object.freeze({{");
    for (key, value, doc) in entries {
        jsdoc(out, "  ", doc);
        let _ = writeln!(out, "  {key}: {value},");
    }
    out.push_str("});\n\n");
}

fn tag_entries(tags: &[Tag]) -> Vec<(String, String, String)> {
    tags.iter()
        .map(|t| (t.value.to_uppercase(), js_str(&t.value), t.doc.clone()))
        .collect()
}

fn int_entries(list: &[Listed<i64>]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|l| (l.name.to_string(), l.value.to_string(), l.doc.to_string()))
        .collect()
}

fn str_entries(list: &[Listed<&str>]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|l| (l.name.to_string(), js_str(l.value), l.doc.to_string()))
        .collect()
}

/// The room-name functions: the rule of [`room::parse`], over the constants above them.
const ROOM_FUNCTIONS: &str = r#"const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const NAMED_ROOMS = new Set(Object.values(ROOMS));
const KINDS = new Set(Object.values(ROOM_KINDS));

/**
 * The room name for a kind and an id: roomName(ROOM_KINDS.BOOTH, 7) is 'booth:7'. Throws on a
 * kind that is not one of ROOM_KINDS; the id is written as given (the server refuses bad ones).
 */
export function roomName(kind, id) {
  if (!KINDS.has(kind)) throw new TypeError(`no room kind ${JSON.stringify(kind)}`);
  return `${kind}:${id}`;
}

/**
 * Takes a room name apart as the server does: { name } for a fixed room, { kind, id } for
 * `{kind}:{id}` (id a Number, or a BigInt beyond Number's safe integers), null when the
 * name breaks the rules: at most LIMITS.MAX_ROOM_LEN bytes, a known kind, and an i64 id
 * written the one canonical way (no plus sign, no leading zeros, no -0).
 */
export function parseRoom(name) {
  if (typeof name !== 'string' || name.length === 0) return null;
  if (new TextEncoder().encode(name).length > LIMITS.MAX_ROOM_LEN) return null;
  const colon = name.indexOf(':');
  if (colon < 0) return NAMED_ROOMS.has(name) ? { name } : null;
  const kind = name.slice(0, colon);
  const digits = name.slice(colon + 1);
  if (!KINDS.has(kind) || !/^(0|-?[1-9][0-9]*)$/.test(digits)) return null;
  const id = BigInt(digits);
  if (id < I64_MIN || id > I64_MAX) return null;
  return { kind, id: Number.isSafeInteger(Number(id)) ? Number(id) : id };
}
"#;

/// The text of `assets/gen/protocol.js`.
pub fn protocol_module() -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "// {MODULE_PATH} — GENERATED by expo-schema (schema/src/js.rs) from the Rust protocol\n\
         // definitions (schema/src/protocol.rs, error.rs, domain.rs). Do not edit: change the Rust\n\
         // side, then regenerate with\n\
         //   {REGENERATE}\n\
         // `cargo test` fails while this file is stale. See docs/protocol.md.\n\n"
    );
    let _ = writeln!(
        out,
        "/** The protocol version the server announces in its welcome frame. */\n\
         export const PROTOCOL_VERSION = {PROTOCOL_VERSION};\n"
    );
    frozen_object(
        &mut out,
        "The frames the server sends: their `type`.",
        "FRAMES",
        &tag_entries(&tags::<ServerFrame>(Some("type"))),
    );
    frozen_object(
        &mut out,
        "Every command a client may send: its `type`.",
        "COMMANDS",
        &tag_entries(&tags::<Command>(Some("type"))),
    );
    frozen_object(
        &mut out,
        "The payloads of successful replies: their `kind`.",
        "REPLIES",
        &tag_entries(&tags::<ReplyData>(Some("kind"))),
    );
    frozen_object(
        &mut out,
        "The events in a room: their `kind`.",
        "EVENTS",
        &tag_entries(&tags::<RoomEvent>(Some("kind"))),
    );
    frozen_object(
        &mut out,
        "The stable machine error codes of replies, `closing` frames and REST errors.",
        "ERROR_CODES",
        &tag_entries(&tags::<ErrorCode>(None)),
    );
    frozen_object(
        &mut out,
        "The close codes the server uses (beside 1000 and 1001).",
        "CLOSE_CODES",
        &int_entries(close_code::ALL),
    );
    frozen_object(
        &mut out,
        "Fixed limits a client may check before sending (the per-connection ones come in the welcome frame).",
        "LIMITS",
        &int_entries(limits::ALL),
    );
    let langs: Vec<String> = LANGUAGES.iter().map(|l| js_str(l)).collect();
    let _ = writeln!(
        out,
        "/** The languages the fair works in, as BCP 47 tags in the fair's order; the first is the base. */\n\
         export const LANGUAGES = Object.freeze([{}]);\n\n\
         /** The fair's base language: booth texts are written in it first; the fallback everywhere. */\n\
         export const BASE_LANGUAGE = {};\n",
        langs.join(", "),
        js_str(BASE_LANGUAGE),
    );
    frozen_object(
        &mut out,
        "The fixed room names.",
        "ROOMS",
        &str_entries(room::named::ALL),
    );
    frozen_object(
        &mut out,
        "The kinds of `{kind}:{id}` rooms.",
        "ROOM_KINDS",
        &str_entries(room::kind::ALL),
    );
    out.push_str(ROOM_FUNCTIONS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_type_is_in_the_schema_and_back() {
        let from_schema: Vec<String> = tags::<Command>(Some("type"))
            .into_iter()
            .map(|t| t.value)
            .collect();
        assert_eq!(from_schema, Command::TYPES, "Command::TYPES is incomplete");
    }

    #[test]
    fn every_error_code_round_trips_through_as_str() {
        let codes = tags::<ErrorCode>(None);
        assert!(codes.len() > 10);
        for t in codes {
            let code: ErrorCode = serde_json::from_value(Value::String(t.value.clone())).unwrap();
            assert_eq!(code.as_str(), t.value);
        }
    }

    #[test]
    fn the_module_lists_what_the_rust_side_defines() {
        let text = protocol_module();
        for needle in [
            "  SUBSCRIBE: 'subscribe',",
            "  MEETING_SIGNAL: 'meeting_signal',",
            "  PRESENCE_DIFF: 'presence_diff',",
            "  CHAT_JOINED: 'chat_joined',",
            "  SLOT_TAKEN: 'slot_taken',",
            "  WELCOME: 'welcome',",
            "  UNAUTHORIZED: 4001,",
            "  MAX_MESSAGE_CHARS: 2000,",
            "  BOOTH: 'booth',",
            "  LOBBY: 'lobby',",
            "export const LANGUAGES = Object.freeze(['en', 'ko', 'zh', 'ru', 'mn', 'ja']);",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
        assert!(text.starts_with("// assets/gen/protocol.js — GENERATED"));
        assert!(text.contains("Do not edit"));
    }

    #[test]
    fn js_strings_are_escaped() {
        assert_eq!(js_str("it's"), r"'it\'s'");
        assert_eq!(js_str("a\\b\n"), r"'a\\b\n'");
    }
}
