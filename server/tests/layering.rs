//! The layering the architecture promises (docs/ARCHITECTURE.md, "Architecture invariants"),
//! checked on the source itself: the hub and the engines know rooms, connections and opaque
//! payloads, never a domain; so do the event publisher and the store's dialect; uploads know
//! neither of the domains that use them; only the meeting placer branches on the engine;
//! rooms are named by their type and events published in one place; the contract crate
//! depends on nothing of ours.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.push((path.display().to_string(), text));
        }
    }
}

const DOMAINS: &[&str] = &[
    "auth",
    "booths",
    "chat",
    "meetings",
    "matching",
    "matchmaking",
    "monitor",
    "demo",
    "mail",
    "ws",
    "rooms",
];

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The file's text without its `#[cfg(test)]` tail (unit tests may spell things out).
fn code_of(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// The crate's modules a source names: `crate::x::…`, `crate::x;` and the names inside
/// `crate::{…}` groups.
fn crate_names(text: &str) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for part in text.split("crate::").skip(1) {
        if let Some(group) = part.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            named.extend(
                inner
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or("").to_string()),
            );
        } else {
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            named.push(name);
        }
    }
    named
}

/// Every use of one of `forbidden` by the files, but the `(file suffix, module)` pairs
/// allowed.
fn uses_of(
    files: &[(String, String)],
    forbidden: &[&str],
    allowed: &[(&str, &str)],
) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        for name in crate_names(text) {
            let excused = allowed
                .iter()
                .any(|(file, module)| path.ends_with(file) && *module == name);
            if forbidden.contains(&name.as_str()) && !excused {
                found.push(format!("{path} uses crate::{name}"));
            }
        }
    }
    found
}

#[test]
fn the_hub_and_the_engines_know_no_domain() {
    let root = src();
    let mut files = Vec::new();
    sources(&root.join("hub"), &mut files);
    sources(&root.join("engine"), &mut files);
    assert!(files.len() >= 5, "the hub and engine sources were read");
    let found = uses_of(&files, DOMAINS, &[]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_publisher_and_the_store_know_no_domain() {
    let root = src();
    let mut files = vec![(
        "events.rs".to_string(),
        std::fs::read_to_string(root.join("events.rs")).expect("events.rs"),
    )];
    sources(&root.join("store"), &mut files);
    assert!(
        files.len() >= 4,
        "events.rs and the store's sources were read"
    );
    // The fair's secret is made by the same token generator as sessions.
    let found = uses_of(&files, DOMAINS, &[("store/mod.rs", "auth")]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn uploads_know_neither_booths_nor_chat() {
    let mut files = Vec::new();
    sources(&src().join("uploads"), &mut files);
    assert!(files.len() >= 2, "the uploads sources were read");
    // The demo's booths carry built-in files, served like uploads.
    let found = uses_of(&files, DOMAINS, &[("uploads/mod.rs", "demo")]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Where the code may still branch on the engine: the dialect module (that is its job) and
/// the meeting placer (two strategies, not two spellings). docs/ARCHITECTURE.md lists them.
#[test]
fn only_the_meeting_placer_branches_on_the_engine() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let allowed = ["store/mod.rs", "store/dialect.rs", "meetings/place.rs"];
    let found: Vec<&String> = files
        .iter()
        .filter(|(path, text)| {
            !allowed.iter().any(|a| path.ends_with(a))
                && (code_of(text).contains("StoreKind::Postgres")
                    || code_of(text).contains("StoreKind::Sqlite"))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        found.is_empty(),
        "these branch on the engine; ask store::dialect instead: {found:?}"
    );
}

/// Event frames are built in one place (`events.rs`); the hub only carries them.
#[test]
fn events_are_published_one_way() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let found: Vec<&String> = files
        .iter()
        .filter(|(path, text)| {
            !path.ends_with("events.rs")
                && !path.contains("/hub/")
                && code_of(text).contains("ServerFrame::Event")
        })
        .map(|(path, _)| path)
        .collect();
    assert!(found.is_empty(), "publish through crate::events: {found:?}");
}

/// Rooms are named by `expo_schema::protocol::room::Room`, not spelled out. What remains
/// spelled so is not a room: limiter keys and chat targets (`chat_open`'s own grammar).
#[test]
fn room_names_are_typed() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let allowed: &[(&str, &str)] = &[
        // The per-user connection count's limiter key.
        ("ws.rs", "format!(\"user:{user_id}\")"),
        // The per-user chat send rate's limiter key.
        ("chat/commands.rs", "format!(\"chat:{}\", user.id)"),
        // Chat targets (`chat_open`), not rooms.
        (
            "chat/commands.rs",
            "format!(\"booth:{}\", company.unwrap_or(0))",
        ),
        (
            "chat/commands.rs",
            "format!(\"hall:{}\", hall.unwrap_or(0))",
        ),
        ("demo.rs", "format!(\"booth:{second_company}\")"),
        // A show's chat room as a `chat_open` target (its hub room is `chat:{room_id}`).
        (
            "chat/commands.rs",
            "format!(\"show:{}\", show.unwrap_or(0))",
        ),
        ("stage/chat.rs", "format!(\"show:{id}\")"),
        ("stage/qa.rs", "format!(\"show:{id}\")"),
        ("demo.rs", "format!(\"show:{id}\")"),
    ];
    let mut found = Vec::new();
    for (path, text) in &files {
        if path.contains("/hub/") || path.contains("/engine/") {
            continue;
        }
        for kind in ["hall", "booth", "user", "duty", "chat", "meet", "show"] {
            let pattern = format!("format!(\"{kind}:");
            for (at, _) in code_of(text).match_indices(&pattern) {
                let rest = &code_of(text)[at..];
                let call = &rest[..rest.find(')').map_or(rest.len(), |end| end + 1)];
                let excused = allowed
                    .iter()
                    .any(|(file, spelled)| path.ends_with(file) && spelled.starts_with(call));
                if !excused {
                    found.push(format!("{path}: {call}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "name rooms with Room: {found:#?}");
}

#[test]
fn the_contract_crate_depends_on_nothing_of_ours() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/Cargo.toml");
    let text = std::fs::read_to_string(manifest).expect("schema/Cargo.toml");
    for ours in ["expo-server", "expo-client", "expo-tests", "path ="] {
        assert!(!text.contains(ours), "schema/Cargo.toml names {ours}");
    }
}
