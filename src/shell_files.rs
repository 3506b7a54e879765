//! Shell completions and man pages, generated from the command-line definition
//! (`clap_complete`, `clap_mangen`) so they never fall behind it, and written where
//! the shells and `man` look for a user's own files. Knows nothing of the review.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Command;
use clap_complete::Shell;

/// One file written, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub what: String,
}

/// Where each shell finds a user's completions, under the data directory `data`
/// (`$XDG_DATA_HOME`, else `~/.local/share`): bash-completion and fish look there by
/// themselves; zsh needs the directory in `fpath`.
fn completion_path(data: &Path, shell: Shell) -> PathBuf {
    match shell {
        Shell::Bash => data.join("bash-completion/completions/raqim"),
        Shell::Zsh => data.join("zsh/site-functions/_raqim"),
        Shell::Fish => data.join("fish/vendor_completions.d/raqim.fish"),
        Shell::Elvish => data.join("elvish/lib/raqim.elv"),
        _ => data.join("powershell/raqim.ps1"),
    }
}

/// Writes completions for bash, zsh, fish and elvish, and a man page for `raqim` and
/// one per subcommand (`raqim-import.1`, ...), under `data`. Each file is written
/// whole to a temporary file beside it and renamed over the old one, so a failed run
/// leaves the previous files as they were.
pub fn install(cmd: &Command, data: &Path) -> anyhow::Result<Vec<Written>> {
    let mut written = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish] {
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "raqim", &mut bytes);
        let path = completion_path(data, shell);
        write_whole(&path, &bytes)?;
        written.push(Written {
            path,
            what: format!("{shell} completions"),
        });
    }
    for (name, page) in man_pages(cmd)? {
        let path = data.join("man/man1").join(format!("{name}.1"));
        write_whole(&path, &page)?;
        written.push(Written {
            path,
            what: format!("man page {name}(1)"),
        });
    }
    Ok(written)
}

/// The man pages: `raqim` itself, then `raqim-SUB` for each subcommand, each page
/// naming its subcommand as it is typed (`raqim import`).
pub fn man_pages(cmd: &Command) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = cmd.clone();
    cmd.build();
    let mut pages = Vec::new();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .context("rendering the man page of raqim")?;
    pages.push(("raqim".to_string(), page));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("raqim-{}", sub.get_name());
        let mut page = Vec::new();
        clap_mangen::Man::new(
            sub.clone()
                .name(name.clone())
                .bin_name(format!("raqim {}", sub.get_name())),
        )
        .render(&mut page)
        .with_context(|| format!("rendering the man page of {name}"))?;
        pages.push((name, page));
    }
    Ok(pages)
}

fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().expect("a file under a directory");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension("raqim-tmp");
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> Command {
        Command::new("raqim")
            .about("review entities")
            .arg(clap::Arg::new("db").long("db").help("the database"))
            .subcommand(
                Command::new("import")
                    .about("add documents")
                    .arg(clap::Arg::new("format").long("format")),
            )
    }

    #[test]
    fn completions_and_pages_go_where_the_shells_and_man_look() {
        let dir = tempfile::tempdir().unwrap();
        let written = install(&cli(), dir.path()).unwrap();
        let bash =
            std::fs::read_to_string(dir.path().join("bash-completion/completions/raqim")).unwrap();
        assert!(bash.contains("--db"), "bash completes the flags");
        assert!(bash.contains("import"), "and the subcommands");
        let zsh = std::fs::read_to_string(dir.path().join("zsh/site-functions/_raqim")).unwrap();
        assert!(zsh.starts_with("#compdef raqim"));
        assert!(
            dir.path()
                .join("fish/vendor_completions.d/raqim.fish")
                .exists()
        );
        let page = std::fs::read_to_string(dir.path().join("man/man1/raqim.1")).unwrap();
        assert!(page.contains(".TH raqim"), "{page}");
        let sub = std::fs::read_to_string(dir.path().join("man/man1/raqim-import.1")).unwrap();
        assert!(sub.contains("\\-\\-format"), "{sub}");
        assert!(sub.contains("raqim import") || sub.contains("raqim\\-import"));
        assert_eq!(written.len(), 4 + 2);
        // No temporary file is left behind.
        let mut left = Vec::new();
        for e in walk(dir.path()) {
            if e.to_string_lossy().ends_with("raqim-tmp") {
                left.push(e);
            }
        }
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_place_that_cannot_be_written_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = install(&cli(), &blocker).unwrap_err();
        assert!(format!("{err:#}").contains("file"), "{err:#}");
    }

    fn walk(p: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
