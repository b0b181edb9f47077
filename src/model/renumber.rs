//! Giving one element a new id, with every reference to it.

use super::{Document, ElementKey, Endpoint, ItemRef};

impl Document {
    /// Gives the element `from` the id of `to` (the same kind; `to` must be free) and rewrites
    /// every reference to it: relationships' ends and types, concepts' areas, codes' parents,
    /// evidence's source, codes and links, memos' items, the story's items and focus, and the
    /// conflicts. Does nothing when the kinds differ or `from` is not there.
    pub fn renumber(&mut self, from: ElementKey, to: ElementKey) {
        macro_rules! rename {
            ($field:ident, $old:expr, $new:expr) => {{
                if let Some(item) = self.$field.iter_mut().find(|e| e.id == $old) {
                    item.id = $new;
                }
            }};
        }
        let item_map = |item: &mut ItemRef| {
            if ElementKey::from(*item) == from
                && let Some(new) = to.item()
            {
                *item = new;
            }
        };
        let end_map = |end: &mut Endpoint| {
            let as_item = ItemRef::from(*end);
            if ElementKey::from(as_item) == from {
                match to {
                    ElementKey::Concept(id) => *end = Endpoint::Concept(id),
                    ElementKey::Area(id) => *end = Endpoint::Area(id),
                    _ => {}
                }
            }
        };
        match (from, to) {
            (ElementKey::Area(old), ElementKey::Area(new)) => {
                rename!(areas, old, new);
                for concept in &mut self.concepts {
                    for area in &mut concept.areas {
                        if *area == old {
                            *area = new;
                        }
                    }
                }
            }
            (ElementKey::Concept(old), ElementKey::Concept(new)) => rename!(concepts, old, new),
            (ElementKey::Relationship(old), ElementKey::Relationship(new)) => rename!(relationships, old, new),
            (ElementKey::RelationshipType(old), ElementKey::RelationshipType(new)) => {
                rename!(relationship_types, old, new);
                for rel in self.relationships.iter_mut().filter(|r| r.type_id == old) {
                    rel.type_id = new;
                }
                for focus in self.story.iter_mut().filter_map(|s| s.focus.as_mut()) {
                    if focus.only == Some(old) {
                        focus.only = Some(new);
                    }
                }
            }
            (ElementKey::Code(old), ElementKey::Code(new)) => {
                rename!(codes, old, new);
                for code in self.codes.iter_mut().filter(|c| c.parent == Some(old)) {
                    code.parent = Some(new);
                }
                for e in self.evidence.iter_mut().filter(|e| e.codes.contains(&old)) {
                    for code in &mut e.codes {
                        if *code == old {
                            *code = new;
                        }
                    }
                }
            }
            (ElementKey::Source(old), ElementKey::Source(new)) => {
                rename!(sources, old, new);
                for e in self.evidence.iter_mut().filter(|e| e.source == old) {
                    e.source = new;
                }
            }
            (ElementKey::Evidence(old), ElementKey::Evidence(new)) => rename!(evidence, old, new),
            (ElementKey::Memo(old), ElementKey::Memo(new)) => rename!(memos, old, new),
            _ => return,
        }
        if from.item().is_some() {
            for rel in self.relationships.iter_mut() {
                end_map(&mut rel.from);
                end_map(&mut rel.to);
            }
            for e in self.evidence.iter_mut() {
                e.links.iter_mut().for_each(item_map);
            }
            for memo in &mut self.memos {
                item_map(&mut memo.item);
            }
            for step in &mut self.story {
                step.visible.iter_mut().for_each(item_map);
                step.highlight.iter_mut().for_each(item_map);
                if let Some(focus) = &mut step.focus {
                    focus.from.iter_mut().for_each(end_map);
                }
            }
        }
        for conflict in &mut self.conflicts {
            if conflict.element == from {
                conflict.element = to;
            }
        }
        self.normalize();
    }
}
