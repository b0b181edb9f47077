//! The inspector: what is selected, where it comes from, how it connects, and the evidence that
//! supports it.

use egui::{Color32, RichText, Ui};

use super::QualmapApp;
use crate::model::{
    Direction, Document, Endpoint, Evidence, ItemRef, Provenance, ProvenanceKind, Rgb,
};

fn color32(color: Rgb) -> Color32 {
    Color32::from_rgb(color.r, color.g, color.b)
}

impl QualmapApp {
    pub(super) fn inspector_ui(&mut self, ui: &mut Ui) {
        let mut select: Option<ItemRef> = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add_space(6.0);
                let selection: Vec<ItemRef> = self.view.selection.iter().copied().collect();
                match selection.as_slice() {
                    [] => map_summary_ui(ui, &self.doc),
                    [item] => select = item_ui(ui, &self.doc, *item),
                    items => {
                        ui.heading(format!("{} items selected", items.len()));
                        ui.add_space(4.0);
                        for item in items {
                            if ui.link(self.doc.item_label(*item)).clicked() {
                                select = Some(*item);
                            }
                        }
                    }
                }
            });
        if let Some(item) = select {
            self.view.selection.clear();
            self.view.selection.insert(item);
        }
    }
}

fn map_summary_ui(ui: &mut Ui, doc: &Document) {
    ui.heading(&doc.info.title);
    if !doc.info.description.is_empty() {
        ui.label(&doc.info.description);
    }
    if !doc.info.citation.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new("Source study").strong());
        ui.label(RichText::new(&doc.info.citation).italics());
    }
    ui.add_space(6.0);
    ui.label(doc.counts().to_string());
    ui.add_space(10.0);
    ui.label(
        RichText::new("Click a concept, a relationship or an area to see its evidence.").weak(),
    );
}

/// Shows one item; returns an item the user clicked to go to.
fn item_ui(ui: &mut Ui, doc: &Document, item: ItemRef) -> Option<ItemRef> {
    let mut go = None;
    match item {
        ItemRef::Concept(id) => {
            let concept = doc.concept(id)?;
            kind_line(ui, "Concept");
            ui.heading(&concept.label);
            provenance_ui(ui, &concept.provenance);
            if !concept.description.is_empty() {
                ui.label(&concept.description);
            }
            section(ui, "Areas");
            if concept.areas.is_empty() {
                ui.label(RichText::new("In no area").weak());
            }
            ui.horizontal_wrapped(|ui| {
                for area_id in &concept.areas {
                    if let Some(area) = doc.area(*area_id)
                        && chip(ui, &area.label, color32(area.color)).clicked()
                    {
                        go = Some(ItemRef::Area(*area_id));
                    }
                }
            });
            go = go.or(relationships_ui(ui, doc, Endpoint::Concept(id)));
        }
        ItemRef::Area(id) => {
            let area = doc.area(id)?;
            kind_line(ui, "Area");
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 3.0, color32(area.color));
                ui.heading(&area.label);
            });
            provenance_ui(ui, &area.provenance);
            if !area.description.is_empty() {
                ui.label(&area.description);
            }
            section(ui, "Concepts in this area");
            for member in doc.members_of(id) {
                let others: Vec<&str> = member
                    .areas
                    .iter()
                    .filter(|a| **a != id)
                    .filter_map(|a| doc.area(*a).map(|a| a.label.as_str()))
                    .collect();
                ui.horizontal_wrapped(|ui| {
                    if ui.link(&member.label).clicked() {
                        go = Some(ItemRef::Concept(member.id));
                    }
                    if !others.is_empty() {
                        ui.label(RichText::new(format!("also in {}", others.join(", "))).weak());
                    }
                });
            }
            go = go.or(relationships_ui(ui, doc, Endpoint::Area(id)));
        }
        ItemRef::Relationship(id) => {
            let rel = doc.relationship(id)?;
            kind_line(ui, "Relationship");
            ui.horizontal_wrapped(|ui| {
                if ui
                    .link(RichText::new(doc.endpoint_label(rel.from)).heading())
                    .clicked()
                {
                    go = Some(rel.from.into());
                }
                ui.label(
                    RichText::new(doc.relationship_label(rel))
                        .heading()
                        .italics(),
                );
                if ui
                    .link(RichText::new(doc.endpoint_label(rel.to)).heading())
                    .clicked()
                {
                    go = Some(rel.to.into());
                }
            });
            provenance_ui(ui, &rel.provenance);
            let type_name = doc
                .relationship_type(rel.type_id)
                .map_or("(missing type)", |t| t.name.as_str());
            ui.label(format!(
                "Type: {type_name} · {}",
                doc.direction_of(rel).label()
            ));
            if !rel.description.is_empty() {
                ui.label(&rel.description);
            }
        }
    }
    evidence_list_ui(ui, doc, item);
    if let ItemRef::Area(id) = item {
        let members: Vec<ItemRef> = doc.members_of(id).map(|c| ItemRef::Concept(c.id)).collect();
        let excerpts = doc
            .evidence
            .iter()
            .filter(|e| e.links.iter().any(|l| members.contains(l)))
            .count();
        ui.label(
            RichText::new(format!(
                "Its {} concepts are supported by {excerpts} excerpts; select one to read them.",
                members.len()
            ))
            .weak(),
        );
    }
    go
}

fn kind_line(ui: &mut Ui, kind: &str) {
    ui.label(RichText::new(kind.to_uppercase()).small().weak());
}

fn section(ui: &mut Ui, title: &str) {
    ui.add_space(10.0);
    ui.label(RichText::new(title).strong());
    ui.add_space(2.0);
}

fn provenance_ui(ui: &mut Ui, provenance: &Provenance) {
    let color = match provenance.kind {
        ProvenanceKind::Paper => ui.visuals().strong_text_color(),
        ProvenanceKind::Illustrative => ui.visuals().warn_fg_color,
        ProvenanceKind::User | ProvenanceKind::Imported => ui.visuals().text_color(),
    };
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        let c = rect.center();
        let r = 5.0;
        let diamond = vec![
            c + egui::vec2(0.0, -r),
            c + egui::vec2(r, 0.0),
            c + egui::vec2(0.0, r),
            c + egui::vec2(-r, 0.0),
        ];
        let painter = ui.painter();
        match provenance.kind {
            ProvenanceKind::Paper => {
                painter.add(egui::Shape::convex_polygon(
                    diamond,
                    color,
                    egui::Stroke::NONE,
                ));
            }
            ProvenanceKind::Illustrative => {
                painter.add(egui::Shape::closed_line(
                    diamond,
                    egui::Stroke::new(1.5, color),
                ));
            }
            ProvenanceKind::User => {
                painter.circle_filled(c, 4.0, color);
            }
            ProvenanceKind::Imported => {
                painter.circle_stroke(c, 4.0, egui::Stroke::new(1.5, color));
            }
        }
        ui.label(RichText::new(provenance.kind.label()).color(color).strong());
    });
    if !provenance.note.is_empty() {
        ui.label(RichText::new(&provenance.note).small().weak());
    }
    ui.add_space(4.0);
}

fn relationships_ui(ui: &mut Ui, doc: &Document, end: Endpoint) -> Option<ItemRef> {
    let mut go = None;
    let relationships: Vec<_> = doc.relationships_at(end).collect();
    section(ui, &format!("Relationships ({})", relationships.len()));
    for rel in relationships {
        // Read from the selected item's side: "underpins Professional practice",
        // "Problem solving underpins this", "consequential benefit with Personal well-being".
        let label = doc.relationship_label(rel);
        let outgoing = rel.from == end;
        let other = doc.endpoint_label(if outgoing { rel.to } else { rel.from });
        let text = match (doc.direction_of(rel), outgoing) {
            (Direction::Bidirectional, _) => format!("{label} with {other} (both ways)"),
            (Direction::Associative, _) | (Direction::OneWay, true) => format!("{label} {other}"),
            (Direction::OneWay, false) => format!("{other} {label} this"),
        };
        if ui.link(text).clicked() {
            go = Some(ItemRef::Relationship(rel.id));
        }
    }
    go
}

fn evidence_list_ui(ui: &mut Ui, doc: &Document, item: ItemRef) {
    let evidence: Vec<&Evidence> = doc.evidence_for(item).collect();
    let participants: std::collections::BTreeSet<&str> = evidence
        .iter()
        .filter_map(|e| doc.source(e.source))
        .map(|s| {
            s.attributes
                .get("participant")
                .map_or(s.name.as_str(), String::as_str)
        })
        .collect();
    section(
        ui,
        &format!(
            "Evidence ({} excerpt{}, {} participant{})",
            evidence.len(),
            if evidence.len() == 1 { "" } else { "s" },
            participants.len(),
            if participants.len() == 1 { "" } else { "s" }
        ),
    );
    if evidence.is_empty() {
        ui.label(
            RichText::new("No evidence is linked to this yet: it is asserted, not supported.")
                .weak(),
        );
        return;
    }
    for item in evidence {
        evidence_card_ui(ui, doc, item);
        ui.add_space(6.0);
    }
}

fn evidence_card_ui(ui: &mut Ui, doc: &Document, evidence: &Evidence) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(format!("“{}”", evidence.excerpt)).italics());
        if evidence.provenance.kind == ProvenanceKind::Illustrative {
            ui.label(
                RichText::new(
                    "Illustrative excerpt, written for the example: not a participant's words.",
                )
                .small()
                .color(ui.visuals().warn_fg_color),
            );
        }
        ui.add_space(3.0);
        let source = doc.source(evidence.source);
        let source_name = source.map_or("(missing source)", |s| s.name.as_str());
        let mut where_text = source_name.to_owned();
        if !evidence.location.is_empty() {
            where_text.push_str(&format!(" · {}", evidence.location));
        }
        ui.label(RichText::new(where_text).strong());
        if let Some(source) = source
            && !source.attributes.is_empty()
        {
            let attributes: Vec<String> = source
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            ui.label(RichText::new(attributes.join(" · ")).small());
        }
        if !evidence.codes.is_empty() {
            ui.horizontal_wrapped(|ui| {
                for code_id in &evidence.codes {
                    if let Some(code) = doc.code(*code_id) {
                        chip(ui, &code.name, color32(code.color));
                    }
                }
            });
        }
        if !evidence.memo.is_empty() {
            ui.label(RichText::new(format!("Memo: {}", evidence.memo)).small());
        }
        let mut coded = String::new();
        if !evidence.coder.is_empty() {
            coded.push_str(&format!("Coded by {}", evidence.coder));
        }
        if !evidence.coded_at.is_empty() {
            coded.push_str(&format!(
                "{}{}",
                if coded.is_empty() { "Coded " } else { ", " },
                evidence.coded_at
            ));
        }
        if !coded.is_empty() {
            ui.label(RichText::new(coded).small().weak());
        }
    });
}

/// A small coloured tag; returns its response so it can be clicked.
fn chip(ui: &mut Ui, text: &str, color: Color32) -> egui::Response {
    let fill = color.gamma_multiply(0.22);
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| ui.label(RichText::new(text).small()))
        .response
        .interact(egui::Sense::click())
}
