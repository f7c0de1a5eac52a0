//! `csops-node/types.d.ts` is exactly what the core's types declare: the Node package's types
//! are generated, never edited by hand. `UPDATE_TYPES=1` rewrites the file.
#![cfg(feature = "typescript")]

use std::path::PathBuf;

#[test]
fn node_types_are_the_cores_declarations() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../csops-node/types.d.ts");
    let made = csops_core::typescript::declarations();
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == made,
        "{} is not what the core declares; run UPDATE_TYPES=1 cargo test -p csops-core \
         --features typescript --test typescript",
        path.display()
    );
}

/// The Python stubs' shapes (`TypedDict`s, between the markers of
/// `csops-py/python/csops/_csops.pyi`) are what the same core types declare.
#[test]
fn python_stub_shapes_are_the_cores_declarations() {
    use csops_core::typescript::python::{BEGIN, END};
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../csops-py/python/csops/_csops.pyi");
    let made = csops_core::typescript::python_typed_dicts().unwrap();
    let stub = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (stub.find(BEGIN), stub.find(END)) else {
        panic!("{} has no generated section", path.display())
    };
    let committed = &stub[a..b + END.len()];
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(&path, stub.replacen(committed, &made, 1)).unwrap();
        return;
    }
    assert!(
        committed == made,
        "{}'s shapes are not what the core declares; run UPDATE_TYPES=1 cargo test -p \
         csops-core --features typescript --test typescript",
        path.display()
    );
}
