//! The core knows nothing of the terminal: only `src/tui/` and `src/main.rs` may use
//! ratatui or crossterm (the compiler can't enforce this inside one crate).

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_modules_do_not_touch_the_terminal() {
    let offenders = uses(
        |f| !f.starts_with("tui/") && f != "main.rs",
        &["ratatui", "crossterm"],
    );
    assert!(
        offenders.is_empty(),
        "terminal code in the core:\n{}",
        offenders.join("\n")
    );
}

/// Lines of the files under `src/` that `pick` takes (by path relative to `src/`)
/// whose code (comments aside) contains any of `words`.
fn uses(pick: impl Fn(&str) -> bool, words: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 5);
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !pick(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if words.iter().any(|w| code.contains(w)) {
                out.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    out
}

#[test]
fn nothing_below_the_tui_reaches_into_it() {
    let offenders = uses(
        |f| !f.starts_with("tui/") && f != "main.rs",
        &["crate::tui", "raqim::tui"],
    );
    assert!(
        offenders.is_empty(),
        "the core uses the TUI:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_review_session_is_terminal_free() {
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/session/mod.rs");
    assert!(session.exists(), "src/session/ is where the review lives");
    let offenders = uses(
        |f| f.starts_with("session/"),
        &["ratatui", "crossterm", "KeyEvent", "crate::tui"],
    );
    assert!(
        offenders.is_empty(),
        "terminal code in the session:\n{}",
        offenders.join("\n")
    );
}
