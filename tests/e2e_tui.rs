//! End-to-end tests of the viewer: the real binary in a pseudo-terminal (40x12),
//! its output fed to a `vt100` screen, waiting for content, never sleeping blindly.
//! Rows are compared by glyph only; colours and underlines are checked on their own.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use raqim::document::Document;
use raqim::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};

const COLS: u16 = 40;
const ROWS: u16 = 12;
/// The viewer keeps one empty column on each side when wider than 20.
const MARGIN: usize = 1;
const SAMPLE: &str = "samples/deir-ez-zor.txt";
const TIMEOUT: Duration = Duration::from_secs(20);

struct Session {
    parser: vt100::Parser,
    raw: Vec<u8>,
    rx: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Holds the session's database and config folder (never the user's).
    _home: tempfile::TempDir,
    cols: u16,
    rows: u16,
}

impl Session {
    fn start(file: &str) -> Session {
        Session::start_with(file, &[])
    }

    fn start_with(file: &str, env: &[(&str, &str)]) -> Session {
        Session::start_args(&[file], env)
    }

    fn start_args(args: &[&str], env: &[(&str, &str)]) -> Session {
        Session::start_sized(args, env, COLS, ROWS)
    }

    fn start_sized(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_raqim"));
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        let home = tempfile::tempdir().unwrap();
        cmd.env("RAQIM_DB", home.path().join("raqim.db"));
        cmd.env("XDG_CONFIG_HOME", home.path());
        cmd.env("XDG_STATE_HOME", home.path());
        cmd.env_remove("RAQIM_LOG");
        // The terminal this test runs in must not pick the profile.
        for var in [
            "KITTY_WINDOW_ID",
            "MLTERM",
            "KONSOLE_VERSION",
            "VTE_VERSION",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn raqim");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            // Keep the master alive as long as the reader runs.
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let size = |n| NonZeroU16::new(n).unwrap();
        Session {
            parser: vt100::Parser::new(size(rows), size(cols), 0),
            raw: Vec::new(),
            rx,
            writer,
            child,
            _home: home,
            cols,
            rows,
        }
    }

    /// Feeds output to the screen until `done` holds; panics with the screen if it
    /// does not within the timeout.
    fn wait_for(&mut self, what: &str, done: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(bytes) => {
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    if done(self) {
                        return;
                    }
                    panic!(
                        "timed out waiting for {what}; screen:\n{}",
                        self.screen_text()
                    );
                }
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Screen row `y` as text, one string per column (blank cells as spaces).
    fn row(&self, y: u16) -> String {
        let screen = self.parser.screen();
        (0..self.cols)
            .filter_map(|x| screen.cell(y, x))
            .filter(|c| !c.is_wide_continuation())
            .map(|c| if c.has_contents() { c.contents() } else { " " })
            .collect()
    }

    fn screen_text(&self) -> String {
        (0..self.rows)
            .map(|y| format!("{:2}|{}|\n", y, self.row(y)))
            .collect()
    }

    /// Columns of row `y` drawn in inverse video.
    fn inverse_cols(&self, y: u16) -> Vec<u16> {
        let screen = self.parser.screen();
        (0..self.cols)
            .filter(|&x| screen.cell(y, x).is_some_and(|c| c.inverse()))
            .collect()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// What the app should paint on screen row 1 (the first text row): the article's
/// first visual line at the app's width and default options, right-aligned, with the
/// margins, computed from the layout engine and independent of the viewer code.
fn expected_first_row() -> (String, usize) {
    let doc = Document::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE), false).unwrap();
    let width = COLS as usize - 2 * MARGIN;
    let opts = LayoutOptions {
        width,
        direction: Direction::Auto,
        shaping: Shaping::App,
        show_controls: false,
    };
    let lay = layout_paragraph(doc.paragraph_text(0), &opts);
    assert!(lay.rtl);
    let line = &lay.lines[0];
    let mut row = " ".repeat(MARGIN);
    for col in 0..width {
        match line.cell_at(col) {
            Some(i) if line.cells[i].col as usize == col => {
                row.push_str(line.glyph(&line.cells[i]))
            }
            Some(_) => {}
            None => row.push(' '),
        }
    }
    row.push_str(&" ".repeat(MARGIN));
    // Screen column of the second cluster in reading order (where ctrl-f lands).
    let (l, c) = lay.cell_of_cluster(1);
    assert_eq!(l, 0);
    (row, MARGIN + line.cells[c].col as usize)
}

fn first_text_glyph(row: &str) -> String {
    row.trim_start().chars().next().unwrap().to_string()
}

#[test]
fn first_line_appears_in_visual_order_and_the_cursor_moves() {
    let (expected, second_col) = expected_first_row();
    let mut s = Session::start(SAMPLE);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    // The cursor starts on the first letter read: the rightmost text cell.
    let rightmost = (COLS as usize - 1 - MARGIN) as u16;
    s.wait_for("the cursor on the first letter", |s| {
        s.inverse_cols(1) == vec![rightmost]
    });
    s.wait_for("the status line at offset 0", |s| {
        s.row(ROWS - 1).contains("@0 ")
    });

    s.send(b"\x06"); // ctrl-f: next character in reading order
    s.wait_for("the cursor on the second letter", |s| {
        s.inverse_cols(1) == vec![second_col as u16]
    });
    s.wait_for("the status offset 1", |s| s.row(ROWS - 1).contains("@1 "));

    s.send(b"\x1b[C"); // Right: in an RTL line, back towards the start
    s.wait_for("the cursor back on the first letter", |s| {
        s.inverse_cols(1) == vec![rightmost] && s.row(ROWS - 1).contains("@0 ")
    });
    s.send(b"\x1b[D"); // Left: forward in reading order
    s.wait_for("Left to move forward", |s| s.row(ROWS - 1).contains("@1 "));
    s.send(b"q");
    s.wait_for("the viewer to leave the alternate screen", |s| {
        !s.parser.screen().alternate_screen()
    });
}

#[test]
fn q_quits_cleanly_and_the_bidi_modes_bracket_the_session() {
    let (expected, _) = expected_first_row();
    let mut s = Session::start(SAMPLE);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    assert!(s.parser.screen().alternate_screen());
    s.send(b"q");
    s.wait_for("the terminal to be restored", |s| {
        !s.parser.screen().alternate_screen() && contains(&s.raw, b"\x1b[0 k")
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "raqim did not exit after q");
        // Poll the process; the output side is already synchronised above.
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");

    let raw = &s.raw;
    let explicit = find(raw, b"\x1b[8l").expect("explicit bidi mode sent");
    let ltr = find(raw, b"\x1b[1 k").expect("LTR presentation sent");
    let first_text = find(raw, first_text_glyph(&expected).as_bytes()).expect("text sent");
    assert!(
        explicit < first_text && ltr < first_text,
        "modes come before the first text"
    );
    let implicit = rfind(raw, b"\x1b[8h").expect("implicit bidi mode restored");
    let default = rfind(raw, b"\x1b[0 k").expect("default presentation restored");
    assert!(implicit > first_text && default > implicit);
    // Nothing but terminal control after the restore: no text drawn over the shell.
    let tail = String::from_utf8_lossy(&raw[default..]);
    assert!(!tail.chars().any(|c| c as u32 > 0x7f), "{tail:?}");
    assert!(!s.parser.screen().alternate_screen());
}

#[test]
fn a_panic_still_restores_the_terminal_and_shows_the_message() {
    let (expected, _) = expected_first_row();
    let mut s = Session::start_with(SAMPLE, &[("RAQIM_TEST_PANIC", "1")]);
    s.wait_for("the terminal restored after the panic", |s| {
        !s.parser.screen().alternate_screen() && contains(&s.raw, b"\x1b[0 k")
    });
    // The panic message is printed after the restore, on the normal screen.
    s.wait_for("the panic message", |s| {
        s.screen_text().contains("deliberate panic")
    });
    let raw = &s.raw;
    let first_text = find(raw, first_text_glyph(&expected).as_bytes()).expect("a frame drawn");
    let implicit = rfind(raw, b"\x1b[8h").expect("implicit bidi mode restored");
    assert!(implicit > first_text);
    let msg = find(raw, b"deliberate panic").unwrap();
    assert!(
        msg > implicit,
        "message written before the terminal was restored"
    );
}

#[test]
fn suggestions_show_underlined_in_colour_with_a_legend() {
    let mut s = Session::start(SAMPLE);
    // Text rows lie between the title bar and the legend row above the status line.
    let legend = ROWS - 2;
    s.wait_for("an underlined, coloured cell in the text", |s| {
        let screen = s.parser.screen();
        (1..legend).any(|y| {
            (0..COLS).any(|x| {
                screen.cell(y, x).is_some_and(|c| {
                    c.underline() && c.fgcolor() != vt100::Color::Default && c.has_contents()
                })
            })
        })
    });
    s.wait_for("the legend", |s| {
        s.row(legend).contains("1 PER  2 ORG  3 LOC")
    });
    // The legend names each label in its colour.
    let screen = s.parser.screen();
    let per = s.row(legend).find("PER").unwrap() as u16;
    let colour = screen.cell(legend, per).unwrap().fgcolor();
    assert_ne!(colour, vt100::Color::Default, "{}", s.screen_text());
    s.send(b"q");
    s.wait_for("the viewer to leave the alternate screen", |s| {
        !s.parser.screen().alternate_screen()
    });
}

#[test]
fn a_name_only_the_tagger_finds_is_shown_with_model_as_its_source() {
    // A person no list holds and no title rule reaches: only the tagger finds it.
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("article.txt");
    std::fs::write(
        &article,
        "وقال رئيس المجلس المحلي في البلدة عبد الكريم الحمادي إن الأهالي عادوا إلى منازلهم.\n",
    )
    .unwrap();
    let mut s = Session::start_sized(&[article.to_str().unwrap()], &[], 100, ROWS);
    s.wait_for("one suggestion to review", |s| {
        s.row(0).contains("1 to review")
    });
    s.send(b"\t");
    s.wait_for("the status line to name the suggestion's source", |s| {
        s.row(ROWS - 1).contains("PER suggested model 0.")
    });
    s.send(b"q");
    s.wait_for("the viewer to leave the alternate screen", |s| {
        !s.parser.screen().alternate_screen()
    });
}

#[test]
fn a_person_added_in_full_is_then_suggested_by_surname_in_the_next_paragraph() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("article.txt");
    std::fs::write(
        &article,
        "قال صامويل إيتو إن الفريق جاهز.\n\nوأضاف إيتو أن المباراة صعبة.\n",
    )
    .unwrap();
    // Without the tagger nothing knows this person.
    let mut s = Session::start_sized(&["--no-model", article.to_str().unwrap()], &[], 80, ROWS);
    s.wait_for("nothing to review", |s| s.row(0).contains("0 to review"));
    // Select the second and third words (صامويل إيتو) and make them a PER span.
    s.send(b"wvww\x02\x021");
    s.wait_for("the span added", |s| s.row(ROWS - 1).contains("as PER"));
    s.send(b"\t");
    s.wait_for("the surname suggested from memory", |s| {
        s.row(ROWS - 1).contains("PER suggested memory")
    });
    s.send(b"q");
    s.wait_for("the viewer to leave the alternate screen", |s| {
        !s.parser.screen().alternate_screen()
    });
}

#[test]
fn a_hangup_or_terminate_signal_restores_the_terminal_and_exits_128_plus_it() {
    for (signal, code) in [("-HUP", 129), ("-TERM", 143)] {
        let (expected, _) = expected_first_row();
        let mut s = Session::start(SAMPLE);
        s.wait_for("the first article line", |s| s.row(1) == expected);
        let pid = s.child.process_id().expect("child pid").to_string();
        // The shell's own kill, so no procps is needed.
        let sent = std::process::Command::new("sh")
            .args(["-c", &format!("kill {signal} {pid}")])
            .status()
            .expect("run sh");
        assert!(sent.success());
        s.wait_for("the terminal restored after the signal", |s| {
            !s.parser.screen().alternate_screen() && contains(&s.raw, b"\x1b[0 k")
        });
        let implicit = rfind(&s.raw, b"\x1b[8h").expect("implicit bidi mode restored");
        let first_text = find(&s.raw, first_text_glyph(&expected).as_bytes()).unwrap();
        assert!(implicit > first_text, "{signal}");
        // As a shell reports a process a signal ended: 128 + its number.
        let status = s.child.wait().unwrap();
        assert_eq!(status.exit_code(), code, "{signal}");
    }
}

#[test]
fn a_user_keymap_rebinds_keys() {
    let dir = std::env::temp_dir().join(format!("raqim-keymap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keymap.toml");
    std::fs::write(&path, "[keys]\nj = \"next_char\"\n").unwrap();
    let (expected, _) = expected_first_row();
    let mut s = Session::start_args(&["--keymap", path.to_str().unwrap(), SAMPLE], &[]);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    s.send(b"j");
    s.wait_for("j to move to the next character", |s| {
        s.row(ROWS - 1).contains("@1 ")
    });
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn d_asks_on_the_status_line_and_alt_v_arrives_as_one_key() {
    let (expected, _) = expected_first_row();
    let mut s = Session::start(SAMPLE);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    let asked = |s: &Session| {
        let status = s.row(ROWS - 1);
        status.contains("mark done? ") && status.contains(" suggestions left (y/n)")
    };
    s.send(b"D");
    s.wait_for("D to ask, in 40 columns", asked);
    // Esc on its own is no.
    s.send(b"\x1b");
    s.wait_for("Esc to answer no", |s| {
        s.row(ROWS - 1).contains("not marked done")
    });
    s.send(b"D");
    s.wait_for("D to ask again", asked);
    s.send(b"y");
    s.wait_for("y to mark it", |s| {
        s.row(ROWS - 1).contains("document marked done")
    });
    // Alt-v as a terminal sends it, Esc and v in one write: a selection by
    // character, not Esc then a selection of words.
    s.send(b"\x1bv");
    s.wait_for("a selection by character", |s| {
        s.row(ROWS - 1).contains("selecting characters")
    });
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// Cells of row `y` filled with a background colour (accepted spans).
fn filled(s: &Session, y: u16) -> usize {
    let screen = s.parser.screen();
    (0..s.cols)
        .filter(|&x| {
            screen
                .cell(y, x)
                .is_some_and(|c| c.bgcolor() != vt100::Color::Default && !c.inverse())
        })
        .count()
}

fn kill_9(s: &mut Session) {
    let pid = s.child.process_id().expect("a pid");
    let sent = std::process::Command::new("sh")
        .args(["-c", &format!("kill -9 {pid}")])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + TIMEOUT;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "raqim survived SIGKILL");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_action_survives_a_sigkill_and_undo_works_after_the_restart() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let db_s = db.to_str().unwrap();
    let env = [("RAQIM_DB", db_s), ("USER", "e2e-analyst")];
    let (cols, rows) = (100, 30);
    let mut s = Session::start_sized(&[SAMPLE], &env, cols, rows);
    let title = |s: &Session| s.row(0);
    s.wait_for("the progress line", |s| {
        title(s).contains("0 accepted · 0 rejected")
    });
    // Accept two suggestions, reject one, make one from a selection.
    s.send(b"\t\r");
    s.wait_for("the first accept", |s| title(s).contains("1 accepted"));
    s.send(b"\t\r");
    s.wait_for("the second accept", |s| title(s).contains("2 accepted"));
    s.send(b"\tx");
    s.wait_for("the reject", |s| title(s).contains("1 rejected"));
    s.send(b"gv\x1b[D\x1b[D\x1b[D1");
    s.wait_for("the new span", |s| {
        title(s).contains("3 accepted · 1 rejected") && s.row(rows - 1).contains("added «")
    });
    let filled_before = filled(&s, 1);
    assert!(filled_before >= 4, "{}", s.screen_text());
    kill_9(&mut s);
    drop(s);

    // In the database, from another process's point of view.
    let text = std::fs::read_to_string(sample_path()).unwrap();
    let doc = raqim::document::Document::from_text("x", text.clone(), false, false);
    let mut store = raqim::store::Store::open(&db).unwrap();
    // The analyst's own layer, named by the login name.
    store.set_layer("e2e-analyst");
    let spans = store.spans(&doc.id()).unwrap();
    let states: Vec<&str> = spans.iter().map(|s| s.span.state.as_str()).collect();
    assert_eq!(
        states.iter().filter(|&&s| s == "accepted").count(),
        3,
        "{spans:?}"
    );
    assert_eq!(states.iter().filter(|&&s| s == "rejected").count(), 1);
    let made = &spans
        .iter()
        .find(|s| s.span.source == "analyst")
        .unwrap()
        .span;
    let word: String = text
        .chars()
        .skip(made.start)
        .take(made.end - made.start)
        .collect();
    assert_eq!(word, "هروب");
    assert!(
        spans.iter().all(|s| s.annotator == "e2e-analyst"),
        "{spans:?}"
    );
    drop(store);

    // Restarted: all four are there, on screen and in the counts, and undo reaches
    // back into the killed session.
    let mut s = Session::start_sized(&[SAMPLE], &env, cols, rows);
    s.wait_for("the restored progress", |s| {
        title(s).contains("3 accepted · 1 rejected") && filled(s, 1) == filled_before
    });
    s.send(b"u");
    s.wait_for("undo of the new span", |s| {
        title(s).contains("2 accepted · 1 rejected") && filled(s, 1) < filled_before
    });
    s.send(b"q");
}

fn sample_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)
}

#[test]
fn a_second_raqim_on_the_same_document_opens_it_read_only() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let env = [("RAQIM_DB", db.to_str().unwrap())];
    let mut first = Session::start_sized(&[SAMPLE], &env, 100, 30);
    first.wait_for("the first session", |s| s.row(0).contains("to review"));
    let mut second = Session::start_sized(&[SAMPLE], &env, 100, 30);
    second.wait_for("the read-only notice", |s| {
        s.row(0).contains("read-only") && s.row(29).contains("another raqim")
    });
    second.send(b"\t\r");
    second.wait_for("the refusal", |s| s.row(29).contains("read-only:"));
    assert!(second.row(0).contains("0 accepted"));
    // The first one works as usual, and the second follows it.
    first.send(b"\t\r");
    first.wait_for("the accept", |s| s.row(0).contains("1 accepted"));
    second.wait_for("the second following the first", |s| {
        s.row(0).contains("1 accepted") && s.row(0).contains("read-only")
    });
    // Once the first quits, the second takes the document over.
    first.send(b"q");
    second.wait_for("the take-over", |s| {
        !s.row(0).contains("read-only") && s.row(29).contains("yours to edit")
    });
    second.send(b"q");
}

#[test]
fn a_file_changed_since_it_was_annotated_is_not_silently_reannotated() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let file = home.path().join("article.txt");
    std::fs::write(&file, "قال الجيش السوري إن داعش انسحب\n").unwrap();
    let env = [("RAQIM_DB", db.to_str().unwrap())];
    let f = file.to_str().unwrap();
    let mut s = Session::start_sized(&[f], &env, 80, 12);
    s.wait_for("the article", |s| s.row(0).contains("to review"));
    s.send(b"\t\r");
    s.wait_for("the accept", |s| s.row(0).contains("1 accepted"));
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
    drop(s);
    std::fs::write(&file, "قال الجيش العراقي إن داعش انسحب\n").unwrap();
    // Asked before the screen is taken; `s` opens the annotated version.
    let mut s = Session::start_sized(&[f], &env, 80, 12);
    s.wait_for("the question", |s| {
        s.screen_text().contains("changed since it was annotated")
    });
    s.send(b"s\r");
    s.wait_for("the stored version", |s| s.row(0).contains("1 accepted"));
    assert!(!s.screen_text().contains("ﻲﻗﺍﺮﻌﻟﺍ"), "{}", s.screen_text());
    s.send(b"q");
    drop(s);
    // `--changed new` annotates the new text, from nothing.
    let mut s = Session::start_sized(&["--changed", "new", f], &env, 80, 12);
    s.wait_for("the new version", |s| {
        s.row(0).contains("0 accepted") && s.screen_text().contains("ﻲﻗﺍﺮﻌﻟﺍ")
    });
    s.send(b"q");
}

#[test]
fn a_corrupt_database_is_named_and_left_untouched_before_the_screen_is_taken() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let mut s = Session::start_sized(&["--db", db.to_str().unwrap(), SAMPLE], &[], 100, 12);
    s.wait_for("the error", |s| {
        s.screen_text().contains("corrupt") && s.screen_text().contains("left untouched")
    });
    assert!(s.screen_text().contains("raqim.db"), "{}", s.screen_text());
    assert!(!s.parser.screen().alternate_screen());
    let status = s.child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "not a byte changed");
}

#[test]
fn a_directory_opens_as_a_set_and_each_documents_work_is_kept_across_switches() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let dir = home.path().join("articles");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("1.txt"), "قال الجيش السوري إن داعش انسحب\n").unwrap();
    std::fs::write(dir.join("2.txt"), "وصل الوفد إلى دير الزور أمس\n").unwrap();
    std::fs::write(dir.join("notes.md"), "not an article").unwrap();
    let env = [("RAQIM_DB", db.to_str().unwrap())];
    let mut s = Session::start_sized(&[dir.to_str().unwrap()], &env, 100, 16);
    let title = |s: &Session| s.row(0);
    s.wait_for("the first of two", |s| {
        title(s).contains("1.txt (1/2)") && title(s).contains("0 accepted")
    });
    s.send(b"\t\r");
    s.wait_for("an accept", |s| title(s).contains("1 accepted"));
    s.send(b"]");
    s.wait_for("the second", |s| {
        title(s).contains("2.txt (2/2)") && title(s).contains("0 accepted")
    });
    s.send(b"\tx");
    s.wait_for("a reject", |s| title(s).contains("1 rejected"));
    s.send(b"L");
    s.wait_for("the list with both documents' progress", |s| {
        let t = s.screen_text();
        t.contains("documents: 2")
            && t.contains("1 accepted · 0 rejected")
            && t.contains("0 accepted · 1 rejected")
    });
    s.send(b"\x1b[A\r");
    s.wait_for("back to the first, its accept kept", |s| {
        title(s).contains("1.txt (1/2)") && title(s).contains("1 accepted")
    });
    s.send(b"q");
}

#[test]
fn the_log_gets_the_opening_and_each_action_and_the_terminal_gets_none_of_it() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let env = [
        ("RAQIM_DB", home.path().join("raqim.db")),
        ("XDG_STATE_HOME", state.clone()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.to_str().unwrap())).collect();
    let mut s = Session::start_sized(&[SAMPLE, "--log-level", "debug"], &env, 80, 24);
    let title = |s: &Session| s.row(0);
    s.wait_for("the progress line", |s| title(s).contains("0 accepted"));
    s.send(b"\t\r");
    s.wait_for("the accept", |s| title(s).contains("1 accepted"));
    s.send(b"u");
    s.wait_for("the undo", |s| title(s).contains("0 accepted"));
    s.send(b"q");
    s.wait_for("the terminal to be restored", |s| {
        !s.parser.screen().alternate_screen() && contains(&s.raw, b"\x1b[0 k")
    });
    let status = s.child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");

    let log = std::fs::read_to_string(state.join("raqim").join("raqim.log")).unwrap();
    let doc = Document::open(Path::new(SAMPLE), false).unwrap();
    for want in [
        "viewer: opened file=samples/deir-ez-zor.txt".to_string(),
        format!("doc={}", doc.id()),
        "store=db: ".to_string(),
        "viewer: the screen is taken".to_string(),
        "action: new accepted".to_string(),
        "kind=accept seq=1 took=".to_string(),
        "kind=undo seq=2 took=".to_string(),
        "DEBUG raqim{pid=".to_string(),
        "viewer: the terminal is restored".to_string(),
    ] {
        assert!(log.contains(&want), "no {want:?} in the log:\n{log}");
    }
    // Nothing of the log reached the terminal.
    assert!(!contains(&s.raw, b"INFO"), "the log went to the terminal");
    assert!(
        !contains(&s.raw, b"action:"),
        "the log went to the terminal"
    );
    // No line of the article, only span surfaces.
    for line in doc.text.lines().filter(|l| l.chars().count() > 60) {
        let head: String = line.chars().take(60).collect();
        assert!(!log.contains(&head), "the article's text is in the log");
    }
}

#[test]
fn mlterm_is_detected_and_its_own_bidi_and_shaping_are_switched_off_then_back_on() {
    let (expected, _) = expected_first_row();
    let mut s = Session::start_args(&[SAMPLE], &[("MLTERM", "3.9.3")]);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    assert!(contains(&s.raw, b"\x1b]5379;use_ctl=false\x07"));
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
    let off = find(&s.raw, b"use_ctl=false").unwrap();
    let on = rfind(&s.raw, b"\x1b]5379;use_ctl=true\x07").expect("mlterm's ctl back on");
    assert!(on > off);
    // The flag wins over the environment.
    let mut s = Session::start_args(&["--terminal", "xterm", SAMPLE], &[("MLTERM", "3.9.3")]);
    s.wait_for("the first article line", |s| s.row(1) == expected);
    assert!(!contains(&s.raw, b"5379"));
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
}

#[test]
fn terminal_check_keeps_the_line_the_analyst_picks_for_this_terminal() {
    let mut s = Session::start_args(&["terminal-check"], &[]);
    s.wait_for("the numbered lines", |s| {
        s.row(0).contains("which numbered line reads right") && s.row(2).contains('1')
    });
    s.send(b"2");
    s.wait_for("the pick kept", |s| {
        (0..s.rows).any(|y| s.row(y).contains("profile kitty kept"))
    });
    let picks = std::fs::read_to_string(s._home.path().join("raqim/terminals.toml")).unwrap();
    assert_eq!(picks, "\"xterm/xterm-256color\" = \"kitty\"\n");
}

#[test]
fn f_flags_a_suggestion_with_a_note_and_an_export_carries_it_and_every_document_of_the_set() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let dir = home.path().join("articles");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("1.txt"), "قال الجيش السوري إن داعش انسحب\n").unwrap();
    std::fs::write(dir.join("2.txt"), "وصل الوفد إلى دير الزور أمس\n").unwrap();
    std::fs::write(dir.join("3.txt"), "في دمشق\n").unwrap();
    let env = [("RAQIM_DB", db.to_str().unwrap())];
    let (cols, rows) = (100, 16);
    let mut s = Session::start_sized(&[dir.to_str().unwrap()], &env, cols, rows);
    let title = |s: &Session| s.row(0);
    let status = move |s: &Session| s.row(rows - 1);
    s.wait_for("the first of three", |s| title(s).contains("1.txt (1/3)"));
    s.send(b"\tf");
    s.wait_for("the note prompt", |s| {
        status(s).contains("flag ORG") && status(s).contains("(Enter: flag, Esc: cancel)")
    });
    // q and x are the note's letters here, not quit and reject.
    s.send(b"which army x q\r");
    s.wait_for("the flag said", |s| {
        status(s).contains("flagged ORG") && status(s).contains(": which army x q")
    });
    s.send(b"\x1b[C\x1b[D");
    s.wait_for("the mark in the status line", |s| {
        status(s).contains("⚑ span flagged: which army x q  ORG suggested")
    });
    s.send(b"F\r");
    s.wait_for("the document flagged", |s| {
        status(s).contains("flagged the document") && title(s).contains("2 flagged")
    });
    s.send(b"L");
    s.wait_for("the list with the flags", |s| {
        s.screen_text().contains("documents: 3") && s.screen_text().contains("2 flagged")
    });
    s.send(b"\x1b");
    s.send(b"q");
    let deadline = Instant::now() + TIMEOUT;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "raqim did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(s);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(["export", "--db", db.to_str().unwrap(), "--format", "jsonl"])
        .env("XDG_STATE_HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every document of the set, the two never opened too, named as the files are.
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    let first = &records[0];
    assert_eq!(first["flagged"], true, "{first}");
    // The flagged suggestion was never decided: it is no span of the export, so the
    // flag is listed in meta with its place and note.
    assert_eq!(
        first["meta"]["flags"],
        serde_json::json!([{"start": 4, "end": 16, "note": "which army x q"}])
    );
}

/// Columns of row `y` on a background, other than the current span's grey and the
/// cursor: an accepted span's fill.
fn fill_cols(s: &Session, y: u16) -> Vec<u16> {
    let screen = s.parser.screen();
    (0..s.cols)
        .filter(|&x| {
            screen.cell(y, x).is_some_and(|c| {
                !c.inverse() && !matches!(c.bgcolor(), vt100::Color::Default | CURRENT)
            })
        })
        .collect()
}

/// The current span's grey ground (ANSI colour 8).
const CURRENT: vt100::Color = vt100::Color::Idx(8);

/// Columns of row `y` on the current span's grey.
fn current_cols(s: &Session, y: u16) -> Vec<u16> {
    let screen = s.parser.screen();
    (0..s.cols)
        .filter(|&x| screen.cell(y, x).is_some_and(|c| c.bgcolor() == CURRENT))
        .collect()
}

fn glyphs(s: &Session, y: u16, cols: &[u16]) -> String {
    let screen = s.parser.screen();
    cols.iter()
        .filter_map(|&x| screen.cell(y, x))
        .map(|c| c.contents())
        .collect()
}

#[test]
fn at_40_columns_enter_shows_the_new_current_span_and_the_accepted_one_reads_as_in_the_article() {
    let mut s = Session::start(SAMPLE);
    s.wait_for("the compact progress in the title", |s| {
        s.row(0).contains(" to review · 0✓ · 0✗ · 0% ")
    });
    // Tab to the first suggestion (داعش), Enter: accepted, on to دير الزور.
    s.send(b"\t\r");
    s.wait_for("the new current span named first, then the accept", |s| {
        let status = s.row(ROWS - 1);
        status.starts_with(" LOC suggested ") && status.contains("» as ORG")
    });
    let status = s.row(ROWS - 1);
    // The accepted name in the status line, cell for cell as the article shows it.
    let fill = fill_cols(&s, 1);
    assert_eq!(fill.len(), 4, "{}", s.screen_text());
    let quoted = format!("accepted «{}» as ORG", glyphs(&s, 1, &fill));
    assert!(status.contains(&quoted), "{quoted:?} in {status:?}");
    // دير الزور is drawn whole as the current span; the cursor is its one
    // reversed cell.
    let lit = current_cols(&s, 1);
    assert_eq!(
        lit.len(),
        "دير الزور".chars().count(),
        "{}",
        s.screen_text()
    );
    let cursor = s.inverse_cols(1);
    assert_eq!(cursor.len(), 1);
    assert!(lit.contains(&cursor[0]), "{cursor:?} {lit:?}");
    // The search prompt: the caret at the end of the Arabic typed, on its left.
    s.send(b"/");
    s.send("دير".as_bytes());
    s.wait_for("the query and its caret", |s| {
        s.row(ROWS - 1).starts_with(" /▏ﺮﻳﺩ  (Enter")
    });
    s.send(b"\x1b");
    s.wait_for("the prompt closed", |s| !s.row(ROWS - 1).starts_with(" /"));
    s.send(b"q");
    s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
}

#[test]
fn a_reject_stays_in_its_document_and_the_memory_screen_forgets_and_undoes() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let dir = home.path().join("articles");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("1.txt"),
        "قال مسؤول في سوريا إن سوريا تحتاج المساعدة\n",
    )
    .unwrap();
    std::fs::write(dir.join("2.txt"), "وصل الوفد إلى سوريا أمس\n").unwrap();
    let env = [("RAQIM_DB", db.to_str().unwrap())];
    let mut s = Session::start_sized(&[dir.to_str().unwrap()], &env, 100, 16);
    let title = |s: &Session| s.row(0);
    let status = |s: &Session| s.row(15);
    s.wait_for("the first article, two suggestions", |s| {
        title(s).contains("1.txt (1/2)") && title(s).contains("2 to review")
    });
    s.send(b"\tx");
    s.wait_for("the reject saying what else went", |s| {
        status(s).contains("and 1 other suggestion of") && status(s).contains("withdrawn here")
    });
    s.wait_for("nothing left here", |s| title(s).contains("0 to review"));
    s.send(b"]");
    s.wait_for("the second article still gets it", |s| {
        title(s).contains("2.txt (2/2)") && title(s).contains("1 to review")
    });
    s.send(b"M");
    s.wait_for("the memory screen", |s| {
        let t = s.screen_text();
        t.contains("memory 1/1")
            && t.contains("0 accepted · 1 rejected · withdrawn in 1 document")
            && t.contains("d forget")
    });
    s.send(b"d");
    s.wait_for("the entry forgotten", |s| {
        s.screen_text().contains("memory: empty") && status(s).contains("u brings it back")
    });
    s.send(b"u");
    s.wait_for("the entry back", |s| {
        s.screen_text().contains("withdrawn in 1 document") && status(s).contains("undid: forget")
    });
    s.send(b"\x1b");
    s.wait_for("the memory screen closed", |s| {
        !s.screen_text().contains("d forget")
    });
    s.send(b"[");
    s.wait_for("the first article, its reject kept", |s| {
        title(s).contains("1.txt (1/2)") && title(s).contains("0 to review")
    });
    s.send(b"q");
}

/// A database with the first three newsfane texts (no spans), each assigned to both
/// amal and basel.
fn team_database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("team.db");
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/newsfane/dev.jsonl"),
    )
    .unwrap();
    let mut lines = String::new();
    for l in src.lines().take(3) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        lines.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": v["id"], "text": v["text"]})
        ));
    }
    let file = dir.join("texts.jsonl");
    std::fs::write(&file, lines).unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
            .args(args)
            .env("USER", "lead")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let d = db.to_str().unwrap();
    run(&[
        "import",
        "--db",
        d,
        "--format",
        "jsonl",
        file.to_str().unwrap(),
    ]);
    run(&[
        "assign",
        "--db",
        d,
        "--annotators",
        "amal,basel",
        "--per-doc",
        "2",
    ]);
    db
}

#[test]
fn two_analysts_review_their_queues_at_once_each_in_their_own_layer() {
    let home = tempfile::tempdir().unwrap();
    let db = team_database(home.path());
    let d = db.to_str().unwrap();
    // `raqim` with no file: each analyst's queue, both writable at the same time.
    let mut amal = Session::start_sized(&["--db", d], &[("USER", "amal")], 100, 30);
    let mut basel = Session::start_sized(&["--db", d], &[("USER", "basel")], 100, 30);
    for s in [&mut amal, &mut basel] {
        s.wait_for("the first document of the queue", |s| {
            s.row(0).contains("newsfane-0000") && s.row(0).contains("to review")
        });
        assert!(!s.row(0).contains("read-only"), "{}", s.screen_text());
    }
    amal.send(b"\t\r");
    amal.wait_for("amal's accept", |s| s.row(0).contains("1 accepted"));
    basel.send(b"\tx");
    basel.wait_for("basel's reject", |s| s.row(0).contains("1 rejected"));
    // Neither sees the other's decision.
    assert!(
        basel.row(0).contains("0 accepted"),
        "{}",
        basel.screen_text()
    );
    amal.send(b"D");
    amal.wait_for("the question", |s| s.row(29).contains("(y/n)"));
    amal.send(b"y");
    amal.wait_for("done", |s| {
        s.row(0).contains("done") || s.row(0).contains("100%")
    });
    // `L` lists the queue with each document's state in amal's layer.
    amal.send(b"L");
    amal.wait_for("the list", |s| s.screen_text().contains("newsfane-0002"));
    for s in [&mut amal, &mut basel] {
        s.send(b"\x1bq");
        s.wait_for("quit", |s| !s.parser.screen().alternate_screen());
    }
    drop((amal, basel));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(["status", "--db", d, "--format", "json"])
        .output()
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let who = |name: &str| {
        st["annotators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(who("amal")["started"], 1, "{st}");
    assert_eq!(who("amal")["done"], 1, "{st}");
    assert_eq!(who("amal")["spans"], 1, "{st}");
    assert_eq!(who("basel")["started"], 1, "{st}");
    assert_eq!(who("basel")["done"], 0, "{st}");
    assert_eq!(who("basel")["spans"], 0, "{st}");
    assert_eq!(st["documents"][0]["done_by"], serde_json::json!(["amal"]));
}

#[test]
fn with_nothing_assigned_raqim_without_a_file_says_how_to_get_work() {
    let home = tempfile::tempdir().unwrap();
    let db = team_database(home.path());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(["--db", db.to_str().unwrap()])
        .env("USER", "carim")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nothing is assigned to carim") && err.contains("raqim assign"),
        "{err}"
    );
}

/// Runs `raqim ARGS` to its end (never the user's settings or log), for what a test
/// needs done before or after the screen.
fn raqim_done(home: &Path, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_STATE_HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "raqim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn adjudicate_shows_the_variants_and_the_letter_taken_goes_to_gold() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("raqim.db");
    let db = db.to_str().unwrap();
    for who in ["amal", "basel", "carim"] {
        let file = format!("tests/fixtures/adjudicate/{who}.jsonl");
        raqim_done(
            home.path(),
            &[
                "import",
                "--format",
                "jsonl",
                "--as",
                "accepted",
                "--annotator",
                who,
                "--db",
                db,
                &file,
            ],
        );
    }
    let (cols, rows) = (100, 12);
    let args = ["adjudicate", "--db", db, "--annotator", "dina"];
    let mut s = Session::start_sized(&args, &[], cols, rows);
    let status = move |s: &Session| s.row(rows - 1);
    s.wait_for("the disagreements counted", |s| {
        s.row(0).contains("2 disagreements left")
    });
    // The cursor is on the first one, داعش, which carim left unmarked.
    s.wait_for("its variants named", |s| {
        status(s).contains("1/2 · a: amal, basel «") && status(s).contains("b: carim nothing")
    });
    s.send(b"\t");
    s.wait_for("the next one's variants", |s| {
        status(s).contains("2/2 · a: basel «")
            && status(s).contains("b: amal «")
            && status(s).contains("c: carim nothing")
    });
    s.send(b"t");
    s.wait_for("the letter asked for", |s| {
        status(s).contains("take which? a/b/c")
    });
    s.send(b"b");
    s.wait_for("amal's reading taken", |s| {
        status(s).contains("took b: amal · 1 disagreement left")
            && s.row(0).contains("1 disagreement left")
    });
    s.send(b"q");
    let deadline = Instant::now() + TIMEOUT;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "raqim did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(s);
    let out = raqim_done(
        home.path(),
        &["export", "--db", db, "--format", "jsonl", "--layer", "gold"],
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans: Vec<(u64, u64, &str, &str)> = record["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap(),
                s["source"].as_str().unwrap(),
            )
        })
        .collect();
    // What all three agreed on came in on opening; دير الزور is amal's.
    assert_eq!(
        spans,
        [
            (4, 16, "ORG", "adjudicated:amal,basel,carim"),
            (34, 43, "LOC", "adjudicated:amal"),
        ]
    );
}
