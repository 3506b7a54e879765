//! Says, in plain `cargo test` output, whether the PostgreSQL tests ran (issue 16).
//!
//! Those tests return early when [`testing::server`] is `None` (no `initdb` and
//! `pg_ctl` installed), and pass. libtest captures what a passing test prints, on
//! standard output and standard error alike, so their own notice is never seen. This
//! target has no test harness (`harness = false` in Cargo.toml): cargo runs it as a
//! plain program with the terminal's output, so its one line always shows. A build
//! script's `cargo:warning` would show too, but on every `cargo build` of anyone
//! building raqim, tests or not.
//!
//! With `RAQIM_PG_TESTS=require` (as `.ci/run` sets), a server that cannot be had
//! fails the tests instead (see [`testing::server`]).

use raqim::store::pg::testing;

fn main() {
    // `--list` (IDEs, cargo-nextest): no tests of the harness's kind here.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    match testing::server() {
        Some(_) => println!("PostgreSQL tests: run against a throwaway server (initdb, pg_ctl)"),
        None => println!(
            "PostgreSQL tests: SKIPPED, no PostgreSQL server programs (initdb, pg_ctl) here; \
             install them (`apt-get install postgresql`) to run them, and set \
             RAQIM_PG_TESTS=require to fail instead of skipping"
        ),
    }
}
