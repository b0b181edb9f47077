//! REFI-QDA: codebooks (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`) and projects (`.qdpx`, a zip
//! holding one `.qde` XML file, namespace `urn:QDA-XML:project:1.0`, and the source texts).
//!
//! Real exports differ from the standard; this reader is lenient and says what it did: elements
//! are matched by local name whatever their namespace, GUIDs may carry braces, the `.qde` need
//! not be called `project.qde`, `Sources/` and `sources/` are both accepted, a `plainTextPath`
//! may lack its `internal://`, an empty or missing plain text is read from the source's `.docx`,
//! sets of sources are document groups (attributes, not areas), and how each source's selection
//! positions are counted (code points, UTF-16 units or bytes; line ends; byte-order mark) is
//! decided from the selections themselves ([`super::positions`]). It never trusts the file: archives whose entries escape the archive, are absolute, are
//! links or decompress past the limits are refused, and XML with a DOCTYPE (entity expansion,
//! external entities) is refused before it is parsed.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;

use roxmltree::{Document as Xml, Node};

use super::{
    ImportCode, ImportData, ImportError, ImportLink, ImportReport, ImportSegment, ImportSet, ImportSource, positions,
};
use crate::model::{Direction, ExcerptStatus, Rgb};

/// Largest XML file read, in bytes.
pub const MAX_XML_BYTES: u64 = 200_000_000;
/// Largest single archive entry, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 200_000_000;
/// Largest total of all archive entries read, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 1_000_000_000;
/// Largest compression ratio accepted for entries over a megabyte (zip bombs reach thousands).
pub const MAX_RATIO: u64 = 200;
/// Largest total of the excerpts of a project's selections, in bytes.
pub const MAX_EXCERPT_BYTES: u64 = 50_000_000;

/// Deepest element nesting read. REFI-QDA projects nest a few levels plus their code hierarchy,
/// GraphML fewer; the XML parser recurses once per level, so deeper files are refused before it
/// runs out of stack.
pub const MAX_XML_DEPTH: usize = 256;

fn refused(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Refused { origin: origin.to_owned(), message: message.into() }
}

/// A GUID as a key: braces removed, lower case.
fn guid(text: &str) -> String {
    text.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: Option<Node<'_, '_>>) -> String {
    node.and_then(|n| n.text()).unwrap_or_default().trim().to_owned()
}

fn attr(node: Node<'_, '_>, name: &str) -> String {
    node.attribute(name).unwrap_or_default().to_owned()
}

/// Refuses XML that declares a DOCTYPE: REFI files need none, and DTDs are how entity-expansion
/// ("billion laughs") and external-entity attacks arrive.
fn check_xml(text: &str, origin: &str) -> Result<(), ImportError> {
    if let Some(at) = text.find("<!DOCTYPE").or_else(|| text.find("<!ENTITY")) {
        let line = text[..at].matches('\n').count() + 1;
        return Err(refused(
            origin,
            format!(
                "line {line}: the XML declares a DOCTYPE or entities, which REFI-QDA and GraphML files never need; refused for safety"
            ),
        ));
    }
    if let Some(at) = too_deep(text) {
        let line = text[..at].matches('\n').count() + 1;
        return Err(refused(
            origin,
            format!("line {line}: elements are nested more than {MAX_XML_DEPTH} levels deep; refused"),
        ));
    }
    Ok(())
}

/// Where elements first nest deeper than [`MAX_XML_DEPTH`], if they do, as a byte offset. Reads
/// the markup as the parser does (comments, CDATA sections, processing instructions and quoted
/// attribute values skipped) without building anything, so a file is never counted shallower
/// than the parser would nest it.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let find = |from: usize, end: &[u8]| {
        bytes.get(from..).and_then(|rest| rest.windows(end.len()).position(|w| w == end)).map(|at| from + at)
    };
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(start) = find(i, b"<") {
        let rest = &bytes[start..];
        let skip_to = |end: &[u8]| find(start, end).map_or(bytes.len(), |at| at + end.len());
        if rest.starts_with(b"<!--") {
            i = skip_to(b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_to(b"?>");
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = start + 2;
        } else {
            // A start tag ends at the first `>` outside quotes; attribute values cannot hold `<`.
            let (mut j, mut quote, mut open) = (start + 1, None, false);
            while let Some(&b) = bytes.get(j) {
                match quote {
                    _ if b == b'<' => break,
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        open = bytes[j - 1] != b'/';
                        j += 1;
                        break;
                    }
                    None => {}
                }
                j += 1;
            }
            if open {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Some(start);
                }
            }
            i = j;
        }
    }
    None
}

pub(crate) fn parse<'i>(text: &'i str, origin: &str) -> Result<Xml<'i>, ImportError> {
    check_xml(text, origin)?;
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() };
    Xml::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        refused(origin, format!("line {}, column {}: not well-formed XML: {e}", pos.row, pos.col))
    })
}

fn read_codes(codes: Node<'_, '_>, parent: Option<&str>, out: &mut Vec<ImportCode>) {
    for code in children(codes, "Code") {
        let key = guid(code.attribute("guid").unwrap_or_default());
        let key = if key.is_empty() { format!("{}/{}", parent.unwrap_or(""), attr(code, "name")) } else { key };
        let color = code.attribute("color").and_then(|c| Rgb::from_hex(c.get(..7).unwrap_or(c)));
        out.push(ImportCode {
            key: key.clone(),
            name: attr(code, "name"),
            parent: parent.map(str::to_owned),
            color,
            description: text_of(child(code, "Description")),
        });
        read_codes(code, Some(&key), out);
    }
}

/// Reads the codebook and the sets. Sets of codes are returned in `data.sets` (they become
/// areas); sets of sources (ATLAS.ti document groups, MAXQDA document sets) are returned as
/// (name, source keys): they are groups of documents, not of concepts.
fn read_codebook(root: Node<'_, '_>, data: &mut ImportData) -> Vec<(String, Vec<String>)> {
    let book = if root.tag_name().name() == "CodeBook" { Some(root) } else { child(root, "CodeBook") };
    if let Some(codes) = book.and_then(|b| child(b, "Codes")) {
        read_codes(codes, None, &mut data.codes);
    }
    let mut source_groups = Vec::new();
    let sets = child(root, "Sets").or_else(|| book.and_then(|b| child(b, "Sets")));
    if let Some(sets) = sets {
        for set in children(sets, "Set") {
            let codes: Vec<String> = children(set, "MemberCode").map(|m| guid(&attr(m, "targetGUID"))).collect();
            let sources: Vec<String> = children(set, "MemberSource").map(|m| guid(&attr(m, "targetGUID"))).collect();
            if !codes.is_empty() || sources.is_empty() {
                data.sets.push(ImportSet { name: attr(set, "name"), members: codes });
            }
            if !sources.is_empty() {
                source_groups.push((attr(set, "name"), sources));
            }
        }
    }
    source_groups
}

/// Gives each source of a document group an attribute, so groups can be filtered on. A group
/// named "key: value" (ATLAS.ti's convention, e.g. "gender: female") gives attribute `key` the
/// value `value`; any other group gives attribute "group: NAME" the value "yes".
fn apply_source_groups(groups: &[(String, Vec<String>)], data: &mut ImportData) {
    if groups.is_empty() {
        return;
    }
    let mut placed = 0usize;
    for (name, members) in groups {
        let (attribute, value) = match name.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => (k.trim().to_owned(), v.trim().to_owned()),
            _ => (format!("group: {}", name.trim()), "yes".to_owned()),
        };
        for source in data.sources.iter_mut().filter(|s| members.contains(&s.key)) {
            source.attributes.insert(attribute.clone(), value.clone());
            placed += 1;
        }
    }
    data.report
        .read
        .push(format!("{} document groups (sets of sources) as source attributes, on {placed} sources", groups.len()));
}

/// Reads a REFI-QDA codebook (`.qdc`).
pub fn read_qdc(text: &str, origin: &str) -> Result<ImportData, ImportError> {
    let xml = parse(text, origin)?;
    let root = xml.root_element();
    if root.tag_name().name() != "CodeBook" {
        return Err(refused(origin, format!("expected a <CodeBook> element, found <{}>", root.tag_name().name())));
    }
    let mut data = ImportData {
        report: ImportReport { origin: origin.to_owned(), ..ImportReport::default() },
        ..ImportData::default()
    };
    if root.tag_name().namespace().is_some_and(|ns| ns != "urn:QDA-XML:codebook:1.0") {
        data.report
            .adjusted
            .push(format!("namespace {:?} (not 1.0); read as 1.0", root.tag_name().namespace().unwrap_or("")));
    }
    read_codebook(root, &mut data);
    data.report.read.push(format!("{} codes, {} sets", data.codes.len(), data.sets.len()));
    Ok(data)
}

/// Where a project's source texts come from.
pub trait SourceFiles {
    /// The bytes of `internal://name` (or of a bare `name`), if the archive has the file.
    fn internal(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImportError>;
}

/// The file name inside the archive that a source path refers to: `internal://NAME`, or a bare
/// relative `NAME` (some tools leave out the scheme). Paths to files outside the project
/// (`absolute://`, `relative://`, `file://`, absolute paths) give `None`.
fn internal_name(path: &str) -> Option<&str> {
    let path = path.trim();
    if let Some(name) = path.strip_prefix("internal://") {
        return Some(name);
    }
    let outside = path.contains("://")
        || path.starts_with('/')
        || path.starts_with('\\')
        || path.get(1..2) == Some(":")
        || path.split(['/', '\\']).any(|p| p == "..");
    (!path.is_empty() && !outside).then_some(path)
}

/// Decodes a source text: UTF-8 (a byte-order mark kept, since tools differ on counting it),
/// or UTF-16 where a byte-order mark says so; anything else is read with replacement characters
/// and reported, since positions after a bad byte may then be off.
fn decode_text(bytes: &[u8], what: &str, report: &mut ImportReport) -> String {
    let utf16 = |little: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|p| if little { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xff, 0xfe, ..] => format!("\u{feff}{}", utf16(true)),
        [0xfe, 0xff, ..] => format!("\u{feff}{}", utf16(false)),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(e) => {
                report.adjusted.push(format!(
                    "{what}: not UTF-8 (first bad byte at {}); unreadable bytes replaced, so positions after them may be off",
                    e.valid_up_to()
                ));
                String::from_utf8_lossy(bytes).into_owned()
            }
        },
    }
}

/// The text of a source: inline `PlainTextContent`, else the plain-text file the project
/// names, else the text of its `.docx` rich text where the plain text is empty or missing.
/// `None` when the text is not in the import at all.
fn source_text(
    text_source: Node<'_, '_>,
    name: &str,
    mut files: Option<&mut (dyn SourceFiles + '_)>,
    report: &mut ImportReport,
) -> Result<Option<String>, ImportError> {
    if let Some(content) = child(text_source, "PlainTextContent").and_then(|n| n.text())
        && !content.trim().is_empty()
    {
        return Ok(Some(content.to_owned()));
    }
    let plain = attr(text_source, "plainTextPath");
    let rich = attr(text_source, "richTextPath");
    let mut read = |path: &str, report: &mut ImportReport| -> Result<Option<Vec<u8>>, ImportError> {
        let Some(file) = internal_name(path) else {
            if !path.is_empty() {
                report
                    .skipped
                    .push(format!("source “{name}”: its text lives outside the project ({path}) and is not read"));
            }
            return Ok(None);
        };
        match files.as_deref_mut() {
            Some(files) => {
                let found = files.internal(file)?;
                if found.is_none() {
                    report.skipped.push(format!("source “{name}”: {path} is not in the archive"));
                }
                Ok(found)
            }
            None => {
                report.skipped.push(format!("source “{name}”: its text {path} is inside a .qdpx; import the .qdpx"));
                Ok(None)
            }
        }
    };
    let mut text = None;
    if let Some(bytes) = read(&plain, report)? {
        let decoded = decode_text(&bytes, &format!("source “{name}”"), report);
        if !decoded.trim_start_matches('\u{feff}').trim().is_empty() {
            return Ok(Some(decoded));
        }
        text = Some(decoded);
    }
    if rich.to_ascii_lowercase().ends_with(".docx")
        && let Some(bytes) = read(&rich, report)?
    {
        // A damaged .docx costs this source its text, not the whole project its import.
        let docx = match super::docx::docx_text(&bytes, rich.trim_start_matches("internal://")) {
            Ok(docx) => docx,
            Err(error) => {
                report.skipped.push(format!("source “{name}”: its rich text cannot be read: {error}"));
                String::new()
            }
        };
        if !docx.trim().is_empty() {
            report.adjusted.push(format!(
                "source “{name}”: its plain text is {}, so the text was read from {rich}",
                if text.is_some() { "empty" } else { "missing" }
            ));
            return Ok(Some(docx));
        }
    }
    Ok(text.filter(|t| !t.trim_start_matches('\u{feff}').trim().is_empty()))
}

/// An excerpt as it is quoted: line ends as LF, no byte-order mark, no white space around.
fn excerpt_text(slice: &str) -> String {
    let text = slice.trim_start_matches('\u{feff}').trim();
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() }
}

/// Positions for a message; a position that is not a number shows as "?".
fn positions_text(start: usize, end: usize) -> String {
    let show = |p: usize| if p == usize::MAX { "?".to_owned() } else { p.to_string() };
    format!("{}–{}", show(start), show(end))
}

/// Reads a REFI-QDA project file (`.qde`); `files` supplies texts kept beside it.
pub fn read_qde(text: &str, origin: &str, mut files: Option<&mut dyn SourceFiles>) -> Result<ImportData, ImportError> {
    let xml = parse(text, origin)?;
    let root = xml.root_element();
    if root.tag_name().name() != "Project" {
        return Err(refused(origin, format!("expected a <Project> element, found <{}>", root.tag_name().name())));
    }
    let mut data = ImportData {
        report: ImportReport { origin: origin.to_owned(), ..ImportReport::default() },
        ..ImportData::default()
    };
    if root.tag_name().namespace().is_some_and(|ns| ns != "urn:QDA-XML:project:1.0") {
        data.report
            .adjusted
            .push(format!("unexpected namespace {:?}; read anyway", root.tag_name().namespace().unwrap_or("")));
    }
    let source_groups = read_codebook(root, &mut data);
    data.title = attr(root, "name");

    let users: HashMap<String, String> = child(root, "Users")
        .map(|u| children(u, "User").map(|u| (guid(&attr(u, "guid")), attr(u, "name"))).collect())
        .unwrap_or_default();
    let notes: HashMap<String, String> = child(root, "Notes")
        .map(|n| {
            children(n, "Note")
                .map(|note| {
                    let text = text_of(child(note, "PlainTextContent"));
                    (guid(&attr(note, "guid")), if text.is_empty() { attr(note, "name") } else { text })
                })
                .collect()
        })
        .unwrap_or_default();
    let variables: HashMap<String, String> = child(root, "Variables")
        .map(|v| children(v, "Variable").map(|v| (guid(&attr(v, "guid")), attr(v, "name"))).collect())
        .unwrap_or_default();

    // Cases give their sources participant attributes.
    let mut case_attributes: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    if let Some(cases) = child(root, "Cases") {
        for case in children(cases, "Case") {
            let mut attributes = BTreeMap::new();
            attributes.insert("case".to_owned(), attr(case, "name"));
            attributes.insert("participant".to_owned(), attr(case, "name"));
            for value in children(case, "VariableValue") {
                let name = child(value, "VariableRef")
                    .and_then(|r| variables.get(&guid(&attr(r, "targetGUID"))).cloned())
                    .unwrap_or_else(|| "variable".to_owned());
                let text = value
                    .children()
                    .filter(|c| c.is_element() && c.tag_name().name().ends_with("Value"))
                    .find_map(|c| c.text())
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                attributes.insert(name, text);
            }
            for source in children(case, "SourceRef") {
                case_attributes.entry(guid(&attr(source, "targetGUID"))).or_default().extend(attributes.clone());
            }
        }
    }

    let hint = positions::Counting::hint_from_origin(&attr(root, "origin"));
    let mut selections_total = 0usize;
    let mut excerpt_bytes = 0u64;
    let mut corrected = 0usize;
    if let Some(sources) = child(root, "Sources") {
        for source in sources.children().filter(Node::is_element) {
            let kind = source.tag_name().name();
            let key = guid(&attr(source, "guid"));
            let name = attr(source, "name");
            let text_source = match kind {
                "TextSource" => Some(source),
                "PDFSource" => child(source, "Representation"),
                other => {
                    data.report
                        .skipped
                        .push(format!("source “{name}”: {other} is not read (only text and the text of PDFs)"));
                    None
                }
            };
            let Some(text_source) = text_source else { continue };
            if kind == "PDFSource" && children(source, "PDFSelection").next().is_some() {
                data.report
                    .skipped
                    .push(format!("source “{name}”: PDF area selections are not read, only its text selections"));
            }
            let content = source_text(text_source, &name, files.as_deref_mut(), &mut data.report)?;
            let mut attributes = case_attributes.get(&key).cloned().unwrap_or_default();
            if attributes.is_empty() {
                attributes.insert("participant".to_owned(), name.clone());
            }
            let description = text_of(child(source, "Description"));
            data.sources.push(ImportSource { key: key.clone(), name: name.clone(), attributes, description });

            let selections: Vec<Node<'_, '_>> = children(text_source, "PlainTextSelection").collect();
            if selections.is_empty() {
                continue;
            }
            selections_total += selections.len();
            let wanted: Vec<positions::Selection<'_>> = selections
                .iter()
                .map(|s| positions::Selection {
                    start: position(*s, "startPosition"),
                    end: position(*s, "endPosition"),
                    stored: s.attribute("name").unwrap_or_default(),
                })
                .collect();
            let (spans, status) = match &content {
                Some(text) => {
                    let detection = positions::detect(text, &wanted, hint);
                    data.report.read.push(format!("source “{name}”: {}", detection.describe(selections.len())));
                    if detection.differs_from_standard {
                        corrected += 1;
                        data.report.adjusted.push(format!(
                            "source “{name}”: selections read as counted in {}, not in characters as the standard says",
                            detection.counting
                        ));
                    }
                    let status = if detection.confidence == positions::Confidence::Uncertain {
                        data.report.adjusted.push(format!(
                            "source “{name}”: no way of counting places the selections on word boundaries; its {} excerpts are marked “positions uncertain” — check them against the source",
                            selections.len()
                        ));
                        ExcerptStatus::PositionsUncertain
                    } else {
                        ExcerptStatus::Exact
                    };
                    (detection.spans, status)
                }
                None => {
                    data.report.skipped.push(format!(
                        "source “{name}”: its text is not in the import; {} selections are kept with their positions, marked “text missing”, for an import that brings the text to fill in",
                        selections.len()
                    ));
                    (vec![None; selections.len()], ExcerptStatus::TextMissing)
                }
            };
            for (selection, (span, wanted)) in selections.iter().zip(spans.into_iter().zip(&wanted)) {
                let (start, end) = (wanted.start, wanted.end);
                let text = match (&content, span) {
                    (Some(content), Some((from, to))) => excerpt_text(&content[from..to]),
                    (Some(_), None) => {
                        data.report.skipped.push(format!(
                            "selection {} in “{name}”: positions {} lie outside the text",
                            attr(*selection, "guid"),
                            positions_text(start, end)
                        ));
                        continue;
                    }
                    (None, _) => String::new(),
                };
                if content.is_some() && text.is_empty() {
                    data.report.skipped.push(format!(
                        "selection {} in “{name}”: positions {start}–{end} cover only white space",
                        attr(*selection, "guid")
                    ));
                    continue;
                }
                let mut memo: Vec<String> = children(*selection, "NoteRef")
                    .filter_map(|n| notes.get(&guid(&attr(n, "targetGUID"))).cloned())
                    .collect();
                let description = text_of(child(*selection, "Description"));
                if !description.is_empty() {
                    memo.insert(0, description);
                }
                let memo = memo.join("\n");
                // Each user's codings of a selection are that user's evidence: two coders who
                // coded the same passage give two items, each with its own coder.
                let mut by_user: Vec<(String, Vec<String>, String)> = Vec::new();
                for coding in children(*selection, "Coding") {
                    let user = Some(attr(coding, "creatingUser"))
                        .filter(|g| !g.is_empty())
                        .unwrap_or_else(|| attr(*selection, "creatingUser"));
                    let date = Some(attr(coding, "creationDateTime"))
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| attr(*selection, "creationDateTime"));
                    let code = child(coding, "CodeRef").map(|r| guid(&attr(r, "targetGUID")));
                    let user = guid(&user);
                    match by_user.iter_mut().find(|(u, _, _)| *u == user) {
                        Some((_, codes, _)) => codes.extend(code),
                        None => by_user.push((user, code.into_iter().collect(), date)),
                    }
                }
                if by_user.is_empty() {
                    by_user.push((
                        guid(&attr(*selection, "creatingUser")),
                        Vec::new(),
                        attr(*selection, "creationDateTime"),
                    ));
                }
                for (user, codes, coded_at) in by_user {
                    // Selections may overlap, so their excerpts can add up to far more than the texts.
                    excerpt_bytes = excerpt_bytes.saturating_add(text.len() as u64);
                    if excerpt_bytes > MAX_EXCERPT_BYTES {
                        return Err(refused(
                            origin,
                            format!(
                                "selection {} in “{name}”: the selections' excerpts add up to more than {} MB; refused",
                                attr(*selection, "guid"),
                                MAX_EXCERPT_BYTES / 1_000_000
                            ),
                        ));
                    }
                    data.segments.push(ImportSegment {
                        source: key.clone(),
                        text: text.clone(),
                        location: format!("characters {start}–{end}"),
                        codes,
                        memo: memo.clone(),
                        coder: users.get(&user).cloned().unwrap_or_default(),
                        coded_at,
                        status,
                    });
                }
            }
        }
    }
    apply_source_groups(&source_groups, &mut data);

    if let Some(links) = child(root, "Links") {
        for link in children(links, "Link") {
            let direction = match attr(link, "direction").to_ascii_lowercase().as_str() {
                "oneway" => Direction::OneWay,
                "bidirectional" => Direction::Bidirectional,
                _ => Direction::Associative,
            };
            data.links.push(ImportLink {
                key: guid(&attr(link, "guid")),
                name: attr(link, "name"),
                direction,
                origin: guid(&attr(link, "originGUID")),
                target: guid(&attr(link, "targetGUID")),
            });
        }
    }
    if let Some(graph) = child(root, "Graphs").and_then(|g| child(g, "Graph")) {
        for vertex in children(graph, "Vertex") {
            let (x, y) = (attr(vertex, "firstX").parse::<f32>(), attr(vertex, "firstY").parse::<f32>());
            if let (Ok(x), Ok(y)) = (x, y)
                && x.is_finite()
                && y.is_finite()
            {
                data.positions.insert(guid(&attr(vertex, "representedGUID")), (x, y));
            }
        }
    }
    data.report.read.push(format!(
        "{} codes, {} sets, {} sources, {} of {selections_total} selections as evidence, {} links, {} positions from a graph",
        data.codes.len(),
        data.sets.len(),
        data.sources.len(),
        data.segments.len(),
        data.links.len(),
        data.positions.len()
    ));
    if corrected == 0 && selections_total > 0 {
        data.report.read.push("selection positions fit the texts as the standard counts them".to_owned());
    }
    Ok(data)
}

/// A selection's start or end offset; `usize::MAX`, which no text reaches, when it is not a number.
fn position(selection: Node<'_, '_>, name: &str) -> usize {
    attr(selection, name).parse().unwrap_or(usize::MAX)
}

/// Source texts read from inside a `.qdpx` archive, within the limits.
struct Archive<'a, R> {
    zip: zip::ZipArchive<R>,
    origin: &'a str,
    total: u64,
}

impl<R: std::io::Read + std::io::Seek> Archive<'_, R> {
    fn read_entry(&mut self, index: usize) -> Result<Vec<u8>, ImportError> {
        let origin = self.origin.to_owned();
        let mut entry = self.zip.by_index(index).map_err(|e| refused(&origin, format!("damaged archive: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.is_symlink() {
            return Err(refused(&origin, format!("entry “{name}” is a symbolic link; refused")));
        }
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared > MAX_ENTRY_BYTES {
            return Err(refused(
                &origin,
                format!("entry “{name}” would unpack to {declared} bytes, over the {MAX_ENTRY_BYTES}-byte limit"),
            ));
        }
        if declared > 1_000_000 && declared / compressed > MAX_RATIO {
            return Err(refused(
                &origin,
                format!("entry “{name}” is compressed {}:1, like a decompression bomb; refused", declared / compressed),
            ));
        }
        let mut bytes = Vec::new();
        (&mut entry)
            // A lying header cannot make us unpack more than it declared (plus slack).
            .take(declared.min(MAX_ENTRY_BYTES).saturating_add(1025))
            .read_to_end(&mut bytes)
            .map_err(|e| refused(&origin, format!("entry “{name}” cannot be read: {e}")))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES || bytes.len() as u64 > declared.saturating_add(1024) {
            return Err(refused(&origin, format!("entry “{name}” unpacks to more than it declares; refused")));
        }
        self.total += bytes.len() as u64;
        if self.total > MAX_TOTAL_BYTES {
            return Err(refused(&origin, format!("the archive unpacks to more than {MAX_TOTAL_BYTES} bytes; refused")));
        }
        Ok(bytes)
    }
}

impl<R: std::io::Read + std::io::Seek> SourceFiles for Archive<'_, R> {
    fn internal(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
        let wanted = name.trim_start_matches('/').to_ascii_lowercase();
        let index = (0..self.zip.len()).find(|i| {
            self.zip.name_for_index(*i).and_then(Result::ok).is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n == format!("sources/{wanted}") || n == wanted
            })
        });
        let Some(index) = index else { return Ok(None) };
        self.read_entry(index).map(Some)
    }
}

/// Checks a zip archive's declared entry sizes and compression ratios against the limits
/// without unpacking anything.
pub fn check_zip_limits(path: &Path) -> Result<(), ImportError> {
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { origin: origin.clone(), source })?;
    check_zip_limits_from(file, &origin)
}

/// [`check_zip_limits`] on any seekable reader (a file, or bytes in memory); `origin` names it.
pub fn check_zip_limits_from(reader: impl std::io::Read + std::io::Seek, origin: &str) -> Result<(), ImportError> {
    let origin = origin.to_owned();
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| refused(&origin, format!("not a zip archive: {e}")))?;
    let mut total = 0u64;
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|e| refused(&origin, format!("damaged archive: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (size, compressed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES || (size > 1_000_000 && size / compressed > MAX_RATIO) {
            return Err(refused(
                &origin,
                format!(
                    "entry “{name}” would unpack to {size} bytes ({}:1); refused as a possible decompression bomb",
                    size / compressed
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a REFI-QDA project archive (`.qdpx`).
pub fn read_qdpx(path: &Path) -> Result<ImportData, ImportError> {
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { origin: origin.clone(), source })?;
    read_qdpx_from(std::io::BufReader::new(file), &origin)
}

/// Reads a REFI-QDA project archive from any seekable reader (a file, or bytes in memory);
/// `origin` names it in messages.
pub fn read_qdpx_from(reader: impl std::io::Read + std::io::Seek, origin: &str) -> Result<ImportData, ImportError> {
    let origin = origin.to_owned();
    let zip = zip::ZipArchive::new(reader)
        .map_err(|e| refused(&origin, format!("not a zip archive (a .qdpx is one): {e}")))?;
    // Check every entry before reading any.
    let mut qde = None;
    for index in 0..zip.len() {
        let name = zip.name_for_index(index).and_then(Result::ok).map(|n| n.into_owned()).unwrap_or_default();
        let unsafe_name = name.starts_with('/')
            || name.starts_with('\\')
            || name.get(1..3) == Some(":\\")
            || name.get(1..3) == Some(":/")
            || name.split(['/', '\\']).any(|part| part == "..");
        if unsafe_name {
            return Err(refused(
                &origin,
                format!("entry “{name}” points outside the archive (absolute path or ..); refused"),
            ));
        }
        if name.to_ascii_lowercase().ends_with(".qde") {
            if qde.is_some() {
                return Err(refused(&origin, "the archive holds more than one .qde project file"));
            }
            qde = Some((index, name));
        }
    }
    let Some((index, qde_name)) = qde else {
        return Err(refused(&origin, "no .qde project file inside; is this a REFI-QDA project export?"));
    };
    let mut archive = Archive { zip, origin: &origin, total: 0 };
    {
        let entry = archive.zip.by_index(index).map_err(|e| refused(&origin, format!("damaged archive: {e}")))?;
        if entry.is_symlink() {
            return Err(refused(&origin, format!("entry “{qde_name}” is a link; refused")));
        }
    }
    let bytes = archive.read_entry(index)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        refused(&format!("{origin}: {qde_name}"), format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
    })?;
    let entry_origin = format!("{origin}: {qde_name}");
    let mut data = read_qde(&text, &entry_origin, Some(&mut archive))?;
    if qde_name != "project.qde" {
        data.report
            .adjusted
            .push(format!("the project file is called {qde_name} rather than project.qde; read anyway"));
    }
    data.report.origin = origin;
    Ok(data)
}
