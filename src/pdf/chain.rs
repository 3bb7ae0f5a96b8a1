//! The certificate chains that signed PDFs carry: for each person's
//! signature (not document timestamps), the signer's certificate and the
//! issuers embedded with it, in order from the signer up. `suratd verify
//! --export-chain` writes them so that an admin can install the
//! e-signature authority's root as a trust anchor. Never writes the PDF.

use anyhow::{Context, Result};
use lopdf::{Document, Object};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::{X509, X509Ref};

/// Each signature's chain, signer first, then its issuers as far as the
/// file carries them.
pub fn chains(bytes: &[u8]) -> Result<Vec<Vec<X509>>> {
    let doc = Document::load_mem(bytes).context("the PDF structure cannot be read")?;
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"ByteRange").and_then(Object::as_array).is_err() {
            continue;
        }
        let name = |k: &[u8]| dict.get(k).and_then(Object::as_name).ok();
        if name(b"Type") == Some(b"DocTimeStamp") || name(b"SubFilter") == Some(b"ETSI.RFC3161") {
            continue;
        }
        let Ok(Object::String(der, _)) = dict.get(b"Contents") else { continue };
        // OpenSSL reads the value's own length; the zero padding after it is ignored.
        let Ok(p7) = Pkcs7::from_der(der) else { continue };
        out.push(chain_of(&p7));
    }
    Ok(out)
}

fn chain_of(p7: &Pkcs7) -> Vec<X509> {
    let empty = Stack::<X509>::new().expect("stack");
    let Some(signer) =
        p7.signers(&empty, Pkcs7Flags::empty()).ok().and_then(|s| s.iter().next().map(X509Ref::to_owned))
    else {
        return Vec::new();
    };
    let pool: Vec<X509> = p7
        .signed()
        .and_then(|s| s.certificates())
        .map(|c| c.iter().map(X509Ref::to_owned).collect())
        .unwrap_or_default();
    let mut chain = vec![signer];
    while chain.len() <= pool.len() {
        let last = chain.last().expect("not empty");
        if is_self_signed(last) {
            break;
        }
        let Some(issuer) = pool.iter().find(|c| c.issued(last) == openssl::x509::X509VerifyResult::OK) else { break };
        chain.push(issuer.clone());
    }
    chain
}

/// Whether the certificate is its own issuer (a root).
pub fn is_self_signed(c: &X509Ref) -> bool {
    c.issued(c) == openssl::x509::X509VerifyResult::OK
}

/// A certificate's SHA-256 fingerprint, as admins compare them (AB:CD:...).
pub fn fingerprint(c: &X509Ref) -> String {
    c.digest(openssl::hash::MessageDigest::sha256())
        .map(|d| d.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
        .unwrap_or_default()
}
