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
