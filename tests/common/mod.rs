//! Test harness: a temporary share, database and config, the real `suratd`
//! binary started as a child process, real PDFs, and helpers that wait for
//! the folders or the SQLite file to reach a state.
#![allow(dead_code)]

pub mod browser;
pub mod edited;
pub mod hostile;
pub mod mount;
pub mod office;
pub mod samba;
pub mod smtp;

#[allow(unused_imports)]
pub use edited::*;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub db: PathBuf,
    pub config: PathBuf,
}

/// Extra lines for the config file (YAML, top level).
pub fn env_with(mode: &str, extra: &str) -> Env {
    env_at(mode, "share", "data/suratd.db", extra)
}

/// An environment whose share and database are at these paths (relative to
/// a fresh temporary folder).
pub fn env_at(mode: &str, share: &str, database: &str, extra: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(share);
    let db = dir.path().join(database);
    let config = dir.path().join("suratd.yaml");
    // Without a workflow of its own, the shipped one with the number
    // checked before signing (see `number_before_signing`).
    let extra = if extra.contains("workflow:") {
        extra.to_string()
    } else {
        std::fs::write(dir.path().join("workflow.yaml"), &*SHIPPED).unwrap();
        format!("workflow: workflow.yaml\n{extra}")
    };
    // Signed letters are refused without trust anchors: unless the test
    // configures its own, trust the fixtures' roots (make.py's and the
    // portal CA that `sign_like_a_portal` signs with).
    let anchors = if extra.contains("trust_anchors") {
        String::new()
    } else {
        let f = |n: &str| fixture_dir().join(n).display().to_string();
        format!("trust_anchors: [{:?}, {:?}]\n", f("root-ca.pem"), f("portal-ca.pem"))
    };
    // The web board only where a test asks for it (many daemons run at once).
    let web = if extra.contains("web:") { "" } else { "web:\n  enabled: false\n" };
    let text = format!(
        "{web}root: {share}\ndatabase: {database}\nwatch:\n  mode: {mode}\n  settle: 300ms\n  poll_interval: 200ms\n  rescan: 1h\nprocessing:\n  parse_grace: 1s\n  note_wait: 1s\n  sidecar_wait: 300ms\n  attempts: 3\n  timeout: 20s\n{anchors}{extra}"
    );
    std::fs::write(&config, text).unwrap();
    Env { dir, root, db, config }
}

pub fn env(mode: &str) -> Env {
    env_with(mode, "")
}

impl Env {
    pub fn bin() -> &'static str {
        env!("CARGO_BIN_EXE_suratd")
    }

    /// `suratd fsck` finds the share and the records in agreement.
    pub fn assert_fsck_clean(&self) {
        let fsck = self.cli(&["fsck"]);
        let said = format!("{}{}", String::from_utf8_lossy(&fsck.stdout), String::from_utf8_lossy(&fsck.stderr));
        assert!(fsck.status.success(), "{said}");
    }

    /// Runs a suratd command with this environment's config.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(Self::bin()).arg("--config").arg(&self.config).args(args).output().unwrap()
    }

    /// Starts `suratd run`; it is stopped when the returned value drops.
    pub fn start(&self) -> Daemon {
        self.start_with_env(&[])
    }

    /// Starts `suratd run` with extra environment variables.
    pub fn start_with_env(&self, vars: &[(&str, &str)]) -> Daemon {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.path().join("suratd.log")).unwrap();
        let child = Command::new(Self::bin())
            .arg("--config")
            .arg(&self.config)
            .arg("run")
            .env("SURATD_LOG", "debug")
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon { child: Some(child) };
        // Ready when the tree and the database with its tables exist (files
        // dropped earlier are found by the start-up scan, which follows). The
        // file appears before its tables: a query then would fail.
        let tables = || {
            self.db.exists()
                && self
                    .conn()
                    .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'rejections'", [], |r| r.get(0))
                    .unwrap_or(0i64)
                    == 1
        };
        assert!(
            wait_until(Duration::from_secs(20), || tables() && self.root.join("01-draf/revisi").is_dir()),
            "suratd did not start; log:\n{}",
            self.log()
        );
        d
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("suratd.log")).unwrap_or_default()
    }

    pub fn p(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn conn(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.busy_timeout(Duration::from_secs(5)).unwrap();
        c
    }

    /// Files directly in `rel` (names, sorted), suratd's temporary files
    /// aside (a copy being written, `.NAME.suratd-PID.tmp`: a batch writes
    /// them before its record); `tree` lists them.
    pub fn files(&self, rel: &str) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.p(rel))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !(n.starts_with('.') && n.ends_with(".tmp") && n.contains(".suratd-")))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Takes letter `id` (its file `name`, in `02-verifikasi/`) through both
    /// approvals and the submission, to the head's signature.
    pub fn approve_to_signing(&self, id: &str, name: &str) {
        for (from, next) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
            self.wait_file(from, id);
            self.mv(&format!("{from}/{name}"), next);
        }
        self.wait_file("04-ajukan-tte", id);
        self.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
        assert!(wait_until(Duration::from_secs(10), || self.letter(id).0 == "menunggu_tte"));
    }

    /// Whether `rel` holds no files, waiting a little: suratd places a
    /// letter's new copy first and takes the dropped file away after it, so
    /// a test that has just seen the copy may still see the drop.
    pub fn emptied(&self, rel: &str) -> bool {
        wait_until(std::time::Duration::from_secs(10), || self.files(rel).is_empty())
    }

    /// Every file under the root, relative, sorted.
    pub fn tree(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.root, &self.root, &mut out);
        out.sort();
        out
    }

    /// Waits until `rel` holds exactly one file whose name starts with
    /// `prefix`, and returns its name.
    pub fn wait_file(&self, rel: &str, prefix: &str) -> String {
        self.wait_file_within(rel, prefix, Duration::from_secs(15))
    }

    /// `wait_file`, waiting up to `limit`.
    pub fn wait_file_within(&self, rel: &str, prefix: &str, limit: Duration) -> String {
        let mut found = None;
        let ok = wait_until(limit, || {
            let f: Vec<String> = self.files(rel).into_iter().filter(|n| n.starts_with(prefix)).collect();
            if f.len() == 1 {
                found = Some(f[0].clone());
                true
            } else {
                false
            }
        });
        assert!(ok, "no file {prefix}* in {rel}; tree: {:#?}\nlog:\n{}", self.tree(), self.log());
        // The file is placed before its transition is committed: wait for that too.
        self.settled();
        found.unwrap()
    }

    /// Waits until no transition is under way.
    pub fn settled(&self) {
        let done = wait_until(Duration::from_secs(10), || {
            self.db.exists() && self.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'") == 0
        });
        assert!(done, "a transition stayed pending");
    }

    /// Waits (a little, without failing) for transitions under way: suratd
    /// places a letter's files before it records the move, so a test that
    /// has just seen a file may read the database a moment too early.
    fn quiet(&self) {
        let _ = wait_until(Duration::from_secs(10), || {
            !self.db.exists() || self.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'") == 0
        });
    }

    pub fn letter(&self, id: &str) -> (String, String, Option<String>) {
        self.quiet();
        self.conn()
            .query_row("SELECT step, state, path FROM letters WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap()
    }

    pub fn actions(&self, id: &str) -> Vec<String> {
        self.quiet();
        let c = self.conn();
        let mut st = c.prepare("SELECT action FROM transitions WHERE letter_id = ?1 ORDER BY id").unwrap();
        st.query_map([id], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Copies bytes into the share the way a person drops a file: written
    /// elsewhere, then renamed in.
    pub fn drop_file(&self, rel: &str, bytes: &[u8]) {
        let tmp = self.dir.path().join("incoming.tmp");
        std::fs::write(&tmp, bytes).unwrap();
        let to = self.p(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(&tmp, &to).unwrap();
    }

    /// `drop_file`, the file owned by `uid` (someone else's file; needs root).
    pub fn drop_file_as(&self, rel: &str, bytes: &[u8], uid: u32) {
        let tmp = self.dir.path().join("incoming-as.tmp");
        std::fs::write(&tmp, bytes).unwrap();
        std::os::unix::fs::chown(&tmp, Some(uid), None).unwrap();
        std::fs::rename(&tmp, self.p(rel)).unwrap();
    }

    /// Moves a file inside the share (what staff do in Explorer).
    pub fn mv(&self, from: &str, to_dir: &str) {
        let f = self.p(from);
        let name = f.file_name().unwrap().to_owned();
        std::fs::rename(&f, self.p(to_dir).join(name)).unwrap();
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
}

pub struct Daemon {
    child: Option<Child>,
}

impl Daemon {
    /// SIGTERM, then wait for the exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
        wait_exit(&mut c)
    }

    /// SIGKILL: a crash.
    pub fn kill(mut self) {
        let mut c = self.child.take().unwrap();
        let _ = c.kill();
        let _ = c.wait();
    }

    pub fn alive(&mut self) -> bool {
        self.child.as_mut().unwrap().try_wait().unwrap().is_none()
    }
}

fn term(c: &Child) {
    if let Some(pid) = rustix::process::Pid::from_raw(c.id() as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

fn wait_exit(c: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = c.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = c.kill();
            return c.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            wait_exit(&mut c);
        }
    }
}

pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

/// A real one-page PDF whose page shows `text`.
pub fn pdf(text: &str) -> Vec<u8> {
    use lopdf::content::Operation;
    pdf_of(vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![72.into(), 760.into()]),
        Operation::new("Tj", vec![lopdf::Object::string_literal(text)]),
        Operation::new("ET", vec![]),
    ])
}

/// A real one-page A4 PDF drawn by `operations` (Helvetica as font `F1`).
pub fn pdf_of(operations: Vec<lopdf::content::Operation>) -> Vec<u8> {
    use lopdf::content::Content;
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content_id = doc.add_object(Stream::new(dictionary! {}, Content { operations }.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The unstamped base of a file suratd may have stamped.
pub fn base(path: &Path) -> Vec<u8> {
    suratd::pdf::stamp::base_of(&std::fs::read(path).unwrap()).to_vec()
}

/// The text of a PDF's first pages, as suratd reads it.
pub fn text(path: &Path) -> String {
    suratd::pdf::inspect::text(&std::fs::read(path).unwrap(), 5).unwrap_or_default()
}

pub fn sha256(bytes: &[u8]) -> String {
    suratd::store::fsops::sha256_bytes(bytes)
}

pub fn year() -> i32 {
    suratd::util::timefmt::year_wib(chrono::Utc::now())
}

/// A PDF from tests/fixtures/signed (signed with pyHanko by make.py there).
pub fn signed_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap()
}

/// tests/fixtures/signed.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signed")
}

/// A Word or OpenDocument draft from tests/fixtures/docx (made once by
/// make.py there).
pub fn docx_fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx").join(name)).unwrap()
}

/// The shared real-world corpus, when this checkout has it beside it.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real-world");
    p.is_dir().then_some(p)
}

/// Signs `bytes` the way an e-signature portal does: an incremental update
/// with a signature dictionary whose /ByteRange covers everything but the
/// CMS value. The signer's certificate (CN `signer`) is issued on each call
/// by the committed test portal CA (tests/fixtures/signed/portal-ca.pem,
/// trusted by `env_at`'s default anchors). With `new_info`, the update also
/// replaces the document information (as a portal that rewrites metadata
/// would), hiding suratd's matching keys.
pub fn sign_like_a_portal(bytes: &[u8], signer: &str, new_info: bool) -> Vec<u8> {
    sign_as(bytes, &Signer { cn: signer, serial: None, trusted_ca: true, expired: false }, new_info)
}

/// Who signs in `sign_as`: a name, an optional NIK/NIP serial (the
/// subject's serialNumber), and whether the certificate comes from the
/// test portal CA (else from a throw-away CA nobody trusts).
pub struct Signer<'a> {
    pub cn: &'a str,
    pub serial: Option<&'a str>,
    pub trusted_ca: bool,
    /// A certificate whose validity ended the day before it signs.
    pub expired: bool,
}

pub fn sign_as(bytes: &[u8], who: &Signer, new_info: bool) -> Vec<u8> {
    let (cert, key) = certificate(who);
    sign_with(bytes, &cert, &key, new_info)
}

/// Signs `bytes` as a portal that shows the signature does (BSrE's QR
/// code): the signature is the value of a form field whose widget is drawn
/// on page 1, in the signed update.
pub fn sign_visibly_like_a_portal(bytes: &[u8], signer: &str) -> Vec<u8> {
    let (cert, key) = certificate(&Signer { cn: signer, serial: None, trusted_ca: true, expired: false });
    sign_with_opts(bytes, &cert, &key, false, true)
}

/// A certificate (and its key) for `who`.
fn certificate(who: &Signer) -> (openssl::x509::X509, openssl::pkey::PKey<openssl::pkey::Private>) {
    use openssl::x509::X509NameBuilder;
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509::X509};

    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("C", "ID").unwrap();
    name.append_entry_by_text("CN", who.cn).unwrap();
    if let Some(serial) = who.serial {
        name.append_entry_by_text("serialNumber", serial).unwrap();
    }
    let name = name.build();
    let (ca, ca_key) = if who.trusted_ca {
        let read = |n: &str| std::fs::read(fixture_dir().join(n)).unwrap();
        (
            X509::from_pem(&read("portal-ca.pem")).unwrap(),
            PKey::private_key_from_pem(&read("portal-ca-key.pem")).unwrap(),
        )
    } else {
        (X509::builder().unwrap().build(), key.clone())
    };
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(if who.trusted_ca { ca.subject_name() } else { &name }).unwrap();
    b.set_pubkey(&key).unwrap();
    let serial = openssl::bn::BigNum::from_u32(rand_serial()).unwrap().to_asn1_integer().unwrap();
    b.set_serial_number(&serial).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (from, to) = if who.expired { (now - 30 * 86400, now - 86400) } else { (now - 60, now + 3650 * 86400) };
    b.set_not_before(&Asn1Time::from_unix(from as _).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::from_unix(to as _).unwrap()).unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    (b.build(), key)
}

/// Signs `bytes` as a portal does (see `sign_like_a_portal`) with this
/// certificate and key.
pub fn sign_with(
    bytes: &[u8],
    cert: &openssl::x509::X509,
    key: &openssl::pkey::PKey<openssl::pkey::Private>,
    new_info: bool,
) -> Vec<u8> {
    sign_with_opts(bytes, cert, key, new_info, false)
}

/// `sign_with`, the signature shown in a widget on page 1 (`visible`).
pub fn sign_with_opts(
    bytes: &[u8],
    cert: &openssl::x509::X509,
    key: &openssl::pkey::PKey<openssl::pkey::Private>,
    new_info: bool,
    visible: bool,
) -> Vec<u8> {
    use lopdf::{Document, IncrementalDocument, Object, StringFormat, dictionary};
    use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
    use openssl::stack::Stack;

    let doc = Document::load_mem(bytes).unwrap();
    let mut inc = IncrementalDocument::create_from(bytes.to_vec(), doc);
    if visible {
        // New objects after the copy's own (the widget refers to them).
        inc.new_document.max_id = inc.get_prev_documents().max_id;
    }
    let placeholder = vec![0u8; 6000];
    let sig = inc.new_document.add_object(dictionary! {
        "Type" => "Sig", "Filter" => "Adobe.PPKLite", "SubFilter" => "adbe.pkcs7.detached",
        "ByteRange" => vec![0.into(), 1_111_111_111.into(), 1_222_222_222.into(), 1_333_333_333.into()],
        "Contents" => Object::String(placeholder.clone(), StringFormat::Hexadecimal),
    });
    if visible {
        let prev = inc.get_prev_documents();
        let page = *prev.get_pages().get(&1).unwrap();
        let root = prev.trailer.get(b"Root").unwrap().as_reference().unwrap();
        let widget = inc.new_document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig", "T" => Object::string_literal("TTE"),
            "V" => sig, "P" => page, "F" => 4,
            "Rect" => vec![400.into(), 60.into(), 540.into(), 140.into()],
        });
        inc.opt_clone_object_to_new_document(page).unwrap();
        inc.opt_clone_object_to_new_document(root).unwrap();
        let p = inc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        p.set("Annots", vec![Object::Reference(widget)]);
        let cat = inc.new_document.get_object_mut(root).unwrap().as_dict_mut().unwrap();
        cat.set("AcroForm", dictionary! { "Fields" => vec![Object::Reference(widget)], "SigFlags" => 3 });
    }
    if new_info {
        let info = inc.new_document.add_object(dictionary! { "Producer" => Object::string_literal("Portal TTE") });
        inc.new_document.trailer.set("Info", info);
    }
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();

    let find = |needle: &[u8]| out.windows(needle.len()).rposition(|w| w == needle).unwrap();
    let hex_start = find(&b"0".repeat(12000)) - 1; // at '<'
    let hex_end = hex_start + 12000 + 2; // after '>'
    let (b1, c1) = (hex_start, hex_end);
    let d1 = out.len() - c1;
    let range = format!("0 {b1:010} {c1:010} {d1:010}");
    let at = find(b"0 1111111111 1222222222 1333333333");
    out[at..at + range.len()].copy_from_slice(range.as_bytes());
    let mut data = out[..b1].to_vec();
    data.extend_from_slice(&out[c1..]);
    let p7 = Pkcs7::sign(cert, key, &Stack::new().unwrap(), &data, Pkcs7Flags::DETACHED | Pkcs7Flags::BINARY).unwrap();
    let der = p7.to_der().unwrap();
    let hex: String = der.iter().map(|x| format!("{x:02x}")).collect();
    assert!(hex.len() <= 12000);
    out[b1 + 1..b1 + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

/// Appends validation data after signing, as a validator does: an
/// incremental update whose catalog gains a `/DSS` with this CRL (DER).
pub fn with_dss_crl(signed: &[u8], crl: &[u8]) -> Vec<u8> {
    with_dss(signed, "CRLs", crl)
}

/// The same with this OCSP response (DER) in `/DSS /OCSPs`.
pub fn with_dss_ocsp(signed: &[u8], response: &[u8]) -> Vec<u8> {
    with_dss(signed, "OCSPs", response)
}

fn with_dss(signed: &[u8], key: &str, der: &[u8]) -> Vec<u8> {
    use lopdf::{Document, IncrementalDocument, Object, Stream, dictionary};
    let doc = Document::load_mem(signed).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let mut catalog = doc.get_object(root).unwrap().as_dict().unwrap().clone();
    let mut inc = IncrementalDocument::create_from(signed.to_vec(), doc);
    let data = inc.new_document.add_object(Stream::new(dictionary! {}, der.to_vec()));
    let dss = inc.new_document.add_object(dictionary! { key => vec![Object::Reference(data)] });
    catalog.set("DSS", Object::Reference(dss));
    inc.new_document.set_object(root, catalog);
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    out
}

/// A certificate serial that differs from call to call.
fn rand_serial() -> u32 {
    let mut b = [0u8; 4];
    openssl::rand::rand_bytes(&mut b).unwrap();
    u32::from_be_bytes(b) >> 1 | 1
}

/// The shipped workflow, as it is.
pub const SHIPPED_AS_IS: &str = include_str!("../../workflow.yaml");

/// The line of the shipped workflow that checks the number on entry to the
/// first review (SOP-024's order).
pub const NUMBER_AT_REVIEW: &str = "    checks: [number_in_text]\n";

/// A workflow text with the number checked before signing instead of on
/// entry to the first review (the choice an office may make): what the
/// tests of everything else run on, as their drafts do not carry the
/// numbers they get. `tests/number_first.rs` tests the shipped order.
pub fn number_before_signing(wf: &str) -> String {
    let waiting = "    kind: waiting\n    role: sekretaris\n";
    wf.replacen(NUMBER_AT_REVIEW, "", 1).replacen(waiting, &format!("{waiting}{NUMBER_AT_REVIEW}"), 1)
}

/// The shipped workflow with the number checked before signing (see
/// [`number_before_signing`]).
pub static SHIPPED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| number_before_signing(SHIPPED_AS_IS));

/// The signed fixtures hold numbers of 2026 (`B-001/17000/KP.650/2026`),
/// which letters dated in 2026 get. Once 2026 is over they are back-dated
/// letters, numbered only when 2026's last number is known: the office had
/// none before suratd.
pub const FIXTURE_YEAR_KNOWN: &str = "    last_used: {2026: 0}";

/// The shipped workflow where letters dated in 2026 get 2026's numbers in
/// any year (see [`FIXTURE_YEAR_KNOWN`]).
pub fn shipped_for_fixtures() -> String {
    SHIPPED.replace("    last_used: {}", FIXTURE_YEAR_KNOWN)
}

pub fn me() -> String {
    uzers::get_current_username().unwrap().to_string_lossy().into_owned()
}

/// A workflow with people (the test's own login drafts) and an SMTP config.
pub fn mail_env(smtp_port: Option<u16>, extra: &str) -> Env {
    mail_env_on(&SHIPPED, smtp_port, extra)
}

/// `mail_env` made from the workflow text `base` (the shipped one, as it
/// is or with the number checked before signing).
pub fn mail_env_on(base: &str, smtp_port: Option<u16>, extra: &str) -> Env {
    let smtp = match smtp_port {
        Some(p) => format!(
            "smtp:\n  host: 127.0.0.1\n  port: {p}\n  tls: none\n  from: sekretaris@bps.go.id\n  retry: 200ms\n  timeout: 5s\n"
        ),
        None => String::new(),
    };
    let env = env_with(
        "events",
        &format!(
            "workflow: workflow.yaml\nshare_path: '\\\\server\\SuratKeluar'\nadmins: [admin@bps.go.id]\n{smtp}{extra}"
        ),
    );
    let people = format!(
        "people:
  - {{login: {me}, name: Dewi Drafter, email: drafter@bps.go.id, roles: [anggota_tim, sekretaris], team: umum}}
  - {{login: kt, name: Ketua Umum, email: kt@bps.go.id, roles: [ketua_tim], team: umum}}
  - {{login: kt2, name: Ketua Lain, email: kt2@bps.go.id, roles: [ketua_tim], team: lain}}
  - {{login: sek, name: Sekretaris, email: sek@bps.go.id, roles: [sekretaris]}}
  - {{login: kepala, name: Kepala, email: kepala@bps.go.id, roles: [kepala]}}
  - {{login: umum, name: Bagian Umum, email: umum@bps.go.id, roles: [bagian_umum]}}",
        me = me()
    );
    // No daily digest here (it is tested in reminders.rs): emails are counted.
    let wf = base
        .replace("    last_used: {}", FIXTURE_YEAR_KNOWN)
        .replace("  digest_at: \"07:30\"\n", "")
        .replace("people: []", &people)
        .replace("teams:\n  - id: umum\n    name: Tim Bagian Umum\n", "teams:\n  - id: umum\n  - id: lain\n");
    std::fs::write(env.dir.path().join("workflow.yaml"), wf).unwrap();
    env
}

/// Adds the system user `nobody` (uid 65534: files `drop_file_as(…, 65534)`
/// are theirs) to the people of `mail_env`'s workflow, with these fields
/// (`name: …, roles: […]`); their login.
pub fn nobody_is(env: &Env, fields: &str) -> String {
    let nobody = uzers::get_user_by_uid(65534).unwrap().name().to_string_lossy().into_owned();
    let wf_path = env.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&wf_path)
        .unwrap()
        .replace("people:\n", &format!("people:\n  - {{login: {nobody}, {fields}}}\n"));
    std::fs::write(&wf_path, wf).unwrap();
    nobody
}

/// A letter driven to the signature step (its corrected draft reading
/// `Nomor: …`); returns its id.
pub fn to_signature(env: &Env, perihal: &str) -> String {
    to_signature_with(env, perihal, |n| format!("Nomor: {n}"))
}

/// A letter walked to 05-menunggu-tte, its corrected draft's text made from
/// its number by `text`.
pub fn to_signature_with(env: &Env, perihal: &str, text: impl Fn(&str) -> String) -> String {
    let draft = format!("01-draf/KP.650 {perihal}.pdf");
    let (id, name) = into_review(env, &draft, &pdf(&format!("Undangan {perihal} -")), text);
    for (from, to) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.mv(&format!("{from}/{name}"), to);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(std::time::Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    id
}

/// The id and number of the letter registered from the draft dropped at
/// `draft` (relative to the root), once it is registered.
pub fn registered_from(env: &Env, draft: &str) -> (String, String) {
    let q = "SELECT l.id, l.number FROM letters l JOIN versions v ON v.letter_id = l.id WHERE v.source = ?1";
    let found = || env.conn().query_row(q, [draft], |r| Ok((r.get(0)?, r.get(1)?))).ok();
    assert!(wait_until(std::time::Duration::from_secs(15), || found().is_some()), "{:?}\n{}", env.tree(), env.log());
    found().unwrap()
}

/// A new draft (`bytes`, dropped at `draft`) taken into the first review
/// the way SOP-024 orders it: registered, held back in `01-draf/revisi/`
/// until its text carries its number, then corrected with `text(number)`.
/// Its id and its file's name in `02-verifikasi/`.
pub fn into_review(env: &Env, draft: &str, bytes: &[u8], text: impl Fn(&str) -> String) -> (String, String) {
    env.drop_file(draft, bytes);
    let (id, number) = registered_from(env, draft);
    env.settled();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&text(&number)));
    // Taken as a new version: the held letter resubmitted, or (the number
    // checked later) the copy under review replaced.
    let taken = || env.actions(&id).last().is_some_and(|a| a == "resubmit" || a == "replace");
    assert!(wait_until(std::time::Duration::from_secs(10), taken), "{:?}\n{}", env.tree(), env.log());
    let name = env.wait_file("02-verifikasi", &id);
    (id, name)
}

pub fn copy_for_signing(env: &Env, id: &str) -> Vec<u8> {
    let name = env.files("05-menunggu-tte").into_iter().find(|n| n.starts_with(id)).unwrap();
    std::fs::read(env.p(&format!("05-menunggu-tte/{name}"))).unwrap()
}

/// Fails (never skips) when the tests do not run as root: some must give a
/// file another owner, mount or create users. CI runs them as root.
pub fn needs_root(why: &str) {
    assert_eq!(uzers::get_current_uid(), 0, "this test needs root {why}; run the tests as root, as .ci/run does");
}

/// A command's standard output and error, together.
pub fn said(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Copies a folder tree (what an admin does with `cp -a`).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
