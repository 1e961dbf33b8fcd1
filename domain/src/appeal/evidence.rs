//! 申诉证据 — the files a unit attaches to its appeal: which types are taken (told by their content,
//! never by their name), how many and how large, and the name a file keeps for its download.

use super::zip_names::zip_entries;

/// The most files one appeal carries, filing and additions together.
pub const MAX_EVIDENCE_FILES: usize = 5;
/// The largest file taken: 5 MiB (a phone photo, a scanned page, a short PDF).
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;
/// The longest original file name kept, in characters.
pub const EVIDENCE_NAME_MAX_CHARS: usize = 80;

/// 证据文件类型 — what a file is, by its first bytes (and, for the ZIP-based formats, its entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidenceType {
    Jpeg,
    Png,
    Pdf,
    /// OFD 版式文档 (GB/T 33190): a ZIP package with `OFD.xml` at its root.
    Ofd,
    /// Word (.docx): a ZIP package with `word/document.xml`; one with macros is refused.
    Docx,
}

impl EvidenceType {
    pub const ALL: [EvidenceType; 5] = [
        EvidenceType::Jpeg,
        EvidenceType::Png,
        EvidenceType::Pdf,
        EvidenceType::Ofd,
        EvidenceType::Docx,
    ];

    /// The content type: stored (`appeal_evidence.content_type`) and sent with the download.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::Png => "image/png",
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Ofd => "application/ofd",
            EvidenceType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// Reads a stored content type.
    pub fn parse(content_type: &str) -> Option<EvidenceType> {
        Self::ALL.into_iter().find(|t| t.as_str() == content_type)
    }

    /// The extensions a name of this type may end with (lower case); a download without one
    /// gets the first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            EvidenceType::Jpeg => &[".jpg", ".jpeg"],
            EvidenceType::Png => &[".png"],
            EvidenceType::Pdf => &[".pdf"],
            EvidenceType::Ofd => &[".ofd"],
            EvidenceType::Docx => &[".docx"],
        }
    }

    /// The label shown beside a file.
    pub fn label_zh(self) -> &'static str {
        match self {
            EvidenceType::Jpeg => "JPEG 图片",
            EvidenceType::Png => "PNG 图片",
            EvidenceType::Pdf => "PDF 文档",
            EvidenceType::Ofd => "OFD 版式文档",
            EvidenceType::Docx => "Word 文档",
        }
    }

    /// What the file is, or `None` for anything else (an executable, a script, a renamed file).
    pub fn sniff(bytes: &[u8]) -> Option<EvidenceType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(EvidenceType::Jpeg);
        }
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(EvidenceType::Png);
        }
        if bytes.starts_with(b"%PDF-") {
            return Some(EvidenceType::Pdf);
        }
        if !bytes.starts_with(b"PK\x03\x04") {
            return None;
        }
        let names = zip_entries(bytes)?;
        let has = |name: &str| names.contains(&name.as_bytes());
        if has("OFD.xml") {
            Some(EvidenceType::Ofd)
        } else if has("word/document.xml") && !has("word/vbaProject.bin") {
            Some(EvidenceType::Docx)
        } else {
            None
        }
    }
}

/// A refused evidence file; each names the file as it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("{0:?} is not a JPEG, PNG, PDF, OFD or Word file")]
    WrongType(String),
    #[error("{0:?} is larger than {MAX_EVIDENCE_BYTES} bytes")]
    TooLarge(String),
    #[error("{0:?} is empty")]
    Empty(String),
    #[error("more than {MAX_EVIDENCE_FILES} files")]
    TooMany,
    /// An addition without a file.
    #[error("no file chosen")]
    Missing,
    /// The appeal was decided (or never filed): nothing can be added.
    #[error("the appeal takes no more evidence")]
    Closed,
}

impl EvidenceError {
    /// The form field every refusal is about.
    pub const FIELD: &'static str = "evidence";

    /// The message shown to staff, naming the field (证据材料) and the file.
    pub fn message_zh(&self) -> String {
        match self {
            EvidenceError::WrongType(name) => format!(
                "证据材料“{name}”不是允许的文件类型：仅接受 JPEG、PNG 图片，PDF、OFD 文档和 Word（.docx）文档（按文件内容判断，改扩展名无效）"
            ),
            EvidenceError::TooLarge(name) => format!(
                "证据材料“{name}”超过 {} MB，请压缩或拆分后上传",
                MAX_EVIDENCE_BYTES >> 20
            ),
            EvidenceError::Empty(name) => format!("证据材料“{name}”是空文件"),
            EvidenceError::Missing => "证据材料：请选择要上传的文件".into(),
            EvidenceError::TooMany => {
                format!("证据材料：每件申诉最多 {MAX_EVIDENCE_FILES} 个文件")
            }
            EvidenceError::Closed => "证据材料：申诉已复核完毕，不能再补充".into(),
        }
    }
}

/// Checks one file: not empty, not over [`MAX_EVIDENCE_BYTES`], of a type taken. `name` is the
/// name it was chosen by (for the message only).
pub fn check_file(name: &str, bytes: &[u8]) -> Result<EvidenceType, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty(name.to_owned()));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge(name.to_owned()));
    }
    EvidenceType::sniff(bytes).ok_or_else(|| EvidenceError::WrongType(name.to_owned()))
}

/// Whether `adding` more files fit beside the `stored` ones.
pub fn check_count(stored: usize, adding: usize) -> Result<(), EvidenceError> {
    if stored + adding > MAX_EVIDENCE_FILES {
        Err(EvidenceError::TooMany)
    } else {
        Ok(())
    }
}

/// The name a file keeps: its last path component, without control, bidi or reserved characters,
/// at most [`EVIDENCE_NAME_MAX_CHARS`], ending with its type's extension (added when the given
/// name says otherwise, so that a download never claims another type).
pub fn file_name(raw: &str, kind: EvidenceType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = crate::evaluation::clean_text(base)
        .chars()
        .map(|c| match c {
            '\n' | '"' | '*' | ':' | '<' | '>' | '?' | '|' | ';' => '_',
            c => c,
        })
        .collect();
    let stem = cleaned.trim().trim_start_matches('.').trim();
    let own = kind.extensions().iter().find_map(|e| {
        let at = stem.len().checked_sub(e.len())?;
        (stem.is_char_boundary(at) && stem[at..].eq_ignore_ascii_case(e)).then_some(at)
    });
    let (base, ext) = match own {
        // The name ends with an extension of its type: kept as written.
        Some(at) => stem.split_at(at),
        None => (stem, kind.extensions()[0]),
    };
    let room = EVIDENCE_NAME_MAX_CHARS - ext.chars().count();
    let base: String = base.chars().take(room).collect();
    let base = match base.trim() {
        "" => "证据",
        b => b,
    };
    format!("{base}{ext}")
}

#[cfg(test)]
mod tests {
    use super::super::zip_names::tests::zip_of;
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_are_told_by_content_not_by_name() {
        assert_eq!(
            EvidenceType::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Some(EvidenceType::Jpeg)
        );
        assert_eq!(EvidenceType::sniff(PNG), Some(EvidenceType::Png));
        assert_eq!(EvidenceType::sniff(b"%PDF-1.7\n"), Some(EvidenceType::Pdf));
        let ofd = zip_of(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(EvidenceType::sniff(&ofd), Some(EvidenceType::Ofd));
        let docx = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(EvidenceType::sniff(&docx), Some(EvidenceType::Docx));
        // Refused: an executable, a script, HTML, an SVG, a plain ZIP, a Word file with macros,
        // a PDF header that is not at the start.
        let macros = zip_of(&["word/document.xml", "word/vbaProject.bin"]);
        let refused: [&[u8]; 9] = [
            b"MZ\x90\0\x03\0\0\0",
            b"\x7fELF\x02\x01",
            b"#!/bin/sh\n",
            b"<html><script>",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\">",
            &zip_of(&["payload.exe"]),
            &macros,
            b" %PDF-1.7",
            b"",
        ];
        for bytes in refused {
            assert_eq!(EvidenceType::sniff(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn content_types_round_trip() {
        for t in EvidenceType::ALL {
            assert_eq!(EvidenceType::parse(t.as_str()), Some(t));
            assert!(t.extensions()[0].starts_with('.'));
        }
        assert_eq!(EvidenceType::parse("text/html"), None);
    }

    #[test]
    fn a_file_is_checked_for_size_then_type() {
        assert_eq!(check_file("a.png", PNG), Ok(EvidenceType::Png));
        assert_eq!(
            check_file("a.png", b""),
            Err(EvidenceError::Empty("a.png".into()))
        );
        let mut big = PNG.to_vec();
        big.resize(MAX_EVIDENCE_BYTES, 0);
        assert_eq!(check_file("big.png", &big), Ok(EvidenceType::Png));
        big.push(0);
        assert_eq!(
            check_file("big.png", &big),
            Err(EvidenceError::TooLarge("big.png".into()))
        );
        assert_eq!(
            check_file("setup.png", b"MZ\x90\0"),
            Err(EvidenceError::WrongType("setup.png".into()))
        );
        assert_eq!(check_count(0, MAX_EVIDENCE_FILES), Ok(()));
        assert_eq!(check_count(4, 2), Err(EvidenceError::TooMany));
        assert_eq!(check_count(5, 0), Ok(()));
    }

    #[test]
    fn messages_name_the_field_and_the_file() {
        for e in [
            EvidenceError::WrongType("x.png".into()),
            EvidenceError::TooLarge("x.png".into()),
            EvidenceError::Empty("x.png".into()),
        ] {
            let m = e.message_zh();
            assert!(m.starts_with("证据材料“x.png”"), "{m}");
        }
        assert!(
            EvidenceError::TooLarge("x".into())
                .message_zh()
                .contains("5 MB")
        );
        assert!(EvidenceError::TooMany.message_zh().contains("最多 5 个"));
        assert!(EvidenceError::Closed.message_zh().starts_with("证据材料"));
        assert!(EvidenceError::Missing.message_zh().starts_with("证据材料"));
        assert_eq!(EvidenceError::FIELD, "evidence");
    }

    #[test]
    fn names_lose_paths_and_tricks_and_end_with_their_type() {
        let png = EvidenceType::Png;
        assert_eq!(file_name("回访录音截图.PNG", png), "回访录音截图.PNG");
        assert_eq!(file_name("C:\\Users\\wang\\截图.png", png), "截图.png");
        assert_eq!(file_name("../../etc/passwd", png), "passwd.png");
        assert_eq!(file_name("setup.exe", png), "setup.exe.png");
        assert_eq!(file_name("a\"b;c\u{202E}gnp.exe", png), "a_b_cgnp.exe.png");
        assert_eq!(file_name("  ", png), "证据.png");
        assert_eq!(file_name(".png", png), "png.png", "no hidden file");
        assert_eq!(
            file_name("scan.jpeg", EvidenceType::Jpeg),
            "scan.jpeg",
            "either extension of its type"
        );
        assert_eq!(file_name("scan.jpeg", EvidenceType::Pdf), "scan.jpeg.pdf");
        let long = format!("{}.pdf", "长".repeat(200));
        let kept = file_name(&long, EvidenceType::Pdf);
        assert_eq!(kept.chars().count(), EVIDENCE_NAME_MAX_CHARS);
        assert!(kept.ends_with("长.pdf"));
    }
}
