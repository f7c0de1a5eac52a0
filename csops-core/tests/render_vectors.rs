//! The texts the core renders, kept as files in `tests/conformance/render/` and compared
//! word for word in Rust, Python (`test_render_vectors.py`: the `repr`) and Node
//! (`render-vectors.test.mjs`: `render()`), so the three languages show a CS Ops lead the
//! same thing. `UPDATE_RENDER=1 cargo test -p csops-core --test render_vectors` rewrites them.

use std::path::PathBuf;

use csops_core::health::Scorecard;

fn check(name: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/render")
        .join(name);
    if std::env::var_os("UPDATE_RENDER").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_RENDER=1 writes it)", path.display()));
    assert_eq!(got, want, "{name}");
}

#[test]
fn the_default_scorecard_reads_the_same_everywhere() {
    let card = Scorecard::default_heuristic();
    let text = card.render();
    assert!(text.contains("heuristic, not a fitted model"), "{text}");
    for (_, m) in card.measures() {
        assert!(text.contains(&m.name), "{} missing from\n{text}", m.name);
    }
    check("default_scorecard.txt", &text);
    let html = card.render_html();
    assert!(html.starts_with("<div class=\"csops-scorecard\">") && html.ends_with("</div>"));
    check("default_scorecard.html", &html);
}

#[test]
fn the_default_tier_rules_read_the_same_everywhere() {
    let rules = csops_core::segment::TierRules::default_rules();
    let text = rules.render();
    assert!(text.contains("otherwise"), "{text}");
    check("default_tier_rules.txt", &text);
    check("default_tier_rules.html", &rules.render_html());
}
