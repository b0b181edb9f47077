//! The plain text of a Word document (`.docx`), for REFI-QDA projects whose plain-text copy of a
//! source is empty or missing while the rich-text `.docx` beside it holds the content.
//!
//! A `.docx` is a zip archive whose `word/document.xml` holds the body as paragraphs (`w:p`) of
//! runs (`w:r`) of text (`w:t`), tabs (`w:tab`) and breaks (`w:br`, `w:cr`). The text is the
//! paragraphs joined by line feeds, tabs and breaks kept; deleted text of tracked changes
//! (`w:delText`) and field instructions (`w:instrText`) are not text. Which line end a tool wrote
//! between paragraphs when it counted positions is left to the position detection, which tries
//! one and two characters per line end. The archive is read with the same limits as a project:
//! the entry's declared size, its compression ratio, and never more than it declares.

use std::io::Read as _;

use super::ImportError;
use super::refi::{MAX_ENTRY_BYTES, MAX_RATIO};

fn refused(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Refused { origin: origin.to_owned(), message: message.into() }
}

/// The body text of the `.docx` in `bytes`; `origin` names it in messages.
pub fn docx_text(bytes: &[u8], origin: &str) -> Result<String, ImportError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| refused(origin, format!("not a Word document (a .docx is a zip archive): {e}")))?;
    let index = (0..zip.len())
        .find(|i| {
            zip.name_for_index(*i).and_then(Result::ok).is_some_and(|n| n.eq_ignore_ascii_case("word/document.xml"))
        })
        .ok_or_else(|| refused(origin, "no word/document.xml inside: not a Word document"))?;
    let mut entry = zip.by_index(index).map_err(|e| refused(origin, format!("damaged document: {e}")))?;
    let declared = entry.size();
    let compressed = entry.compressed_size().max(1);
    if declared > MAX_ENTRY_BYTES {
        return Err(refused(origin, format!("word/document.xml would unpack to {declared} bytes; refused")));
    }
    if declared > 1_000_000 && declared / compressed > MAX_RATIO {
        return Err(refused(
            origin,
            format!("word/document.xml is compressed {}:1, like a decompression bomb; refused", declared / compressed),
        ));
    }
    let mut xml = Vec::new();
    (&mut entry)
        .take(declared.saturating_add(1025))
        .read_to_end(&mut xml)
        .map_err(|e| refused(origin, format!("word/document.xml cannot be read: {e}")))?;
    if xml.len() as u64 > declared.saturating_add(1024) {
        return Err(refused(origin, "word/document.xml unpacks to more than it declares; refused"));
    }
    let xml = String::from_utf8(xml).map_err(|e| {
        refused(origin, format!("word/document.xml is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
    })?;
    let document = super::refi::parse(&xml, &format!("{origin}: word/document.xml"))?;
    let body = document
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "body")
        .ok_or_else(|| refused(origin, "word/document.xml has no body"))?;
    let mut paragraphs: Vec<String> = Vec::new();
    // Paragraphs in document order, including those in tables; a paragraph inside another
    // element's paragraph (a text box) is read as its own.
    for paragraph in body.descendants().filter(|n| n.is_element() && n.tag_name().name() == "p") {
        let mut text = String::new();
        for node in paragraph.descendants() {
            if !node.is_element() {
                continue;
            }
            // Only what belongs to this paragraph, not to one nested in it.
            let owner = node.ancestors().find(|a| a.is_element() && a.tag_name().name() == "p");
            if owner != Some(paragraph) {
                continue;
            }
            match node.tag_name().name() {
                "t" => text.push_str(node.text().unwrap_or_default()),
                "tab" if node.parent().is_some_and(|p| p.tag_name().name() == "r") => text.push('\t'),
                "br" | "cr" => text.push('\n'),
                "noBreakHyphen" => text.push('\u{2011}'),
                _ => {}
            }
        }
        paragraphs.push(text);
    }
    Ok(paragraphs.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal .docx: the parts Word needs to open it, and a body.
    pub(crate) fn make_docx(body: &str) -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        for (name, content) in [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
            ),
            ("word/document.xml", document.as_str()),
        ] {
            let _ = zip.start_file(name, options);
            let _ = zip.write_all(content.as_bytes());
        }
        zip.finish().map(|c| c.into_inner()).unwrap_or_default()
    }

    #[test]
    fn paragraphs_runs_tabs_and_breaks_become_text() {
        let body = r#"<w:p><w:r><w:t>Mentoring gave me </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>confidence</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:r><w:t>Q:</w:t><w:tab/><w:t xml:space="preserve">Why? </w:t><w:br/><w:t>Because 😊</w:t></w:r></w:p>
<w:p><w:r><w:delText>removed</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Zelle</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
        let text = docx_text(&make_docx(body), "a.docx").unwrap_or_default();
        assert_eq!(text, "Mentoring gave me confidence.\nQ:\tWhy? \nBecause 😊\n\nZelle");
    }

    #[test]
    fn what_is_not_a_docx_is_refused_with_its_name() {
        let error = docx_text(b"PK\x03\x04 not really", "notes.docx").unwrap_err().to_string();
        assert!(error.contains("notes.docx"), "{error}");
        let error = docx_text(b"plain text", "x.docx").unwrap_err().to_string();
        assert!(error.contains("not a Word document"), "{error}");
    }
}
