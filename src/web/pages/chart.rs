//! What the drawn pages share: office time written as people read it, the
//! arrowhead of the workflow's arrows, and (for tests) a board context on a
//! temporary database. Drawings are SVG written with maud, so every text
//! from workflow.yaml or the database is escaped like any other markup, and
//! coloured with attributes (the Content-Security-Policy allows no inline
//! style).

use maud::{Markup, html};

/// Office time in minutes as people read it: `45 mnt`, `3 j 15 mnt`.
pub(crate) fn durasi(minutes: f64) -> String {
    let m = minutes.round().max(0.0) as u64;
    match (m / 60, m % 60) {
        (0, m) => format!("{m} mnt"),
        (h, 0) => format!("{h} j"),
        (h, m) => format!("{h} j {m} mnt"),
    }
}

/// A step's standard time (`time:`), or `-`.
pub(crate) fn standar(time: Option<std::time::Duration>) -> String {
    time.map(|t| durasi(t.as_secs_f64() / 60.0)).unwrap_or_else(|| "-".into())
}

/// The arrowhead an arrow ends with (`marker-end="url(#ID)"`); `id` is a
/// constant of the page, never text from a file.
pub(crate) fn arrowhead(id: &'static str) -> Markup {
    html! {
        defs {
            marker id=(id) viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                path d="M0,0 L10,5 L0,10 z" fill="#1c2430" {}
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A [`Ctx`] on a temporary database and workflow file, for rendering
    //! pages in tests.

    use crate::config::{Config, Overrides};
    use crate::store::db::Db;
    use crate::web::{Ctx, Viewer};
    use crate::workflow::Workflow;
    use std::path::PathBuf;
    use std::sync::Arc;

    pub(crate) struct Board {
        pub dir: tempfile::TempDir,
        pub ctx: Ctx,
    }

    impl Board {
        /// The board of an office whose workflow.yaml is `yaml` (in use,
        /// and on disk at `cfg.workflow`), at `now`.
        pub(crate) fn new(yaml: &str, now: &str) -> Board {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("workflow.yaml");
            std::fs::write(&file, yaml).unwrap();
            let wf = Workflow::load(Some(&file)).unwrap().0;
            let db_path = dir.path().join("data/suratd.db");
            let ov = Overrides {
                root: Some(dir.path().join("share")),
                workflow: Some(file),
                database: Some(db_path.clone()),
            };
            let cfg = Config::load(Some(&Self::config_file(&dir)), &ov).unwrap();
            let ctx = Ctx {
                db: Db::open(&db_path).unwrap(),
                wf: Arc::new(wf),
                cfg: Arc::new(cfg),
                viewer: Viewer::server_admin(),
                now: chrono::DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
            };
            Board { dir, ctx }
        }

        fn config_file(dir: &tempfile::TempDir) -> PathBuf {
            let p = dir.path().join("suratd.yaml");
            std::fs::write(&p, "log:\n  level: warn\n").unwrap();
            p
        }

        /// The workflow file on disk.
        pub(crate) fn workflow_file(&self) -> PathBuf {
            self.dir.path().join("workflow.yaml")
        }

        /// A letter and its moves: `(at, from, to)` with times in RFC 3339.
        pub(crate) fn letter(&self, id: &str, subject: &str, moves: &[(&str, &str, &str)]) {
            let c = &self.ctx.db.conn;
            let (step, at) = moves.last().map(|(at, _, to)| (*to, *at)).unwrap_or(("draf", "2026-01-05T01:00:00Z"));
            c.execute(
                "INSERT INTO letters (id, year, seq, subject, drafter, state, step, sha256, size, mtime_ns, created_at, step_since)
                 VALUES (?1, 2026, (SELECT COUNT(*) + 1 FROM letters), ?2, 'budi', 'active', ?3, 'x', 1, 0, ?4, ?4)",
                rusqlite::params![id, subject, step, at],
            )
            .unwrap();
            for (at, from, to) in moves {
                let at = chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc().to_rfc3339();
                c.execute(
                    "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified)
                     VALUES (?1, ?2, ?3, ?4, 'pindah', 'budi', 1)",
                    rusqlite::params![id, at, from, to],
                )
                .unwrap();
            }
        }
    }

    /// Whether `html` carries markup an attacker wrote: a raw `<script>`
    /// tag or an `<svg onload=` element (escaped, they read `&lt;script&gt;`).
    pub(crate) fn has_raw_injection(html: &str) -> bool {
        let lower = html.to_lowercase();
        lower.contains("<script>") || lower.contains("<svg onload")
    }
}
