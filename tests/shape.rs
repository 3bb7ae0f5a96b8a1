//! The shape of `src/` as a habit: functions readable on one screen, module
//! files of a size one can hold in mind, no import cycles between modules,
//! storage that does not import the decision, and SQL only in `store/`.
//! Test modules (from `#[cfg(test)]` on) are left out of every count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 120;
const MAX_FILE_LINES: usize = 800;

/// Every `.rs` file under `src/`, with its module path (`store::db`) and its
/// lines up to the first test module.
fn modules() -> Vec<(String, PathBuf, Vec<String>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "main.rs"))
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let lines: Vec<String> =
                text.lines().take_while(|l| !l.trim_start().starts_with("#[cfg(test)]")).map(String::from).collect();
            (parts.join("::"), p, lines)
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A line without string literals and comments, for counting braces.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_str => {
                chars.next();
            }
            '"' => in_str = !in_str,
            '/' if !in_str && chars.peek() == Some(&'/') => break,
            '\'' if !in_str => {
                // A char literal such as '{' or '\'' (a lifetime has no closing quote).
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    chars.nth(2);
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                }
            }
            _ if !in_str => out.push(c),
            _ => {}
        }
    }
    out
}

/// (length in lines, name) of every function with a body.
fn functions(lines: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        // `pub`, `pub(crate)`, `pub(super)`, `pub(in …)`.
        let t = match t.strip_prefix("pub(") {
            Some(rest) => rest.split_once(") ").map_or(t, |(_, after)| after),
            None => t.strip_prefix("pub ").unwrap_or(t),
        };
        let t = t.strip_prefix("const ").unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else { continue };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let (mut depth, mut started) = (0i64, false);
        for (j, l2) in lines.iter().enumerate().skip(i) {
            let c = code_of(l2);
            if !started && c.contains(';') && !c.contains('{') {
                break;
            }
            depth += c.matches('{').count() as i64 - c.matches('}').count() as i64;
            started |= c.contains('{');
            if started && depth <= 0 {
                out.push((j - i + 1, name.clone()));
                break;
            }
        }
    }
    out
}

#[test]
fn functions_fit_on_a_screen_and_files_in_a_mind() {
    let mut long = Vec::new();
    for (_, path, lines) in modules() {
        if lines.len() > MAX_FILE_LINES {
            long.push(format!("{}: {} lines (at most {MAX_FILE_LINES})", path.display(), lines.len()));
        }
        for (n, name) in functions(&lines) {
            if n > MAX_FN_LINES {
                long.push(format!("{}: fn {name} is {n} lines (at most {MAX_FN_LINES})", path.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these first:\n{}", long.join("\n"));
}

/// Every `crate::a::b::…` path a module names, `use crate::{a, b::{c, d}}`
/// groups expanded, `super::` resolved.
fn references(module: &str, is_mod_rs: bool, lines: &[String]) -> BTreeSet<String> {
    let text: String = lines.iter().map(|l| code_of(l) + "\n").collect();
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = {
        let mut p: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        if !is_mod_rs {
            p.pop();
        }
        p
    };
    for (prefix, base) in [("crate::", String::new()), ("super::", parent.join("::"))] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut paths = Vec::new();
            expand(rest, &base, &mut paths);
            out.extend(paths);
        }
    }
    out
}

/// Expands one path (possibly a `{…}` group) that starts at `s`.
fn expand(s: &str, base: &str, out: &mut Vec<String>) {
    let head: String = s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
    let joined = match (base.is_empty(), head.trim_end_matches(':').is_empty()) {
        (true, _) => head.trim_end_matches(':').to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}::{}", head.trim_end_matches(':')),
    };
    let after = &s[head.len()..];
    if (head.is_empty() || head.ends_with("::")) && after.starts_with('{') {
        let mut depth = 0;
        let mut item = String::new();
        for c in after.chars() {
            match c {
                '{' => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        push_item(&item, &joined, out);
                        return;
                    }
                }
                ',' if depth == 1 => {
                    push_item(&item, &joined, out);
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
    } else if !joined.is_empty() {
        out.push(joined);
    }
}

fn push_item(item: &str, base: &str, out: &mut Vec<String>) {
    let item = item.trim();
    if item.is_empty() || item == "self" || item.starts_with("self ") {
        out.push(base.to_string());
    } else {
        expand(item, base, out);
    }
}

/// The module a path names: its longest prefix that is a module.
fn owner_module<'a>(path: &str, known: &'a BTreeSet<String>) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().find_map(|n| known.get(&parts[..n].join("::")))
}

/// module → the modules it names through `crate::` and `super::` paths
/// (itself left out). A parent naming its own child by a relative path
/// (`use intake::Arrival` in `pipeline/mod.rs`) is not seen: a folder's
/// `mod.rs` and its files may use each other, as one unit; between
/// different units the graph must have no cycle.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let known: BTreeSet<String> = mods.iter().map(|(m, _, _)| m.clone()).collect();
    let mut g = BTreeMap::new();
    for (m, path, lines) in &mods {
        let is_mod_rs = path.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        let edges: BTreeSet<String> = references(m, is_mod_rs, lines)
            .iter()
            .filter_map(|p| owner_module(p, &known))
            .filter(|t| *t != m && !t.is_empty())
            .cloned()
            .collect();
        g.insert(m.clone(), edges);
    }
    g
}

#[test]
fn modules_import_each_other_without_cycles() {
    let g = graph();
    // Depth-first search, reporting the first cycle found.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| s == n).unwrap();
                let mut cycle = stack[from..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for t in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(t, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if let Some(cycle) = visit(n, &g, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn storage_does_not_import_the_decision() {
    for (m, edges) in graph() {
        if m == "store" || m.starts_with("store::") {
            let bad: Vec<_> = edges.iter().filter(|t| *t == "decide" || t.starts_with("pipeline")).collect();
            assert!(bad.is_empty(), "{m} imports {bad:?}");
        }
    }
}

#[test]
fn sql_is_written_only_in_store() {
    // SQL keywords as statements begin, and what only a database handle does.
    let sql = [
        "\"SELECT ",
        "\"INSERT ",
        "\"UPDATE ",
        "\"DELETE ",
        "\"CREATE ",
        "\"PRAGMA ",
        "rusqlite",
        ".query_row(",
        ".query_map(",
    ];
    let mut found = Vec::new();
    for (m, path, lines) in modules() {
        if m == "store" || m.starts_with("store::") {
            continue;
        }
        for (i, l) in lines.iter().enumerate() {
            let code = l.split("//").next().unwrap_or("");
            if sql.iter().any(|s| code.contains(s)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, l.trim()));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside src/store/:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_finder_sees_groups_and_super() {
    let lines = vec!["use crate::{a::b, c::{self, D}};".to_string(), "use super::x::Y;".to_string()];
    let r = references("p::q", false, &lines);
    assert!(r.contains("a::b") && r.contains("c") && r.contains("c::D") && r.contains("p::x::Y"), "{r:?}");
    assert_eq!(functions(&["fn f() {".into(), "  let s = \"}\";".into(), "}".into()]), vec![(3, "f".into())]);
}
