use super::tail::Tail;
use super::*;
use std::io::Write;

const H: &str = "[2026/11/29 21:01:44.655598,  1] ../../source3/modules/vfs_full_audit.c:643(do_log)";

fn roots() -> Roots {
    Roots(vec![b"/srv/share".to_vec()])
}

fn at() -> NaiveDateTime {
    header(H.as_bytes()).unwrap()
}

fn rec(line: &str) -> Line {
    record(&roots(), line.as_bytes(), at())
}

#[test]
fn headers_are_only_full_audit_do_log_lines() {
    assert_eq!(at().to_string(), "2026-11-29 21:01:44.655598");
    assert!(header(b"[2026/11/29 21:01:44.655598,  1] vfs_full_audit.c:1(do_log)").is_some());
    // `debug hires timestamp = no`, `debug pid`, `debug uid`.
    for other in [
        "[2026/11/29 21:01:44,  1] ../../source3/modules/vfs_full_audit.c:643(do_log)",
        "[2026/11/29 21:01:44.655598,  1, pid=4242] ../../source3/modules/vfs_full_audit.c:643(do_log)",
        "[2026/11/29 21:01:44.655598,  1, pid=4242, effective(0, 0), real(0, 0)] ../../source3/modules/vfs_full_audit.c:643(do_log)",
    ] {
        assert!(header(other.as_bytes()).is_some(), "{other}");
    }
    assert_eq!(header(b"[2026/11/29 21:01:44.655598,  1, /x|y] vfs_full_audit.c:1(do_log)"), None);
    for bad in [
        "[2026/11/29 21:01:44.655598,  1] ../../source3/smbd/service.c:1110(make_connection_snum)",
        "[2026/11/29 21:01:44.655598,  1] ../../source3/modules/vfs_full_audit.c:643(do_log) ",
        "[2026/11/29 21:01:44.655598,  1] ../../source3/modules/not_vfs_full_audit.c:643(do_log)",
        "[2026/13/29 21:01:44.655598,  1] ../../source3/modules/vfs_full_audit.c:643(do_log)",
        "[2026/11/29 21:01:44.655598,  x] ../../source3/modules/vfs_full_audit.c:643(do_log)",
        "[2026/11/29 21:01:44.655598,  1] ../../source3/modules/vfs_full_audit.c:(do_log)",
        "  budi|127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b",
        "",
    ] {
        assert_eq!(header(bad.as_bytes()), None, "{bad}");
    }
    assert_eq!(header(b"[2026/11/29 21:01:44.6\xff,  1] vfs_full_audit.c:1(do_log)"), None);
}

#[test]
fn renames_writes_deletes_and_what_is_skipped() {
    let Line::Record(r) =
        rec("  budi|127.0.0.1|renameat|ok|/srv/share/02-verifikasi/a b.pdf|/srv/share/02-verifikasi/setuju/a b.pdf")
    else {
        panic!()
    };
    assert_eq!((r.user.as_str(), r.op), ("budi", Op::Rename));
    assert_eq!(r.path, b"/srv/share/02-verifikasi/setuju/a b.pdf");
    assert_eq!(r.from.as_deref(), Some(&b"/srv/share/02-verifikasi/a b.pdf"[..]));
    let Line::Record(w) = rec("  budi|::1|openat|ok|w|/srv/share/01-draf/x.pdf") else { panic!() };
    assert_eq!((w.op, w.path.as_slice()), (Op::Write, &b"/srv/share/01-draf/x.pdf"[..]));
    let Line::Record(u) = rec("  budi|127.0.0.1|unlinkat|ok|/srv/share/01-draf/x.pdf") else { panic!() };
    assert_eq!(u.op, Op::Unlink);
    assert_eq!(rec("  budi|127.0.0.1|openat|ok|r|/srv/share/01-draf/x.pdf"), Line::Skipped);
    assert_eq!(
        rec("  budi|127.0.0.1|renameat|fail (NT_STATUS_ACCESS_DENIED)|/srv/share/a|/srv/share/b"),
        Line::Skipped
    );
    assert_eq!(rec("  budi|127.0.0.1|connect|ok|SuratKeluar"), Line::Skipped);
}

#[test]
fn hostile_lines_are_dropped() {
    use Dropped::*;
    let cases: &[(&[u8], Dropped)] = &[
        // Not indented as smbd indents a record.
        (b"budi|127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b", Malformed),
        (b"  budi|127.0.0.1|renameat|ok", Malformed),
        (b"  |127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b", Malformed),
        (b"  budi|not-an-address|renameat|ok|/srv/share/a|/srv/share/b", Malformed),
        // A `|` in the login shifts the fields: the address does not parse.
        (b"  bu|di|127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b", Malformed),
        (b"  bu\x07di|127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b", Control),
        (b"  budi|127.0.0.1|renameat|ok|/srv/share/a\x1b[2J|/srv/share/b", Control),
        (b"  budi|127.0.0.1|openat|ok|w|/srv/share/a\rb", Control),
        (b"  budi|127.0.0.1|renameat|ok|/etc/passwd|/srv/share/b", Outside),
        (b"  budi|127.0.0.1|renameat|ok|/srv/share/a|/srv/sharex/b", Outside),
        (b"  budi|127.0.0.1|openat|ok|w|/srv/share/../etc/x", Outside),
        (b"  budi|127.0.0.1|openat|ok|w|/srv/share/a/./b", Outside),
        (b"  budi|127.0.0.1|openat|ok|w|/srv/share", Outside),
        (b"  budi|127.0.0.1|openat|ok|w|/srv/share/", Outside),
        (b"  budi|127.0.0.1|openat|ok|w|srv/share/a", Outside),
        (b"  budi|127.0.0.1|openat|ok|x|/srv/share/a", Malformed),
        (b"  budi|127.0.0.1|openat|ok|w/srv/share/a", Malformed),
        // Both halves could be the destination.
        (b"  budi|127.0.0.1|renameat|ok|/srv/share/a|/srv/share/b|/srv/share/c", Ambiguous),
        (b"  budi|127.0.0.1|renameat|ok|/srv/share/a", Malformed),
    ];
    for (line, want) in cases {
        assert_eq!(record(&roots(), line, at()), Line::Dropped(*want), "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn a_bar_in_a_name_is_split_where_the_destination_starts() {
    let Line::Record(r) =
        rec("  budi|127.0.0.1|renameat|ok|/srv/share/01-draf/a|b.pdf|/srv/share/02-verifikasi/a|b.pdf")
    else {
        panic!()
    };
    assert_eq!(r.from.unwrap(), b"/srv/share/01-draf/a|b.pdf");
    assert_eq!(r.path, b"/srv/share/02-verifikasi/a|b.pdf");
}

#[test]
fn bytes_that_are_not_utf8_are_kept_as_bytes() {
    let Line::Record(r) = record(&roots(), b"  budi|127.0.0.1|openat|ok|w|/srv/share/01-draf/caf\xe9.pdf", at()) else {
        panic!()
    };
    assert_eq!(r.path, b"/srv/share/01-draf/caf\xe9.pdf");
    assert_eq!(
        record(&roots(), b"  bu\xffdi|127.0.0.1|openat|ok|w|/srv/share/a", at()),
        Line::Dropped(Dropped::Malformed)
    );
}

/// Feeds `text`'s lines; returns the records and the counts.
fn parse(text: &[u8]) -> (Vec<Record>, Counts) {
    let mut p = Parser::default();
    let mut c = Counts::default();
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut out: Vec<Record> = text.split(|b| *b == b'\n').filter_map(|l| p.line(&roots(), l, &mut c)).collect();
    out.extend(p.flush());
    (out, c)
}

#[test]
fn a_record_is_only_the_line_right_after_a_header() {
    let text = format!(
        "{H}\n  a|127.0.0.1|openat|ok|w|/srv/share/x\n  b|127.0.0.1|openat|ok|w|/srv/share/y\n\
         [2026/11/29 21:01:45.000000,  1] ../../source3/smbd/service.c:1(make_connection_snum)\n  \
         c|127.0.0.1|openat|ok|w|/srv/share/z\n{H}\n  d|127.0.0.1|openat|ok|w|/srv/share/w\n"
    );
    let (records, counts) = parse(text.as_bytes());
    let users: Vec<&str> = records.iter().map(|r| r.user.as_str()).collect();
    // a's record is followed by a line that is no header: dropped.
    assert_eq!(users, ["d"]);
    assert_eq!((counts.other, counts.dropped), (3, 1), "b's line, the other header, c's line; a");
}

#[test]
fn a_record_whose_path_goes_on_past_a_line_break_is_dropped() {
    // A name holding a line break (made on the server by other means): the
    // record's first line looks whole, but a line that is no header follows.
    let text = format!("{H}\n  a|127.0.0.1|renameat|ok|/srv/share/x|/srv/share/SK-1 A.pdf\nevil.pdf\n{H}\n");
    let (records, counts) = parse(text.as_bytes());
    assert!(records.is_empty(), "{records:?}");
    assert_eq!(counts.dropped, 1);
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn line(user: &str, path: &str) -> String {
    format!("{H}\n  {user}|127.0.0.1|renameat|ok|/srv/share/src|/srv/share/{path}\n")
}

fn take(t: &mut Tail, path: &str) -> Option<String> {
    t.take(path.as_bytes(), at() - chrono::Duration::seconds(1)).map(|r| r.user)
}

#[test]
fn tail_follows_rotation_without_losing_or_repeating() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.smbd");
    let pattern = format!("{}*", log.display());
    let mut t = Tail::new(&pattern, std::path::Path::new("/srv/share"));
    write(&log, &line("a", "one"));
    t.poll();
    // The last record waits for what follows it, or for a moment of quiet.
    assert_eq!(take(&mut t, "one"), None);
    std::thread::sleep(std::time::Duration::from_millis(250));
    t.poll();
    t.poll();
    assert_eq!(take(&mut t, "one").as_deref(), Some("a"));
    assert_eq!(take(&mut t, "one"), None, "each record is taken once");
    // Half a line written: nothing yet; the rest, then smbd rotates.
    let two = line("b", "two");
    write(&log, &two[..two.len() - 10]);
    t.poll();
    write(&log, &two[two.len() - 10..]);
    write(&log, &line("c", "three"));
    std::fs::rename(&log, dir.path().join("log.smbd.old")).unwrap();
    write(&log, &line("d", "four"));
    t.poll();
    std::thread::sleep(std::time::Duration::from_millis(250));
    t.poll();
    for (user, path) in [("b", "two"), ("c", "three"), ("d", "four")] {
        assert_eq!(take(&mut t, path).as_deref(), Some(user), "{path}");
    }
    // Rotated again: the old .old is replaced; nothing is read twice.
    std::fs::rename(&log, dir.path().join("log.smbd.old")).unwrap();
    write(&log, &line("e", "five"));
    t.poll();
    std::thread::sleep(std::time::Duration::from_millis(250));
    t.poll();
    assert_eq!(take(&mut t, "four"), None);
    assert_eq!(take(&mut t, "five").as_deref(), Some("e"));
    assert_eq!(t.counts().dropped, 0);
}

#[test]
fn tail_takes_the_newest_record_not_before_the_time_given() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.smbd");
    let mut t = Tail::new(&log.display().to_string(), std::path::Path::new("/srv/share"));
    write(&log, &line("old", "x"));
    write(&log, &line("new", "x"));
    write(&log, &format!("{H}\n"));
    t.poll();
    assert_eq!(t.take(b"x", at() + chrono::Duration::seconds(1)), None, "too old for a file changed later");
    assert_eq!(take(&mut t, "x").as_deref(), Some("new"));
    assert_eq!(take(&mut t, "x").as_deref(), Some("old"));
}

#[test]
fn tail_skips_overlong_lines_and_bounds_memory() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.smbd");
    let mut t = Tail::with_budget(&log.display().to_string(), std::path::Path::new("/srv/share"), 100_000);
    let long = format!("{H}\n  a|127.0.0.1|openat|ok|w|/srv/share/{}\n", "x".repeat(40_000));
    write(&log, &long);
    write(&log, &line("b", "y"));
    write(&log, &format!("{H}\n"));
    t.poll();
    assert_eq!(take(&mut t, "y").as_deref(), Some("b"));
    assert!(t.counts().other >= 1);
    assert!(!t.evicted_since(at()));
    let mut many = String::new();
    for i in 0..5000 {
        many.push_str(&line("m", &format!("f{i}")));
    }
    write(&log, &many);
    write(&log, &format!("{H}\n"));
    t.poll();
    assert_eq!(take(&mut t, "f0"), None, "the oldest fell out of the budget");
    assert!(t.evicted_since(at()), "and that is known, so a miss can be reported");
    assert_eq!(take(&mut t, "f4999").as_deref(), Some("m"));
}

#[test]
fn a_pattern_that_matches_nothing_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = format!("{}/log.*", dir.path().display());
    assert!(super::tail::problem(&pattern).unwrap().contains("matches no file"));
    write(&dir.path().join("log.smbd"), "");
    assert_eq!(super::tail::problem(&pattern), None);
}

#[test]
fn tail_takes_the_record_of_a_delete() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.smbd");
    let mut t = Tail::new(&log.display().to_string(), std::path::Path::new("/srv/share"));
    write(&log, &line("placed", "02/x.pdf"));
    write(&log, &format!("{H}\n  kt|127.0.0.1|unlinkat|ok|/srv/share/02/x.pdf\n"));
    write(&log, &format!("{H}\n"));
    t.poll();
    let since = at() - chrono::Duration::seconds(1);
    assert_eq!(t.take_removal(b"02/y.pdf", since), None, "another file");
    assert_eq!(t.take_removal(b"02/x.pdf", since).map(|r| r.user).as_deref(), Some("kt"));
    assert_eq!(t.take_removal(b"02/x.pdf", since), None, "each record is taken once");
    assert_eq!(take(&mut t, "02/x.pdf").as_deref(), Some("placed"), "a delete is not a placing");
}
