//! When a signature was made and whether the signer's certificate was good
//! then: the signing time the signer put into the signed attributes, the
//! trust anchors as a store that checks the chain at that time, and the
//! revocation data embedded in the PDF (`/DSS` CRLs; OCSP responses are
//! counted, not evaluated). suratd never goes online for revocation.

use lopdf::{Document, Object};
use openssl::asn1::Asn1Time;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{CrlStatus, X509, X509Crl, X509Ref};

/// The signing time (seconds since 1970) from a CMS value's signed
/// attributes (`signingTime`, UTCTime or GeneralizedTime), if it has one.
pub(super) fn signing_time(der: &[u8]) -> Option<i64> {
    const OID: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
    let at = der.windows(OID.len()).position(|w| w == OID)? + OID.len();
    // SET { UTCTime | GeneralizedTime }
    let rest = der.get(at..)?;
    let (tag, len) = (*rest.get(2)?, *rest.get(3)? as usize);
    let text = std::str::from_utf8(rest.get(4..4 + len)?).ok()?;
    let text = text.trim_end_matches('Z');
    let full = match tag {
        0x17 => format!("{}{text}", if text.get(..2)? >= "50" { "19" } else { "20" }),
        0x18 => text.split('.').next()?.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok().map(|t| t.and_utc().timestamp())
}

/// The anchors as a store that checks chains at `time` (now when unknown).
pub(super) fn store_at(certs: &[X509], time: Option<i64>) -> X509Store {
    let mut b = X509StoreBuilder::new().expect("store");
    for c in certs {
        let _ = b.add_cert(c.clone());
    }
    if let Some(t) = time
        && let Ok(mut p) = X509VerifyParam::new()
    {
        p.set_time(t as _);
        let _ = p.set_flags(X509VerifyFlags::USE_CHECK_TIME);
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
    ocsps: usize,
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
        Revocation { crls, ocsps: streams(b"OCSPs").len() }
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
        for crl in &mine {
            if let CrlStatus::Revoked(r) = crl.get_by_cert(cert) {
                let when = r.revocation_date().to_string();
                let before =
                    time.and_then(|t| Asn1Time::from_unix(t as _).ok()).is_none_or(|t| r.revocation_date() <= t);
                if before {
                    return Err(format!("sertifikat penanda tangan sudah dicabut (revoked) pada {when}"));
                }
                return Ok(format!("revoked on {when}, after signing"));
            }
        }
        Ok(match (mine.len(), self.ocsps) {
            (0, 0) => "no revocation data embedded (not checked for revocation)".into(),
            (0, n) => format!("{n} OCSP response(s) embedded, not evaluated; no CRL for the signer's issuer"),
            (n, _) => format!("not revoked per {n} embedded CRL(s)"),
        })
    }
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
    fn signing_times_are_read_in_both_encodings() {
        let oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
        let mut utc = oid.to_vec();
        utc.extend_from_slice(&[0x31, 0x0f, 0x17, 0x0d]);
        utc.extend_from_slice(b"261124034451Z");
        assert_eq!(signing_time(&utc), Some(1_795_491_891));
        let mut general = oid.to_vec();
        general.extend_from_slice(&[0x31, 0x11, 0x18, 0x0f]);
        general.extend_from_slice(b"20261124034451Z");
        assert_eq!(signing_time(&general), Some(1_795_491_891));
        assert_eq!(signing_time(b"no attributes"), None);
    }
}
