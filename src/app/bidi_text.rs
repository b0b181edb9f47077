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

/// Paints `text` wrapped at `width` from `left_top` with `painter`, each line in visual order
/// (right-aligned when it runs right to left); returns the height painted. For text drawn
/// straight onto a canvas (the caption band while presenting).
pub fn paint_paragraph(
    painter: &egui::Painter,
    text: &str,
    font: &FontId,
    color: Color32,
    left_top: Pos2,
    width: f32,
) -> f32 {
    let ctx = painter.ctx();
    let row = ctx.fonts_mut(|f| f.row_height(font));
    let mut y = left_top.y;
    for paragraph in text.split('\n') {
        for line in text::wrap(paragraph, font.size, width.max(20.0), &EguiMeasure(ctx)) {
            let (at, align) = if line.rtl {
                (pos2(left_top.x + width, y + row / 2.0), Align2::RIGHT_CENTER)
            } else {
                (pos2(left_top.x, y + row / 2.0), Align2::LEFT_CENTER)
            };
            super::canvas::paint_line(painter, &line.text, line.rtl, at, align, font, color);
            y += row;
        }
    }
    y - left_top.y
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
        Some(pieces) => std::borrow::Cow::Owned(for_one_galley(pieces)),
        None => std::borrow::Cow::Borrowed(line),
    }
}

/// Visual pieces (see [`text::visual_pieces`]) joined into one string for a single galley.
/// egui shapes each stretch of characters drawn by one font as one text, and one with Arabic or
/// Hebrew letters right to left, which puts that stretch's pieces in reverse order: an Arabic
/// comma after a word (both in Noto Sans Arabic) came out on the word's right. So adjacent
/// pieces drawn by the same font are handed over in reverse (that is, typed) order, and egui's
/// own reversal puts them back. Spaces and Latin punctuation are drawn by Ubuntu, so they keep
/// the stretches apart. Characters stay one for one.
fn for_one_galley(pieces: Vec<String>) -> String {
    let font = |piece: &str| {
        let c = piece.chars().next()?;
        if !text::has_rtl(piece) && !piece.chars().all(|c| !c.is_alphanumeric()) {
            return None;
        }
        crate::scene::fonts::font_for(c).map(|f| f.key)
    };
    let mut out = String::new();
    let mut group: Vec<String> = Vec::new();
    let mut group_font = None;
    let flush = |group: &mut Vec<String>, out: &mut String| {
        // Reversed only when egui will take the stretch as right to left.
        if group.iter().any(|p| text::has_rtl(p)) {
            group.reverse();
        }
        out.extend(group.drain(..));
    };
    for piece in pieces {
        let f = font(&piece);
        if f.is_none() || f != group_font {
            flush(&mut group, &mut out);
        }
        group_font = f;
        group.push(piece);
    }
    flush(&mut group, &mut out);
    out
}

/// The start of `text` that fits on one line `width` wide, in typed order, with "…" after it
/// when the text goes on (after its logical end: on the left of a right-to-left line), and
/// whether the line runs right to left. Cutting in typed order keeps the beginning of an Arabic
/// or Hebrew excerpt, which a widget's own truncation (at the right edge) would cut off.
pub fn first_line(ui: &Ui, text: &str, font: &FontId, width: f32) -> (String, bool) {
    let paragraph = text.split('\n').next().unwrap_or_default();
    // Only the first line is shown, so only as much as could fill it is wrapped (this runs for
    // every row in view, every frame; an excerpt can be pages long). No character is narrower
    // than a fifth of the type size, so the line breaks inside the part kept.
    let keep = (width / (font.size * 0.2).max(1.0)) as usize + 8;
    let paragraph = paragraph.char_indices().nth(keep).map_or(paragraph, |(end, _)| &paragraph[..end]);
    let measure = EguiMeasure(ui.ctx());
    // Room for the "…" too.
    let ellipsis = crate::scene::TextMeasure::line_width(&measure, "…", font.size);
    let lines = text::wrap(paragraph, font.size, (width - ellipsis).max(20.0), &measure);
    let more = lines.len() > 1 || paragraph.len() < text.len();
    let Some(first) = lines.into_iter().next() else { return (String::new(), false) };
    let line = if more { format!("{}…", first.text.trim_end()) } else { first.text };
    (line, first.rtl)
}

/// Paints the start of `text` that fits in `rect` (see [`first_line`]) in visual order: from
/// the left, or from the right when it runs right to left. Each right-to-left word is laid out
/// on its own, so neutral characters (an Arabic comma after a word) stand on the right side.
pub fn paint_first_line(ui: &Ui, rect: egui::Rect, text: &str, font: &FontId, color: Color32) {
    let (line, rtl) = first_line(ui, text, font, rect.width());
    let painter = ui.painter_at(rect);
    let (at, align) =
        if rtl { (rect.right_center(), Align2::RIGHT_CENTER) } else { (rect.left_center(), Align2::LEFT_CENTER) };
    super::canvas::paint_line(&painter, &line, rtl, at, align, font, color);
}

/// A table cell `width` wide showing the start of `text` (see [`paint_first_line`]); hovering
/// shows all of it.
pub fn cell_ui(ui: &mut Ui, text: &str, width: f32) -> Response {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let height = ui.spacing().interact_size.y.min(18.0);
    let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::hover());
    if ui.is_rect_visible(rect) {
        paint_first_line(ui, rect, text, &font, ui.visuals().text_color());
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
    response
}

/// Adds a text field that, while it is not being edited, shows a line with right-to-left text
/// in visual order (egui's `TextEdit` lays a line's runs out in string order, so an Arabic name
/// showed its words reversed), right-aligned when its paragraph runs right to left. While it has
/// the keyboard it shows the typed (logical) order, where the cursor moves through the
/// characters as they were typed. Each paragraph of a multi-line text is wrapped and ordered on
/// its own. Text without right-to-left characters is laid out as egui always does.
pub fn text_edit(
    ui: &mut Ui,
    value: &mut String,
    multiline: bool,
    id: egui::Id,
    font: FontId,
    configure: impl for<'b> FnOnce(egui::TextEdit<'b>) -> egui::TextEdit<'b>,
) -> Response {
    let editing = ui.memory(|m| m.has_focus(id));
    let plain = editing || !text::has_rtl(value);
    let color = ui.visuals().widgets.inactive.text_color();
    let rtl = text::paragraph_is_rtl(value);
    let mut layouter = move |ui: &Ui, buffer: &dyn egui::TextBuffer, wrap_width: f32| {
        let typed = buffer.as_str();
        // Wrapped first, in typed order, then each line in visual order, so that a wrap inside a
        // right-to-left run leaves its first words on the first line; each break takes the one
        // space it replaces.
        // Each paragraph (between the text's own line breaks) on its own.
        let lines: Vec<String> = typed
            .split('\n')
            .flat_map(|paragraph| -> Vec<String> {
                if multiline && wrap_width.is_finite() && !paragraph.is_empty() {
                    text::wrap(paragraph, font.size, wrap_width, &EguiMeasure(ui.ctx()))
                        .iter()
                        .map(|line| match text::visual_pieces(&line.text, line.rtl) {
                            // In the direction of the whole paragraph, not of the line's first letter.
                            Some(pieces) => for_one_galley(pieces),
                            None => line.text.clone(),
                        })
                        .collect()
                } else {
                    vec![visual_line(paragraph).into_owned()]
                }
            })
            .collect();
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

    /// An Arabic comma after a word is drawn by the Arabic font with the word; egui reverses
    /// that stretch, so it is handed over in typed order ("عليّ،"), the comma then on the left.
    #[test]
    fn punctuation_drawn_with_a_word_keeps_its_side() {
        assert_eq!(visual_line("يحكم عليّ، وهذا"), "وهذا عليّ، يحكم");
        // Characters stay one for one.
        let line = "كان المرشد يستمع إليّ دون أن يحكم عليّ، وهذا ما ساعدني (3 مرات).";
        assert_eq!(visual_line(line).chars().count(), line.chars().count());
    }
}
