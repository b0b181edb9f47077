//! Paragraphs of text in any script for panels: egui's own labels draw a line's shaped runs in
//! the string's order, which puts the words of Arabic and Hebrew text, and English inside it,
//! in the wrong order. Text with anything right to left is wrapped by the scene's rules
//! ([`crate::scene::text::wrap`]) and drawn line by line in visual order, right-aligned when its
//! paragraph runs right to left; other text goes through an ordinary label.

use egui::{Align2, Color32, FontId, Pos2, Response, Sense, Ui, pos2, vec2};

use crate::scene::{EguiMeasure, text};

/// A wrapped paragraph of `text` in the panel's full width, drawn in visual order.
pub fn paragraph_ui(ui: &mut Ui, text: &str, font: FontId, color: Color32) -> Response {
    let width = ui.available_width().max(40.0);
    let measure = EguiMeasure(ui.ctx());
    let lines = text::wrap(text, font.size, width, &measure);
    let row = ui.fonts_mut(|f| f.row_height(&font));
    let (rect, response) = ui.allocate_exact_size(vec2(width, row * lines.len() as f32), Sense::hover());
    if ui.is_rect_visible(rect) {
        let painter = ui.painter_at(rect.expand(2.0));
        for (i, line) in lines.iter().enumerate() {
            let y = rect.top() + row * (i as f32 + 0.5);
            let (at, align) = if line.rtl {
                (pos2(rect.right(), y), Align2::RIGHT_CENTER)
            } else {
                (Pos2::new(rect.left(), y), Align2::LEFT_CENTER)
            };
            super::canvas::paint_line(&painter, &line.text, line.rtl, at, align, &font, color);
        }
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
    response
}

/// An excerpt in quotation marks: through [`paragraph_ui`] when it holds right-to-left text,
/// otherwise as an italic label.
pub fn excerpt_ui(ui: &mut Ui, excerpt: &str) -> Response {
    let quoted = format!("“{excerpt}”");
    if text::has_rtl(excerpt) {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let color = ui.visuals().text_color();
        paragraph_ui(ui, &quoted, font, color)
    } else {
        ui.label(egui::RichText::new(quoted).italics())
    }
}

/// A label that may hold right-to-left text: through [`paragraph_ui`] when it does (`strong`
/// text in the strong colour), otherwise an ordinary label.
pub fn label_ui(ui: &mut Ui, text: &str, strong: bool) -> Response {
    if text::has_rtl(text) {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let color = if strong { ui.visuals().strong_text_color() } else { ui.visuals().text_color() };
        paragraph_ui(ui, text, font, color)
    } else if strong {
        ui.label(egui::RichText::new(text).strong())
    } else {
        ui.label(text)
    }
}

/// One line of text for a widget that lays it out itself (a legend key, a check box, a menu
/// entry): with anything right to left in it, its pieces in visual order (each right-to-left word
/// whole, so egui still shapes and joins it), else the text as it is.
pub fn visual_line(line: &str) -> std::borrow::Cow<'_, str> {
    if !text::has_rtl(line) {
        return std::borrow::Cow::Borrowed(line);
    }
    match text::visual_pieces(line, text::paragraph_is_rtl(line)) {
        Some(pieces) => std::borrow::Cow::Owned(pieces.concat()),
        None => std::borrow::Cow::Borrowed(line),
    }
}

/// Adds a text field that, while it is not being edited, shows a line with right-to-left text
/// in visual order (egui's `TextEdit` lays a line's runs out in string order, so an Arabic name
/// showed its words reversed), right-aligned when its paragraph runs right to left. While it has
/// the keyboard it shows the typed (logical) order, where the cursor moves through the
/// characters as they were typed. Text without right-to-left characters, or spanning several
/// lines, is laid out as egui always does.
pub fn text_edit(
    ui: &mut Ui,
    value: &mut String,
    multiline: bool,
    id: egui::Id,
    font: FontId,
    configure: impl for<'b> FnOnce(egui::TextEdit<'b>) -> egui::TextEdit<'b>,
) -> Response {
    let editing = ui.memory(|m| m.has_focus(id));
    let plain = editing || !text::has_rtl(value) || value.contains('\n');
    let color = ui.visuals().widgets.inactive.text_color();
    let rtl = text::paragraph_is_rtl(value);
    let mut layouter = move |ui: &Ui, buffer: &dyn egui::TextBuffer, wrap_width: f32| {
        let typed = buffer.as_str();
        // Wrapped first, in typed order, then each line in visual order, so that a wrap inside a
        // right-to-left run leaves its first words on the first line; each break takes the one
        // space it replaces.
        let lines: Vec<String> = if multiline && wrap_width.is_finite() {
            text::wrap(typed, font.size, wrap_width, &EguiMeasure(ui.ctx()))
                .iter()
                .map(|line| match text::visual_pieces(&line.text, line.rtl) {
                    // In the direction of the whole paragraph, not of the line's first letter.
                    Some(pieces) => pieces.concat(),
                    None => line.text.clone(),
                })
                .collect()
        } else {
            vec![visual_line(typed).into_owned()]
        };
        let shown = lines.join("\n");
        // The galley must hold the same characters as the text, one for one.
        let shown = if shown.chars().count() == typed.chars().count() { shown } else { typed.to_owned() };
        let mut job = egui::text::LayoutJob::simple(shown, font.clone(), color, f32::INFINITY);
        if rtl {
            job.halign = egui::Align::Max;
        }
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let edit = if multiline { egui::TextEdit::multiline(value) } else { egui::TextEdit::singleline(value) };
    let edit = configure(edit.id(id));
    if plain { ui.add(edit) } else { ui.add(edit.layouter(&mut layouter)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_line_comes_in_visual_order() {
        assert_eq!(visual_line("Peer support"), "Peer support");
        // The first word of an Arabic line is drawn rightmost.
        assert_eq!(visual_line("الرفاه الشخصي"), "الشخصي الرفاه");
        assert_eq!(visual_line("ساعدني برنامج Peer support على"), "على Peer support برنامج ساعدني");
    }
}
