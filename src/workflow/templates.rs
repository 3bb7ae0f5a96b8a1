//! Text templates for what people read (reason files now; emails and stamps
//! later): `{name}` placeholders filled from a list of values. `{{` and `}}`
//! stand for literal braces.

/// Placeholder names used in `template`, in order of appearance, or the
/// message of the first syntax error (an unclosed `{`, a stray `}`).
pub fn placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = template.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
            }
            '{' => {
                let rest = &template[i + 1..];
                let end = rest.find('}').ok_or_else(|| format!("unclosed '{{' at character {}", i + 1))?;
                let name = &rest[..end];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!("bad placeholder {{{name}}}"));
                }
                out.push(name.to_string());
                for _ in 0..=end {
                    chars.next();
                }
            }
            '}' => {
                return Err(format!("stray '}}' at character {}; write '}}}}' for a brace", i + 1));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Checks that `template` is well formed and uses only `allowed` names.
pub fn check(template: &str, allowed: &[&str]) -> Result<(), String> {
    for name in placeholders(template)? {
        if !allowed.contains(&name.as_str()) {
            return Err(format!(
                "unknown placeholder {{{name}}}; this template knows {}",
                allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// Fills `template`. Unknown placeholders are left as written (templates are
/// checked when the workflow is loaded, so this does not happen in practice).
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(r) = tail.strip_prefix("{{") {
            out.push('{');
            rest = r;
        } else if let Some(r) = tail.strip_prefix("}}") {
            out.push('}');
            rest = r;
        } else if tail.starts_with('{') {
            match tail.find('}') {
                Some(end) => {
                    let name = &tail[1..end];
                    match values.iter().find(|(k, _)| *k == name) {
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&tail[..=end]),
                    }
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_values_and_escapes() {
        let s = render("Berkas {berkas} {{x}} {tidak}", &[("berkas", "a.pdf")]);
        assert_eq!(s, "Berkas a.pdf {x} {tidak}");
    }

    #[test]
    fn finds_and_checks_placeholders() {
        assert_eq!(placeholders("{a} and {b_2}").unwrap(), vec!["a", "b_2"]);
        assert!(check("{a}", &["a"]).is_ok());
        let e = check("{nomer}", &["nomor"]).unwrap_err();
        assert!(e.contains("{nomer}") && e.contains("{nomor}"), "{e}");
        assert!(placeholders("oops {a").is_err());
        assert!(placeholders("oops }").is_err());
        assert!(placeholders("{a b}").is_err());
    }
}
