//! The one CSV writer of haochaping's downloads (open data, monthly report): RFC 4180 as the `csv`
//! crate writes it — a field is quoted only when it holds a comma, a quote or a line break, quotes
//! are doubled, lines end with CRLF — after a UTF-8 byte-order mark, so that spreadsheet programs
//! read the Chinese names as UTF-8.

/// A text cell that a spreadsheet program would take for a formula (it starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading apostrophe: shown as text, never run. Names come
/// from administrators' input and imports.
pub fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// Writes a CSV document with `write` and returns its bytes. No heading line is written for the
/// caller: it writes its headings with `write_record` from the table that documents them, so that
/// an empty document still has them, then its rows with `serialize` or `write_record`.
pub fn to_csv(
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> csv::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    write(&mut writer)?;
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::{text_cell, to_csv};

    #[test]
    fn cells_that_would_be_formulas_stay_text() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(formula), format!("'{formula}"));
        }
        assert_eq!(text_cell("A01号窗口"), "A01号窗口");
        assert_eq!(text_cell(""), "");
    }

    /// The document without its byte-order mark, as a CSV reader takes it.
    fn body(bytes: &[u8]) -> &[u8] {
        bytes
            .strip_prefix("\u{feff}".as_bytes())
            .expect("starts with a byte-order mark")
    }

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_round_trip_through_a_reader() {
        let fields = [
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\ronly",
            "\"quoted\",\r\n",
            "",
            " padded ",
            "县政务服务中心",
        ];
        let bytes = to_csv(|w| {
            w.write_record(["h"; 8])?;
            w.write_record(fields)
        })
        .unwrap();
        let mut reader = csv::Reader::from_reader(body(&bytes));
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].iter().collect::<Vec<_>>(), fields);
    }

    #[test]
    fn only_fields_that_need_it_are_quoted_and_lines_end_with_crlf() {
        let bytes =
            to_csv(|w| w.write_record(["plain", "a,b", "q\"q", "n\nl", "c\rr", ""])).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}plain,\"a,b\",\"q\"\"q\",\"n\nl\",\"c\rr\",\r\n"
        );
    }
}
