//! Reading YAML that people write: input limits, and errors that point at
//! `FILE:LINE:COL` so an admin can jump straight to the mistake.

use serde::de::DeserializeOwned;
use serde_saphyr::Location;
use std::fmt;

/// Largest YAML file suratd reads (workflow, config, sidecars).
pub const MAX_YAML_BYTES: usize = 1024 * 1024;

/// How serious a finding is: errors make `suratd check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a YAML file, printed as `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub severity: Severity,
}

impl Diagnostic {
    pub fn error(file: &str, loc: Option<&Location>, message: impl Into<String>) -> Self {
        let (line, column) = loc.map(|l| (l.line(), l.column())).unwrap_or((1, 1));
        Diagnostic {
            file: file.to_string(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn warning(file: &str, loc: Option<&Location>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(file, loc, message) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, "{}:{}:{}: {}{}", self.file, self.line, self.column, sev, self.message)
    }
}

/// A list of diagnostics that contains at least one error.
#[derive(Debug, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 1,
            max_aliases: 64,
            max_anchors: 64,
            max_depth: 32,
            max_nodes: 100_000,
            max_total_scalar_bytes: MAX_YAML_BYTES,
        },
    }
}

/// Parses `text` (from `file`, used only in messages) into `T` with limits on
/// size, nesting and aliases, so a hostile file cannot exhaust memory.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Diagnostic> {
    if text.len() > MAX_YAML_BYTES {
        return Err(Diagnostic::error(
            file,
            None,
            format!("file is {} bytes; the limit is {} bytes", text.len(), MAX_YAML_BYTES),
        ));
    }
    if text.trim().is_empty() {
        // An empty document is an empty mapping: every key takes its default.
        return parse(file, "{}");
    }
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
        let loc = e.location();
        Diagnostic::error(file, loc.as_ref(), plain_message(&e))
    })
}

/// The parser's message without the location suffix and snippet (we print
/// the location ourselves, in `FILE:LINE:COL` form).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let text = text.trim();
    let re = regex::Regex::new(r"\s*at line \d+, column \d+\s*$").expect("static regex");
    re.replace(text, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        #[allow(dead_code)]
        a: u32,
    }

    #[test]
    fn unknown_key_points_at_line_and_column() {
        let err = parse::<T>("x.yaml", "a: 1\nb: 2\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.message.contains("unknown field `b`"), "{}", err.message);
        assert!(err.to_string().starts_with("x.yaml:2:1: "));
        assert!(!err.message.contains("at line"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..70 {
            y.push_str(&format!("k{i}: *a\n"));
        }
        let err = parse::<serde_json::Value>("s.yaml", &y).unwrap_err();
        assert!(err.is_error());
    }

    #[test]
    fn oversized_input_is_refused() {
        let y = "a: ".to_string() + &"x".repeat(MAX_YAML_BYTES + 1);
        let err = parse::<T>("big.yaml", &y).unwrap_err();
        assert!(err.message.contains("limit"));
    }
}
