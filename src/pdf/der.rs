//! Just enough DER to read what OpenSSL's Rust API does not expose: a CMS
//! SignerInfo's signed and unsigned attributes and its signature value, an
//! RFC 3161 TSTInfo, an OCSP response's producedAt, and ASN.1 times. Input
//! is DER (OpenSSL re-encodes a BER signature when asked for DER); anything
//! else reads as nothing.

/// One DER element: its tag, its content and what follows it.
pub(super) fn tlv(buf: &[u8]) -> Option<(u8, &[u8], &[u8])> {
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

/// The elements of a constructed value's content, as (tag, content).
pub(super) fn items(mut buf: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((tag, content, rest)) = tlv(buf) {
        out.push((tag, content));
        buf = rest;
    }
    out
}

/// The parts of a CMS signature's (first) SignerInfo.
pub(super) struct SignerInfo<'a> {
    /// The content of the `[0]` signed attributes, if any.
    pub signed_attrs: Option<&'a [u8]>,
    /// The signature value's octets.
    pub signature: &'a [u8],
    /// The content of the `[1]` unsigned attributes, if any.
    pub unsigned_attrs: Option<&'a [u8]>,
}

/// ContentInfo { OID, [0] SignedData { version, digestAlgorithms,
/// encapContentInfo, [0] certificates, [1] crls, signerInfos SET } }.
pub(super) fn signer_info(content_info: &[u8]) -> Option<SignerInfo<'_>> {
    let (0x30, ci, _) = tlv(content_info)? else { return None };
    let (0x06, _, rest) = tlv(ci)? else { return None };
    let (0xA0, explicit, _) = tlv(rest)? else { return None };
    let (0x30, signed_data, _) = tlv(explicit)? else { return None };
    let (_, infos) = items(signed_data).into_iter().rev().find(|(t, _)| *t == 0x31)?;
    let (0x30, info, _) = tlv(infos)? else { return None };
    let parts = items(info);
    Some(SignerInfo {
        signed_attrs: parts.iter().find(|(t, _)| *t == 0xA0).map(|(_, c)| *c),
        signature: parts.iter().find(|(t, _)| *t == 0x04).map(|(_, c)| *c)?,
        unsigned_attrs: parts.iter().find(|(t, _)| *t == 0xA1).map(|(_, c)| *c),
    })
}

/// The values (the SET's content) of the attribute `oid` (its encoded
/// content, without tag and length) among `attrs`.
pub(super) fn attribute<'a>(attrs: &'a [u8], oid: &[u8]) -> Option<&'a [u8]> {
    items(attrs).into_iter().filter(|(t, _)| *t == 0x30).find_map(|(_, attr)| {
        let (0x06, id, rest) = tlv(attr)? else { return None };
        let (0x31, values, _) = tlv(rest)? else { return None };
        (id == oid).then_some(values)
    })
}

/// Seconds since 1970 from a UTCTime (tag 0x17) or GeneralizedTime (0x18),
/// in UTC (`Z`); fractions of a second are dropped.
pub(super) fn time(tag: u8, content: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(content).ok()?.strip_suffix('Z')?;
    let full = match tag {
        0x17 => format!("{}{text}", if text.get(..2)? >= "50" { "19" } else { "20" }),
        0x18 => text.split('.').next()?.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok().map(|t| t.and_utc().timestamp())
}

/// OCSPResponse { status, [0] { type, OCTET STRING BasicOCSPResponse {
/// tbsResponseData { [0] version, responderID, producedAt, .. }, .. } } }:
/// producedAt.
pub(super) fn ocsp_produced_at(der: &[u8]) -> Option<i64> {
    let (0x30, resp, _) = tlv(der)? else { return None };
    let (0x0A, _, rest) = tlv(resp)? else { return None };
    let (0xA0, bytes, _) = tlv(rest)? else { return None };
    let (0x30, bytes, _) = tlv(bytes)? else { return None };
    let (0x06, _, rest) = tlv(bytes)? else { return None };
    let (0x04, basic, _) = tlv(rest)? else { return None };
    let (0x30, basic, _) = tlv(basic)? else { return None };
    let (0x30, tbs, _) = tlv(basic)? else { return None };
    let (_, produced) = items(tbs).into_iter().find(|(t, _)| *t == 0x18)?;
    time(0x18, produced)
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
    fn times_in_both_encodings() {
        assert_eq!(time(0x17, b"261124034451Z"), Some(1_795_491_891));
        assert_eq!(time(0x18, b"20261124034451Z"), Some(1_795_491_891));
        assert_eq!(time(0x18, b"20261124034451.25Z"), Some(1_795_491_891));
        assert_eq!(time(0x17, b"261124034451+0700"), None, "UTC only, as DER requires");
    }

    #[test]
    fn attributes_by_oid() {
        // SEQ { OID 1.2.3, SET { INTEGER 5 } }, SEQ { OID 1.2.4, SET { } }
        let attrs = [
            0x30, 0x09, 0x06, 0x02, 0x2a, 0x03, 0x31, 0x03, 0x02, 0x01, 0x05, 0x30, 0x06, 0x06, 0x02, 0x2a, 0x04, 0x31,
            0x00,
        ];
        assert_eq!(attribute(&attrs, &[0x2a, 0x03]), Some(&[0x02, 0x01, 0x05][..]));
        assert_eq!(attribute(&attrs, &[0x2a, 0x04]), Some(&[][..]));
        assert_eq!(attribute(&attrs, &[0x2a, 0x05]), None);
    }
}
