//! Who may write which layer on a team server (issue 16): an annotator writes only
//! their own layer, `gold` only a curator. Two guards, the same rule:
//!
//! - the server's, for annotators who connect as themselves: [`script`] writes the SQL
//!   (`raqim db roles`) that makes a PostgreSQL role per person, two group roles
//!   ([`ANNOTATOR_ROLE`], [`CURATOR_ROLE`]), their grants, and row-level security on
//!   the layered tables, so that plain SQL (psql, another program) cannot write
//!   another's layer either;
//! - raqim's own, before anything is sent: [`Member::may_write`], asked by the store
//!   for each layer it is about to write ([`PgStore::may_write`]), so the refusal is a
//!   message naming the layer and the user rather than the server's "row-level
//!   security" error or an update that silently changed nothing.
//!
//! What each table allows a team member (the choices, and why):
//! - `spans`, `actions`, `flags`, `layers` (every row has a `layer`): everyone reads
//!   every row (agreement, status, adjudication and the team's memory read all
//!   layers; blind annotation is the memory's business, not a secret), and inserts,
//!   updates or deletes only rows whose `layer` is their own role's name, and a
//!   curator also those of `gold`. A row cannot be moved into another layer either
//!   (the same test applies to the new row). Rows of other layers are invisible to
//!   an UPDATE or DELETE: it changes zero rows, without an error; an INSERT (or an
//!   UPDATE moving a row) into another layer is an error ("new row violates
//!   row-level security policy").
//! - `documents`: read, insert (opening a new article adds it; an import adds its
//!   texts) and update only `record_id` and `foreign_fields` (an import keeps the
//!   record's id and fields). Never the text, name or id: a document's id is the hash
//!   of its text, and every layer's offsets point into that text. No delete.
//! - `paths` (which file was which document, on someone's machine): read, insert and
//!   update (opening a moved or changed file records it again). No delete.
//! - `memory` (the team's learned suggestions, one row): read, insert, update; it
//!   learns from everyone's decisions, so everyone's raqim saves it.
//! - `annotator_memory` (one's own suggestions, `learning = "annotator"`): read all,
//!   write only the row named as oneself.
//! - `assignments`: read (one's queue); only a curator inserts (`raqim assign`).
//! - `raqim_schema`: read. Migrating the schema is the owner's: an annotator's raqim
//!   refuses to start on a database that would need it.
//! - The identity sequences behind the ids: USAGE (inserting takes a number).
//!
//! Not forced on the owner: tables stay `ENABLE`d, not `FORCE`d, for row-level
//! security. The role that made the schema (it ran the migrations: an administrator)
//! and superusers bypass the policies, as they can drop them anyway; no annotator or
//! curator owns a table. Roles are the server's (for every database on it); grants
//! and policies are the connected database's. Run the script again after raqim
//! migrates the schema (new tables) or to add people; it only adds, and replaces its
//! own policies. Passwords are not set here: `\password amal` in psql, or whatever
//! authentication the server's `pg_hba.conf` names (certificates, peer, GSSAPI).
//!
//! On a SQLite file there are no users to tell apart: whoever may write the file may
//! write any layer of it, and raqim's checks are guard rails against mistakes, not
//! security (an annotator's viewer opens their own layer, `gold` is opened for
//! writing only by `raqim adjudicate`, and an import names its layers). Must not:
//! know the terminal.

use std::fmt::Write as _;
use std::path::Path;

use super::PgStore;
use crate::store::{GOLD, Store, StoreError, check_annotator};

/// The group role every annotator is a member of.
pub const ANNOTATOR_ROLE: &str = "raqim_annotator";
/// The group role whose members write `gold`.
pub const CURATOR_ROLE: &str = "raqim_curator";

/// The tables whose rows each belong to a layer.
const LAYERED: [&str; 4] = ["spans", "actions", "flags", "layers"];

/// Role names PostgreSQL keeps for itself, or that would stand for another thing in
/// a policy.
const RESERVED: [&str; 7] = [
    "public",
    "none",
    "current_user",
    "current_role",
    "session_user",
    ANNOTATOR_ROLE,
    CURATOR_ROLE,
];

/// Refuses a name that cannot be both a layer and a PostgreSQL role of that exact
/// name: PostgreSQL cuts names at 63 bytes (the role would then not match the
/// layer), keeps `pg_` names and a few others for itself, and `gold` is no person.
pub fn check_role_name(name: &str) -> Result<(), String> {
    check_annotator(name)?;
    if name.len() > 63 {
        return Err(format!(
            "{name:?} is {} bytes long; PostgreSQL's role names are at most 63 bytes",
            name.len()
        ));
    }
    if name.starts_with("pg_") {
        return Err(format!(
            "{name:?}: role names beginning with pg_ are PostgreSQL's own"
        ));
    }
    if RESERVED.contains(&name.to_lowercase().as_str()) {
        return Err(format!(
            "{name:?} is a name PostgreSQL or raqim keeps for a role of its own"
        ));
    }
    Ok(())
}

/// `name` as an SQL identifier, quoted: its case and any character kept as written.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A dollar-quote tag that `body` does not contain.
fn dollar_tag(body: &str) -> String {
    let mut n = 0;
    loop {
        let tag = format!("$r{n}$");
        if !body.contains(&tag) {
            return tag;
        }
        n += 1;
    }
}

/// A `DO` block running `body` (PL/pgSQL statements).
fn do_block(out: &mut String, body: &str) {
    let tag = dollar_tag(body);
    let _ = writeln!(out, "DO {tag}\nBEGIN\n{body}END\n{tag};");
}

/// The SQL that makes the roles and grants and turns row-level security on, for
/// these annotators and curators (a person may be both). One transaction; running
/// it again changes nothing but what is new. An error names a name that cannot be
/// a role.
pub fn script(annotators: &[String], curators: &[String]) -> Result<String, String> {
    if annotators.is_empty() && curators.is_empty() {
        return Err("no one named: give --annotators NAME,... and/or --curators NAME,...".into());
    }
    for name in annotators.iter().chain(curators) {
        check_role_name(name)?;
    }
    let team = format!("{ANNOTATOR_ROLE}, {CURATOR_ROLE}");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- raqim: roles and row-level security for a team server (`raqim db roles`).\n\
         -- Run as the owner of raqim's tables (who ran raqim first on this database)\n\
         -- or a superuser, once raqim has made the schema; again after an upgrade\n\
         -- migrates it, or to add people. Passwords are not set here (psql: \\password NAME).\n\
         BEGIN;\n"
    );
    let _ = writeln!(s, "-- The two groups: a person's rights come from them.");
    for group in [ANNOTATOR_ROLE, CURATOR_ROLE] {
        do_block(
            &mut s,
            &format!(
                "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {lit}) THEN\n    CREATE ROLE {id} NOLOGIN;\n  END IF;\n",
                lit = literal(group),
                id = ident(group)
            ),
        );
    }
    let _ = writeln!(
        s,
        "\n-- One login role per person, named exactly as their layer."
    );
    let mut people: Vec<(&str, &str)> = annotators
        .iter()
        .map(|n| (n.as_str(), ANNOTATOR_ROLE))
        .collect();
    people.extend(curators.iter().map(|n| (n.as_str(), CURATOR_ROLE)));
    let mut made: Vec<&str> = Vec::new();
    for (name, group) in &people {
        if !made.contains(name) {
            made.push(name);
            do_block(
                &mut s,
                &format!(
                    "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {lit}) THEN\n    CREATE ROLE {id} LOGIN;\n  END IF;\n",
                    lit = literal(name),
                    id = ident(name)
                ),
            );
        }
        let _ = writeln!(s, "GRANT {} TO {};", ident(group), ident(name));
    }
    let _ = writeln!(s, "\n-- Reaching the database and its tables.\n");
    do_block(
        &mut s,
        &format!(
            "  EXECUTE format('GRANT CONNECT ON DATABASE %I TO {team}', current_database());\n  EXECUTE format('GRANT USAGE ON SCHEMA %I TO {team}', current_schema());\n"
        ),
    );
    let _ = writeln!(
        s,
        "GRANT SELECT ON raqim_schema, documents, paths, memory, annotator_memory, assignments TO {team};\n\
         GRANT INSERT, UPDATE (record_id, foreign_fields) ON documents TO {team};\n\
         GRANT INSERT, UPDATE ON paths, memory, annotator_memory TO {team};\n\
         GRANT INSERT ON assignments TO {CURATOR_ROLE};\n\
         GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {team};",
        LAYERED.join(", ")
    );
    let mut seqs = String::new();
    for (table, column) in [
        ("documents", "ord"),
        ("spans", "id"),
        ("actions", "seq"),
        ("flags", "id"),
        ("assignments", "id"),
        ("layers", "id"),
    ] {
        let _ = writeln!(
            seqs,
            "  EXECUTE format('GRANT USAGE ON SEQUENCE %s TO {team}', pg_get_serial_sequence({}, {}));",
            literal(table),
            literal(column)
        );
    }
    do_block(&mut s, &seqs);
    let _ = writeln!(
        s,
        "\n-- Rows with a layer: everyone reads them all; each writes their own layer,\n\
         -- a curator also gold. Not FORCEd: the tables' owner (an administrator) and\n\
         -- superusers are not held by the policies."
    );
    for table in LAYERED {
        let _ = writeln!(
            s,
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n\
             DROP POLICY IF EXISTS raqim_read ON {table};\n\
             CREATE POLICY raqim_read ON {table} FOR SELECT TO {team} USING (true);\n\
             DROP POLICY IF EXISTS raqim_own_layer ON {table};\n\
             CREATE POLICY raqim_own_layer ON {table} FOR ALL TO {team}\n  USING (layer = current_user) WITH CHECK (layer = current_user);\n\
             DROP POLICY IF EXISTS raqim_gold ON {table};\n\
             CREATE POLICY raqim_gold ON {table} FOR ALL TO {CURATOR_ROLE}\n  USING (layer = {gold}) WITH CHECK (layer = {gold});",
            gold = literal(GOLD)
        );
    }
    let _ = writeln!(
        s,
        "\n-- One's own memory only.\n\
         ALTER TABLE annotator_memory ENABLE ROW LEVEL SECURITY;\n\
         DROP POLICY IF EXISTS raqim_read ON annotator_memory;\n\
         CREATE POLICY raqim_read ON annotator_memory FOR SELECT TO {team} USING (true);\n\
         DROP POLICY IF EXISTS raqim_own_memory ON annotator_memory;\n\
         CREATE POLICY raqim_own_memory ON annotator_memory FOR ALL TO {team}\n  USING (annotator = current_user) WITH CHECK (annotator = current_user);\n\
         \nCOMMIT;"
    );
    Ok(s)
}

/// Who a connection to the server is, as far as the layers go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The role connected (`current_user`).
    pub user: String,
    /// A superuser, a role that bypasses row-level security, or the tables' owner:
    /// held by no policy, so raqim checks nothing for it either.
    pub privileged: bool,
    /// A member of [`ANNOTATOR_ROLE`].
    pub annotator: bool,
    /// A member of [`CURATOR_ROLE`].
    pub curator: bool,
}

/// Asks the server who this connection is ([`Member`]); works before the roles or
/// even the schema exist.
const WHO: &str = "SELECT current_user::text, \
     r.rolsuper OR r.rolbypassrls OR coalesce((SELECT pg_has_role(current_user, c.relowner, 'USAGE') \
        FROM pg_class c WHERE c.oid = to_regclass('spans')), false), \
     EXISTS (SELECT FROM pg_roles g WHERE g.rolname = 'raqim_annotator' \
        AND pg_has_role(current_user, g.oid, 'MEMBER')), \
     EXISTS (SELECT FROM pg_roles g WHERE g.rolname = 'raqim_curator' \
        AND pg_has_role(current_user, g.oid, 'MEMBER')) \
     FROM pg_roles r WHERE r.rolname = current_user";

impl Member {
    /// Whether the row-level security of [`script`] holds this connection.
    pub fn held(&self) -> bool {
        !self.privileged && (self.annotator || self.curator)
    }

    /// Refuses, before it is sent, a write the server's policies would refuse: into
    /// a layer other than the user's own, or `gold` by someone not a curator.
    pub fn may_write(&self, layer: &str) -> Result<(), String> {
        if !self.held() || layer == self.user || (layer == GOLD && self.curator) {
            return Ok(());
        }
        let user = &self.user;
        Err(if layer == GOLD {
            format!(
                "{user} may not write gold: only a curator (a member of {CURATOR_ROLE}) does; nothing was written"
            )
        } else {
            format!(
                "{user} may write only their own layer, not {layer:?} (connect as {layer} for that, or give --annotator {user}); nothing was written"
            )
        })
    }

    /// Refuses giving out documents to anyone but a curator (when held).
    pub fn may_assign(&self) -> Result<(), String> {
        if !self.held() || self.curator {
            return Ok(());
        }
        Err(format!(
            "{} may not give out documents: only a curator (a member of {CURATOR_ROLE}) does; nothing was written",
            self.user
        ))
    }
}

impl PgStore {
    /// Who this connection is, asked once.
    pub fn member(&self) -> Result<&Member, StoreError> {
        if let Some(m) = self.member.get() {
            return Ok(m);
        }
        let row = self.client().query_one(WHO, &[]).map_err(|e| self.sq(e))?;
        let m = Member {
            user: row.get(0),
            privileged: row.get(1),
            annotator: row.get(2),
            curator: row.get(3),
        };
        Ok(self.member.get_or_init(|| m))
    }

    /// Refuses a write into `layer` that this connection's roles do not allow
    /// ([`Member::may_write`]), before anything is sent.
    pub fn may_write(&self, layer: &str) -> Result<(), StoreError> {
        let m = self.member()?;
        m.may_write(layer).map_err(|detail| StoreError::Forbidden {
            path: self.path.clone(),
            detail,
        })
    }

    /// Refuses `raqim assign` to a connection that is not a curator's.
    pub fn may_assign(&self) -> Result<(), StoreError> {
        let m = self.member()?;
        m.may_assign().map_err(|detail| StoreError::Forbidden {
            path: self.path.clone(),
            detail,
        })
    }

    /// Runs a script of [`script`] on this database, as the connected user (who must
    /// be allowed to make roles and own the tables).
    pub fn apply_roles(&self, script: &str) -> Result<(), StoreError> {
        self.client().batch_execute(script).map_err(|e| self.sq(e))
    }
}

/// `raqim db roles --apply`: makes the schema at `path` if needed (as the connected,
/// privileged user), then runs `script` there. A SQLite file is refused: it has no
/// users to tell apart.
pub fn apply(path: &Path, script: &str) -> Result<(), StoreError> {
    if super::PgUrl::of(path).is_none() {
        return Err(StoreError::BadUrl {
            path: path.to_path_buf(),
            why: "roles are a PostgreSQL server's; expected a postgresql:// URL (a SQLite file is guarded by its file permissions)".to_string(),
        });
    }
    match Store::open(path)? {
        Store::Pg(pg) => pg.apply_roles(script),
        Store::Sqlite(_) => unreachable!("a postgresql:// URL opens a server"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_script_quotes_every_name_and_refuses_those_that_cannot_be_roles() {
        let s = script(&names(&["amal", "Ba\"sel", "أمل"]), &names(&["rana"])).unwrap();
        assert!(s.contains("CREATE ROLE \"Ba\"\"sel\" LOGIN"), "{s}");
        assert!(s.contains("rolname = 'Ba\"sel'"), "{s}");
        assert!(s.contains("GRANT \"raqim_annotator\" TO \"أمل\";"), "{s}");
        assert!(s.contains("GRANT \"raqim_curator\" TO \"rana\";"), "{s}");
        assert!(
            s.trim_start().starts_with("--") && s.contains("BEGIN;") && s.ends_with("COMMIT;\n")
        );
        for bad in ["gold", "pg_amal", "public", "raqim_curator", "", " amal"] {
            assert!(script(&names(&[bad]), &[]).is_err(), "{bad:?} was taken");
        }
        // 32 two-byte letters: 64 bytes, one over PostgreSQL's limit.
        let long = "ب".repeat(32);
        let e = script(&names(&[&long]), &[]).unwrap_err();
        assert!(e.contains("63 bytes"), "{e}");
        // A name holding the first dollar tag gets another one.
        let s = script(&names(&["a$r0$b"]), &[]).unwrap();
        assert!(s.contains("DO $r1$"), "{s}");
    }

    #[test]
    fn an_annotator_may_write_their_own_layer_and_a_curator_gold() {
        let basel = Member {
            user: "basel".into(),
            privileged: false,
            annotator: true,
            curator: false,
        };
        assert!(basel.may_write("basel").is_ok());
        let e = basel.may_write("amal").unwrap_err();
        assert!(
            e.contains("basel may write only their own layer") && e.contains("amal"),
            "{e}"
        );
        assert!(
            basel
                .may_write(GOLD)
                .unwrap_err()
                .contains("only a curator")
        );
        assert!(basel.may_assign().is_err());
        let rana = Member {
            user: "rana".into(),
            curator: true,
            annotator: false,
            ..basel.clone()
        };
        assert!(rana.may_write(GOLD).is_ok() && rana.may_write("rana").is_ok());
        assert!(rana.may_write("amal").is_err() && rana.may_assign().is_ok());
        // The owner, or someone outside the team's roles: the server decides.
        let owner = Member {
            privileged: true,
            ..basel.clone()
        };
        assert!(owner.may_write("amal").is_ok() && owner.may_write(GOLD).is_ok());
        let outsider = Member {
            annotator: false,
            ..basel
        };
        assert!(outsider.may_write("amal").is_ok());
    }
}
