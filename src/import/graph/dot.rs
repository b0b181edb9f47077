//! Graphviz DOT, read by its grammar (<https://graphviz.org/doc/info/lang.html>): a tokenizer
//! and a recursive-descent parser whose recursion (subgraphs in subgraphs) is bounded by
//! [`MAX_DEPTH`].
//!
//! What Graphviz does and this reader does too: several graphs in one file (each becomes an
//! area when there is more than one); `strict` graphs merge repeated edges; keywords in any case;
//! IDs as names, numerals, quoted strings (with `\"`, line continuations and `+`
//! concatenation) or HTML strings `<…>`; comments `//`, `/* */` and lines starting with `#`;
//! ports and compass points (`a:p:n`) joined to their node; `a -> {b c}` and `{a b} -> c` as one
//! edge per pair; `node [...]` / `edge [...]` defaults for what is created after them, scoped by
//! subgraphs; clusters (subgraphs named `cluster…`) become areas, nested clusters nested areas;
//! labels with `\N`, `\G`, `\n`, `\l`, `\r`, record fields and HTML labels reduced to their text;
//! `charset=latin1` (and its aliases) decodes names and labels as Latin-1, since IDs are kept as
//! bytes until the whole graph is read; `pos="x,y"` (points, y up) placed as Qualmap's DOT export
//! writes it; `dir` decides arrowheads. A `->` in an undirected graph (or `--` in a digraph) is
//! refused, as Graphviz refuses it.

use std::collections::HashMap;

use super::{Graph, GraphEdge, GraphNode, MAX_DEPTH, MAX_EDGES, MAX_NODES, latin1};
use crate::import::{ImportError, ImportReport};
use crate::model::{Direction, Rgb};

/// Map units per Graphviz point: the inverse of the spread Qualmap's DOT export writes
/// positions with (`export::graph`), so an exported map reads back where it was.
pub const DOT_SPREAD: f32 = 1.6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdKind {
    Plain,
    Quoted,
    Html,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Id(Vec<u8>, IdKind),
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Eq,
    Colon,
    Arrow,
    Dash,
    Plus,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Self::Id(text, _) => format!("“{}”", String::from_utf8_lossy(&text[..text.len().min(40)])),
            Self::LBrace => "“{”".to_owned(),
            Self::RBrace => "“}”".to_owned(),
            Self::LBracket => "“[”".to_owned(),
            Self::RBracket => "“]”".to_owned(),
            Self::Semi => "“;”".to_owned(),
            Self::Comma => "“,”".to_owned(),
            Self::Eq => "“=”".to_owned(),
            Self::Colon => "“:”".to_owned(),
            Self::Arrow => "“->”".to_owned(),
            Self::Dash => "“--”".to_owned(),
            Self::Plus => "“+”".to_owned(),
            Self::End => "the end of the file".to_owned(),
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self, Self::Id(text, IdKind::Plain) if text.eq_ignore_ascii_case(word.as_bytes()))
    }
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    line_start: bool,
}

type Fail = (usize, String);

impl Lexer<'_> {
    fn skip_space(&mut self) -> Result<(), Fail> {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.at += 1;
                    self.line_start = true;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.at += 1,
                b'#' if self.line_start => {
                    while self.bytes.get(self.at).is_some_and(|&c| c != b'\n') {
                        self.at += 1;
                    }
                }
                b'/' if self.bytes.get(self.at + 1) == Some(&b'/') => {
                    while self.bytes.get(self.at).is_some_and(|&c| c != b'\n') {
                        self.at += 1;
                    }
                }
                b'/' if self.bytes.get(self.at + 1) == Some(&b'*') => {
                    let start = self.line;
                    self.at += 2;
                    loop {
                        match self.bytes.get(self.at) {
                            None => return Err((start, "a /* comment is never closed".to_owned())),
                            Some(b'*') if self.bytes.get(self.at + 1) == Some(&b'/') => {
                                self.at += 2;
                                break;
                            }
                            Some(b'\n') => {
                                self.line += 1;
                                self.at += 1;
                            }
                            Some(_) => self.at += 1,
                        }
                    }
                    self.line_start = false;
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn next(&mut self) -> Result<(Tok, usize), Fail> {
        self.skip_space()?;
        self.line_start = false;
        let line = self.line;
        let Some(&b) = self.bytes.get(self.at) else { return Ok((Tok::End, line)) };
        let single = match b {
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b';' => Some(Tok::Semi),
            b',' => Some(Tok::Comma),
            b'=' => Some(Tok::Eq),
            b':' => Some(Tok::Colon),
            b'+' => Some(Tok::Plus),
            _ => None,
        };
        if let Some(tok) = single {
            self.at += 1;
            return Ok((tok, line));
        }
        let next = self.bytes.get(self.at + 1).copied();
        if b == b'-' && next == Some(b'>') {
            self.at += 2;
            return Ok((Tok::Arrow, line));
        }
        if b == b'-' && next == Some(b'-') {
            self.at += 2;
            return Ok((Tok::Dash, line));
        }
        if b == b'"' {
            return self.quoted().map(|t| (t, line));
        }
        if b == b'<' {
            return self.html().map(|t| (t, line));
        }
        if b == b'-' || b == b'.' || b.is_ascii_digit() {
            let start = self.at;
            self.at += 1;
            while self.bytes.get(self.at).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
                self.at += 1;
            }
            let text = self.bytes[start..self.at].to_vec();
            if text == b"-" || text == b"." || text.iter().filter(|&&c| c == b'.').count() > 1 {
                return Err((line, format!("“{}” is not a number or a name", String::from_utf8_lossy(&text))));
            }
            return Ok((Tok::Id(text, IdKind::Plain), line));
        }
        if b == b'_' || b.is_ascii_alphabetic() || b >= 0x80 {
            let start = self.at;
            while self.bytes.get(self.at).is_some_and(|&c| c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80) {
                self.at += 1;
            }
            return Ok((Tok::Id(self.bytes[start..self.at].to_vec(), IdKind::Plain), line));
        }
        Err((line, format!("unexpected character “{}”", char::from(b).escape_default())))
    }

    fn quoted(&mut self) -> Result<Tok, Fail> {
        let start_line = self.line;
        self.at += 1;
        let mut text = Vec::new();
        loop {
            match self.bytes.get(self.at) {
                None => return Err((start_line, "a quoted string is never closed".to_owned())),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Tok::Id(text, IdKind::Quoted));
                }
                Some(b'\\') => match self.bytes.get(self.at + 1) {
                    Some(b'"') => {
                        text.push(b'"');
                        self.at += 2;
                    }
                    Some(b'\n') => {
                        self.line += 1;
                        self.at += 2;
                    }
                    Some(b'\r') if self.bytes.get(self.at + 2) == Some(&b'\n') => {
                        self.line += 1;
                        self.at += 3;
                    }
                    _ => {
                        text.push(b'\\');
                        self.at += 1;
                    }
                },
                Some(&c) => {
                    if c == b'\n' {
                        self.line += 1;
                    }
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn html(&mut self) -> Result<Tok, Fail> {
        let start_line = self.line;
        let start = self.at + 1;
        let mut depth = 0usize;
        while let Some(&c) = self.bytes.get(self.at) {
            match c {
                b'<' => depth += 1,
                b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        let text = self.bytes[start..self.at].to_vec();
                        self.at += 1;
                        return Ok(Tok::Id(text, IdKind::Html));
                    }
                }
                b'\n' => self.line += 1,
                _ => {}
            }
            self.at += 1;
        }
        Err((start_line, "an HTML string <…> is never closed".to_owned()))
    }
}

type Attrs = Vec<(Vec<u8>, (Vec<u8>, IdKind))>;

fn set(attrs: &mut Attrs, key: Vec<u8>, value: (Vec<u8>, IdKind)) {
    if let Some(slot) = attrs.iter_mut().find(|(k, _)| *k == key) {
        slot.1 = value;
    } else {
        attrs.push((key, value));
    }
}

fn get<'a>(attrs: &'a Attrs, key: &str) -> Option<&'a (Vec<u8>, IdKind)> {
    attrs.iter().find(|(k, _)| k.as_slice() == key.as_bytes()).map(|(_, v)| v)
}

#[derive(Default)]
struct PNode {
    name: Vec<u8>,
    attrs: Attrs,
    clusters: Vec<usize>,
}

struct PEdge {
    tail: usize,
    head: usize,
    attrs: Attrs,
}

struct PCluster {
    name: Vec<u8>,
    attrs: Attrs,
    parent: Option<usize>,
}

/// One graph of the file, as parsed.
#[derive(Default)]
struct PGraph {
    directed: bool,
    strict: bool,
    name: Vec<u8>,
    attrs: Attrs,
    nodes: Vec<PNode>,
    index: HashMap<Vec<u8>, usize>,
    edges: Vec<PEdge>,
    strict_seen: std::collections::HashSet<(usize, usize)>,
    clusters: Vec<PCluster>,
    cluster_index: HashMap<Vec<u8>, usize>,
}

#[derive(Clone, Default)]
struct Scope {
    node_defaults: Attrs,
    edge_defaults: Attrs,
    cluster: Option<usize>,
    /// Attributes of the subgraph itself (`label=…` inside it).
    own: Option<usize>,
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<(Tok, usize)>,
    total_nodes: usize,
    total_edges: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Tok, Fail> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next()?);
        }
        Ok(self.peeked.as_ref().map_or(&Tok::End, |(t, _)| t))
    }

    fn line(&mut self) -> usize {
        self.peeked.as_ref().map_or(self.lexer.line, |(_, l)| *l)
    }

    fn bump(&mut self) -> Result<Tok, Fail> {
        match self.peeked.take() {
            Some((tok, _)) => Ok(tok),
            None => self.lexer.next().map(|(t, _)| t),
        }
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), Fail> {
        let line = self.line();
        let tok = self.bump()?;
        if &tok == want { Ok(()) } else { Err((line, format!("expected {what}, found {}", tok.describe()))) }
    }

    /// An ID, with `"a" + "b"` concatenated.
    fn id(&mut self, what: &str) -> Result<(Vec<u8>, IdKind), Fail> {
        let line = self.line();
        match self.bump()? {
            Tok::Id(mut text, kind) => {
                if kind == IdKind::Quoted {
                    while self.peek()? == &Tok::Plus {
                        self.bump()?;
                        let line = self.line();
                        match self.bump()? {
                            Tok::Id(more, IdKind::Quoted) => text.extend(more),
                            other => {
                                return Err((
                                    line,
                                    format!("expected a quoted string after “+”, found {}", other.describe()),
                                ));
                            }
                        }
                    }
                }
                Ok((text, kind))
            }
            other => Err((line, format!("expected {what}, found {}", other.describe()))),
        }
    }

    fn is_id(&mut self) -> Result<bool, Fail> {
        Ok(matches!(self.peek()?, Tok::Id(..)))
    }

    fn attr_list(&mut self, into: &mut Attrs) -> Result<(), Fail> {
        while self.peek()? == &Tok::LBracket {
            self.bump()?;
            loop {
                if self.peek()? == &Tok::RBracket {
                    self.bump()?;
                    break;
                }
                let (key, _) = self.id("an attribute name or “]”")?;
                self.expect(&Tok::Eq, "“=” after an attribute name")?;
                let value = self.id("an attribute value")?;
                set(into, key, value);
                if matches!(self.peek()?, Tok::Comma | Tok::Semi) {
                    self.bump()?;
                }
            }
        }
        Ok(())
    }

    fn node(&mut self, g: &mut PGraph, name: Vec<u8>, scope: &Scope) -> Result<usize, Fail> {
        let i = match g.index.get(&name) {
            Some(&i) => i,
            None => {
                if self.total_nodes >= MAX_NODES {
                    return Err((
                        self.line(),
                        format!("more than {MAX_NODES} nodes; a map holds at most that many concepts"),
                    ));
                }
                self.total_nodes += 1;
                g.nodes.push(PNode { name: name.clone(), attrs: scope.node_defaults.clone(), clusters: Vec::new() });
                g.index.insert(name, g.nodes.len() - 1);
                g.nodes.len() - 1
            }
        };
        if let Some(c) = scope.cluster
            && !g.nodes[i].clusters.contains(&c)
        {
            g.nodes[i].clusters.push(c);
        }
        Ok(i)
    }

    /// `ID [':' ID [':' ID]]`: the port and compass point are dropped.
    fn node_id(&mut self) -> Result<Vec<u8>, Fail> {
        let (name, _) = self.id("a node name")?;
        for _ in 0..2 {
            if self.peek()? == &Tok::Colon {
                self.bump()?;
                self.id("a port name after “:”")?;
            }
        }
        Ok(name)
    }

    fn edge(&mut self, g: &mut PGraph, tail: usize, head: usize, attrs: &Attrs) -> Result<(), Fail> {
        if g.strict {
            let key = if g.directed { (tail, head) } else { (tail.min(head), tail.max(head)) };
            if !g.strict_seen.insert(key) {
                return Ok(());
            }
        }
        if self.total_edges >= MAX_EDGES {
            return Err((
                self.line(),
                format!("more than {MAX_EDGES} edges; a map holds at most that many relationships"),
            ));
        }
        self.total_edges += 1;
        g.edges.push(PEdge { tail, head, attrs: attrs.clone() });
        Ok(())
    }

    /// `[subgraph [ID]] '{' stmt_list '}'`; returns the nodes in it.
    fn subgraph(&mut self, g: &mut PGraph, scope: &Scope, depth: usize) -> Result<Vec<usize>, Fail> {
        if depth > MAX_DEPTH {
            return Err((self.line(), format!("subgraphs nested more than {MAX_DEPTH} deep")));
        }
        let mut name = None;
        if self.peek()?.keyword("subgraph") {
            self.bump()?;
            if self.is_id()? {
                name = Some(self.id("a subgraph name")?.0);
            }
        }
        let mut inner = scope.clone();
        if let Some(name) = name.filter(|n| n.len() >= 7 && n[..7].eq_ignore_ascii_case(b"cluster")) {
            let c = match g.cluster_index.get(&name) {
                Some(&c) => c,
                None => {
                    g.clusters.push(PCluster { name: name.clone(), attrs: Vec::new(), parent: scope.cluster });
                    g.cluster_index.insert(name, g.clusters.len() - 1);
                    g.clusters.len() - 1
                }
            };
            inner.cluster = Some(c);
            inner.own = Some(c);
        } else {
            inner.own = None;
        }
        if self.peek()? != &Tok::LBrace {
            // `subgraph name` alone refers to a subgraph; nothing to add.
            return Ok(Vec::new());
        }
        self.bump()?;
        let mut members = Vec::new();
        self.stmt_list(g, &mut inner, depth + 1, &mut members)?;
        self.expect(&Tok::RBrace, "“}” closing the subgraph")?;
        Ok(members)
    }

    fn stmt_list(
        &mut self,
        g: &mut PGraph,
        scope: &mut Scope,
        depth: usize,
        members: &mut Vec<usize>,
    ) -> Result<(), Fail> {
        loop {
            let tok = self.peek()?.clone();
            match tok {
                Tok::RBrace | Tok::End => return Ok(()),
                Tok::Semi => {
                    self.bump()?;
                }
                ref t if t.keyword("graph") || t.keyword("node") || t.keyword("edge") => {
                    self.bump()?;
                    let mut attrs = Vec::new();
                    if self.peek()? != &Tok::LBracket {
                        let line = self.line();
                        return Err((line, format!("expected “[” after {}", t.describe())));
                    }
                    self.attr_list(&mut attrs)?;
                    let target = if t.keyword("node") {
                        &mut scope.node_defaults
                    } else if t.keyword("edge") {
                        &mut scope.edge_defaults
                    } else {
                        match scope.own {
                            Some(c) => &mut g.clusters[c].attrs,
                            None if depth == 0 => &mut g.attrs,
                            None => continue,
                        }
                    };
                    for (k, v) in attrs {
                        set(target, k, v);
                    }
                }
                _ => self.statement(g, scope, depth, members)?,
            }
        }
    }

    fn operand(&mut self, g: &mut PGraph, scope: &Scope, depth: usize) -> Result<Vec<usize>, Fail> {
        if self.peek()?.keyword("subgraph") || self.peek()? == &Tok::LBrace {
            self.subgraph(g, scope, depth)
        } else {
            let name = self.node_id()?;
            Ok(vec![self.node(g, name, scope)?])
        }
    }

    fn statement(
        &mut self,
        g: &mut PGraph,
        scope: &mut Scope,
        depth: usize,
        members: &mut Vec<usize>,
    ) -> Result<(), Fail> {
        let line = self.line();
        // `ID = ID` at statement level sets an attribute of the (sub)graph.
        if self.is_id()? && !self.peek()?.keyword("subgraph") {
            let (first, kind) = self.id("a statement")?;
            if self.peek()? == &Tok::Eq {
                self.bump()?;
                let value = self.id("a value after “=”")?;
                match scope.own {
                    Some(c) => set(&mut g.clusters[c].attrs, first, value),
                    None if depth == 0 => set(&mut g.attrs, first, value),
                    None => {}
                }
                return Ok(());
            }
            for _ in 0..2 {
                if self.peek()? == &Tok::Colon {
                    self.bump()?;
                    self.id("a port name after “:”")?;
                }
            }
            let _ = kind;
            let first = vec![self.node(g, first, scope)?];
            return self.rest_of_statement(g, scope, depth, members, first, true, line);
        }
        let first = self.operand(g, scope, depth)?;
        self.rest_of_statement(g, scope, depth, members, first, false, line)
    }

    #[expect(clippy::too_many_arguments, reason = "the parser's state for one statement")]
    fn rest_of_statement(
        &mut self,
        g: &mut PGraph,
        scope: &Scope,
        depth: usize,
        members: &mut Vec<usize>,
        first: Vec<usize>,
        is_node: bool,
        line: usize,
    ) -> Result<(), Fail> {
        let mut operands = vec![first];
        while matches!(self.peek()?, Tok::Arrow | Tok::Dash) {
            let op_line = self.line();
            let op = self.bump()?;
            if (op == Tok::Arrow) != g.directed {
                return Err((
                    op_line,
                    if g.directed {
                        "“--” in a digraph (Graphviz refuses it; use “->”)".to_owned()
                    } else {
                        "“->” in an undirected graph (Graphviz refuses it; use “--”, or make it a digraph)".to_owned()
                    },
                ));
            }
            operands.push(self.operand(g, scope, depth)?);
        }
        let mut attrs = Vec::new();
        self.attr_list(&mut attrs)?;
        for operand in &operands {
            members.extend(operand.iter().copied());
        }
        if operands.len() == 1 {
            if is_node && let Some(&i) = operands[0].first() {
                for (k, v) in attrs {
                    set(&mut g.nodes[i].attrs, k, v);
                }
            }
            return Ok(());
        }
        let mut edge_attrs = scope.edge_defaults.clone();
        for (k, v) in attrs {
            set(&mut edge_attrs, k, v);
        }
        for pair in operands.windows(2) {
            let pairs = pair[0].len().saturating_mul(pair[1].len());
            if self.total_edges.saturating_add(pairs) > MAX_EDGES {
                return Err((
                    line,
                    format!("more than {MAX_EDGES} edges; a map holds at most that many relationships"),
                ));
            }
            for &tail in &pair[0] {
                for &head in &pair[1] {
                    self.edge(g, tail, head, &edge_attrs)?;
                }
            }
        }
        Ok(())
    }

    fn graph(&mut self) -> Result<PGraph, Fail> {
        let mut g = PGraph::default();
        if self.peek()?.keyword("strict") {
            self.bump()?;
            g.strict = true;
        }
        let line = self.line();
        let tok = self.bump()?;
        if tok.keyword("digraph") {
            g.directed = true;
        } else if !tok.keyword("graph") {
            return Err((line, format!("expected “graph” or “digraph”, found {}", tok.describe())));
        }
        if self.is_id()? {
            g.name = self.id("the graph's name")?.0;
        }
        self.expect(&Tok::LBrace, "“{” opening the graph")?;
        let mut scope = Scope::default();
        let mut members = Vec::new();
        self.stmt_list(&mut g, &mut scope, 0, &mut members)?;
        self.expect(&Tok::RBrace, "“}” closing the graph")?;
        Ok(g)
    }
}

/// Whether lower-case text starts (after comments) like a DOT graph.
pub(crate) fn looks_like_dot(text: &str) -> bool {
    let mut lexer = Lexer { bytes: text.as_bytes(), at: 0, line: 1, line_start: true };
    let Ok((mut tok, _)) = lexer.next() else { return false };
    if tok.keyword("strict") {
        let Ok((next, _)) = lexer.next() else { return false };
        tok = next;
    }
    if !(tok.keyword("graph") || tok.keyword("digraph")) {
        return false;
    }
    match lexer.next() {
        Ok((Tok::LBrace, _)) => true,
        Ok((Tok::Id(..), _)) => matches!(lexer.next(), Ok((Tok::LBrace, _))),
        _ => false,
    }
}

fn is_latin1(charset: &str) -> bool {
    matches!(
        charset.to_ascii_lowercase().as_str(),
        "latin-1"
            | "latin1"
            | "l1"
            | "iso-8859-1"
            | "iso_8859-1"
            | "iso8859-1"
            | "iso-ir-100"
            | "ibm819"
            | "cp819"
            | "csisolatin1"
    )
}

/// Decodes an ID with the file's charset.
fn text(bytes: &[u8], latin: bool) -> String {
    if latin { latin1(bytes) } else { String::from_utf8_lossy(bytes).into_owned() }
}

/// The visible text of an HTML label: tags dropped (`<BR/>` and cell boundaries become
/// breaks), entities decoded, white space collapsed.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = rest[start..end].to_ascii_lowercase();
        if tag.starts_with("<br") || tag.starts_with("</td") || tag.starts_with("</tr") {
            out.push(' ');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A label's text: escapes (`\N` the node's name, `\G` the graph's, `\T`/`\H` an edge's ends,
/// `\n` `\l` `\r` breaks), record fields (`{a|<p> b}`) and HTML reduced to plain text.
fn label_text(value: &(Vec<u8>, IdKind), latin: bool, names: [&str; 4], record: bool) -> String {
    let raw = text(&value.0, latin);
    if value.1 == IdKind::Html {
        return html_text(&raw);
    }
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('N') => out.push_str(names[0]),
            Some('G') => out.push_str(names[1]),
            Some('T') => out.push_str(names[2]),
            Some('H') => out.push_str(names[3]),
            Some('E') => {
                out.push_str(names[2]);
                out.push_str("->");
                out.push_str(names[3]);
            }
            Some('n' | 'l' | 'r') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    if record {
        let mut cleaned = String::new();
        let mut in_port = false;
        for c in out.chars() {
            match c {
                '<' => in_port = true,
                '>' => in_port = false,
                _ if in_port => {}
                '{' | '}' => {}
                '|' => cleaned.push_str(" | "),
                c => cleaned.push(c),
            }
        }
        out = cleaned;
    }
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Graphviz colour: `#rrggbb[aa]`, `H,S,V` / `H S V`, or one of the common X11 names; the
/// first of a colour list (`red:blue`).
fn color(value: &str) -> Option<Rgb> {
    let first = value.split(':').next().unwrap_or_default().trim();
    let first = first.rsplit('/').next().unwrap_or(first);
    if first.starts_with('#') {
        return super::parse_color(first, false);
    }
    let hsv: Vec<f32> = first.split([',', ' ']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    if hsv.len() == 3 && hsv.iter().all(|v| (0.0..=1.0).contains(v)) {
        let (h, s, v) = (hsv[0] * 6.0, hsv[1], hsv[2]);
        let i = h.floor();
        let f = h - i;
        let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
        let (r, g, b) = match i as i32 % 6 {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
        let c = |x: f32| (x * 255.0).round().clamp(0.0, 255.0) as u8;
        return Some(Rgb::new(c(r), c(g), c(b)));
    }
    let hex = match first.to_ascii_lowercase().as_str() {
        "black" => "#000000",
        "white" => "#ffffff",
        "red" => "#ff0000",
        "green" => "#00ff00",
        "blue" => "#0000ff",
        "yellow" => "#ffff00",
        "cyan" => "#00ffff",
        "magenta" => "#ff00ff",
        "orange" => "#ffa500",
        "purple" => "#a020f0",
        "pink" => "#ffc0cb",
        "brown" => "#a52a2a",
        "gray" | "grey" => "#c0c0c0",
        "lightgray" | "lightgrey" => "#d3d3d3",
        "darkgray" | "darkgrey" => "#a9a9a9",
        "lightblue" => "#add8e6",
        "lightyellow" => "#ffffe0",
        "lightgreen" => "#90ee90",
        "lightpink" => "#ffb6c1",
        "darkgreen" => "#006400",
        "navy" | "navyblue" => "#000080",
        "gold" => "#ffd700",
        "salmon" => "#fa8072",
        "beige" => "#f5f5dc",
        "khaki" => "#f0e68c",
        "tomato" => "#ff6347",
        "violet" => "#ee82ee",
        "turquoise" => "#40e0d0",
        _ => return None,
    };
    super::parse_color(hex, false)
}

fn direction_of(attrs: &Attrs, directed: bool, latin: bool) -> (Direction, bool) {
    match get(attrs, "dir").map(|v| text(&v.0, latin).to_ascii_lowercase()).as_deref() {
        Some("forward") => (Direction::OneWay, false),
        Some("back") => (Direction::OneWay, true),
        Some("both") => (Direction::Bidirectional, false),
        Some("none") => (Direction::Associative, false),
        _ if directed => (Direction::OneWay, false),
        _ => (Direction::Associative, false),
    }
}

/// Reads a DOT file (one or more graphs).
pub fn read(bytes: &[u8], origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut parser = Parser {
        lexer: Lexer { bytes, at: 0, line: 1, line_start: true },
        peeked: None,
        total_nodes: 0,
        total_edges: 0,
    };
    let fail = |(line, message): Fail| super::refused(origin, format!("line {line}: {message}"));
    let mut graphs = Vec::new();
    while parser.peek().map_err(fail)? != &Tok::End {
        graphs.push(parser.graph().map_err(fail)?);
    }
    if graphs.is_empty() {
        return Err(super::refused(origin, "the file holds no graph"));
    }
    let charset =
        graphs.iter().find_map(|g| get(&g.attrs, "charset")).map(|v| String::from_utf8_lossy(&v.0).into_owned());
    let mut latin = charset.as_deref().is_some_and(is_latin1);
    if latin {
        report
            .adjusted
            .push(format!("charset={}: names and labels read as Latin-1", charset.as_deref().unwrap_or_default()));
    } else if let Some(other) =
        charset.as_deref().filter(|c| !matches!(c.to_ascii_lowercase().as_str(), "utf-8" | "utf8"))
    {
        report.adjusted.push(format!("charset={other} is not one Graphviz reads (UTF-8, Latin-1); read as UTF-8"));
    }
    if !latin && std::str::from_utf8(bytes).is_err() {
        latin = true;
        report.adjusted.push(
            "the file is not UTF-8 and names no charset: read as Latin-1 (add charset=latin1 for Graphviz)".to_owned(),
        );
    }

    let several = graphs.len() > 1;
    let mut graph = Graph {
        format: if several { format!("DOT ({} graphs)", graphs.len()) } else { "DOT".to_owned() },
        title: text(&graphs[0].name, latin),
        ..Graph::default()
    };
    let mut positions = 0;
    for (k, g) in graphs.iter().enumerate() {
        let graph_name = text(&g.name, latin);
        let prefix = if several { format!("g{}:", k + 1) } else { String::new() };
        // A graph of its own when there are several: an area around its nodes.
        let whole = if several {
            let label = if graph_name.is_empty() { format!("graph {}", k + 1) } else { graph_name.clone() };
            Some(graph.push_node(
                GraphNode { id: format!("g{}", k + 1), label, group: true, ..GraphNode::default() },
                origin,
            )?)
        } else {
            None
        };
        // Qualmap's own export: areas as ellipse nodes `aN`, concepts `cN` whose tooltip names
        // their areas.
        let qualmap = g.nodes.iter().any(|n| n.name.first() == Some(&b'a'))
            && g.nodes.iter().all(|n| {
                n.name.len() > 1
                    && matches!(n.name[0], b'a' | b'c')
                    && n.name[1..].iter().all(u8::is_ascii_digit)
                    && (n.name[0] == b'c' || get(&n.attrs, "shape").is_some_and(|s| s.0 == b"ellipse"))
            });
        let base = graph.nodes.len();
        let cluster_base = base + g.nodes.len();
        for node in &g.nodes {
            let name = text(&node.name, latin);
            let record = get(&node.attrs, "shape").is_some_and(|s| {
                let s = String::from_utf8_lossy(&s.0).to_ascii_lowercase();
                s == "record" || s == "mrecord"
            });
            let label = get(&node.attrs, "label")
                .map(|v| label_text(v, latin, [&name, &graph_name, "", ""], record))
                .unwrap_or_else(|| name.clone());
            let pos = get(&node.attrs, "pos").and_then(|p| {
                let p = text(&p.0, latin);
                let mut parts = p.trim_end_matches('!').split(',').map(super::number);
                Some([parts.next()?? / DOT_SPREAD, -parts.next()?? / DOT_SPREAD])
            });
            positions += usize::from(pos.is_some());
            let filled = get(&node.attrs, "style").is_some_and(|s| String::from_utf8_lossy(&s.0).contains("filled"));
            let fill = get(&node.attrs, "fillcolor").filter(|_| filled).or_else(|| get(&node.attrs, "color"));
            let description = if qualmap {
                String::new()
            } else {
                get(&node.attrs, "tooltip")
                    .or_else(|| get(&node.attrs, "comment"))
                    .map(|v| label_text(v, latin, [&name, &graph_name, "", ""], false))
                    .unwrap_or_default()
            };
            let group = qualmap && node.name[0] == b'a';
            let mut parents: Vec<usize> = node.clusters.iter().map(|c| cluster_base + c).collect();
            if parents.is_empty()
                && let Some(w) = whole
            {
                parents.push(w);
            }
            graph.push_node(
                GraphNode {
                    id: format!("{prefix}{name}"),
                    label,
                    description,
                    pos: if group { None } else { pos },
                    color: fill.and_then(|c| color(&text(&c.0, latin))),
                    group,
                    parents,
                },
                origin,
            )?;
        }
        for cluster in &g.clusters {
            let name = text(&cluster.name, latin);
            let label = get(&cluster.attrs, "label")
                .map(|v| label_text(v, latin, ["", &graph_name, "", ""], false))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| {
                    let bare = name[7..].trim_start_matches(['_', '-', ' ']);
                    if bare.is_empty() { name.clone() } else { bare.to_owned() }
                });
            let fill = get(&cluster.attrs, "fillcolor")
                .or_else(|| get(&cluster.attrs, "bgcolor"))
                .or_else(|| get(&cluster.attrs, "color"))
                .or_else(|| get(&cluster.attrs, "pencolor"));
            let parents = match (cluster.parent, whole) {
                (Some(p), _) => vec![cluster_base + p],
                (None, Some(w)) => vec![w],
                (None, None) => Vec::new(),
            };
            graph.push_node(
                GraphNode {
                    id: format!("{prefix}{name}"),
                    label,
                    color: fill.and_then(|c| color(&text(&c.0, latin))),
                    group: true,
                    parents,
                    ..GraphNode::default()
                },
                origin,
            )?;
        }
        if qualmap {
            let by_label: HashMap<String, usize> = (base..cluster_base)
                .filter(|&i| graph.nodes[i].group)
                .map(|i| (graph.nodes[i].label.clone(), i))
                .collect();
            for (k, node) in g.nodes.iter().enumerate() {
                if let Some(tooltip) = get(&node.attrs, "tooltip") {
                    let names = text(&tooltip.0, latin).replace("\\\\", "\\");
                    let parents: Vec<usize> = names.split("; ").filter_map(|n| by_label.get(n)).copied().collect();
                    if !parents.is_empty() {
                        graph.nodes[base + k].parents = parents;
                    }
                }
            }
        }
        for edge in &g.edges {
            let (direction, reversed) = direction_of(&edge.attrs, g.directed, latin);
            let (tail, head) = if reversed { (edge.head, edge.tail) } else { (edge.tail, edge.head) };
            let (tail_name, head_name) = (text(&g.nodes[edge.tail].name, latin), text(&g.nodes[edge.head].name, latin));
            let label = get(&edge.attrs, "label")
                .or_else(|| get(&edge.attrs, "xlabel"))
                .map(|v| label_text(v, latin, ["", &graph_name, &tail_name, &head_name], false))
                .unwrap_or_default();
            graph.push_edge(
                GraphEdge {
                    source: base + tail,
                    target: base + head,
                    label,
                    kind: String::new(),
                    direction,
                    color: get(&edge.attrs, "color").and_then(|c| color(&text(&c.0, latin))),
                },
                origin,
            )?;
        }
    }
    // A cluster may share its name with a node (`subgraph cluster_a { }` and `cluster_a;`):
    // ids stay unique.
    let mut seen = std::collections::HashSet::new();
    for node in &mut graph.nodes {
        let mut id = node.id.clone();
        let mut k = 1;
        while !seen.insert(id.clone()) {
            k += 1;
            id = format!("{}~{k}", node.id);
        }
        node.id = id;
    }
    if positions > 0 {
        report.adjusted.push(format!("positions in points (y up) placed at 1/{DOT_SPREAD} map unit per point"));
    }
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Graph, String> {
        read(text.as_bytes(), "t.dot", &mut ImportReport::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn the_grammar() {
        let g = parse("/* c */ digraph G {\n# cpp line\n a -> {b c} -> d [label=\"x\" + \"y\"]; e:p:n -> a:s\n subgraph cluster_1 { label=<<B>One</B>>; f; g } }").unwrap();
        assert_eq!(g.concept_count(), 7, "{:?}", g.nodes);
        assert_eq!(g.edges.len(), 5);
        assert_eq!(g.edges[2].label, "xy");
        let cluster = g.nodes.iter().position(|n| n.group).unwrap();
        assert_eq!(g.nodes[cluster].label, "One");
        assert!(g.nodes.iter().filter(|n| n.parents == [cluster]).count() == 2);
        let strict = parse("strict graph { a -- b; b -- a; a -- a; a -- a }").unwrap();
        assert_eq!(strict.edges.len(), 2);
        let error = parse("graph {\n a -> b }").unwrap_err();
        assert!(error.contains("line 2") && error.contains("undirected"), "{error}");
        let error = parse("digraph { a -> \"b }").unwrap_err();
        assert!(error.contains("never closed"), "{error}");
        assert!(parse(&format!("graph {{ {} }}", "{".repeat(300))).unwrap_err().contains("nested more than"));
    }

    #[test]
    fn latin1_and_labels() {
        let mut bytes =
            b"graph { charset=latin1; a [label=\"Caf\xe9\"]; \"na\xefve\" -- a [label=\"\\T to \\H\"] }".to_vec();
        let g = read(&bytes, "t.dot", &mut ImportReport::default()).unwrap();
        assert_eq!(g.nodes[0].label, "Café");
        assert_eq!(g.nodes[1].label, "naïve");
        assert_eq!(g.edges[0].label, "naïve to a");
        bytes.clear();
        let g = parse("digraph { n [shape=record, label=\"{<f0> left|<f1> right}\"] }").unwrap();
        assert_eq!(g.nodes[0].label, "left | right");
    }
}
