//! When a signature was made and whether the signer's certificate was good
//! then: the signing time the signer put into the signed attributes (a
//! claim; `signature` prefers a trusted signature timestamp), the trust
//! anchors as a store that checks a chain at that time, and the revocation
//! data embedded in the PDF (`/DSS` CRLs and OCSP responses, each used only
//! when the signer's issuer signed it, directly or through a responder it
//! delegated). suratd never goes online for revocation.
//!
//! An OCSP response is believed as of its `producedAt`: the responder's
//! certificate (the issuer's own, or one it issued for OCSP signing) is
//! checked at that time, not today. "Revoked" at or before the signing time
//! refuses the file whenever the response was issued; a revocation after
//! the signing time is noted. "Good" says only that the certificate was not
//! revoked at the response's `thisUpdate`, so it counts as the status at
//! the signing time T only when it is fresh for T:
//!
//! * `thisUpdate` is at most 24 hours before T (a response from longer
//!   before leaves the time between open), and any time after T (a
//!   revocation is never undone, so "good" later means good at T: the
//!   validation data a signer's software or a later `/DSS` adds);
//! * a response issued before T did not lapse before T (its `nextUpdate`,
//!   when present, is not before T);
//! * it was issued before the signer's certificate expired (a CA need not
//!   keep the status of expired certificates: RFC 5280 3.3, ETSI EN 319
//!   102-1 5.2.5).
//!
//! This is pyHanko's `MAX_DIFF_REVOCATION_VALIDATION` freshness (ETSI EN 319
//! 102-1 5.2.5.4, item 2: stale when `thisUpdate` is more than the maximum
//! accepted freshness before the validation time; issued later is not "too
//! recent"), with a fixed 24 hours as the maximum instead of the response's
//! own `nextUpdate - thisUpdate` (responders that sign week-long responses
//! would otherwise vouch for a week before the signature), plus the
//! `nextUpdate` window of its default policy for responses issued before T.
//! A response that is not fresh is ignored and the report says why; with
//! nothing else, the report says the revocation status was not checked. No
//! signing time at all: T is now. CRLs are used as issued (their
//! `thisUpdate` is not checked yet).

use super::der;
use lopdf::{Document, Object};
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{CrlStatus, X509, X509Crl, X509PurposeId, X509Ref};

/// How long before the signing time a "good" OCSP response may have been
/// issued and still say the certificate was good then.
const FRESH_BEFORE: i64 = 24 * 3600;

/// The signing time (seconds since 1970) the signer claims in a CMS
/// value's (DER) signed attributes (`signingTime`), if it states one.
/// Only the SignerInfo's own signed attributes count: a timestamp token
/// among its unsigned attributes has a signingTime of its own.
pub(super) fn signing_time(cms: &[u8]) -> Option<i64> {
    const OID: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
    let values = der::attribute(der::signer_info(cms)?.signed_attrs?, OID)?;
    let (tag, content, _) = der::tlv(values)?;
    der::time(tag, content)
}

/// The anchors as a store that checks chains at `time` (now when unknown),
/// for `purpose` when one is given.
pub(super) fn store_at(certs: &[X509], time: Option<i64>, purpose: Option<X509PurposeId>) -> X509Store {
    let mut b = X509StoreBuilder::new().expect("store");
    for c in certs {
        let _ = b.add_cert(c.clone());
    }
    if let Ok(mut p) = X509VerifyParam::new() {
        if let Some(t) = time {
            p.set_time(t as _);
            let _ = p.set_flags(X509VerifyFlags::USE_CHECK_TIME);
        }
        if let Some(purpose) = purpose {
            let _ = p.set_purpose(purpose);
        }
        let _ = b.set_param(&p);
    }
    b.build()
}

/// A certificate's validity period, in seconds since 1970.
pub(super) fn period(cert: &X509Ref) -> Option<(i64, i64)> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let secs = |t: &openssl::asn1::Asn1TimeRef| epoch.diff(t).ok().map(|d| d.days as i64 * 86400 + d.secs as i64);
    Some((secs(cert.not_before())?, secs(cert.not_after())?))
}

/// Whether `cert` was within its validity period at `time`.
pub(super) fn valid_at(cert: &X509Ref, time: i64) -> bool {
    let Ok(t) = Asn1Time::from_unix(time as _) else { return false };
    cert.not_before() <= t && cert.not_after() >= t
}

/// The revocation data a PDF carries in its `/DSS`.
#[derive(Default)]
pub(super) struct Revocation {
    crls: Vec<X509Crl>,
    /// The DER OCSP responses, as embedded.
    ocsps: Vec<Vec<u8>>,
}

/// What one embedded OCSP response says about the signer's certificate.
enum Ocsp {
    Good,
    /// Revoked at this time (seconds since 1970; `None` when unreadable).
    Revoked(String, Option<i64>),
    /// Not used, and why (for the audit trail).
    Ignored(String),
}

impl Revocation {
    pub(super) fn of(doc: &Document) -> Revocation {
        let dss = doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"DSS").ok())
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let Some(dss) = dss else { return Revocation::default() };
        let streams = |key: &[u8]| -> Vec<Vec<u8>> {
            let Some(arr) = dss.get(key).ok().and_then(|o| deref(doc, o)).and_then(|o| o.as_array().ok()) else {
                return Vec::new();
            };
            arr.iter().filter_map(|o| deref(doc, o)?.as_stream().ok()?.decompressed_content().ok()).collect()
        };
        let crls = streams(b"CRLs").iter().filter_map(|d| X509Crl::from_der(d).ok()).collect();
        Revocation { crls, ocsps: streams(b"OCSPs") }
    }

    /// What the embedded data says about `cert` (issued by `issuer`) at
    /// `time`: `Err` a problem for people (Indonesian) when it was revoked
    /// by then, else `Ok` a note for the audit trail (English).
    pub(super) fn status(&self, cert: &X509, issuer: Option<&X509Ref>, time: Option<i64>) -> Result<String, String> {
        let mine: Vec<&X509Crl> = self
            .crls
            .iter()
            .filter(|c| c.issuer_name().try_cmp(cert.issuer_name()).is_ok_and(|o| o.is_eq()))
            .filter(|c| issuer.is_some_and(|i| i.public_key().is_ok_and(|k| c.verify(&k).unwrap_or(false))))
            .collect();
        let mut after = Vec::new();
        for crl in &mine {
            if let CrlStatus::Revoked(r) = crl.get_by_cert(cert) {
                let when = r.revocation_date().to_string();
                let before =
                    time.and_then(|t| Asn1Time::from_unix(t as _).ok()).is_none_or(|t| r.revocation_date() <= t);
                if before {
                    return Err(format!("sertifikat penanda tangan sudah dicabut (revoked) pada {when}"));
                }
                after.push(format!("revoked on {when}, after signing"));
            }
        }
        let (mut good, mut ignored) = (0, Vec::new());
        let at = time.unwrap_or_else(|| chrono::Utc::now().timestamp());
        for der in &self.ocsps {
            match ocsp_status(der, cert, issuer, at) {
                Ocsp::Good => good += 1,
                Ocsp::Revoked(when, at) if time.is_none_or(|t| at.is_none_or(|r| r <= t)) => {
                    return Err(format!(
                        "sertifikat penanda tangan sudah dicabut (revoked) pada {when} (menurut OCSP)"
                    ));
                }
                Ocsp::Revoked(when, _) => after.push(format!("revoked on {when}, after signing (OCSP)")),
                Ocsp::Ignored(why) => ignored.push(format!("an embedded OCSP response ignored ({why})")),
            }
        }
        if !after.is_empty() {
            return Ok(after.join("; "));
        }
        let mut notes = match (mine.len(), good) {
            (0, 0) if self.ocsps.is_empty() => vec!["no revocation data embedded (not checked for revocation)".into()],
            (0, 0) => vec!["no usable revocation data embedded (not checked for revocation)".to_string()],
            (0, _) => Vec::new(),
            (n, _) => vec![format!("not revoked per {n} embedded CRL(s)")],
        };
        if good > 0 {
            notes.push("OCSP: good".into());
        }
        ignored.dedup();
        notes.extend(ignored);
        Ok(notes.join("; "))
    }
}

/// What the OCSP response `der` says about `cert` at `at` (the signing
/// time, else now), if the signer's issuer signed it (itself, or a
/// responder it issued for OCSP signing, checked at `producedAt`).
fn ocsp_status(der: &[u8], cert: &X509, issuer: Option<&X509Ref>, at: i64) -> Ocsp {
    let ignored = |why: &str| Ocsp::Ignored(why.to_string());
    let Some(issuer) = issuer else { return ignored("the signer's issuer is unknown") };
    let Ok(resp) = OcspResponse::from_der(der) else { return ignored("not an OCSP response") };
    if resp.status() != OcspResponseStatus::SUCCESSFUL {
        return ignored("not a successful OCSP response");
    }
    let Ok(basic) = resp.basic() else { return ignored("not a basic OCSP response") };
    let Some(produced) = der::ocsp_produced_at(der) else { return ignored("its producedAt is unreadable") };
    // The issuer is the anchor here: the response must come from it, as
    // of when the response was made.
    let mut b = X509StoreBuilder::new().expect("store");
    let _ = b.add_cert(issuer.to_owned());
    if let Ok(mut p) = X509VerifyParam::new() {
        p.set_time(produced as _);
        let _ = p.set_flags(X509VerifyFlags::PARTIAL_CHAIN | X509VerifyFlags::USE_CHECK_TIME);
        let _ = b.set_param(&p);
    }
    let store = b.build();
    let mut certs = Stack::<X509>::new().expect("stack");
    let _ = certs.push(issuer.to_owned());
    if basic.verify(&certs, &store, OcspFlag::empty()).is_err() {
        return ignored("not signed by the signer's issuer or a responder it delegated, valid when it answered");
    }
    let status = [MessageDigest::sha1(), MessageDigest::sha256()].into_iter().find_map(|md| {
        let id = OcspCertId::from_cert(md, cert, issuer).ok()?;
        basic.find_status(&id).map(|s| {
            let text = |t: &openssl::asn1::Asn1GeneralizedTimeRef| t.to_string();
            (s.status, s.revocation_time.map(text), text(s.this_update), s.next_update().map(text))
        })
    });
    match status {
        Some((OcspCertStatus::GOOD, _, this, next)) => fresh(cert, &this, next.as_deref(), at),
        Some((OcspCertStatus::REVOKED, when, _, _)) => {
            let when = when.unwrap_or_else(|| "?".into());
            let at = printed_time(&when);
            Ocsp::Revoked(when, at)
        }
        Some(_) => ignored("the signer's status is unknown to the responder"),
        None => ignored("it does not name the signer's certificate"),
    }
}

/// A "good" status issued at `this` (lapsing at `next`) as the status at
/// `at`, if it is fresh for it (the rule in the module's doc).
fn fresh(cert: &X509Ref, this: &str, next: Option<&str>, at: i64) -> Ocsp {
    let Some(issued) = printed_time(this) else { return Ocsp::Ignored("its thisUpdate is unreadable".into()) };
    if Asn1Time::from_unix(issued as _).is_ok_and(|t| t > cert.not_after()) {
        return Ocsp::Ignored(format!("issued {this}, after the signer's certificate expired"));
    }
    if issued < at - FRESH_BEFORE {
        return Ocsp::Ignored(format!("issued {this}, more than 24 hours before the signing time"));
    }
    match next {
        Some(next) if issued <= at && printed_time(next).is_none_or(|n| n < at) => {
            Ocsp::Ignored(format!("it lapsed on {next}, before the signing time"))
        }
        _ => Ocsp::Good,
    }
}

/// Seconds since 1970 from a time as OpenSSL prints it
/// (`Nov  5 20:03:14 2026 GMT`, fractions of a second dropped).
fn printed_time(text: &str) -> Option<i64> {
    let text = text.strip_suffix(" GMT")?;
    let (head, year) = text.rsplit_once(' ')?;
    let head = head.split('.').next()?;
    let full = format!("{head} {year}");
    chrono::NaiveDateTime::parse_from_str(&full, "%b %e %H:%M:%S %Y").ok().map(|t| t.and_utc().timestamp())
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_time_is_read_from_the_signed_attributes_only() {
        // ContentInfo { OID, [0] { SignedData { v1, SET {}, SEQ {}, SET {
        // SignerInfo { v1, [0] attrs, OCTET STRING sig, [1] attrs } } } } }
        let wrap = |tag: u8, content: &[u8]| [&[tag, content.len() as u8][..], content].concat();
        let attr = |time: &[u8]| {
            let oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
            wrap(0x30, &[&oid[..], &wrap(0x31, &wrap(0x17, time))].concat())
        };
        let cms = |signed: Option<&[u8]>, unsigned: &[u8]| {
            let signed = signed.map(|t| wrap(0xA0, &attr(t))).unwrap_or_default();
            let info = [&[0x02, 0x01, 0x01][..], &signed, &[0x04, 0x01, 0xaa], &wrap(0xA1, &attr(unsigned))].concat();
            let data = [&[0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x00][..], &wrap(0x31, &wrap(0x30, &info))].concat();
            wrap(0x30, &[&[0x06, 0x01, 0x2a][..], &wrap(0xA0, &wrap(0x30, &data))].concat())
        };
        assert_eq!(signing_time(&cms(Some(b"270301020000Z"), b"270301030000Z")), Some(1_803_866_400));
        assert_eq!(signing_time(&cms(None, b"270301030000Z")), None, "a token's own signingTime is not the signer's");
        assert_eq!(signing_time(b"no attributes"), None);
    }

    #[test]
    fn printed_times_are_read() {
        assert_eq!(printed_time("Nov 24 03:44:51 2026 GMT"), Some(1_795_491_891));
        assert_eq!(printed_time("Jan  1 00:00:00 2049 GMT"), Some(2_493_072_000));
        assert_eq!(printed_time("Nov 24 03:44:51.5 2026 GMT"), Some(1_795_491_891));
        assert_eq!(printed_time("yesterday"), None);
    }
}
