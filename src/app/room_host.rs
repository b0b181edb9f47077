//! The presenter's side of a workshop room (desktop): "Share with the room" serves the map
//! being presented with the browser viewer on the local network (`room::Room`), shows its
//! address and a QR code on the slides, sends every step change to the participants, sends the
//! map again when it changes, and takes each participant's comment into the map as a memo (one
//! undoable step each). The room closes when presenting ends.

use egui::{Align2, Color32, FontId, Rect, Stroke, pos2, vec2};

use super::QualmapApp;
use super::present::PresenterAction;
use crate::command::Command;
use crate::model::{Memo, io};
use crate::room::{Room, RoomComment, RoomConfig, qr_modules};
use crate::web_bundle::WebBundle;

/// How many comments the presenter view lists.
const RECENT: usize = 6;

/// A room being served while presenting.
pub(super) struct RoomHost {
    room: Room,
    url: String,
    /// The address's QR code (width, dark modules), if it could be made.
    qr: Option<(usize, Vec<bool>)>,
    /// Whether the address and code show on the slides (Q).
    pub show_code: bool,
    /// The map revision participants have.
    revision_sent: u64,
    /// The last comments, newest last, as lines for the presenter view.
    recent: Vec<String>,
    /// Comments taken into the map.
    received: usize,
}

impl QualmapApp {
    /// Whether a room is open.
    pub fn room_open(&self) -> bool {
        self.room_host.is_some()
    }

    /// The room's address, while one is open.
    pub fn room_url(&self) -> Option<String> {
        self.room_host.as_ref().map(|host| host.url.clone())
    }

    /// The room's address through this machine's loopback (for tests and this machine's browser).
    pub fn room_local_url(&self) -> Option<String> {
        self.room_host.as_ref().map(|host| host.room.local_url())
    }

    /// Serves the map being presented to the room (starts presenting first if need be), on
    /// every network interface (`QUALMAP_ROOM_ADDR`, e.g. `127.0.0.1:8020`, chooses another),
    /// with the browser build found as `qualmap serve` finds it.
    pub fn share_with_room(&mut self, ctx: &egui::Context) {
        if self.room_host.is_some() {
            return;
        }
        let addr = std::env::var("QUALMAP_ROOM_ADDR").ok().filter(|a| !a.is_empty());
        let addr = match addr.as_deref().unwrap_or("0.0.0.0:0").parse() {
            Ok(addr) => addr,
            Err(err) => {
                self.alert("Could not open the room", format!("QUALMAP_ROOM_ADDR: {err}"));
                return;
            }
        };
        match WebBundle::find(None).and_then(|dir| WebBundle::load(&dir)) {
            Ok(bundle) => self.share_with_room_using(ctx, bundle, addr),
            Err(err) => self.alert("Could not open the room", format!("{err:#}")),
        }
    }

    /// [`Self::share_with_room`] with the browser build and the address given.
    pub fn share_with_room_using(&mut self, ctx: &egui::Context, bundle: WebBundle, addr: std::net::SocketAddr) {
        if self.room_host.is_some() {
            return;
        }
        if self.present.is_none() {
            let step = self.story_step();
            self.start_presenting(ctx, step);
            if self.present.is_none() {
                return;
            }
        }
        let mut config =
            RoomConfig::new(addr, bundle, io::to_json(self.map.doc()).into_bytes(), self.map.display_name());
        config.step = self.present.as_ref().map(|p| p.step);
        let repaint = ctx.clone();
        config.notify = Some(Box::new(move || repaint.request_repaint()));
        match Room::start(config) {
            Ok(room) => {
                let url = room.url();
                self.status = format!("The room is open at {url}");
                // Also where a terminal shows it (a presenter whose screen is mirrored, scripts).
                eprintln!("qualmap: the room is open at {url} (on this machine: {})", room.local_url());
                self.room_host = Some(RoomHost {
                    qr: qr_modules(&url).ok(),
                    url,
                    room,
                    show_code: true,
                    revision_sent: self.map.revision(),
                    recent: Vec::new(),
                    received: 0,
                });
            }
            Err(err) => self.alert("Could not open the room", format!("{err:#}")),
        }
    }

    /// Closes the room: participants are told, and keep the map they have.
    pub fn close_room(&mut self) {
        if let Some(host) = self.room_host.take() {
            let received = host.received;
            host.room.stop();
            self.status = format!(
                "The room is closed; {received} comment{} came in as memos",
                if received == 1 { "" } else { "s" }
            );
        }
    }

    /// Keeps the room in step with the presentation, and takes in comments as memos.
    pub(super) fn poll_room_host(&mut self, ctx: &egui::Context) {
        let Some(host) = &mut self.room_host else { return };
        let Some(present) = &self.present else {
            self.close_room();
            return;
        };
        host.room.set_step(Some(present.step));
        let revision = self.map.revision();
        if host.revision_sent != revision {
            host.revision_sent = revision;
            host.room.set_map(io::to_json(self.map.doc()).into_bytes());
        }
        let comments: Vec<RoomComment> = host.room.comments().collect();
        for comment in comments {
            self.take_comment(comment);
        }
        // The participant count and the comments arrive without input: look again shortly.
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
    }

    /// A participant's comment, as a memo on its item (one undoable step).
    fn take_comment(&mut self, comment: RoomComment) {
        let doc = self.map.doc();
        if !doc.contains(comment.item) {
            // The presenter deleted it meanwhile, or the participant's map is older.
            self.status = format!("A comment from {} was on something no longer in the map", comment.pseudonym);
            return;
        }
        let label = doc.item_label(comment.item);
        let memo = comment.memo(doc.next_memo_id(), crate::model::clock::now());
        let line = comment_line(&memo, &label);
        if self.apply_edit(Command::AddMemo(memo), None).is_none() {
            self.status = format!("Memo from the room: {line}");
            if let Some(host) = &mut self.room_host {
                host.received += 1;
                host.recent.push(line);
                let extra = host.recent.len().saturating_sub(RECENT);
                host.recent.drain(..extra);
            }
        }
    }

    /// Shows or hides the room's address and code on the slides.
    pub(super) fn toggle_room_code(&mut self) {
        if let Some(host) = &mut self.room_host {
            host.show_code = !host.show_code;
        }
    }

    /// The room's part of the presenter view: its address, who is following, the last
    /// comments, and the buttons to share, show the code and close.
    pub(super) fn room_presenter_ui(&self, ui: &mut egui::Ui) -> Option<PresenterAction> {
        ui.separator();
        let Some(host) = &self.room_host else {
            let share = ui
                .button("Share with the room")
                .on_hover_text("Participants follow on their phones or laptops and can comment (R)");
            return share.clicked().then_some(PresenterAction::Room);
        };
        let mut action = None;
        ui.label(egui::RichText::new("Workshop room").strong());
        ui.label(egui::RichText::new(&host.url).monospace());
        let count = host.room.participants();
        ui.label(format!(
            "{count} following · {} comment{} taken in as memos",
            host.received,
            if host.received == 1 { "" } else { "s" }
        ));
        ui.horizontal(|ui| {
            let label = if host.show_code { "Hide the code (Q)" } else { "Show the code (Q)" };
            if ui.button(label).clicked() {
                action = Some(PresenterAction::RoomCode);
            }
            if ui.button("Close the room (R)").clicked() {
                action = Some(PresenterAction::Room);
            }
        });
        for line in host.recent.iter().rev() {
            ui.label(egui::RichText::new(super::bidi_text::visual_line(line)).small());
        }
        action
    }
}

impl RoomHost {
    /// The room's address and QR code on the slides, large enough to scan from the back of a
    /// room, in the top right corner; or, hidden, how many follow.
    pub(super) fn paint_code(&self, painter: &egui::Painter, screen: Rect) {
        let host = self;
        let count = host.room.participants();
        let following = format!("{count} following");
        if !host.show_code {
            painter.text(
                screen.right_top() + vec2(-20.0, 16.0),
                Align2::RIGHT_TOP,
                following,
                FontId::proportional(16.0),
                Color32::from_gray(120),
            );
            return;
        }
        let side = (screen.height() * 0.34).clamp(160.0, 320.0);
        // Wide enough for the room's path in 12-point monospace whatever the screen's height.
        let card_width = (side + 24.0).max(310.0);
        let card = Rect::from_min_size(
            pos2(screen.max.x - card_width - 20.0, screen.min.y + 20.0),
            vec2(card_width, side + 100.0),
        );
        painter.rect_filled(card, 8.0, Color32::WHITE);
        painter.rect_stroke(card, 8.0, Stroke::new(1.0, Color32::from_gray(190)), egui::StrokeKind::Inside);
        let code = Rect::from_min_size(pos2(card.center().x - side / 2.0, card.min.y + 12.0), vec2(side, side));
        if let Some((width, modules)) = &host.qr {
            // Four modules of light around the code, as scanners need.
            let cell = side / (*width as f32 + 8.0);
            let origin = code.min + vec2(4.0 * cell, 4.0 * cell);
            for (i, dark) in modules.iter().enumerate() {
                if *dark {
                    let (x, y) = ((i % width) as f32, (i / width) as f32);
                    let min = origin + vec2(x * cell, y * cell);
                    // A hair wider, so that neighbouring modules leave no seams.
                    painter.rect_filled(Rect::from_min_size(min, vec2(cell + 0.5, cell + 0.5)), 0.0, Color32::BLACK);
                }
            }
        }
        painter.text(
            pos2(card.center().x, code.max.y + 8.0),
            Align2::CENTER_TOP,
            "Follow on your device",
            FontId::proportional(18.0),
            Color32::from_gray(30),
        );
        // The address on two lines (the server, then the room's path), so that it fits the card.
        let (server, path) = match host.url.find("/r/") {
            Some(at) => host.url.split_at(at),
            None => (host.url.as_str(), ""),
        };
        for (i, line) in [server, path].into_iter().enumerate() {
            painter.text(
                pos2(card.center().x, code.max.y + 32.0 + 15.0 * i as f32),
                Align2::CENTER_TOP,
                line,
                FontId::monospace(12.0),
                Color32::from_gray(60),
            );
        }
        painter.text(
            pos2(card.center().x, code.max.y + 66.0),
            Align2::CENTER_TOP,
            following,
            FontId::proportional(14.0),
            Color32::from_gray(110),
        );
    }
}

/// A comment as one line: who, their stance, on what, and what they said.
fn comment_line(memo: &Memo, label: &str) -> String {
    let mut line = memo.author.clone();
    if let Some(stance) = memo.stance {
        line.push_str(&format!(" ({})", stance.label().to_lowercase()));
    }
    line.push_str(&format!(" on {label}"));
    if !memo.text.is_empty() {
        line.push_str(&format!(": {}", memo.text));
    }
    line
}
