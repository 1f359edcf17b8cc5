//! The layering the architecture promises (docs/ARCHITECTURE.md, "Architecture invariants"),
//! checked on the source itself: the hub and the engines know rooms, connections and opaque
//! payloads, never a domain; the contract crate depends on nothing of ours.

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

#[test]
fn the_hub_and_the_engines_know_no_domain() {
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root.join("hub"), &mut files);
    sources(&root.join("engine"), &mut files);
    assert!(files.len() >= 5, "the hub and engine sources were read");
    let mut found = Vec::new();
    for (path, text) in &files {
        // `crate::x::…`, `crate::x;` and the names inside `crate::{…}` groups.
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
        for name in named {
            if DOMAINS.contains(&name.as_str()) {
                found.push(format!("{path} uses crate::{name}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_contract_crate_depends_on_nothing_of_ours() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/Cargo.toml");
    let text = std::fs::read_to_string(manifest).expect("schema/Cargo.toml");
    for ours in ["expo-server", "expo-client", "expo-tests", "path ="] {
        assert!(!text.contains(ours), "schema/Cargo.toml names {ours}");
    }
}
