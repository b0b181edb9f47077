//! REFI-QDA: codebooks (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`) and projects (`.qdpx`, a zip
//! holding one `.qde` XML file, namespace `urn:QDA-XML:project:1.0`, and the source texts).
//!
//! Real exports differ from the standard; this reader is lenient and says what it did: elements
//! are matched by local name whatever their namespace, GUIDs may carry braces, the `.qde` need
//! not be called `project.qde`, `Sources/` and `sources/` are both accepted, and selection offsets
//! counted against CRLF (or LF) line ends are corrected when the selection names show a consistent
//! shift. It never trusts the file: archives whose entries escape the archive, are absolute, are
//! links or decompress past the limits are refused, and XML with a DOCTYPE (entity expansion,
//! external entities) is refused before it is parsed.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;

use roxmltree::{Document as Xml, Node};

use super::{ImportCode, ImportData, ImportError, ImportLink, ImportReport, ImportSegment, ImportSet, ImportSource};
use crate::model::{Direction, Rgb};

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

fn read_codebook(root: Node<'_, '_>, data: &mut ImportData) {
    let book = if root.tag_name().name() == "CodeBook" { Some(root) } else { child(root, "CodeBook") };
    if let Some(codes) = book.and_then(|b| child(b, "Codes")) {
        read_codes(codes, None, &mut data.codes);
    }
    let sets = child(root, "Sets").or_else(|| book.and_then(|b| child(b, "Sets")));
    if let Some(sets) = sets {
        for set in children(sets, "Set") {
            data.sets.push(ImportSet {
                name: attr(set, "name"),
                members: children(set, "MemberCode").map(|m| guid(&attr(m, "targetGUID"))).collect(),
            });
        }
    }
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
    read_codebook(root, &mut data);
    data.report.read.push(format!("{} codes, {} sets", data.codes.len(), data.sets.len()));
    Ok(data)
}

/// Where a project's source texts come from.
pub trait SourceFiles {
    /// The text of `internal://name`, if the archive has it.
    fn internal(&mut self, name: &str) -> Result<Option<String>, ImportError>;
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
    read_codebook(root, &mut data);
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

    let mut selections_total = 0usize;
    let mut excerpt_bytes = 0u64;
    let mut crlf_fixes = 0usize;
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
            let mut content = text_of(child(text_source, "PlainTextContent"));
            if content.is_empty() {
                let path = attr(text_source, "plainTextPath");
                if let Some(file) = path.strip_prefix("internal://") {
                    match files.as_deref_mut() {
                        Some(files) => content = files.internal(file)?.unwrap_or_default(),
                        None => data
                            .report
                            .skipped
                            .push(format!("source “{name}”: its text {path} is inside a .qdpx; import the .qdpx")),
                    }
                } else if path.starts_with("absolute://") || path.starts_with("relative://") {
                    data.report.skipped.push(format!(
                        "source “{name}”: its text lives outside the project ({path}) and is not read; selections without text are skipped"
                    ));
                }
            }
            let mut attributes = case_attributes.get(&key).cloned().unwrap_or_default();
            if attributes.is_empty() {
                attributes.insert("participant".to_owned(), name.clone());
            }
            data.sources.push(ImportSource { key: key.clone(), name: name.clone(), attributes });

            let selections: Vec<Node<'_, '_>> = children(text_source, "PlainTextSelection").collect();
            selections_total += selections.len();
            let wanted: Vec<usize> =
                selections.iter().flat_map(|s| [position(*s, "startPosition"), position(*s, "endPosition")]).collect();
            let variants = TextVariants::new(&content, &wanted);
            let best = best_variant(&variants, &selections);
            if best != 0 {
                crlf_fixes += 1;
                let which = if best == 1 {
                    "CRLF line ends counted as one character"
                } else {
                    "LF line ends counted as two characters"
                };
                data.report
                    .adjusted
                    .push(format!("source “{name}”: selection offsets matched the text with {which}; corrected"));
            }
            for selection in selections {
                let (start, end) = (position(selection, "startPosition"), position(selection, "endPosition"));
                let text = variants.slice(best, start, end).unwrap_or_default();
                // Selections may overlap, so their excerpts can add up to far more than the texts.
                excerpt_bytes = excerpt_bytes.saturating_add(text.len() as u64);
                if excerpt_bytes > MAX_EXCERPT_BYTES {
                    return Err(refused(
                        origin,
                        format!(
                            "selection {} in “{name}”: the selections' excerpts add up to more than {} MB; refused",
                            attr(selection, "guid"),
                            MAX_EXCERPT_BYTES / 1_000_000
                        ),
                    ));
                }
                let excerpt = text.to_owned();
                let excerpt = if excerpt.trim().is_empty() { attr(selection, "name") } else { excerpt };
                if excerpt.trim().is_empty() {
                    data.report.skipped.push(format!(
                        "selection {} in “{name}”: positions {start}–{end} lie outside the text and it has no name",
                        attr(selection, "guid")
                    ));
                    continue;
                }
                let mut memo: Vec<String> = children(selection, "NoteRef")
                    .filter_map(|n| notes.get(&guid(&attr(n, "targetGUID"))).cloned())
                    .collect();
                let description = text_of(child(selection, "Description"));
                if !description.is_empty() {
                    memo.insert(0, description);
                }
                let codings: Vec<Node<'_, '_>> = children(selection, "Coding").collect();
                let codes: Vec<String> =
                    codings.iter().filter_map(|c| child(*c, "CodeRef").map(|r| guid(&attr(r, "targetGUID")))).collect();
                let coder_guid = codings
                    .first()
                    .map(|c| attr(*c, "creatingUser"))
                    .filter(|g| !g.is_empty())
                    .unwrap_or_else(|| attr(selection, "creatingUser"));
                let coded_at = codings
                    .first()
                    .map(|c| attr(*c, "creationDateTime"))
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| attr(selection, "creationDateTime"));
                data.segments.push(ImportSegment {
                    source: key.clone(),
                    text: excerpt.trim().to_owned(),
                    location: format!("characters {start}–{end}"),
                    codes,
                    memo: memo.join("\n"),
                    coder: users.get(&guid(&coder_guid)).cloned().unwrap_or_default(),
                    coded_at,
                });
            }
        }
    }

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
    if crlf_fixes == 0 && selections_total > 0 {
        data.report.read.push("selection offsets matched the texts as given".to_owned());
    }
    Ok(data)
}

/// A selection's start or end offset; `usize::MAX`, which no text reaches, when it is not a number.
fn position(selection: Node<'_, '_>, name: &str) -> usize {
    attr(selection, name).parse().unwrap_or(usize::MAX)
}

/// A source text as given, with CRLF collapsed to LF, and with LF expanded to CRLF: the ways tools
/// count selection offsets. Each is a string (borrowed where it is the text as given) with the
/// byte offsets of just the character offsets that selections name, so a long text costs a few
/// times its size rather than a `char` per character three times over.
struct TextVariants<'t> {
    texts: [Cow<'t, str>; 3],
    /// For each variant, the byte offset of each wanted character offset that lies within it.
    offsets: [HashMap<usize, usize>; 3],
}

impl<'t> TextVariants<'t> {
    fn new(text: &'t str, wanted: &[usize]) -> Self {
        let lf = if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) };
        let crlf = if lf.contains('\n') { Cow::Owned(lf.replace('\n', "\r\n")) } else { lf.clone() };
        let texts = [Cow::Borrowed(text), lf, crlf];
        let offsets = [0, 1, 2].map(|which| byte_offsets(&texts[which], wanted));
        Self { texts, offsets }
    }

    /// Characters `start..end` of variant `which`, if both ends lie within it.
    fn slice(&self, which: usize, start: usize, end: usize) -> Option<&str> {
        let offsets = &self.offsets[which];
        match (offsets.get(&start), offsets.get(&end)) {
            (Some(&from), Some(&to)) if start <= end => self.texts[which].get(from..to),
            _ => None,
        }
    }
}

/// The byte offsets in `text` of those `wanted` character offsets that lie within it (its length
/// in characters included), in one pass that stops at the last one wanted.
fn byte_offsets(text: &str, wanted: &[usize]) -> HashMap<usize, usize> {
    if text.is_ascii() {
        return wanted.iter().filter(|w| **w <= text.len()).map(|w| (*w, *w)).collect();
    }
    let mut wanted = wanted.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut wanted = wanted.into_iter().peekable();
    let mut offsets = HashMap::new();
    for (index, byte) in text.char_indices().map(|(byte, _)| byte).chain([text.len()]).enumerate() {
        if wanted.peek() == Some(&index) {
            offsets.insert(index, byte);
            wanted.next();
        }
        if wanted.peek().is_none() {
            break;
        }
    }
    offsets
}

/// Which text variant the selections' names agree with best (0 unless another is better).
fn best_variant(variants: &TextVariants<'_>, selections: &[Node<'_, '_>]) -> usize {
    let score = |which: usize| {
        selections
            .iter()
            .filter(|s| {
                let name = attr(**s, "name");
                let name = name.trim();
                let (start, end) = (position(**s, "startPosition"), position(**s, "endPosition"));
                name.chars().count() >= 4
                    // Untrimmed: a shift of one character per line shows as a leading line break.
                    && variants
                        .slice(which, start, end)
                        .is_some_and(|text| text.starts_with(name.get(..name.len().min(40)).unwrap_or(name)))
            })
            .count()
    };
    let scores: Vec<usize> = (0..3).map(score).collect();
    let best = (0..3).max_by_key(|i| (scores[*i], usize::from(*i == 0))).unwrap_or(0);
    if scores[best] > scores[0] { best } else { 0 }
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
    fn internal(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let wanted = name.trim_start_matches('/').to_ascii_lowercase();
        let index = (0..self.zip.len()).find(|i| {
            self.zip.name_for_index(*i).and_then(Result::ok).is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n == format!("sources/{wanted}") || n == wanted
            })
        });
        let Some(index) = index else { return Ok(None) };
        let bytes = self.read_entry(index)?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
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
