//! The evidence appendix: every area, concept and relationship with the excerpts that support
//! it, their sources, participant attributes, codes and memos — the table a thesis appendix or a
//! reviewer asks for. Under a filter, only the evidence that counts is listed.
//!
//! After an item's evidence come its comments and memos ([`Memo`]: a workshop participant's
//! comment or stance, with author and time), under a heading of their own that says they are not
//! evidence. They are never counted with the excerpts, and the evidence filter does not apply to
//! them: every memo on the item is listed. A map without memos gives the same Markdown and HTML
//! as before memos existed.
//!
//! The CSV has one row per record, told apart by its `record` column (the last six columns were
//! added with memos; the ones before keep their order and meaning):
//! - `evidence`: one row per (item, supporting excerpt), as before; the `memo_*` columns are empty.
//! - `memo`: one row per (item, memo), after the item's evidence rows; the item columns are
//!   filled, the evidence columns (`evidence_id` to `evidence_provenance`) are empty, and
//!   `memo_id`, `memo_author`, `memo_stance` (`agree`, `disagree`, `unsure` or empty),
//!   `memo_text` and `memo_written_at` hold the memo. Count only `evidence` rows as support.

use std::fmt::Write as _;

use super::ExportOptions;
use super::svg::xml_escape;
use crate::model::{Document, Evidence, ItemRef, Memo, Provenance, ProvenanceKind, Stance};

fn items(doc: &Document) -> Vec<(&'static str, ItemRef)> {
    let mut items: Vec<(&'static str, ItemRef)> = doc.areas.iter().map(|a| ("Area", ItemRef::Area(a.id))).collect();
    items.extend(doc.concepts.iter().map(|c| ("Concept", ItemRef::Concept(c.id))));
    items.extend(doc.relationships.iter().map(|r| ("Relationship", ItemRef::Relationship(r.id))));
    items
}

fn evidence_of<'a>(doc: &'a Document, item: ItemRef, options: &'a ExportOptions) -> Vec<&'a Evidence> {
    let active = options.filter.is_active();
    doc.evidence_for(item).filter(|e| !active || options.filter.matches(doc, e)).collect()
}

fn provenance_text(p: Option<&Provenance>) -> String {
    match p {
        Some(p) if p.note.is_empty() => p.kind.label().to_owned(),
        Some(p) => format!("{}: {}", p.kind.label(), p.note),
        None => String::new(),
    }
}

fn attributes(doc: &Document, e: &Evidence) -> String {
    doc.source(e.source)
        .map(|s| s.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

fn codes(doc: &Document, e: &Evidence) -> String {
    e.codes.iter().map(|c| doc.code_path(*c)).collect::<Vec<_>>().join("; ")
}

fn source_name(doc: &Document, e: &Evidence) -> String {
    doc.source(e.source).map_or_else(String::new, |s| s.name.clone())
}

fn scope_line(doc: &Document, options: &ExportOptions) -> String {
    let mut line = if options.filter.is_active() {
        format!("Evidence shown: only {} (filter in force).", options.filter.describe(doc))
    } else {
        "Evidence shown: all coded excerpts.".to_owned()
    };
    if !doc.memos.is_empty() {
        line.push_str(
            " Comments and memos (e.g. from a workshop) are listed after each item's evidence; they are not \
             evidence and are not counted as support.",
        );
    }
    line
}

/// "Kestrel, agree, 2026-03-05T14:02:11Z": who wrote a memo, their stance and when.
fn memo_byline(memo: &Memo) -> String {
    let mut line = memo.author_label().to_owned();
    if let Some(stance) = memo.stance {
        line.push_str(&format!(", {}", stance.label().to_lowercase()));
    }
    if !memo.written_at.is_empty() {
        line.push_str(&format!(", {}", memo.written_at));
    }
    line
}

/// The heading of an item's memos, saying they are not evidence.
const MEMOS_HEADING: &str = "Comments and memos";
const MEMOS_NOTE: &str = "not evidence; not counted as support";

/// A stance as the file writes it (`agree`), for the CSV.
fn stance_key(stance: Option<Stance>) -> String {
    stance.and_then(|s| serde_json::to_value(s).ok()).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Each concept's structure measures (issue 17), in words: "0 in, 3 out; betweenness 0.000;
/// neighbours in 3 areas".
fn structure_lines(doc: &Document) -> std::collections::HashMap<ItemRef, String> {
    crate::explore::RelationGraph::new(doc)
        .measures()
        .into_iter()
        .filter(|m| matches!(m.item, crate::model::Endpoint::Concept(_)))
        .map(|m| {
            let areas = if m.neighbour_areas == 1 { "area" } else { "areas" };
            let text = format!(
                "{} in, {} out; betweenness {:.3}; neighbours in {} {areas}",
                m.in_degree, m.out_degree, m.betweenness, m.neighbour_areas
            );
            (crate::explore::item_of(m.item), text)
        })
        .collect()
}

/// The appendix as Markdown.
pub fn markdown(doc: &Document, options: &ExportOptions) -> String {
    let mut out = String::new();
    let structure = structure_lines(doc);
    let md = |text: &str| text.replace('\n', " ");
    let _ = writeln!(out, "# {}\n", md(&doc.info.title));
    if !doc.info.citation.is_empty() {
        let _ = writeln!(out, "Source study: {}\n", md(&doc.info.citation));
    }
    let _ = writeln!(out, "{}\n", scope_line(doc, options));
    for (kind, item) in items(doc) {
        let _ = writeln!(out, "## {kind}: {}\n", md(&doc.item_label(item)));
        let _ = writeln!(out, "- Provenance: {}", md(&provenance_text(doc.provenance_of(item))));
        if let ItemRef::Concept(id) = item
            && let Some(c) = doc.concept(id)
            && !c.areas.is_empty()
        {
            let names: Vec<&str> = c.areas.iter().filter_map(|a| doc.area(*a)).map(|a| a.label.as_str()).collect();
            let _ = writeln!(out, "- Areas: {}", names.join(", "));
        }
        if let Some(line) = structure.get(&item) {
            let _ = writeln!(out, "- Relationships: {line}");
        }
        let evidence = evidence_of(doc, item, options);
        let _ = writeln!(out, "- Supporting excerpts: {}\n", evidence.len());
        for e in evidence {
            let mut quote = format!("> “{}”", md(&e.excerpt));
            if e.provenance.kind == ProvenanceKind::Illustrative {
                quote.push_str(" *(illustrative, not a participant's words)*");
            }
            let _ = writeln!(out, "{quote}");
            let mut line = format!("> — {}", md(&source_name(doc, e)));
            if !e.location.is_empty() {
                line.push_str(&format!(", {}", md(&e.location)));
            }
            let attrs = attributes(doc, e);
            if !attrs.is_empty() {
                line.push_str(&format!(" ({attrs})"));
            }
            let _ = writeln!(out, "{line}");
            if !e.codes.is_empty() {
                let _ = writeln!(out, ">\n> Codes: {}", md(&codes(doc, e)));
            }
            if !e.memo.is_empty() {
                let _ = writeln!(out, ">\n> Memo: {}", md(&e.memo));
            }
            let _ = writeln!(out);
        }
        let memos: Vec<&Memo> = doc.memos_on(item).collect();
        if !memos.is_empty() {
            let _ = writeln!(out, "### {MEMOS_HEADING} ({MEMOS_NOTE}): {}\n", memos.len());
            for memo in memos {
                let mut line = format!("- {}", md(&memo_byline(memo)));
                if !memo.text.trim().is_empty() {
                    line.push_str(&format!(": {}", md(&memo.text)));
                }
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// The appendix as a self-contained web page.
pub fn html(doc: &Document, options: &ExportOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    let _ = writeln!(out, "<title>{} — evidence appendix</title>", xml_escape(&doc.info.title));
    let _ = writeln!(
        out,
        "<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45;color:#222}}\
         h2{{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}}\
         blockquote{{margin:1em 0;padding:.4em 1em;border-left:4px solid #99a;background:#f6f6f8}}\
         .meta{{color:#555;font-size:.9em}} .ill{{color:#a05a00;font-size:.85em}}{}</style>\n</head>\n<body>",
        if doc.memos.is_empty() {
            ""
        } else {
            " .memos{margin:1em 0;padding:.2em 1em;border:1px dashed #aaa} .memos h3{font-size:1em;margin:.6em 0 .2em}"
        }
    );
    let _ = writeln!(out, "<h1>{}</h1>", xml_escape(&doc.info.title));
    if !doc.info.citation.is_empty() {
        let _ = writeln!(out, "<p>Source study: {}</p>", xml_escape(&doc.info.citation));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", xml_escape(&scope_line(doc, options)));
    let structure = structure_lines(doc);
    for (kind, item) in items(doc) {
        let evidence = evidence_of(doc, item, options);
        let anchor = match item {
            ItemRef::Concept(id) => format!("concept-{}", id.0),
            ItemRef::Area(id) => format!("area-{}", id.0),
            ItemRef::Relationship(id) => format!("relationship-{}", id.0),
        };
        let _ = writeln!(out, "<h2 id=\"{anchor}\">{kind}: {}</h2>", xml_escape(&doc.item_label(item)));
        let _ = writeln!(
            out,
            "<p class=\"meta\">Provenance: {}. Supporting excerpts: {}.</p>",
            xml_escape(&provenance_text(doc.provenance_of(item))),
            evidence.len()
        );
        if let Some(line) = structure.get(&item) {
            let _ = writeln!(out, "<p class=\"meta\">Relationships: {}.</p>", xml_escape(line));
        }
        for e in evidence {
            let _ = writeln!(out, "<blockquote><p>“{}”</p>", xml_escape(&e.excerpt));
            if e.provenance.kind == ProvenanceKind::Illustrative {
                let _ = writeln!(out, "<p class=\"ill\">Illustrative excerpt, not a participant's words.</p>");
            }
            let mut meta = source_name(doc, e);
            if !e.location.is_empty() {
                meta.push_str(&format!(", {}", e.location));
            }
            let attrs = attributes(doc, e);
            if !attrs.is_empty() {
                meta.push_str(&format!(" ({attrs})"));
            }
            let _ = writeln!(out, "<p class=\"meta\">{}</p>", xml_escape(&meta));
            if !e.codes.is_empty() {
                let _ = writeln!(out, "<p class=\"meta\">Codes: {}</p>", xml_escape(&codes(doc, e)));
            }
            if !e.memo.is_empty() {
                let _ = writeln!(out, "<p class=\"meta\">Memo: {}</p>", xml_escape(&e.memo));
            }
            let _ = writeln!(out, "</blockquote>");
        }
        let memos: Vec<&Memo> = doc.memos_on(item).collect();
        if !memos.is_empty() {
            let _ = writeln!(
                out,
                "<section class=\"memos\">\n<h3>{MEMOS_HEADING} ({})</h3>\n<p class=\"meta\">{}.</p>\n<ul>",
                memos.len(),
                upper_first(MEMOS_NOTE)
            );
            for memo in memos {
                let mut entry = format!("<li><span class=\"meta\"><bdi>{}</bdi>", xml_escape(memo.author_label()));
                if let Some(stance) = memo.stance {
                    entry.push_str(&format!(", {}", stance.label().to_lowercase()));
                }
                if !memo.written_at.is_empty() {
                    entry.push_str(&format!(", {}", xml_escape(&memo.written_at)));
                }
                entry.push_str("</span>");
                if !memo.text.trim().is_empty() {
                    entry.push_str(&format!("<p dir=\"auto\">{}</p>", xml_escape(&memo.text)));
                }
                entry.push_str("</li>");
                let _ = writeln!(out, "{entry}");
            }
            let _ = writeln!(out, "</ul>\n</section>");
        }
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// The appendix as CSV: one row per (item, supporting excerpt), then one per (item, memo), told
/// apart by the `record` column (see the module documentation).
pub fn csv(doc: &Document, options: &ExportOptions) -> String {
    let mut out = String::from(
        "item_kind,item_id,item,item_provenance,evidence_id,excerpt,source,participant_attributes,location,codes,memo,coder,coded_at,evidence_provenance,record,memo_id,memo_author,memo_stance,memo_text,memo_written_at\r\n",
    );
    let mut row = |fields: &[String]| {
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    for (kind, item) in items(doc) {
        let id = match item {
            ItemRef::Concept(id) => id.0,
            ItemRef::Area(id) => id.0,
            ItemRef::Relationship(id) => id.0,
        };
        let item_fields = [
            kind.to_lowercase(),
            id.to_string(),
            doc.item_label(item),
            doc.provenance_of(item).map_or("", |p| p.kind.label()).to_owned(),
        ];
        for e in evidence_of(doc, item, options) {
            let evidence = [
                e.id.0.to_string(),
                e.excerpt.clone(),
                source_name(doc, e),
                attributes(doc, e),
                e.location.clone(),
                codes(doc, e),
                e.memo.clone(),
                e.coder.clone(),
                e.coded_at.clone(),
                e.provenance.kind.label().to_owned(),
            ];
            let no_memo = [const { String::new() }; 5];
            row(&[&item_fields[..], &evidence, &["evidence".to_owned()], &no_memo].concat());
        }
        for memo in doc.memos_on(item) {
            let no_evidence = [const { String::new() }; 10];
            let fields = [
                "memo".to_owned(),
                memo.id.0.to_string(),
                memo.author.clone(),
                stance_key(memo.stance),
                memo.text.clone(),
                memo.written_at.clone(),
            ];
            row(&[&item_fields[..], &no_evidence, &fields].concat());
        }
    }
    out
}
