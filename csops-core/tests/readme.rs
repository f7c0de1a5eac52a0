//! The README's Rust snippet is the body of `examples/readme.rs` (which the test command runs),
//! so the snippet a reader copies compiles and works.

use std::path::Path;

/// The ```rust blocks of a Markdown text, in order.
fn rust_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == "```rust" => current = Some(Vec::new()),
            Some(lines) if line.trim_end() == "```" => {
                out.push(lines.join("\n"));
                current = None;
            }
            Some(lines) => lines.push(line),
            None => {}
        }
    }
    out
}

#[test]
fn the_readme_rust_snippet_is_the_readme_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = rust_blocks(&readme);
    assert_eq!(blocks.len(), 1, "one ```rust block in the README");
    let example = std::fs::read_to_string(root.join("csops-core/examples/readme.rs")).unwrap();
    let body: Vec<&str> = example
        .lines()
        .skip_while(|l| l.trim() != "// README begin")
        .skip(1)
        .take_while(|l| l.trim() != "// README end")
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    assert_eq!(
        blocks[0].trim_end(),
        body.join("\n").trim_end(),
        "README.md's Rust snippet and examples/readme.rs differ: change both"
    );
}
