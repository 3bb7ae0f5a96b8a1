//! RFC 3161 timestamp tokens, in two places: document timestamps
//! (`/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`), whose value is a
//! token over the signed byte ranges, and signature timestamp tokens (the
//! unsigned attribute id-aa-signatureTimeStampToken of a person's
//! signature), a token over that SignerInfo's signature value. A token is
//! a CMS SignedData whose content is a TSTInfo. It holds when its own
//! signature verifies and its message imprint is the digest of what it
//! stamps. Its time (genTime) is trusted only when the TSA's certificate
//! chains to the trust anchors as of genTime and is a time-stamping
//! certificate (extended key usage timeStamping only, critical: RFC 3161
//! 2.3); a token from a TSA nobody trusts is checked but its time is not
//! believed.

use super::{der, validity};
use openssl::hash::{MessageDigest, hash};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509PurposeId};

/// What is wrong with a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Unchecked,
    Signature,
    Unreadable,
    Algorithm,
    Imprint,
}

/// Checks a token over `data`: its time (seconds since 1970), or what is
/// wrong with it.
fn check_token(p7: &Pkcs7, data: &[u8]) -> Result<i64, Fault> {
    let empty = Stack::<X509>::new().map_err(|_| Fault::Unchecked)?;
    let store = X509StoreBuilder::new().map_err(|_| Fault::Unchecked)?.build();
    let mut tst = Vec::new();
    p7.verify(&empty, &store, None, Some(&mut tst), Pkcs7Flags::NOVERIFY | Pkcs7Flags::BINARY)
        .map_err(|_| Fault::Signature)?;
    let info = tst_info(&tst).ok_or(Fault::Unreadable)?;
    let digest = digest_for(info.algorithm).ok_or(Fault::Algorithm)?;
    let actual = hash(digest, data).map_err(|_| Fault::Unchecked)?;
    if *actual != *info.imprint {
        return Err(Fault::Imprint);
    }
    Ok(info.gen_time)
}

/// Checks a document timestamp's token over `data` (the signed byte
/// ranges): its time, or the problem in words for people (Indonesian).
pub(crate) fn check(p7: &Pkcs7, data: &[u8]) -> Result<i64, &'static str> {
    check_token(p7, data).map_err(|f| match f {
        Fault::Unchecked => "stempel waktu tidak dapat diperiksa",
        Fault::Signature => "tanda tangan stempel waktu dokumen tidak sah",
        Fault::Unreadable => "stempel waktu dokumen tidak dapat dibaca (TSTInfo)",
        Fault::Algorithm => "algoritma hash stempel waktu dokumen tidak dikenal",
        Fault::Imprint => "isi berkas tidak cocok dengan stempel waktu dokumen",
    })
}

/// id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14.
const SIGNATURE_TOKEN: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x0E];

/// The signature timestamp token of a CMS signature (`cms`, DER), if it
/// carries one: the token and its time, or the problem in words for
/// people (Indonesian) when the token does not hold.
pub(crate) fn of_signature(cms: &[u8]) -> Option<Result<(Pkcs7, i64), &'static str>> {
    let info = der::signer_info(cms)?;
    let values = der::attribute(info.unsigned_attrs?, SIGNATURE_TOKEN)?;
    let Ok(p7) = Pkcs7::from_der(values) else {
        return Some(Err("stempel waktu pada tanda tangan tidak dapat dibaca"));
    };
    Some(check_token(&p7, info.signature).map(|t| (p7, t)).map_err(|f| match f {
        Fault::Unchecked => "stempel waktu pada tanda tangan tidak dapat diperiksa",
        Fault::Signature => "tanda tangan stempel waktu pada tanda tangan tidak sah",
        Fault::Unreadable => "stempel waktu pada tanda tangan tidak dapat dibaca (TSTInfo)",
        Fault::Algorithm => "algoritma hash stempel waktu pada tanda tangan tidak dikenal",
        Fault::Imprint => {
            "stempel waktu pada tanda tangan tidak cocok dengan nilai tanda tangannya (stempel waktu milik tanda \
             tangan lain)"
        }
    }))
}

/// Whether the token's TSA chains to `anchors` as of `at` (its genTime)
/// and is a time-stamping certificate.
pub(crate) fn trusted(p7: &Pkcs7, anchors: &[X509], at: i64) -> bool {
    let store = validity::store_at(anchors, Some(at), Some(X509PurposeId::TIMESTAMP_SIGN));
    let Ok(empty) = Stack::<X509>::new() else { return false };
    let mut sink = Vec::new();
    p7.verify(&empty, &store, None, Some(&mut sink), Pkcs7Flags::BINARY).is_ok()
}

/// What a TSTInfo says.
struct TstInfo<'a> {
    /// The hash algorithm's OID.
    algorithm: &'a [u8],
    imprint: &'a [u8],
    gen_time: i64,
}

/// TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE {
/// hashAlgorithm SEQUENCE { OID, .. }, hashedMessage OCTET STRING },
/// serialNumber, genTime GeneralizedTime, .. }.
fn tst_info(tst: &[u8]) -> Option<TstInfo<'_>> {
    let (0x30, info, _) = der::tlv(tst)? else { return None };
    let (0x02, _, rest) = der::tlv(info)? else { return None };
    let (0x06, _, rest) = der::tlv(rest)? else { return None };
    let (0x30, imprint, rest) = der::tlv(rest)? else { return None };
    let (0x30, alg, hashed) = der::tlv(imprint)? else { return None };
    let (0x06, algorithm, _) = der::tlv(alg)? else { return None };
    let (0x04, imprint, _) = der::tlv(hashed)? else { return None };
    let (0x02, _, rest) = der::tlv(rest)? else { return None };
    let (0x18, gen_time, _) = der::tlv(rest)? else { return None };
    Some(TstInfo { algorithm, imprint, gen_time: der::time(0x18, gen_time)? })
}

fn digest_for(oid: &[u8]) -> Option<MessageDigest> {
    const NIST: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    match oid {
        [0x2b, 0x0e, 0x03, 0x02, 0x1a] => Some(MessageDigest::sha1()),
        [p @ .., n] if p == NIST => match n {
            1 => Some(MessageDigest::sha256()),
            2 => Some(MessageDigest::sha384()),
            3 => Some(MessageDigest::sha512()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_algorithms_by_oid() {
        assert!(digest_for(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]).is_some());
        assert!(digest_for(&[0x2b, 0x0e, 0x03, 0x02, 0x1a]).is_some());
        assert!(digest_for(&[0x2a]).is_none());
    }

    #[test]
    fn a_tst_info_gives_its_imprint_and_time() {
        // { v1, policy 1.2, { { sha256 }, 2 bytes }, serial 7, genTime }
        let mut tst = vec![0x30, 0x2d, 0x02, 0x01, 0x01, 0x06, 0x01, 0x2a, 0x30, 0x11, 0x30, 0x0b, 0x06, 0x09];
        tst.extend_from_slice(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x02, 0xaa, 0xbb]);
        tst.extend_from_slice(&[0x02, 0x01, 0x07, 0x18, 0x0f]);
        tst.extend_from_slice(b"20270301020005Z");
        let info = tst_info(&tst).unwrap();
        assert_eq!((info.imprint, info.gen_time), (&[0xaa, 0xbb][..], 1_803_866_405));
        assert!(digest_for(info.algorithm).is_some());
        assert!(tst_info(&tst[..20]).is_none());
    }
}
