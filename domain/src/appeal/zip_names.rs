//! The entry names of a ZIP package, read from its central directory (APPNOTE 4.3.12, 4.3.16):
//! enough to tell an OFD or a Word document from any other ZIP, without unpacking anything.

/// End of central directory: signature, then the fields up to the comment's length.
const EOCD_SIGNATURE: &[u8] = b"PK\x05\x06";
const EOCD_LEN: usize = 22;
const ENTRY_SIGNATURE: &[u8] = b"PK\x01\x02";
const ENTRY_LEN: usize = 46;
/// A package with more entries than this is not a document we take.
const MAX_ENTRIES: usize = 10_000;

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The names of every entry, or `None` when `bytes` is not a well-formed ZIP (a truncated file, a
/// ZIP64 package, a directory that points outside the file).
pub(super) fn zip_entries(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    // The record sits at the end, after a comment of at most 65,535 bytes.
    let earliest = bytes.len().saturating_sub(EOCD_LEN + usize::from(u16::MAX));
    let last = bytes.len().checked_sub(EOCD_LEN)?;
    let eocd = (earliest..=last)
        .rev()
        .find(|&at| bytes[at..].starts_with(EOCD_SIGNATURE))?;
    let count = u16_at(bytes, eocd + 10)?;
    let mut at = u32_at(bytes, eocd + 16)?;
    if count > MAX_ENTRIES {
        return None;
    }
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        let names_at = at.checked_add(ENTRY_LEN)?;
        let header = bytes.get(at..names_at)?;
        if !header.starts_with(ENTRY_SIGNATURE) {
            return None;
        }
        let name_len = u16_at(header, 28)?;
        let extra_len = u16_at(header, 30)?;
        let comment_len = u16_at(header, 32)?;
        names.push(bytes.get(names_at..names_at.checked_add(name_len)?)?);
        at = names_at.checked_add(name_len + extra_len + comment_len)?;
    }
    Some(names)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored (uncompressed) ZIP with empty entries of these names: local headers, central
    /// directory, end record — as any archiver writes them.
    pub(crate) fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for name in names {
            let offset = u32::try_from(out.len()).unwrap();
            let len = u16::try_from(name.len()).unwrap();
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&len.to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let start = u32::try_from(out.len()).unwrap();
        let size = u32::try_from(directory.len()).unwrap();
        let count = u16::try_from(names.len()).unwrap();
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn reads_every_entry_name() {
        let zip = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        let names = zip_entries(&zip).unwrap();
        assert_eq!(
            names,
            [&b"[Content_Types].xml"[..], &b"word/document.xml"[..]]
        );
        assert_eq!(zip_entries(&zip_of(&[])).unwrap().len(), 0);
    }

    #[test]
    fn a_broken_package_has_no_names() {
        let zip = zip_of(&["OFD.xml", "Doc_0/Document.xml"]);
        // Cut anywhere: the end record or an entry is missing.
        for cut in [1, 10, 22, zip.len() / 2] {
            assert_eq!(zip_entries(&zip[..zip.len() - cut]), None, "cut {cut}");
        }
        assert_eq!(zip_entries(b"PK\x03\x04"), None);
        assert_eq!(zip_entries(b""), None);
        // A directory offset past the end.
        let mut wrong = zip.clone();
        let at = wrong.len() - 6;
        wrong[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(zip_entries(&wrong), None);
    }
}
