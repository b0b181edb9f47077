//! A petgraph index over a document's concepts, areas and relationships, for graph algorithms
//! (neighbourhoods, components, layouts). Built from the document on demand; never saved, since
//! petgraph indices are not stable ids.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::{Document, Endpoint, RelationshipId};

/// The map as a directed graph: one node per concept and per area, one edge per relationship.
pub struct MapGraph {
    /// The graph; node weights are endpoints, edge weights relationship ids.
    pub graph: DiGraph<Endpoint, RelationshipId>,
    index: HashMap<Endpoint, NodeIndex>,
}

impl MapGraph {
    /// Builds the graph for a document. Relationships with a missing end are left out.
    pub fn build(doc: &Document) -> Self {
        let mut graph = DiGraph::with_capacity(doc.concepts.len() + doc.areas.len(), doc.relationships.len());
        let mut index = HashMap::with_capacity(doc.concepts.len() + doc.areas.len());
        for area in &doc.areas {
            let end = Endpoint::Area(area.id);
            index.insert(end, graph.add_node(end));
        }
        for concept in &doc.concepts {
            let end = Endpoint::Concept(concept.id);
            index.insert(end, graph.add_node(end));
        }
        for rel in &doc.relationships {
            if let (Some(&a), Some(&b)) = (index.get(&rel.from), index.get(&rel.to)) {
                graph.add_edge(a, b, rel.id);
            }
        }
        Self { graph, index }
    }

    /// The node of an endpoint.
    pub fn node(&self, end: Endpoint) -> Option<NodeIndex> {
        self.index.get(&end).copied()
    }

    /// Endpoints joined to `end` by a relationship in either direction, sorted and without
    /// repeats.
    pub fn neighbours(&self, end: Endpoint) -> Vec<Endpoint> {
        let Some(node) = self.node(end) else {
            return Vec::new();
        };
        let mut found: Vec<Endpoint> =
            self.graph.neighbors_undirected(node).filter_map(|n| self.graph.node_weight(n).copied()).collect();
        found.sort();
        found.dedup();
        found
    }

    /// Number of connected components, ignoring direction.
    pub fn component_count(&self) -> usize {
        petgraph::algo::connected_components(&self.graph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AreaId, ConceptId, example};

    #[test]
    fn example_is_one_connected_map() {
        let doc = example::document();
        let graph = MapGraph::build(&doc);
        assert_eq!(graph.graph.node_count(), doc.concepts.len() + doc.areas.len());
        assert_eq!(graph.graph.edge_count(), doc.relationships.len());
        // Problem solving underpins all three areas.
        let neighbours = graph.neighbours(Endpoint::Concept(ConceptId(1)));
        for area in 1..=3 {
            assert!(neighbours.contains(&Endpoint::Area(AreaId(area))), "{neighbours:?}");
        }
    }
}
