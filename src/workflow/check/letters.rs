//! The `letters` and `office` sections: letter ids, the agenda number's
//! format and sequence, how draft names are read, and the letter defaults.

use crate::workflow::model::NUMBER_PLACEHOLDERS;

/// Why a number format is unusable: unknown placeholders, a bad padding,
/// or no `{seq}` (numbers would not be unique).
pub fn number_format_problem(format: &str) -> Result<(), String> {
    let mut has_seq = false;
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err("stray '}'".into());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("unclosed '{'")?;
        let token = &after[..close];
        let (name, spec) = match token.split_once(':') {
            Some((n, s)) => (n, Some(s)),
            None => (token, None),
        };
        if !NUMBER_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{token}}}; known: {}",
                NUMBER_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(spec) = spec {
            let width = spec.strip_prefix('0').and_then(|w| w.parse::<u8>().ok());
            if name != "seq" || !width.is_some_and(|w| (1..=9).contains(&w)) {
                return Err(format!("bad padding in {{{token}}}; write for example {{seq:03}}"));
            }
        }
        has_seq |= name == "seq";
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("stray '}'".into());
    }
    if !has_seq {
        return Err("the format needs {seq}, or numbers would repeat".into());
    }
    Ok(())
}
