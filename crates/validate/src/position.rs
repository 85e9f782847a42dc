//! Byte offsets to lines and columns, and finding items inside a start tag.

/// Line starts of a text, built once per file that has findings.
pub(crate) struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// 1-based line and character column of a byte offset. A leading BOM is not a
    /// column: editors do not show it.
    pub(crate) fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let mut start = self.starts[line];
        if line == 0 && self.text.starts_with(b"\xEF\xBB\xBF") {
            start = start.min(offset).max(3.min(offset));
        }
        let col = count_chars(&self.text[start..offset]) + 1;
        ((line + 1) as u32, col as u32)
    }

    /// Line, column and end column of a byte span; a span that runs past its
    /// first line ends one character after its start.
    pub(crate) fn span(&self, span: (usize, usize)) -> (u32, u32, u32) {
        let (line, column) = self.line_col(span.0);
        let (end_line, end_col) = self.line_col(span.1);
        let end_column = if end_line == line {
            end_col.max(column + 1)
        } else {
            column + 1
        };
        (line, column, end_column)
    }

    /// The text of a 1-based line, without its line break.
    pub(crate) fn line_text(&self, line: u32) -> &'a [u8] {
        let i = (line as usize).saturating_sub(1).min(self.starts.len() - 1);
        let start = self.starts[i];
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        let mut text = &self.text[start..end.max(start)];
        if i == 0 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        text.strip_suffix(b"\r").unwrap_or(text)
    }
}

fn count_chars(bytes: &[u8]) -> usize {
    // Count UTF-8 lead bytes; invalid text never gets here (it is refused first).
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// The byte span of the element name in the start tag that begins at `lt` (the `<`).
pub(crate) fn element_name_span(text: &[u8], lt: usize) -> (usize, usize) {
    let start = (lt + 1).min(text.len());
    let len = text[start..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        .unwrap_or(text.len() - start);
    (start, start + len)
}

/// The byte span `name="value"` of the attribute `local_name` in the start tag that
/// begins at `lt`. Quotes are honoured so a `>` inside a value does not end the tag.
pub(crate) fn attribute_span(text: &[u8], lt: usize, local_name: &str) -> Option<(usize, usize)> {
    let (_, mut i) = element_name_span(text, lt);
    let want = local_name.as_bytes();
    loop {
        while i < text.len() && text[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= text.len() || text[i] == b'>' || text[i] == b'/' {
            return None;
        }
        let name_start = i;
        while i < text.len() && !text[i].is_ascii_whitespace() && text[i] != b'=' && text[i] != b'>'
        {
            i += 1;
        }
        let name = &text[name_start..i];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        while i < text.len() && (text[i].is_ascii_whitespace() || text[i] == b'=') {
            i += 1;
        }
        let quote = *text.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_end = i + 1 + text[i + 1..].iter().position(|b| *b == quote)?;
        i = value_end + 1;
        if local == want {
            return Some((name_start, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\n<é x='1>' y=\"2\"/>\n".as_bytes();
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        let (s, e) = attribute_span(text, 3, "y").unwrap();
        assert_eq!(&text[s..e], b"y=\"2\"");
        assert_eq!(idx.line_col(s), (2, 11));
        assert_eq!(element_name_span(text, 3), (4, 6));
        assert_eq!(idx.line_text(2), "<é x='1>' y=\"2\"/>".as_bytes());
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = b"\xEF\xBB\xBF<a/>";
        assert_eq!(LineIndex::new(text).line_col(3), (1, 1));
    }
}
