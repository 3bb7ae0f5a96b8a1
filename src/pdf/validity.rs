//! When a signature was made and whether the signer's certificate was good
//! then: the signing time the signer put into the signed attributes (a
//! claim; `signature` prefers a trusted signature timestamp), the trust
//! anchors as a store that checks a chain at that time, and the revocation
//! data embedded in the PDF (`/DSS` CRLs and OCSP responses, each used only
//! when the signer's issuer signed it, directly or through a responder it
//! delegated). suratd never goes online for revocation.

use super::der;
use lopdf::{Document, Object};
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{CrlStatus, X509, X509Crl, X509PurposeId, X509Ref};

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
    Ignored(&'static str),
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
        for der in &self.ocsps {
            match ocsp_status(der, cert, issuer) {
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

/// What the OCSP response `der` says about `cert`, if the signer's issuer
/// signed it (itself, or a responder it issued for OCSP signing).
fn ocsp_status(der: &[u8], cert: &X509, issuer: Option<&X509Ref>) -> Ocsp {
    let Some(issuer) = issuer else { return Ocsp::Ignored("the signer's issuer is unknown") };
    let Ok(resp) = OcspResponse::from_der(der) else { return Ocsp::Ignored("not an OCSP response") };
    if resp.status() != OcspResponseStatus::SUCCESSFUL {
        return Ocsp::Ignored("not a successful OCSP response");
    }
    let Ok(basic) = resp.basic() else { return Ocsp::Ignored("not a basic OCSP response") };
    // The issuer is the anchor here: the response must come from it.
    let mut b = X509StoreBuilder::new().expect("store");
    let _ = b.add_cert(issuer.to_owned());
    let _ = b.set_flags(X509VerifyFlags::PARTIAL_CHAIN);
    let store = b.build();
    let mut certs = Stack::<X509>::new().expect("stack");
    let _ = certs.push(issuer.to_owned());
    if basic.verify(&certs, &store, OcspFlag::empty()).is_err() {
        return Ocsp::Ignored("not signed by the signer's issuer or a responder it delegated");
    }
    let status = [MessageDigest::sha1(), MessageDigest::sha256()].into_iter().find_map(|md| {
        let id = OcspCertId::from_cert(md, cert, issuer).ok()?;
        basic.find_status(&id).map(|s| (s.status, s.revocation_time.map(|t| t.to_string())))
    });
    match status {
        Some((OcspCertStatus::GOOD, _)) => Ocsp::Good,
        Some((OcspCertStatus::REVOKED, when)) => {
            let when = when.unwrap_or_else(|| "?".into());
            let at = printed_time(&when);
            Ocsp::Revoked(when, at)
        }
        Some(_) => Ocsp::Ignored("the signer's status is unknown to the responder"),
        None => Ocsp::Ignored("it does not name the signer's certificate"),
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
