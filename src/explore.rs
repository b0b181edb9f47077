//! Following the map's relationships: what lies within a few steps of the selection, the paths
//! between two items, everything upstream or downstream of them, feedback loops, and each
//! concept's place in the structure (degree, betweenness, how many areas its neighbours span).
//!
//! The relationship graph is a petgraph `DiGraph` over every concept and area, built once per
//! document revision ([`RelationGraph::new`]). A one-way relationship is followed forward only;
//! an associative or bidirectional one both ways (it becomes two arcs). Arcs between the same
//! two items are one arc for paths and measures (a path is a sequence of items; each step lists
//! every relationship that makes it). Paths, reachability and the neighbourhood are breadth-first
//! searches on petgraph's graph (`Bfs`, `all_simple_paths`); petgraph has no simple-cycle
//! enumeration or betweenness, so loops are Johnson's algorithm on petgraph's strongly connected
//! components (`tarjan_scc`) and betweenness is Brandes' algorithm, both written here on its
//! graph types. Everything that could grow without bound (paths, loops) stops at a limit and
//! says so.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use petgraph::Direction as Way;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef as _;

use crate::model::support::{EvidenceFilter, SupportMode, support_counts};
use crate::model::{Direction, Document, Endpoint, ItemRef, RelationshipId, RelationshipTypeId};

pub use crate::model::{Focus, Follow};

impl Focus {
    /// The items in focus: the neighbourhood and the relationships within it.
    pub fn items(&self, graph: &RelationGraph) -> BTreeSet<ItemRef> {
        graph.neighbourhood(&self.from, self.steps, self.follow, self.only)
    }

    /// In words, for the canvas's banner and the story: "within 2 steps of Problem solving".
    pub fn describe(&self, doc: &Document) -> String {
        let names: Vec<&str> = self.from.iter().take(3).map(|e| doc.endpoint_label(*e)).collect();
        let mut names = names.join(", ");
        if self.from.len() > 3 {
            names.push_str(&format!(" and {} more", self.from.len() - 3));
        }
        let only = self
            .only
            .and_then(|t| doc.relationship_type(t))
            .map(|t| format!(", along \"{}\" only", t.name))
            .unwrap_or_default();
        let reach = match (self.steps, self.follow) {
            (usize::MAX, Follow::Forward) => format!("everything downstream of {names}"),
            (usize::MAX, Follow::Backward) => format!("everything upstream of {names}"),
            (usize::MAX, Follow::Both) => format!("everything connected to {names}"),
            (1, follow) => format!("within one step {}of {names}", way_words(follow)),
            (k, follow) => format!("within {k} steps {}of {names}", way_words(follow)),
        };
        format!("{reach}{only}")
    }
}

fn way_words(follow: Follow) -> &'static str {
    match follow {
        Follow::Both => "",
        Follow::Forward => "downstream ",
        Follow::Backward => "upstream ",
    }
}

/// One relationship followed in one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    /// The relationship.
    pub relationship: RelationshipId,
    /// Its type.
    pub type_id: RelationshipTypeId,
    /// Whether the relationship is one-way (a loop runs through one-way relationships only).
    pub one_way: bool,
}

/// The map's relationship graph.
pub struct RelationGraph {
    /// Every relationship as one arc per direction it may be followed.
    graph: DiGraph<Endpoint, Arc>,
    /// One arc per ordered pair of items that some relationship joins (paths and measures).
    simple: DiGraph<Endpoint, ()>,
    index: HashMap<Endpoint, NodeIndex>,
    /// The areas each item belongs to (an area: none), by node.
    areas: Vec<Vec<crate::model::AreaId>>,
    /// The structure betweenness is measured on: `simple` plus each concept's membership of its
    /// areas, both ways (a concept in two areas lies between them).
    structure: DiGraph<Endpoint, ()>,
}

/// A limit on what is listed, and whether it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    /// What was found, in order.
    pub items: Vec<T>,
    /// Whether the search stopped at its limit (there may be more).
    pub truncated: bool,
}

/// A concept's (or area's) place in the structure.
#[derive(Clone, Debug, PartialEq)]
pub struct Measures {
    /// The item.
    pub item: Endpoint,
    /// Relationships that lead to it (associative and bidirectional ones count both ways).
    pub in_degree: usize,
    /// Relationships that lead from it.
    pub out_degree: usize,
    /// Betweenness centrality (Brandes), normalised as networkx does for a directed graph: the
    /// share of shortest paths between other items that pass through it, over (n−1)(n−2). The
    /// paths follow relationships (as paths do) and memberships of areas (both ways), so that a
    /// concept that joins two areas, by relationships or by belonging to both, bridges them.
    pub betweenness: f64,
    /// How many areas its neighbours belong to (an area that is itself a neighbour counts).
    pub neighbour_areas: usize,
}

impl RelationGraph {
    /// The graph of `doc`: areas first, then concepts, in the document's order (so results are
    /// in a stable order).
    pub fn new(doc: &Document) -> Self {
        let nodes = doc.areas.len() + doc.concepts.len();
        let mut graph = DiGraph::with_capacity(nodes, doc.relationships.len() * 2);
        let mut simple = DiGraph::with_capacity(nodes, doc.relationships.len() * 2);
        let mut index = HashMap::with_capacity(nodes);
        let areas = std::iter::repeat_n(Vec::new(), doc.areas.len())
            .chain(doc.concepts.iter().map(|c| c.areas.clone()))
            .collect();
        let ends =
            doc.areas.iter().map(|a| Endpoint::Area(a.id)).chain(doc.concepts.iter().map(|c| Endpoint::Concept(c.id)));
        for end in ends {
            let node = graph.add_node(end);
            simple.add_node(end);
            index.insert(end, node);
        }
        let mut pairs = HashSet::new();
        for rel in &doc.relationships {
            let (Some(&from), Some(&to)) = (index.get(&rel.from), index.get(&rel.to)) else { continue };
            let direction = doc.direction_of(rel);
            let arc = Arc { relationship: rel.id, type_id: rel.type_id, one_way: direction == Direction::OneWay };
            graph.add_edge(from, to, arc);
            if pairs.insert((from, to)) {
                simple.add_edge(from, to, ());
            }
            if direction != Direction::OneWay && from != to {
                graph.add_edge(to, from, arc);
                if pairs.insert((to, from)) {
                    simple.add_edge(to, from, ());
                }
            }
        }
        let mut structure = simple.clone();
        for concept in &doc.concepts {
            let Some(&c) = index.get(&Endpoint::Concept(concept.id)) else { continue };
            for area in &concept.areas {
                let Some(&a) = index.get(&Endpoint::Area(*area)) else { continue };
                for (from, to) in [(c, a), (a, c)] {
                    if pairs.insert((from, to)) {
                        structure.add_edge(from, to, ());
                    }
                }
            }
        }
        Self { graph, simple, index, areas, structure }
    }

    /// How many items (concepts and areas) it has.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether it has no items.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Its items, in its own order (areas, then concepts).
    pub fn items(&self) -> Vec<Endpoint> {
        self.graph.node_weights().copied().collect()
    }

    /// Its arcs as (from, to, one-way) positions in [`Self::items`] (for comparisons with other
    /// graph tools).
    pub fn arc_list(&self) -> Vec<(usize, usize, bool)> {
        self.graph.edge_references().map(|e| (e.source().index(), e.target().index(), e.weight().one_way)).collect()
    }

    fn node(&self, end: Endpoint) -> Option<NodeIndex> {
        self.index.get(&end).copied()
    }

    /// The arcs out of (`Way::Outgoing`) or into `node`, of type `only` if given.
    fn arcs(
        &self,
        node: NodeIndex,
        way: Way,
        only: Option<RelationshipTypeId>,
    ) -> impl Iterator<Item = (NodeIndex, &Arc)> + '_ {
        self.graph
            .edges_directed(node, way)
            .filter(move |e| only.is_none_or(|t| e.weight().type_id == t))
            .map(move |e| (if way == Way::Outgoing { e.target() } else { e.source() }, e.weight()))
    }

    /// The items within `steps` relationships of `from` (themselves included), followed as
    /// `follow` says and along relationships of type `only` if given, with the relationships
    /// followed to reach them and those between two reached items that the same rules allow.
    /// `steps = usize::MAX` is everything reachable (upstream or downstream).
    pub fn neighbourhood(
        &self,
        from: &[Endpoint],
        steps: usize,
        follow: Follow,
        only: Option<RelationshipTypeId>,
    ) -> BTreeSet<ItemRef> {
        let mut depth: HashMap<NodeIndex, usize> = HashMap::new();
        let mut queue = VecDeque::new();
        for end in from {
            if let Some(node) = self.node(*end)
                && depth.insert(node, 0).is_none()
            {
                queue.push_back(node);
            }
        }
        let ways: &[Way] = match follow {
            Follow::Both => &[Way::Outgoing, Way::Incoming],
            Follow::Forward => &[Way::Outgoing],
            Follow::Backward => &[Way::Incoming],
        };
        while let Some(node) = queue.pop_front() {
            let d = depth[&node];
            if d >= steps {
                continue;
            }
            for way in ways {
                for (next, _) in self.arcs(node, *way, only) {
                    if let std::collections::hash_map::Entry::Vacant(slot) = depth.entry(next) {
                        slot.insert(d + 1);
                        queue.push_back(next);
                    }
                }
            }
        }
        let mut items: BTreeSet<ItemRef> = depth.keys().map(|n| item_of(self.graph[*n])).collect();
        // The relationships among the reached items that lead the way followed.
        for node in depth.keys() {
            for (next, arc) in self.arcs(*node, Way::Outgoing, only) {
                let Some(&dn) = depth.get(&next) else { continue };
                let dnode = depth[node];
                let follows = match follow {
                    Follow::Both => true,
                    Follow::Forward => dn <= dnode + 1,
                    Follow::Backward => dnode <= dn + 1,
                };
                if follows {
                    items.insert(ItemRef::Relationship(arc.relationship));
                }
            }
        }
        items
    }

    /// The shortest paths from `from` to `to` (every one of the least number of steps, up to
    /// `limit`), each as the items passed, both ends included; in the order of the items'
    /// places in the document.
    pub fn shortest_paths(&self, from: Endpoint, to: Endpoint, limit: usize) -> Listing<Vec<Endpoint>> {
        let (Some(s), Some(t)) = (self.node(from), self.node(to)) else {
            return Listing { items: Vec::new(), truncated: false };
        };
        if s == t {
            return Listing { items: vec![vec![from]], truncated: false };
        }
        // Breadth-first from s, every predecessor on a shortest path kept.
        let n = self.simple.node_count();
        let mut dist = vec![usize::MAX; n];
        let mut preds: Vec<Vec<NodeIndex>> = vec![Vec::new(); n];
        dist[s.index()] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            if dist[t.index()] != usize::MAX && dist[v.index()] >= dist[t.index()] {
                break;
            }
            for w in self.simple.neighbors_directed(v, Way::Outgoing) {
                if dist[w.index()] == usize::MAX {
                    dist[w.index()] = dist[v.index()] + 1;
                    queue.push_back(w);
                }
                if dist[w.index()] == dist[v.index()] + 1 {
                    preds[w.index()].push(v);
                }
            }
        }
        if dist[t.index()] == usize::MAX {
            return Listing { items: Vec::new(), truncated: false };
        }
        for p in &mut preds {
            p.sort_unstable();
            p.dedup();
        }
        // Walk back from t through the predecessors, depth first, up to the limit.
        let mut items = Vec::new();
        let mut truncated = false;
        let mut stack: Vec<(NodeIndex, Vec<NodeIndex>)> = vec![(t, vec![t])];
        while let Some((v, path)) = stack.pop() {
            if v == s {
                if items.len() == limit {
                    truncated = true;
                    break;
                }
                items.push(path.iter().rev().map(|n| self.simple[*n]).collect::<Vec<_>>());
                continue;
            }
            for p in preds[v.index()].iter().rev() {
                let mut next = path.clone();
                next.push(*p);
                stack.push((*p, next));
            }
        }
        self.sort_paths(&mut items);
        Listing { items, truncated }
    }

    /// Every simple path (no item twice) from `from` to `to` of at most `max_steps` steps, up
    /// to `limit` of them, shortest first.
    pub fn simple_paths(&self, from: Endpoint, to: Endpoint, max_steps: usize, limit: usize) -> Listing<Vec<Endpoint>> {
        let (Some(s), Some(t)) = (self.node(from), self.node(to)) else {
            return Listing { items: Vec::new(), truncated: false };
        };
        if s == t || max_steps == 0 {
            return Listing { items: Vec::new(), truncated: false };
        }
        let found = petgraph::algo::all_simple_paths::<Vec<NodeIndex>, _, std::hash::RandomState>(
            &self.simple,
            s,
            t,
            0,
            Some(max_steps - 1),
        );
        let mut items = Vec::new();
        let mut truncated = false;
        for path in found {
            if items.len() == limit {
                truncated = true;
                break;
            }
            items.push(path.iter().map(|n| self.simple[*n]).collect::<Vec<_>>());
        }
        self.sort_paths(&mut items);
        Listing { items, truncated }
    }

    /// Paths shortest first, then in the order of their items' places in the document.
    fn sort_paths(&self, paths: &mut [Vec<Endpoint>]) {
        let key = |path: &Vec<Endpoint>| -> (usize, Vec<usize>) {
            (path.len(), path.iter().map(|e| self.index[e].index()).collect())
        };
        paths.sort_by_cached_key(key);
    }

    /// The relationships that make the step from `a` to `b` (in a direction they may be
    /// followed).
    pub fn step_relationships(&self, a: Endpoint, b: Endpoint) -> Vec<RelationshipId> {
        let (Some(a), Some(b)) = (self.node(a), self.node(b)) else { return Vec::new() };
        let mut out: Vec<RelationshipId> = self.graph.edges_connecting(a, b).map(|e| e.weight().relationship).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Feedback loops: every cycle of one-way relationships (each once, starting at its item
    /// that comes first in the document), of at most `max_steps` steps, up to `limit` of them;
    /// shortest first. Johnson's algorithm, one strongly connected component at a time.
    pub fn loops(&self, max_steps: usize, limit: usize) -> Listing<Vec<Endpoint>> {
        // The one-way arcs, one per ordered pair.
        let n = self.graph.node_count();
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in self.graph.edge_references() {
            if e.weight().one_way {
                succ[e.source().index()].push(e.target().index());
            }
        }
        for s in &mut succ {
            s.sort_unstable();
            s.dedup();
        }
        // petgraph's strongly connected components of the one-way arcs: a loop lies in one.
        let one_way = petgraph::visit::EdgeFiltered::from_fn(&self.graph, |e| e.weight().one_way);
        let mut scc_of = vec![usize::MAX; n];
        for (i, scc) in petgraph::algo::tarjan_scc(&one_way).into_iter().enumerate() {
            for node in scc {
                scc_of[node.index()] = i;
            }
        }
        let mut cycles: Vec<Vec<usize>> = Vec::new();
        let mut truncated = false;
        'starts: for start in 0..n {
            // The component of `start` among items from `start` on (Johnson's subgraph).
            let component = component_from(&succ, start, &scc_of);
            if component.is_empty() {
                continue;
            }
            let mut blocked = vec![false; n];
            let mut blocked_by: Vec<Vec<usize>> = vec![Vec::new(); n];
            let mut path = vec![start];
            blocked[start] = true;
            // Stack of (node, next successor to try, whether to unblock it when done: a loop
            // was found below it, or the length limit cut its search short, so that a shorter
            // way to it later is searched again).
            let mut stack: Vec<(usize, usize, bool)> = vec![(start, 0, max_steps <= 1)];
            while let Some(&mut (v, ref mut next, ref mut open)) = stack.last_mut() {
                let nexts = &succ[v];
                if *next < nexts.len() {
                    let w = nexts[*next];
                    *next += 1;
                    if !component.contains(&w) {
                        continue;
                    }
                    if w == start {
                        if cycles.len() == limit {
                            truncated = true;
                            break 'starts;
                        }
                        cycles.push(path.clone());
                        *open = true;
                    } else if !blocked[w] && path.len() < max_steps {
                        blocked[w] = true;
                        path.push(w);
                        let at_limit = path.len() >= max_steps;
                        stack.push((w, 0, at_limit));
                    }
                    continue;
                }
                let (v, _, open) = stack.pop().unwrap_or((v, 0, true));
                if open {
                    unblock(v, &mut blocked, &mut blocked_by);
                } else {
                    for &w in &succ[v] {
                        if component.contains(&w) && !blocked_by[w].contains(&v) {
                            blocked_by[w].push(v);
                        }
                    }
                }
                path.pop();
                if let Some(parent) = stack.last_mut() {
                    parent.2 |= open;
                }
            }
        }
        let mut items: Vec<Vec<Endpoint>> =
            cycles.into_iter().map(|c| c.into_iter().map(|i| self.graph[NodeIndex::new(i)]).collect()).collect();
        self.sort_paths(&mut items);
        Listing { items, truncated }
    }

    /// Degree, betweenness and the areas its neighbours span, for every item.
    pub fn measures(&self) -> Vec<Measures> {
        let betweenness = self.betweenness();
        self.graph
            .node_indices()
            .map(|node| {
                let item = self.graph[node];
                let mut areas = BTreeSet::new();
                for next in self.graph.neighbors_undirected(node) {
                    match self.graph[next] {
                        Endpoint::Area(id) => {
                            areas.insert(id);
                        }
                        Endpoint::Concept(_) => areas.extend(self.areas[next.index()].iter().copied()),
                    }
                }
                Measures {
                    item,
                    in_degree: self.graph.edges_directed(node, Way::Incoming).count(),
                    out_degree: self.graph.edges_directed(node, Way::Outgoing).count(),
                    betweenness: betweenness[node.index()],
                    neighbour_areas: areas.len(),
                }
            })
            .collect()
    }

    /// The membership arcs (concept, area), as positions in [`Self::items`] (for comparisons
    /// with other graph tools).
    pub fn membership_list(&self) -> Vec<(usize, usize)> {
        self.areas
            .iter()
            .enumerate()
            .flat_map(|(c, areas)| {
                areas.iter().filter_map(move |a| Some((c, self.index.get(&Endpoint::Area(*a))?.index())))
            })
            .collect()
    }

    /// Brandes' betweenness on the structure (relationships, one arc per pair, and memberships),
    /// normalised by (n−1)(n−2).
    fn betweenness(&self) -> Vec<f64> {
        let n = self.structure.node_count();
        let mut centrality = vec![0.0_f64; n];
        let succ: Vec<Vec<usize>> = (0..n)
            .map(|v| self.structure.neighbors_directed(NodeIndex::new(v), Way::Outgoing).map(|w| w.index()).collect())
            .collect();
        let mut sigma = vec![0.0_f64; n];
        let mut dist = vec![-1_i64; n];
        let mut delta = vec![0.0_f64; n];
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut order = Vec::with_capacity(n);
        let mut queue = VecDeque::with_capacity(n);
        for s in 0..n {
            for v in &order {
                let v: usize = *v;
                sigma[v] = 0.0;
                dist[v] = -1;
                delta[v] = 0.0;
                preds[v].clear();
            }
            order.clear();
            sigma[s] = 1.0;
            dist[s] = 0;
            queue.push_back(s);
            while let Some(v) = queue.pop_front() {
                order.push(v);
                for &w in &succ[v] {
                    if dist[w] < 0 {
                        dist[w] = dist[v] + 1;
                        queue.push_back(w);
                    }
                    if dist[w] == dist[v] + 1 {
                        sigma[w] += sigma[v];
                        preds[w].push(v);
                    }
                }
            }
            for &w in order.iter().rev() {
                for &v in &preds[w] {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
                if w != s {
                    centrality[w] += delta[w];
                }
            }
        }
        if n > 2 {
            let scale = 1.0 / ((n - 1) * (n - 2)) as f64;
            centrality.iter_mut().for_each(|c| *c *= scale);
        }
        centrality
    }
}

/// Clears `v`'s block and, in turn, of what waited for it (Johnson's unblock, without recursion).
fn unblock(v: usize, blocked: &mut [bool], blocked_by: &mut [Vec<usize>]) {
    let mut stack = vec![v];
    while let Some(u) = stack.pop() {
        if blocked[u] {
            blocked[u] = false;
            stack.append(&mut blocked_by[u]);
        }
    }
}

/// The strongly connected component of `start` in the graph `succ` restricted to nodes
/// `start..` of its own component (`scc_of`), if it has a cycle through `start` (empty
/// otherwise).
fn component_from(succ: &[Vec<usize>], start: usize, scc_of: &[usize]) -> HashSet<usize> {
    let same = |w: usize| w >= start && scc_of[w] == scc_of[start];
    if !succ[start].iter().any(|&w| same(w)) {
        return HashSet::new();
    }
    // Forward reach from start, then backward reach within it.
    let mut forward = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(v) = stack.pop() {
        for &w in &succ[v] {
            if same(w) && forward.insert(w) {
                stack.push(w);
            }
        }
    }
    let mut preds: HashMap<usize, Vec<usize>> = HashMap::new();
    for &v in &forward {
        for &w in &succ[v] {
            if forward.contains(&w) {
                preds.entry(w).or_default().push(v);
            }
        }
    }
    let mut component = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some(v) = stack.pop() {
        for &u in preds.get(&v).map_or(&[][..], Vec::as_slice) {
            if component.insert(u) {
                stack.push(u);
            }
        }
    }
    let has_cycle = component.len() > 1 || succ[start].contains(&start);
    if has_cycle { component } else { HashSet::new() }
}

/// The map item an endpoint is.
pub fn item_of(end: Endpoint) -> ItemRef {
    match end {
        Endpoint::Concept(id) => ItemRef::Concept(id),
        Endpoint::Area(id) => ItemRef::Area(id),
    }
}

/// The endpoint an item is (relationships are not).
pub fn endpoint_of(item: ItemRef) -> Option<Endpoint> {
    match item {
        ItemRef::Concept(id) => Some(Endpoint::Concept(id)),
        ItemRef::Area(id) => Some(Endpoint::Area(id)),
        ItemRef::Relationship(_) => None,
    }
}

/// The support of one step of a path: its relationships' evidence, as excerpts, sources and
/// participants (the best-supported relationship of the step).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepSupport {
    /// Linked excerpts.
    pub excerpts: usize,
    /// Distinct sources among them.
    pub sources: usize,
    /// Distinct participants among them.
    pub participants: usize,
}

/// Support of every item in the three ways it is counted, under `filter`.
pub struct SupportTable {
    excerpts: HashMap<ItemRef, usize>,
    sources: HashMap<ItemRef, usize>,
    participants: HashMap<ItemRef, usize>,
}

impl SupportTable {
    /// Counts `doc`'s support under `filter`.
    pub fn new(doc: &Document, filter: &EvidenceFilter) -> Self {
        Self {
            excerpts: support_counts(doc, filter, SupportMode::Excerpts),
            sources: support_counts(doc, filter, SupportMode::Sources),
            participants: support_counts(doc, filter, SupportMode::Participants),
        }
    }

    /// The support of one relationship.
    pub fn of(&self, item: ItemRef) -> StepSupport {
        let get = |m: &HashMap<ItemRef, usize>| m.get(&item).copied().unwrap_or(0);
        StepSupport {
            excerpts: get(&self.excerpts),
            sources: get(&self.sources),
            participants: get(&self.participants),
        }
    }

    /// The support of a step made by `relationships`: its best-supported one's (ordered by
    /// participants, then sources, then excerpts).
    pub fn step(&self, relationships: &[RelationshipId]) -> StepSupport {
        relationships
            .iter()
            .map(|r| self.of(ItemRef::Relationship(*r)))
            .max_by_key(|s| (s.participants, s.sources, s.excerpts))
            .unwrap_or_default()
    }
}

/// The step of `path` with the least support (the first of equals), if it has a step.
pub fn weakest_step(graph: &RelationGraph, support: &SupportTable, path: &[Endpoint]) -> Option<usize> {
    path.windows(2)
        .enumerate()
        .map(|(i, pair)| (i, support.step(&graph.step_relationships(pair[0], pair[1]))))
        .min_by_key(|(i, s)| (s.participants, s.sources, s.excerpts, *i))
        .map(|(i, _)| i)
}

/// Betweenness as the cards' outlines: each concept's share of the largest.
pub fn bridging(measures: &[Measures]) -> crate::scene::Emphasis {
    let concepts = measures.iter().filter_map(|m| match m.item {
        Endpoint::Concept(id) => Some((id, m.betweenness)),
        Endpoint::Area(_) => None,
    });
    let largest = concepts.clone().map(|(_, b)| b).fold(0.0_f64, f64::max);
    let values =
        concepts.filter(|(_, b)| *b > 0.0 && largest > 0.0).map(|(id, b)| (id, (b / largest) as f32)).collect();
    crate::scene::Emphasis { name: "betweenness (bridging)".to_owned(), values }
}

/// Betweenness as a colour on every concept (pale: no shortest path runs through it; deep
/// blue: the most bridging), for the map's colour mode.
pub fn bridging_tint(measures: &[Measures]) -> crate::scene::Tint {
    let concepts = measures.iter().filter_map(|m| match m.item {
        Endpoint::Concept(id) => Some((id, m.betweenness)),
        Endpoint::Area(_) => None,
    });
    let largest = concepts.clone().map(|(_, b)| b).fold(0.0_f64, f64::max);
    let values = concepts
        .map(|(id, b)| (ItemRef::Concept(id), if largest > 0.0 { (b / largest) as f32 } else { 0.0 }))
        .collect();
    crate::scene::Tint { name: "betweenness (bridging)".to_owned(), values, scale: crate::scene::TintScale::Amount }
}

/// The items of a path: its concepts and areas and the relationships of each step.
pub fn path_items(graph: &RelationGraph, path: &[Endpoint]) -> Vec<ItemRef> {
    let mut items: Vec<ItemRef> = path.iter().map(|e| item_of(*e)).collect();
    for pair in path.windows(2) {
        items.extend(graph.step_relationships(pair[0], pair[1]).into_iter().map(ItemRef::Relationship));
    }
    items
}

/// The item labelled `label` (exact, then ignoring case); an error naming the label otherwise,
/// or listing the items when it is ambiguous.
pub fn find_by_label(doc: &Document, label: &str) -> Result<Endpoint, String> {
    let all = doc
        .areas
        .iter()
        .map(|a| (Endpoint::Area(a.id), a.label.as_str()))
        .chain(doc.concepts.iter().map(|c| (Endpoint::Concept(c.id), c.label.as_str())));
    let exact: Vec<Endpoint> = all.clone().filter(|(_, l)| *l == label).map(|(e, _)| e).collect();
    let found = if exact.is_empty() {
        let lower = label.to_lowercase();
        all.filter(|(_, l)| l.to_lowercase() == lower).map(|(e, _)| e).collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no concept or area is called \"{label}\"")),
        _ => Err(format!("{} items are called \"{label}\"; rename one to tell them apart", found.len())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;
    use crate::model::example;

    fn label(doc: &Document, path: &[Endpoint]) -> String {
        path.iter().map(|e| doc.endpoint_label(*e)).collect::<Vec<_>>().join(" -> ")
    }

    #[test]
    fn the_example_s_processes_lead_to_personal_well_being() {
        let doc = example::document();
        let graph = RelationGraph::new(&doc);
        let from = find_by_label(&doc, "Problem solving").unwrap();
        let to = find_by_label(&doc, "personal well-being").unwrap();
        let shortest = graph.shortest_paths(from, to, 100);
        assert!(!shortest.items.is_empty());
        assert!(shortest.items.iter().all(|p| p.first() == Some(&from) && p.last() == Some(&to)));
        let all = graph.simple_paths(from, to, 4, 1000);
        assert!(all.items.len() >= shortest.items.len());
        assert_eq!(all.items[0].len(), shortest.items[0].len(), "{}", label(&doc, &all.items[0]));
        // Nothing leads back to a process: it is upstream of everything it underpins.
        let upstream = graph.neighbourhood(&[from], usize::MAX, Follow::Backward, None);
        assert_eq!(upstream, BTreeSet::from([item_of(from)]));
        let downstream = graph.neighbourhood(&[from], usize::MAX, Follow::Forward, None);
        assert!(downstream.contains(&item_of(to)));
        let support = SupportTable::new(&doc, &EvidenceFilter::default());
        assert!(weakest_step(&graph, &support, &all.items[0]).is_some());
    }

    #[test]
    fn focus_grows_one_step_at_a_time() {
        let doc = example::document();
        let graph = RelationGraph::new(&doc);
        let from = find_by_label(&doc, "Problem solving").unwrap();
        let zero = graph.neighbourhood(&[from], 0, Follow::Both, None);
        let one = graph.neighbourhood(&[from], 1, Follow::Both, None);
        let two = graph.neighbourhood(&[from], 2, Follow::Both, None);
        assert_eq!(zero.len(), 1);
        assert!(zero.is_subset(&one) && one.is_subset(&two) && one.len() < two.len());
        // Every relationship listed joins two listed items.
        for item in &two {
            if let ItemRef::Relationship(id) = item {
                let rel = doc.relationship(*id).unwrap();
                assert!(two.contains(&item_of(rel.from)) && two.contains(&item_of(rel.to)));
            }
        }
    }

    #[test]
    fn find_by_label_says_what_is_wrong() {
        let doc = example::document();
        assert!(find_by_label(&doc, "No such thing").unwrap_err().contains("No such thing"));
    }
}
