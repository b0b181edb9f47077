//! Finds the line and column of a JSON pointer in a JSON text, so that an error found after
//! parsing (a dangling reference, a duplicate id) can say where in the file it is.
//!
//! The scanner is iterative where nesting is unbounded, so hostile input cannot overflow the stack,
//! and it returns `None` rather than panicking on anything unexpected.

/// One step of a path into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A member of an object.
    Key(&'static str),
    /// An element of an array.
    Index(usize),
}

/// A position in a text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextPos {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// The position of the first byte of the value at `path`, if the text has one there.
pub fn locate(text: &str, path: &[Segment]) -> Option<TextPos> {
    let mut scanner = Scanner { bytes: text.as_bytes(), at: 0 };
    scanner.skip_ws();
    for segment in path {
        match segment {
            Segment::Key(key) => scanner.enter_member(key)?,
            Segment::Index(index) => scanner.enter_element(*index)?,
        }
    }
    Some(pos_of_offset(text, scanner.at))
}

/// Converts a byte offset into a line and column.
pub fn pos_of_offset(text: &str, offset: usize) -> TextPos {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    TextPos { line, column }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Reads a string at the cursor and returns its raw (still escaped) contents.
    fn string(&mut self) -> Option<&[u8]> {
        self.skip_ws();
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    let raw = self.bytes.get(start..self.at)?;
                    self.at += 1;
                    return Some(raw);
                }
                _ => self.at += 1,
            }
        }
    }

    /// Skips one value of any kind, without recursion.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.at += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.at += 1;
                }
                b',' | b':' if depth > 0 => self.at += 1,
                b' ' | b'\t' | b'\n' | b'\r' => self.at += 1,
                _ => {
                    // A number or a literal: runs until a delimiter.
                    while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                        self.at += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    fn enter_member(&mut self, key: &str) -> Option<()> {
        self.expect(b'{')?;
        loop {
            self.skip_ws();
            if self.peek()? == b'}' {
                return None;
            }
            let found = self.string()? == key.as_bytes();
            self.expect(b':')?;
            self.skip_ws();
            if found {
                return Some(());
            }
            self.skip_value()?;
            self.skip_ws();
            if self.peek()? == b',' {
                self.at += 1;
            }
        }
    }

    fn enter_element(&mut self, index: usize) -> Option<()> {
        self.expect(b'[')?;
        for _ in 0..index {
            self.skip_value()?;
            self.expect(b',')?;
        }
        self.skip_ws();
        (self.peek()? != b']').then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"a\": [1, {\"b\": \"x\\\"}\"}],\n  \"c\": {\"d\": [true, null, 3]}\n}";

    #[test]
    fn finds_nested_values() {
        let at = |path: &[Segment]| locate(TEXT, path).map(|p| (p.line, p.column));
        assert_eq!(at(&[Segment::Key("a")]), Some((2, 8)));
        assert_eq!(at(&[Segment::Key("a"), Segment::Index(1), Segment::Key("b")]), Some((2, 18)));
        assert_eq!(at(&[Segment::Key("c"), Segment::Key("d"), Segment::Index(2)]), Some((3, 27)));
    }

    #[test]
    fn missing_paths_are_none() {
        assert_eq!(locate(TEXT, &[Segment::Key("zz")]), None);
        assert_eq!(locate(TEXT, &[Segment::Key("a"), Segment::Index(5)]), None);
        assert_eq!(locate("[[[[", &[Segment::Index(0), Segment::Key("x")]), None);
        assert_eq!(locate("", &[Segment::Key("x")]), None);
    }

    #[test]
    fn column_counts_characters() {
        assert_eq!(pos_of_offset("é\nxé y", 6), TextPos { line: 2, column: 3 });
    }
}
