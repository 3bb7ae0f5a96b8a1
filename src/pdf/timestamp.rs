//! Document timestamps (`/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`):
//! the value is an RFC 3161 timestamp token, a CMS SignedData whose content
//! is a TSTInfo. The token's own signature must verify, and the TSTInfo's
//! message imprint must be the digest of the signed byte ranges.

use openssl::hash::{MessageDigest, hash};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;

/// Checks a timestamp token over `data`; the problem in words for people
/// (Indonesian) when it does not hold.
pub(crate) fn check(p7: &Pkcs7, data: &[u8]) -> Result<(), &'static str> {
    let empty = Stack::<X509>::new().map_err(|_| "stempel waktu tidak dapat diperiksa")?;
    let store = X509StoreBuilder::new().map_err(|_| "stempel waktu tidak dapat diperiksa")?.build();
    let mut tst = Vec::new();
    p7.verify(&empty, &store, None, Some(&mut tst), Pkcs7Flags::NOVERIFY | Pkcs7Flags::BINARY)
        .map_err(|_| "tanda tangan stempel waktu dokumen tidak sah")?;
    let (algorithm, imprint) = message_imprint(&tst).ok_or("stempel waktu dokumen tidak dapat dibaca (TSTInfo)")?;
    let digest = digest_for(algorithm).ok_or("algoritma hash stempel waktu dokumen tidak dikenal")?;
    let actual = hash(digest, data).map_err(|_| "stempel waktu tidak dapat diperiksa")?;
    if *actual != *imprint {
        return Err("isi berkas tidak cocok dengan stempel waktu dokumen");
    }
    Ok(())
}

/// One DER element: its tag, its content and what follows it.
fn tlv(buf: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = buf.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, b| acc << 8 | *b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE {
/// hashAlgorithm SEQUENCE { OID, .. }, hashedMessage OCTET STRING }, .. }:
/// the hash algorithm's OID and the hashed message.
fn message_imprint(tst: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, info, _) = tlv(tst)? else { return None };
    let (0x02, _, rest) = tlv(info)? else { return None };
    let (0x06, _, rest) = tlv(rest)? else { return None };
    let (0x30, imprint, _) = tlv(rest)? else { return None };
    let (0x30, alg, rest) = tlv(imprint)? else { return None };
    let (0x06, oid, _) = tlv(alg)? else { return None };
    let (0x04, hashed, _) = tlv(rest)? else { return None };
    Some((oid, hashed))
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
    fn der_lengths_short_and_long() {
        assert_eq!(tlv(&[0x04, 0x01, 0xaa, 0xbb]), Some((0x04, &[0xaa][..], &[0xbb][..])));
        assert_eq!(tlv(&[0x04, 0x81, 0x01, 0xaa]), Some((0x04, &[0xaa][..], &[][..])));
        assert_eq!(tlv(&[0x04, 0x05, 0xaa]), None);
        assert_eq!(tlv(&[0x04, 0x80]), None, "indefinite lengths are not DER");
    }

    #[test]
    fn hash_algorithms_by_oid() {
        assert!(digest_for(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]).is_some());
        assert!(digest_for(&[0x2b, 0x0e, 0x03, 0x02, 0x1a]).is_some());
        assert!(digest_for(&[0x2a]).is_none());
    }
}
