//! `assets/gen/protocol.js` is what `expo_schema::js::protocol_module` generates now: the
//! browser's copy of the protocol is never stale. With `EXPO_REGENERATE=1` the test rewrites
//! the file instead of comparing.

use expo_schema::js::{protocol_module, MODULE_PATH, REGENERATE};
use std::path::PathBuf;

#[test]
fn browser_protocol_module_is_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(MODULE_PATH);
    let want = protocol_module();
    if std::env::var("EXPO_REGENERATE").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("a parent directory")).unwrap();
        std::fs::write(&path, &want).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let first = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
        panic!(
            "{MODULE_PATH} is stale or missing (it differs from line {}: {:?} where the Rust \
             definitions give {:?}). Do not edit it by hand; regenerate it with\n    {REGENERATE}\n",
            first + 1,
            have.lines().nth(first).unwrap_or("<end of file>"),
            want.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}
