//! The `raqim` binary as scripts use it: `render`, and what bad input gets.

mod common;

use common::raqim;
use std::process::Output;

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn render_text_of_the_sample_starts_with_its_title_right_aligned() {
    let o = raqim(
        &[
            "render",
            "samples/deir-ez-zor.txt",
            "--width",
            "40",
            "--shaping",
            "terminal",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    // The title's first words, reversed for display, flush with the right margin.
    assert_eq!(first.chars().count(), 40, "{first:?}");
    assert!(first.ends_with("يفيك بوره"), "{first:?}");
    // Whitespace-only lines of the scraped page take no room: no two blank rows.
    assert!(!out.contains("\n\n\n"));
}

#[test]
fn render_reads_stdin_and_emits_json_maps() {
    let o = raqim(
        &["render", "-", "--width", "0", "--format", "json"],
        Some("قال (نعم)\n".as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["paragraph"], 0);
    assert_eq!(v["line"], 0);
    // Brackets mirrored at the odd level, letters reversed, offsets in code points.
    assert_eq!(v["text"], "(معن) لاق");
    let v2l: Vec<u64> = v["visual_to_logical"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(v2l, vec![8, 7, 6, 5, 4, 3, 2, 1, 0]);
}

#[test]
fn render_forced_direction_changes_the_layout() {
    let text = "NATO قالت\n".as_bytes();
    let auto = stdout(&raqim(
        &["render", "-", "--width", "12", "--shaping", "terminal"],
        Some(text),
    ));
    let rtl = stdout(&raqim(
        &[
            "render",
            "-",
            "--width",
            "12",
            "--shaping",
            "terminal",
            "--direction",
            "rtl",
        ],
        Some(text),
    ));
    assert_eq!(auto, "NATO تلاق\n");
    assert_eq!(rtl, "   تلاق NATO\n");
}

#[test]
fn invalid_utf8_names_the_file_and_byte_offset() {
    let mut bytes = "سلام\n".as_bytes().to_vec();
    bytes.extend_from_slice(&[b'a', 0xC3, 0x28]);
    let (_d, path) = temp_file("bad.txt", &bytes);
    let o = raqim(&["render", path.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.txt"), "{err}");
    assert!(err.contains("byte offset 10"), "{err}");
    assert!(err.contains("--lossy"), "{err}");
    assert!(o.stdout.is_empty());
    // --lossy opens it anyway, the bad byte shown as U+FFFD.
    let o = raqim(&["render", "--lossy", path.to_str().unwrap()], None);
    assert!(o.status.success());
    assert!(stdout(&o).contains('\u{FFFD}'));
}

#[test]
fn binary_files_are_refused() {
    let (_d, path) = temp_file("x.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    let o = raqim(&["render", path.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("binary"), "{}", stderr(&o));
}

#[test]
fn missing_file_is_named() {
    let o = raqim(&["render", "no/such/article.txt"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/article.txt"));
}

#[test]
fn crlf_bom_and_escape_sequences_are_handled() {
    let text = "\u{FEFF}سطر\r\nx\u{1b}[2Jy\r\n";
    let o = raqim(
        &["render", "-", "--width", "0", "--shaping", "terminal"],
        Some(text.as_bytes()),
    );
    let out = stdout(&o);
    assert_eq!(out, "رطس\n\nx\u{241B}[2Jy\n");
}

#[test]
fn empty_input_renders_nothing_without_error() {
    let o = raqim(&["render", "-"], Some(b""));
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
}

#[test]
fn a_long_single_line_renders_in_pieces_with_continuous_offsets() {
    let word = "كلمة ";
    // 2 MB: many pieces of the 64 KiB the layout cuts long lines into.
    let line = word.repeat(2 * 1024 * 1024 / word.len());
    let o = raqim(
        &["render", "-", "--width", "80", "--format", "json"],
        Some(line.as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    // One paragraph, its code point offsets continuing across the internal pieces.
    assert_eq!(last["paragraph"], 0);
    let max = last["visual_to_logical"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(max as usize, line.chars().count() - 1);
}

#[test]
fn a_bad_keymap_is_named_before_the_screen_is_taken() {
    let (_d, path) = temp_file("keys.toml", b"[keys]\nj = \"fly\"\n");
    let o = raqim(
        &[
            "--keymap",
            path.to_str().unwrap(),
            "samples/deir-ez-zor.txt",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("keys.toml") && err.contains("fly"), "{err}");
    assert!(o.stdout.is_empty(), "nothing drawn");
}

#[test]
fn render_shows_bidi_overrides_and_isolates_but_not_the_arabic_marks_by_default() {
    // "Trojan source": the override and isolates make this line read otherwise.
    let trojan = "access = \"user\u{202E} \u{2066}// admin\u{2069} \u{2066}\"";
    let o = raqim(
        &["render", "-", "--width", "0", "--shaping", "terminal"],
        Some(trojan.as_bytes()),
    );
    let out = stdout(&o);
    assert_eq!(out.matches('\u{205E}').count(), 4, "{out}");
    assert!(!out.contains(['\u{202E}', '\u{2066}', '\u{2069}']), "{out}");
    // LRM, RLM and ALM, common in Arabic web text, stay hidden unless asked for.
    let marks = "قال\u{200F} 3\u{200E} كلم\u{061C}";
    let o = raqim(&["render", "-", "--width", "0"], Some(marks.as_bytes()));
    assert!(!stdout(&o).contains('\u{205E}'), "{}", stdout(&o));
    let o = raqim(
        &["render", "-", "--width", "0", "--show-controls"],
        Some(marks.as_bytes()),
    );
    assert_eq!(stdout(&o).matches('\u{205E}').count(), 3);
}

#[test]
fn a_width_beyond_any_screen_is_refused_with_the_bound() {
    let o = raqim(
        &["render", "-", "--width", "4294967296"],
        Some("نص\n".as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--width") && err.contains("10000"), "{err}");
    assert!(o.stdout.is_empty());
    let o = raqim(
        &["render", "-", "--width", "10000"],
        Some("نص\n".as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn an_endless_stream_of_nul_bytes_is_refused_at_its_first_byte() {
    // Before, the whole of /dev/zero was read before the NUL check: memory ran out.
    let o = raqim(&["render", "/dev/zero"], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("/dev/zero") && err.contains("byte offset 0"),
        "{err}"
    );
}

#[test]
fn an_input_over_the_size_limit_is_refused_by_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("big.txt");
    std::fs::write(&txt, "كلمة ".repeat(500)).unwrap();
    let jsonl = dir.path().join("big.jsonl");
    let record = serde_json::json!({"id": "a", "text": "كلمة ".repeat(500)});
    std::fs::write(&jsonl, format!("{record}\n")).unwrap();
    let db = dir.path().join("raqim.db");
    let (txt, jsonl, db) = (
        txt.to_str().unwrap(),
        jsonl.to_str().unwrap(),
        db.to_str().unwrap(),
    );
    let runs: [&[&str]; 6] = [
        &["render", txt],
        &["suggest", txt],
        &["suggest", jsonl],
        &["import", "--db", db, "--format", "jsonl", jsonl],
        // The viewer refuses before it needs a terminal.
        &[txt],
        &[jsonl],
    ];
    for args in runs {
        let mut all = args.to_vec();
        all.extend(["--max-input-size", "1K"]);
        let o = raqim(&all, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("big.") && err.contains("input size limit of 1 KiB"),
            "{args:?}: {err}"
        );
        assert!(err.contains("--max-input-size"), "{args:?}: {err}");
    }
    assert!(!std::path::Path::new(db).exists());
    // Standard input too, and a limit that is large enough lets it through.
    let big = "كلمة ".repeat(500);
    let o = raqim(
        &["render", "-", "--max-input-size", "1K"],
        Some(big.as_bytes()),
    );
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    let o = raqim(&["render", txt, "--max-input-size", "8K"], None);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn shell_files_installs_completions_and_a_man_page_for_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("share");
    // Without --dir, the files go under $XDG_DATA_HOME.
    let o = common::raqim_env(&["shell-files"], None, &[("XDG_DATA_HOME", &data)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bash = std::fs::read_to_string(data.join("bash-completion/completions/raqim")).unwrap();
    for word in ["import", "export", "--annotator", "--max-input-size"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    let page = std::fs::read_to_string(data.join("man/man1/raqim.1")).unwrap();
    assert!(
        page.contains("\\-\\-annotator"),
        "the main page lists the viewer's flags"
    );
    for sub in [
        "import",
        "export",
        "eval",
        "check",
        "terminal-check",
        "assign",
        "status",
        "adjudicate",
    ] {
        let path = data.join(format!("man/man1/raqim-{sub}.1"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let typed = format!("raqim {}", sub.replace('-', "\\-"));
        assert!(text.contains(&typed), "{sub}: {text}");
    }
    assert!(
        stdout(&o).contains("man page raqim-import(1)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_analyst_named_gold_is_refused_before_anything_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "--annotator",
            "gold",
            "samples/deir-ez-zor.txt",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("curated layer") && err.contains("raqim adjudicate"),
        "{err}"
    );
    assert!(!db.exists(), "nothing was made");
}
