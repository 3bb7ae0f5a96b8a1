//! Electronic signatures (TTE / e-TTD) in PDFs. Finds each signature and
//! checks it: its byte ranges cover the file as it was signed apart from
//! the signature value; after the last one that is not a document
//! timestamp only validation data or timestamps follow, compared through
//! the document graph (`changes`); a document timestamp's token matches the
//! file and its TSA reaches a trust anchor (`timestamp`); the digest of the
//! ranges equals the signed messageDigest and the signature over the
//! signed attributes verifies with the signer's certificate (OpenSSL, so
//! BER as well as DER); and the chain reaches a trust anchor as of the
//! signing time, with the certificate valid then and not revoked per the
//! embedded data (`validity`). The signing time is the time of the
//! signature's own timestamp token (id-aa-signatureTimeStampToken) when
//! that token holds and its TSA is trusted, else only the signer's claim
//! (`signingTime`), and the report says which. Without trust anchors
//! nothing is trusted. Never writes.

use super::{changes, timestamp, validity};
use anyhow::{Context, Result};
use lopdf::{Document, Object};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;
use std::path::Path;

/// The certificates a signer's chain must reach (the BSrE root).
pub struct Anchors {
    certs: Option<Vec<X509>>,
}

impl Anchors {
    pub fn none() -> Anchors {
        Anchors { certs: None }
    }

    /// Loads PEM (or DER) certificates; an empty list means "not configured".
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Anchors> {
        if paths.is_empty() {
            return Ok(Anchors::none());
        }
        let mut all = Vec::new();
        for p in paths {
            let p = p.as_ref();
            let bytes = std::fs::read(p).with_context(|| format!("cannot read the trust anchor {}", p.display()))?;
            let certs = X509::stack_from_pem(&bytes)
                .ok()
                .filter(|c| !c.is_empty())
                .or_else(|| X509::from_der(&bytes).ok().map(|c| vec![c]))
                .with_context(|| format!("{} holds no certificate (PEM or DER)", p.display()))?;
            all.extend(certs);
        }
        Ok(Anchors { certs: Some(all) })
    }

    pub fn configured(&self) -> bool {
        self.certs.is_some()
    }
}

/// One signature and what its check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigCheck {
    /// The signer's common name (or the whole subject).
    pub signer: String,
    /// The signer certificate's subject, as (short name, value) pairs
    /// (`CN`, `serialNumber`, `O`, ...), for matching a pinned identity.
    pub subject: Vec<(String, String)>,
    /// The subject of the certificate's issuer, likewise.
    pub issuer: Vec<(String, String)>,
    /// Byte ranges, digest and signature hold.
    pub intact: bool,
    /// The chain reaches a trust anchor (`None`: no anchors configured).
    pub trusted: Option<bool>,
    /// What is wrong, in words for people (Indonesian).
    pub problem: Option<String>,
    /// Where the signed revision ends.
    pub end: usize,
    /// A document timestamp (RFC 3161), not a person's signature.
    pub timestamp: bool,
    /// When it was signed and what the embedded revocation data says, for
    /// the audit trail (English).
    pub notes: Vec<String>,
    /// The signing time the checks used (seconds since 1970), and whether
    /// it is trusted (a signature timestamp from a trusted TSA) rather than
    /// the signer's own claim.
    pub signed_at: Option<(i64, bool)>,
    /// The signer certificate's validity period (seconds since 1970).
    pub valid: Option<(i64, i64)>,
}

/// All signatures of a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub signatures: Vec<SigCheck>,
    /// A change after the last signature that is not validation data.
    pub modified_after: Option<String>,
    /// Notes for the audit trail (English), e.g. "signer not pinned".
    pub notes: Vec<String>,
}

impl Report {
    /// Signed by someone: a document timestamp alone is not a signature.
    pub fn is_signed(&self) -> bool {
        self.signatures.iter().any(|s| !s.timestamp)
    }

    /// Every signature intact, every signer's chain reaching a trust
    /// anchor (no anchors configured: nothing is trusted), and nothing but
    /// validation data after the last one. A document timestamp must come
    /// from a TSA that reaches a trust anchor (no anchors configured: the
    /// signers do not hold anyway).
    pub fn holds(&self) -> bool {
        self.is_signed()
            && self.modified_after.is_none()
            && self.signatures.iter().all(|s| {
                s.intact
                    && s.problem.is_none()
                    && if s.timestamp { s.trusted != Some(false) } else { s.trusted == Some(true) }
            })
    }

    /// The people's signatures (not document timestamps).
    pub fn signers(&self) -> impl Iterator<Item = &SigCheck> {
        self.signatures.iter().filter(|s| !s.timestamp)
    }

    /// Why it does not hold, for a reason file.
    pub fn problem(&self) -> Option<String> {
        if !self.is_signed() {
            return Some("berkas ini tidak memiliki tanda tangan elektronik".into());
        }
        if let Some(p) = &self.modified_after {
            return Some(p.clone());
        }
        self.signatures.iter().find_map(trust_problem)
    }

    /// Every reason it does not hold, each a sentence for people
    /// (Indonesian); empty when it holds.
    pub fn reasons(&self) -> Vec<String> {
        if !self.is_signed() {
            return self.problem().into_iter().collect();
        }
        let mut out: Vec<String> = self.modified_after.iter().cloned().collect();
        out.extend(self.signatures.iter().filter_map(trust_problem));
        out
    }

    /// A one-line summary for the audit trail (English, like logs).
    pub fn summary(&self) -> String {
        let sigs: Vec<String> = self
            .signatures
            .iter()
            .map(|s| {
                format!(
                    "{} {} ({}{}{})",
                    if s.timestamp { "document timestamp by" } else { "signed by" },
                    s.signer,
                    if s.intact { "intact" } else { "BROKEN" },
                    match s.trusted {
                        None if s.timestamp => "",
                        Some(true) => ", trusted",
                        Some(false) => ", NOT trusted",
                        None => ", no trust anchors configured",
                    },
                    s.notes.iter().map(|n| format!(", {n}")).collect::<String>()
                )
            })
            .collect();
        let mut out = if sigs.is_empty() { "not signed".to_string() } else { sigs.join("; ") };
        if self.modified_after.is_some() {
            out.push_str("; changed after signing");
        }
        for n in &self.notes {
            out.push_str("; ");
            out.push_str(n);
        }
        out
    }
}

/// What is wrong with one signature: its own problem, else a chain that
/// does not reach a trust anchor, or no anchors to check it against. A
/// document timestamp: its own problem, else a TSA that does not reach a
/// trust anchor (when anchors are configured).
fn trust_problem(s: &SigCheck) -> Option<String> {
    if s.problem.is_some() {
        return s.problem.clone();
    }
    if s.timestamp {
        return (s.trusted == Some(false)).then(|| {
            format!(
                "stempel waktu dokumen dari {} tidak berasal dari penyedia stempel waktu (TSA) yang dipercaya",
                s.signer
            )
        });
    }
    match s.trusted {
        Some(true) => None,
        Some(false) => {
            Some(format!("sertifikat penanda tangan ({}) tidak berasal dari penerbit yang dipercaya", s.signer))
        }
        None => Some(format!(
            "sertifikat penanda tangan ({}) tidak dapat diperiksa, karena sertifikat akar penerbit tanda \
             tangan elektronik belum dipasang di sistem; silakan hubungi admin sistem",
            s.signer
        )),
    }
}

/// Whether the file carries a signature (a `/ByteRange`), without checking it.
pub fn looks_signed(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"/ByteRange")
}

/// Finds and checks every signature of a PDF, document timestamps too.
/// What follows the last signature that is not a timestamp is compared
/// with what it signed.
pub fn check(bytes: &[u8], anchors: &Anchors) -> Report {
    if !looks_signed(bytes) {
        return Report::default();
    }
    let Ok(doc) = Document::load_mem(bytes) else {
        return Report { modified_after: Some("struktur PDF tidak terbaca".into()), ..Report::default() };
    };
    let revocation = validity::Revocation::of(&doc);
    let mut signatures = Vec::new();
    for obj in doc.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        let Ok(range) = dict.get(b"ByteRange").and_then(Object::as_array) else { continue };
        if !dict.has(b"Contents") {
            continue;
        }
        let name = |k: &[u8]| dict.get(k).and_then(Object::as_name).ok();
        let timestamp = name(b"Type") == Some(b"DocTimeStamp") || name(b"SubFilter") == Some(b"ETSI.RFC3161");
        let range: Vec<i64> = range.iter().filter_map(|o| o.as_i64().ok()).collect();
        signatures.push(check_one(bytes, &range, (anchors, &revocation), timestamp));
    }
    signatures.sort_by_key(|s| s.end);
    let signed_end = signatures.iter().filter(|s| !s.timestamp).map(|s| s.end).max();
    let modified_after = match signed_end.or_else(|| signatures.iter().map(|s| s.end).max()) {
        Some(end) if end < bytes.len() => changed_after(bytes, end),
        _ => None,
    };
    Report { signatures, modified_after, notes: Vec::new() }
}

fn broken(problem: &str, end: usize) -> SigCheck {
    SigCheck {
        signer: "?".into(),
        subject: Vec::new(),
        issuer: Vec::new(),
        intact: false,
        trusted: None,
        problem: Some(problem.into()),
        end,
        timestamp: false,
        notes: Vec::new(),
        signed_at: None,
        valid: None,
    }
}

/// Checks one signature (or, with `timestamp`, one document timestamp)
/// whose `/ByteRange` is `range`.
fn check_one(bytes: &[u8], range: &[i64], trust: Trust, timestamp: bool) -> SigCheck {
    let mut c = check_ranges(bytes, range, trust, timestamp);
    c.timestamp = timestamp;
    c
}

/// What a signer's certificate is checked against: the anchors, and the
/// revocation data the file carries.
type Trust<'a> = (&'a Anchors, &'a validity::Revocation);

fn check_ranges(bytes: &[u8], range: &[i64], trust: Trust, timestamp: bool) -> SigCheck {
    let [a, b, c, d] = match range {
        [a, b, c, d] if *a >= 0 && *b >= 0 && *c >= 0 && *d >= 0 => {
            [*a as usize, *b as usize, *c as usize, *d as usize]
        }
        _ => return broken("ByteRange tanda tangan tidak sah", 0),
    };
    let end = c.saturating_add(d);
    if a != 0 || b + 2 > c || end > bytes.len() {
        return broken("ByteRange tanda tangan tidak mencakup berkas dengan benar", end.min(bytes.len()));
    }
    // The gap holds exactly the signature value: <hex>.
    let gap = &bytes[b..c];
    if gap[0] != b'<' || gap[gap.len() - 1] != b'>' {
        return broken("ByteRange tidak tepat mengapit nilai tanda tangan", end);
    }
    let hex: Vec<u8> = gap[1..gap.len() - 1].iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    let Some(der) = decode_hex(&hex) else {
        return broken("nilai tanda tangan bukan heksadesimal", end);
    };
    let Ok(p7) = Pkcs7::from_der(&der) else {
        return broken("tanda tangan tidak dapat dibaca (bukan CMS/PKCS#7)", end);
    };
    let mut data = Vec::with_capacity(b + d);
    data.extend_from_slice(&bytes[..b]);
    data.extend_from_slice(&bytes[c..end]);

    let empty = Stack::<X509>::new().expect("stack");
    let cert = p7.signers(&empty, Pkcs7Flags::empty()).ok().and_then(|s| s.iter().next().map(|c| c.to_owned()));
    let signer = cert.as_deref().map(common_name).unwrap_or_else(|| "?".into());
    let subject = cert.as_deref().map(subject_of).unwrap_or_default();
    let issuer = cert.as_deref().map(|c| name_fields(c.issuer_name())).unwrap_or_default();
    if timestamp {
        let c = SigCheck {
            signer,
            subject,
            issuer,
            intact: false,
            trusted: None,
            problem: None,
            end,
            timestamp,
            notes: Vec::new(),
            signed_at: None,
            valid: None,
        };
        return document_timestamp(c, &p7, &data, trust.0);
    }
    let no_store = X509StoreBuilder::new().expect("store").build();
    let intact = p7.verify(&empty, &no_store, Some(&data), None, Pkcs7Flags::NOVERIFY | Pkcs7Flags::BINARY).is_ok();
    if !intact {
        return SigCheck {
            signer,
            subject,
            issuer,
            intact: false,
            trusted: None,
            problem: Some("isi berkas tidak cocok dengan tanda tangannya (berkas diubah setelah ditandatangani, atau tanda tangan rusak)".into()),
            end,
            timestamp,
            notes: Vec::new(),
            signed_at: None,
            valid: None,
        };
    }
    let mut c = SigCheck {
        signer,
        subject,
        issuer,
        intact,
        trusted: None,
        problem: None,
        end,
        timestamp,
        notes: Vec::new(),
        signed_at: None,
        valid: None,
    };
    if let Some(cert) = cert {
        c.valid = validity::period(&cert);
        trust_at_signing(&mut c, &p7, &data, &cert, trust);
    }
    c
}

/// A document timestamp: its token matches the file, and its TSA chains to
/// the anchors as of the token's time (no anchors configured: `None`). A
/// timestamp from a TSA nobody trusts proves nothing, and says so.
fn document_timestamp(mut c: SigCheck, p7: &Pkcs7, data: &[u8], anchors: &Anchors) -> SigCheck {
    match timestamp::check(p7, data) {
        Err(problem) => c.problem = Some(problem.into()),
        Ok(at) => {
            c.intact = true;
            c.trusted = anchors.certs.as_ref().map(|certs| timestamp::trusted(p7, certs, at));
            c.notes.push(format!("at {}", when(at)));
        }
    }
    c
}

/// A time (seconds since 1970) for the audit trail.
fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.to_rfc3339()).unwrap_or_default()
}

/// More than this after a trusted signature timestamp, a signer's claimed
/// signing time is false (the token is made after the signature).
const CLAIM_AFTER_TOKEN: i64 = 24 * 3600;

/// When the signature was made: the time of its signature timestamp token
/// when the token holds and its TSA is trusted, else the signer's claim
/// (`signingTime`), noted either way. A token that does not hold, or a
/// claim more than a day after the trusted time, is the signature's
/// problem.
fn signing_time(c: &mut SigCheck, cms: &[u8], anchors: &Anchors) -> Option<i64> {
    let claimed = validity::signing_time(cms);
    let claim = match claimed {
        Some(t) => format!("signed at {} (the signer's claim", when(t)),
        None => "no signing time stated (chain checked as of now".into(),
    };
    let (token, at) = match timestamp::of_signature(cms) {
        None => {
            c.notes.push(format!("{claim}; no signature timestamp)"));
            return claimed;
        }
        Some(Err(problem)) => {
            c.notes.push(format!("{claim})"));
            c.problem = Some(problem.into());
            return claimed;
        }
        Some(Ok(found)) => found,
    };
    let empty = Stack::<X509>::new().expect("stack");
    let tsa = token.signers(&empty, Pkcs7Flags::empty()).ok().and_then(|s| s.iter().next().map(common_name));
    let tsa = tsa.unwrap_or_else(|| "?".into());
    match anchors.certs.as_ref().map(|certs| timestamp::trusted(&token, certs, at)) {
        Some(true) => {
            let claim = claimed.map(|t| format!("; the signer claims {}", when(t))).unwrap_or_default();
            c.notes.push(format!("signed at {} (signature timestamp by {tsa}, trusted{claim})", when(at)));
            c.signed_at = Some((at, true));
            if let Some(t) = claimed.filter(|t| *t > at + CLAIM_AFTER_TOKEN) {
                c.problem = Some(format!(
                    "waktu penandatanganan yang dinyatakan penanda tangan ({}) lebih dari 24 jam setelah waktu \
                     stempel waktu tepercaya pada tanda tangannya ({})",
                    when(t),
                    when(at)
                ));
            }
            Some(at)
        }
        trusted => {
            let why = if trusted.is_none() { "no trust anchors configured" } else { "its TSA is not trusted" };
            c.notes.push(format!(
                "{claim}; the signature timestamp by {tsa} at {} gives no trusted time: {why})",
                when(at)
            ));
            claimed
        }
    }
}

/// The chain checked at the signing time (see `signing_time`; now when
/// there is none), the certificate's validity then, and the embedded
/// revocation data.
fn trust_at_signing(c: &mut SigCheck, p7: &Pkcs7, data: &[u8], cert: &X509, trust: Trust) {
    let (anchors, revocation) = trust;
    let cms = p7.to_der().unwrap_or_default();
    let at = signing_time(c, &cms, anchors);
    if c.signed_at.is_none() {
        c.signed_at = at.map(|t| (t, false));
    }
    let empty = Stack::<X509>::new().expect("stack");
    c.trusted = anchors.certs.as_ref().map(|certs| {
        let store = validity::store_at(certs, at, None);
        p7.verify(&empty, &store, Some(data), None, Pkcs7Flags::BINARY).is_ok()
    });
    if c.problem.is_some() {
        return;
    }
    if let Some(t) = at
        && !validity::valid_at(cert, t)
    {
        c.problem = Some(format!(
            "sertifikat penanda tangan ({}) tidak berlaku pada waktu penandatanganan (berlaku {} sampai {})",
            c.signer,
            cert.not_before(),
            cert.not_after()
        ));
        return;
    }
    let pool: Vec<X509> = p7
        .signed()
        .and_then(|s| s.certificates())
        .map(|st| st.iter().map(|x| x.to_owned()).collect())
        .unwrap_or_default();
    let all = pool.iter().chain(anchors.certs.iter().flatten());
    let issuer = all.into_iter().find(|i| i.issued(cert) == openssl::x509::X509VerifyResult::OK);
    match revocation.status(cert, issuer.map(|i| &**i), at) {
        Ok(note) => c.notes.push(note),
        Err(problem) => c.problem = Some(problem),
    }
}

fn decode_hex(h: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| (c as char).to_digit(16).map(|v| v as u8);
    let mut out = Vec::with_capacity(h.len() / 2 + 1);
    for pair in h.chunks(2) {
        let hi = val(pair[0])?;
        let lo = if pair.len() == 2 { val(pair[1])? } else { 0 };
        out.push(hi << 4 | lo);
    }
    Some(out)
}

fn common_name(c: &openssl::x509::X509Ref) -> String {
    let name = c
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok().map(|s| s.to_string()))
        .unwrap_or_else(|| format!("{:?}", c.subject_name()));
    one_line(&name)
}

/// A certificate's text (whoever made the certificate wrote it) as one line
/// in what people read: line breaks and other control or separator
/// characters become spaces, so a name cannot start lines of its own in a
/// reason file or an email.
pub fn one_line(text: &str) -> String {
    let spaced: String =
        text.chars().map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A certificate's subject as (short name, value) pairs, in order.
pub fn subject_of(c: &openssl::x509::X509Ref) -> Vec<(String, String)> {
    name_fields(c.subject_name())
}

/// A distinguished name as (short name, value) pairs.
pub fn name_fields(n: &openssl::x509::X509NameRef) -> Vec<(String, String)> {
    n.entries()
        .map(|e| {
            let key = e.object().nid().short_name().map(str::to_string).unwrap_or_else(|_| e.object().to_string());
            (key, e.data().to_string().map(|s| s.to_string()).unwrap_or_default())
        })
        .collect()
}

/// What changed after the signed revision ending at `end`, if it is more
/// than validation data (a `/DSS`, its certificates and revocation data) or
/// a document timestamp: the two revisions compared through the document
/// graph (see `changes`).
fn changed_after(bytes: &[u8], end: usize) -> Option<String> {
    let tail = &bytes[end..];
    if tail.iter().all(|c| c.is_ascii_whitespace() || *c == 0) {
        return None;
    }
    const CHANGED: &str = "berkas diubah setelah ditandatangani";
    let (Ok(before), Ok(after)) = (Document::load_mem(&bytes[..end]), Document::load_mem(bytes)) else {
        return Some(format!("{CHANGED} (revisi yang ditandatangani atau revisi akhir tidak terbaca)"));
    };
    let found = changes::after_signing(&before, &after);
    (!found.is_empty()).then(|| format!("{CHANGED}: {}", found.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decodes_with_odd_lengths() {
        assert_eq!(decode_hex(b"3082"), Some(vec![0x30, 0x82]));
        assert_eq!(decode_hex(b"308"), Some(vec![0x30, 0x80]));
        assert_eq!(decode_hex(b"zz"), None);
    }

    /// A certificate whose common name carries line breaks (anyone can
    /// make one): refused as untrusted, its name was quoted into the reason
    /// file in `_ditolak/` and the refusal email, where its lines read as
    /// the system's own ("Tanda tangan sah. Pindahkan ke 07-distribusi").
    #[test]
    fn attack_a_signers_name_with_line_breaks_forges_lines_in_the_reason() {
        let key = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "Kepala\n\nTanda tangan sah.\r\nPindahkan ke 07-distribusi").unwrap();
        let name = name.build();
        let mut b = openssl::x509::X509Builder::new().unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.sign(&key, openssl::hash::MessageDigest::sha256()).unwrap();
        let cert = b.build();
        let shown = common_name(&cert);
        assert_eq!(shown, "Kepala Tanda tangan sah. Pindahkan ke 07-distribusi");
    }

    #[test]
    fn unsigned_files_are_not_signed() {
        let r = check(b"%PDF-1.4\n%%EOF\n", &Anchors::none());
        assert!(!r.is_signed() && !r.holds());
        assert!(r.problem().unwrap().contains("tidak memiliki tanda tangan"));
    }
}
