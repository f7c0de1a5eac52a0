//! `docs/schema.md` is generated from the interchange layout and must match it.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p csops-core --test schema_doc`.

#[test]
fn schema_doc_matches_the_layout() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/schema.md");
    let expected = csops_core::interchange::schema_markdown();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/schema.md is stale: run UPDATE_SCHEMA=1 cargo test -p csops-core --test schema_doc"
    );
    for f in csops_core::interchange::FILES {
        for c in f.columns {
            assert!(actual.contains(&format!("| `{}` |", c.name)));
        }
    }
}
