//! The PDF side of a digital signature (PDF 32000-1 §12.8): a signature dictionary whose
//! /ByteRange covers the whole file except the /Contents hex string, which holds a detached
//! CMS SignedData over those bytes. The document is written with placeholders of fixed width;
//! [`sign`] then writes the real byte range over its placeholder, hashes the covered bytes, and
//! writes the CMS (hex, zero-padded) into /Contents. Nothing moves, so the cross-reference
//! table stays right.

use pdf_writer::{Name, Pdf, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use super::{pdf_date, SignatureField};
use crate::error::Error;

/// Bytes reserved for the CMS structure (an RSA-4096 signature with a certificate chain fits).
pub const SIGNATURE_CAPACITY: usize = 8192;
/// The byte range written first; each number is overwritten in place, padded with spaces.
const BYTE_RANGE_PLACEHOLDER: [i32; 4] = [0, 1_000_000_000, 1_000_000_000, 1_000_000_000];

/// Writes the signature dictionary with placeholders.
pub fn write_signature_dictionary(pdf: &mut Pdf, id: Ref, field: &SignatureField) {
    let placeholder = vec![0xFFu8; SIGNATURE_CAPACITY];
    let mut dict = pdf.indirect(id).dict();
    dict.pair(Name(b"Type"), Name(b"Sig"));
    dict.pair(Name(b"Filter"), Name(b"Adobe.PPKLite"));
    dict.pair(Name(b"SubFilter"), Name(b"adbe.pkcs7.detached"));
    dict.insert(Name(b"ByteRange"))
        .array()
        .items(BYTE_RANGE_PLACEHOLDER);
    dict.pair(Name(b"Contents"), Str(&placeholder));
    dict.pair(Name(b"M"), pdf_date(field.signed_at));
    dict.pair(Name(b"Name"), TextStr(&field.signer_name));
    dict.pair(Name(b"Reason"), TextStr(&field.reason));
    dict.pair(Name(b"Location"), TextStr(&field.location));
}

/// Where the placeholders are in a written document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placeholders {
    /// The `[...]` of /ByteRange, brackets included.
    byte_range: (usize, usize),
    /// The `<...>` of /Contents, brackets included.
    contents: (usize, usize),
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn locate(pdf: &[u8]) -> Result<Placeholders, Error> {
    let missing = || Error::Internal("the document has no signature placeholder".into());
    let key = find(pdf, b"/ByteRange [", 0).ok_or_else(missing)?;
    let start = key + b"/ByteRange ".len();
    let end = find(pdf, b"]", start).ok_or_else(missing)? + 1;
    let key = find(pdf, b"/Contents <", 0).ok_or_else(missing)?;
    let open = key + b"/Contents ".len();
    let close = find(pdf, b">", open).ok_or_else(missing)? + 1;
    if close - open != 2 * SIGNATURE_CAPACITY + 2 {
        return Err(Error::Internal(
            "the signature placeholder has an unexpected size".into(),
        ));
    }
    Ok(Placeholders {
        byte_range: (start, end),
        contents: (open, close),
    })
}

/// The byte range a signature covers: everything but the /Contents string.
pub fn byte_range(total: usize, contents: (usize, usize)) -> [usize; 4] {
    [0, contents.0, contents.1, total - contents.1]
}

/// Signs a document written with a signature field: `cms` receives the SHA-256 of the covered
/// bytes and returns the DER of a detached CMS SignedData.
pub fn sign(
    mut pdf: Vec<u8>,
    cms: impl FnOnce(&[u8; 32]) -> Result<Vec<u8>, Error>,
) -> Result<Vec<u8>, Error> {
    let places = locate(&pdf)?;
    let range = byte_range(pdf.len(), places.contents);
    let slot = places.byte_range.1 - places.byte_range.0;
    let mut text = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
    if text.len() > slot {
        return Err(Error::Internal("the document is too large to sign".into()));
    }
    // Pad inside the brackets so the array stays well-formed.
    text.insert_str(text.len() - 1, &" ".repeat(slot - text.len()));
    pdf[places.byte_range.0..places.byte_range.1].copy_from_slice(text.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&pdf[range[0]..range[0] + range[1]]);
    hasher.update(&pdf[range[2]..range[2] + range[3]]);
    let digest: [u8; 32] = hasher.finalize().into();
    let der = cms(&digest)?;
    if der.len() > SIGNATURE_CAPACITY {
        return Err(Error::Internal(format!(
            "the signature ({} bytes) does not fit the {SIGNATURE_CAPACITY} reserved",
            der.len()
        )));
    }
    let mut hex_text = hex::encode_upper(&der).into_bytes();
    hex_text.resize(2 * SIGNATURE_CAPACITY, b'0');
    pdf[places.contents.0 + 1..places.contents.1 - 1].copy_from_slice(&hex_text);
    Ok(pdf)
}

/// The SHA-256 of the bytes a signed document's /ByteRange covers, and whether that range is
/// the whole file but the signature (for checks of our own output).
#[cfg(test)]
fn covered_digest(pdf: &[u8]) -> Option<([u8; 32], bool)> {
    let places = locate_signed(pdf)?;
    let numbers: Vec<usize> = std::str::from_utf8(&pdf[places.0 + 1..places.1 - 1])
        .ok()?
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<usize>>>()?;
    let [a, b, c, d] = numbers[..] else {
        return None;
    };
    if a + b > pdf.len() || c + d > pdf.len() {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(&pdf[a..a + b]);
    hasher.update(&pdf[c..c + d]);
    Some((hasher.finalize().into(), a == 0 && c + d == pdf.len()))
}

#[cfg(test)]
fn locate_signed(pdf: &[u8]) -> Option<(usize, usize)> {
    let key = find(pdf, b"/ByteRange [", 0)?;
    let start = key + b"/ByteRange ".len();
    let end = find(pdf, b"]", start)? + 1;
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_document() -> Vec<u8> {
        let mut pdf =
            b"%PDF-1.7\n1 0 obj\n<< /ByteRange [0 1000000000 1000000000 1000000000] /Contents <"
                .to_vec();
        pdf.extend(std::iter::repeat_n(b'F', 2 * SIGNATURE_CAPACITY));
        pdf.extend_from_slice(b"> >>\nendobj\ntrailer\n%%EOF\n");
        pdf
    }

    #[test]
    fn the_byte_range_covers_everything_but_the_signature_string() {
        assert_eq!(byte_range(1000, (100, 200)), [0, 100, 200, 800]);
    }

    #[test]
    fn signing_fills_both_placeholders_in_place() {
        let unsigned = fake_document();
        let length = unsigned.len();
        let mut seen = None;
        let signed = sign(unsigned, |digest| {
            seen = Some(*digest);
            Ok(vec![0xAB, 0xCD])
        })
        .unwrap();
        assert_eq!(signed.len(), length, "nothing moves");
        let text = String::from_utf8_lossy(&signed);
        let open = text.find("/Contents <").unwrap() + 10;
        let close = open + 2 * SIGNATURE_CAPACITY + 1;
        assert!(text.contains(&format!(
            "/ByteRange [0 {open} {} {}",
            close + 1,
            length - close - 1
        )));
        assert!(text[open + 1..].starts_with("ABCD0000"));
        let (digest, whole) = covered_digest(&signed).unwrap();
        assert!(whole);
        assert_eq!(Some(digest), seen, "the digest covers the final byte range");
    }

    #[test]
    fn a_document_without_placeholders_cannot_be_signed() {
        assert!(sign(b"%PDF-1.7\n".to_vec(), |_| Ok(vec![])).is_err());
    }
}
