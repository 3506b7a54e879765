//! The password of a server connection, never from the URL: `PGPASSWORD`, else the
//! password file (`PGPASSFILE`, else `~/.pgpass`), read as libpq reads it. No crate
//! for this is both small and maintained, so this is the parser: lines
//! `host:port:db:user:password`, `#` comments, a field that is just `*` matching
//! anything, `\:` and `\\` escaping; the first matching line wins. A file that its
//! group or others may read is ignored with a warning (in the log), as libpq does.
//! Must not: show a password anywhere.

use std::path::{Path, PathBuf};

/// What a connection is to: matched against the file's first four fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// The host name; `localhost` for a Unix socket, as libpq matches it.
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password for `target`: `PGPASSWORD`, else the password file's.
pub fn password(target: &Target) -> Option<String> {
    if let Some(p) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(p.to_string_lossy().into_owned());
    }
    let file = std::env::var_os("PGPASSFILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    from_file(&file, target)
}

/// The password `file` gives for `target`, if it is readable, private and has one.
pub fn from_file(file: &Path, target: &Target) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "password file {} has group or world access; permissions should be u=rw \
                 (0600) or less; it was not read",
                file.display()
            );
            return None;
        }
    }
    lookup(&std::fs::read_to_string(file).ok()?, target)
}

/// The password of the first line of `text` (a password file) that matches `target`.
pub fn lookup(text: &str, target: &Target) -> Option<String> {
    let port = target.port.to_string();
    let wanted = [target.host, port.as_str(), target.dbname, target.user];
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(fields)
        .find(|(f, _)| {
            f.iter()
                .zip(wanted)
                .all(|((text, escaped), w)| (text == "*" && !escaped) || text == w)
        })
        .map(|(_, password)| password)
}

/// A line's four fields (each unescaped, with whether it had an escape: `\*` is a
/// star, not the wildcard) and its password (the rest of the line, unescaped); `None`
/// when it has fewer than five fields.
fn fields(line: &str) -> Option<(Vec<(String, bool)>, String)> {
    let mut out: Vec<(String, bool)> = vec![(String::new(), false)];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let fields = out.len();
        let field = out.last_mut()?;
        match c {
            '\\' => {
                field.0.extend(chars.next());
                field.1 = true;
            }
            ':' if fields < 5 => out.push((String::new(), false)),
            c => field.0.push(c),
        }
    }
    if out.len() < 5 {
        return None;
    }
    let (password, _) = out.pop()?;
    Some((out, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target = Target {
        host: "db.example.org",
        port: 5432,
        dbname: "team",
        user: "amal",
    };

    #[test]
    fn the_first_matching_line_wins_with_wildcards_escapes_and_comments() {
        let file = "\
# a comment:with:colons:and:words
other.example.org:5432:team:amal:wrong-host
db.example.org:5433:team:amal:wrong-port
db.example.org:*:team:amal:p\\:a\\\\ss:word
*:*:*:*:fallback
";
        assert_eq!(lookup(file, &TARGET).as_deref(), Some("p:a\\ss:word"));
        let basel = Target {
            user: "basel",
            ..TARGET
        };
        assert_eq!(lookup(file, &basel).as_deref(), Some("fallback"));
        // Fewer than five fields: not a line the file has; CRLF ends a line too.
        assert_eq!(lookup("db.example.org:5432:team:amal", &TARGET), None);
        assert_eq!(
            lookup("*:*:*:amal:crlf\r\n", &TARGET).as_deref(),
            Some("crlf")
        );
        // An escaped colon in a field is part of it; an escaped star is a star.
        let odd = Target {
            dbname: "a:b",
            ..TARGET
        };
        assert_eq!(lookup("*:*:a\\:b:amal:x", &odd).as_deref(), Some("x"));
        assert_eq!(lookup("*:*:\\*:amal:x", &TARGET), None);
        assert_eq!(lookup("", &TARGET), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_others_may_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:secret\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(from_file(&file, &TARGET).as_deref(), Some("secret"));
        for mode in [0o640, 0o604] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(from_file(&file, &TARGET), None, "mode {mode:o}");
        }
        assert_eq!(from_file(&dir.path().join("missing"), &TARGET), None);
    }
}
