//! A participant's side of a workshop room (browser build): the page follows the presenter's
//! story step through the room's event stream (server-sent events, `room::Room` on the
//! presenter's machine), fetches the map again when the presenter changes it, and sends short
//! comments and agree / disagree / unsure on the item the participant picked out, under a
//! pseudonym the participant chooses.

use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::wasm_bindgen::JsCast as _;
use eframe::wasm_bindgen::closure::Closure;
use eframe::web_sys;
use egui::RichText;

use super::QualmapApp;
use crate::model::{ItemRef, io};

/// The longest pseudonym and comment the room takes (in characters).
const PSEUDONYM_LIMIT: usize = 40;
const TEXT_LIMIT: usize = 1000;

/// What arrives from the room (through the page's callbacks).
enum Inbound {
    Open,
    Lost,
    Step(Option<usize>),
    Map,
    MapFetched(Result<Vec<u8>, String>),
    End,
    Sent(Result<(), String>),
}

/// How the link to the room stands.
#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Connecting,
    Following,
    Lost,
    Ended,
}

/// A participant's stance on an item.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stance {
    Agree,
    Disagree,
    Unsure,
}

impl Stance {
    fn wire(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Disagree => "disagree",
            Self::Unsure => "unsure",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Agree => "Agree",
            Self::Disagree => "Disagree",
            Self::Unsure => "Unsure",
        }
    }
}

/// The page's link to a workshop room.
pub(super) struct RoomLink {
    /// The room's address (ends in `/`).
    base: String,
    source: web_sys::EventSource,
    /// The page's callbacks, kept alive as long as the link.
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    sender: Sender<Inbound>,
    inbox: Receiver<Inbound>,
    state: State,
    /// The presenter's step (`None`: not on a step).
    step: Option<usize>,
    /// Whether the page follows the presenter (a participant may look around and come back).
    following: bool,
    draft: String,
    stance: Option<Stance>,
    sending: bool,
    /// What happened to the last comment.
    last: Option<String>,
}

impl RoomLink {
    /// Connects to the room at `base` (its event stream is `events` there).
    pub fn connect(ctx: &egui::Context, base: &str) -> Result<Self, String> {
        let base = if base.ends_with('/') { base.to_owned() } else { format!("{base}/") };
        let source = web_sys::EventSource::new(&format!("{base}events")).map_err(|e| format!("{e:?}"))?;
        let (sender, inbox) = channel();
        let mut listeners = Vec::new();
        let mut listen = |name: &str, make: fn(&web_sys::Event) -> Option<Inbound>| -> Result<(), String> {
            let sender = sender.clone();
            let ctx = ctx.clone();
            let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                if let Some(inbound) = make(&event) {
                    let _ = sender.send(inbound);
                    ctx.request_repaint();
                }
            });
            source
                .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                .map_err(|e| format!("{e:?}"))?;
            listeners.push(callback);
            Ok(())
        };
        listen("open", |_| Some(Inbound::Open))?;
        listen("error", |_| Some(Inbound::Lost))?;
        listen("step", |event| {
            let data = event.dyn_ref::<web_sys::MessageEvent>()?.data().as_string()?;
            let value: serde_json::Value = serde_json::from_str(&data).ok()?;
            Some(Inbound::Step(value.get("step")?.as_u64().map(|s| s as usize)))
        })?;
        listen("map", |_| Some(Inbound::Map))?;
        listen("end", |_| Some(Inbound::End))?;
        Ok(Self {
            base,
            source,
            _listeners: listeners,
            sender,
            inbox,
            state: State::Connecting,
            step: None,
            following: true,
            draft: String::new(),
            stance: None,
            sending: false,
            last: None,
        })
    }

    fn fetch_map(&self, ctx: &egui::Context) {
        let url = format!("{}map.qualmap", self.base);
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = sender.send(Inbound::MapFetched(crate::web::fetch(&url).await));
            ctx.request_repaint();
        });
    }

    fn send(&mut self, ctx: &egui::Context, pseudonym: &str, item: ItemRef) {
        let body = serde_json::json!({
            "pseudonym": pseudonym.trim(),
            "item": item,
            "stance": self.stance.map(Stance::wire),
            "text": self.draft.trim(),
        })
        .to_string();
        let url = format!("{}comment", self.base);
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        self.sending = true;
        wasm_bindgen_futures::spawn_local(async move {
            let result = match crate::web::post_json(&url, &body).await {
                Ok((status, _)) if (200..300).contains(&status) => Ok(()),
                Ok((429, _)) => Err("too many comments at once: wait a moment and send again".to_owned()),
                Ok((status, text)) => Err(format!("the room refused it ({status}): {}", text.trim())),
                Err(err) => Err(err),
            };
            let _ = sender.send(Inbound::Sent(result));
            ctx.request_repaint();
        });
    }
}

impl Drop for RoomLink {
    fn drop(&mut self) {
        self.source.close();
    }
}

impl QualmapApp {
    /// Takes in what the room sent: the presenter's step, a changed map, the room's end.
    pub(super) fn poll_room_link(&mut self, ctx: &egui::Context) {
        let Some(link) = &mut self.room_link else { return };
        // The participant left the presenter's step (Escape, or their own step keys): the page
        // stops following until asked to again.
        if link.following && link.step.is_some() && self.present.as_ref().map(|p| p.step) != link.step {
            link.following = false;
        }
        let mut inbound = Vec::new();
        while let Ok(message) = link.inbox.try_recv() {
            inbound.push(message);
        }
        for message in inbound {
            let Some(link) = &mut self.room_link else { return };
            match message {
                Inbound::Open => link.state = State::Following,
                Inbound::Lost => {
                    // The browser tries again by itself; after the room's end it is closed.
                    if link.state != State::Ended {
                        link.state = State::Lost;
                    }
                }
                Inbound::Step(step) => {
                    link.state = State::Following;
                    link.step = step;
                    if link.following {
                        self.follow_step(ctx, step);
                    }
                }
                Inbound::Map => link.fetch_map(ctx),
                Inbound::MapFetched(Ok(bytes)) => match io::load_bytes(&bytes, "map.qualmap") {
                    Ok(doc) => {
                        let name = self.map.display_name();
                        let step = self.present.as_ref().map(|p| p.step);
                        let camera = self.view.camera;
                        self.replace_document(doc, None, &name);
                        self.view.camera = camera;
                        if let Some(step) = step {
                            self.follow_step(ctx, Some(step));
                        }
                    }
                    Err(err) => self.status = format!("The presenter's map could not be read: {err}"),
                },
                Inbound::MapFetched(Err(err)) => {
                    self.status = format!("The presenter's map could not be fetched: {err}")
                }
                Inbound::End => {
                    link.state = State::Ended;
                    link.source.close();
                    self.status = "The presenter has closed the room; the map stays open here".to_owned();
                }
                Inbound::Sent(result) => {
                    link.sending = false;
                    match result {
                        Ok(()) => {
                            link.last = Some("Sent: the presenter has it".to_owned());
                            link.draft.clear();
                            link.stance = None;
                        }
                        Err(err) => link.last = Some(format!("Not sent: {err}")),
                    }
                }
            }
        }
    }

    /// Shows the presenter's step (or the map, when the presenter is between steps).
    fn follow_step(&mut self, ctx: &egui::Context, step: Option<usize>) {
        match step {
            Some(step) if step < self.map.doc().story.len() => {
                if self.present.is_some() {
                    self.go_to_step(step);
                } else {
                    self.start_presenting(ctx, step);
                    if let Some(present) = &mut self.present {
                        // A participant's screen is the audience's: no notes, no timer.
                        present.presenter_view = false;
                    }
                }
            }
            _ => self.stop_presenting(ctx),
        }
    }

    /// The room's window: whether the page follows the presenter, and a comment on the item
    /// picked out (clicked while presenting, or selected on the map).
    pub(super) fn room_link_ui(&mut self, ctx: &egui::Context) {
        let Some(link) = &self.room_link else { return };
        let item = match &self.present {
            Some(present) => present.spotlight.map(|(item, _)| item),
            None if self.view.selection.len() == 1 => self.view.selection.iter().next().copied(),
            None => None,
        };
        let item_label = item.map(|item| self.map.doc().item_label(item));
        let state = link.state;
        let mut follow_again = false;
        let mut send = None;
        let pseudonym = &mut self.prefs.pseudonym;
        let Some(link) = &mut self.room_link else { return };
        egui::Window::new("Workshop room")
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -12.0))
            .resizable(false)
            .collapsible(true)
            .default_width(300.0)
            .show(ctx, |ui| {
                ui.label(match state {
                    State::Connecting => "Joining the room…",
                    State::Following if link.following => "Following the presenter",
                    State::Following => "Looking around on your own",
                    State::Lost => "Connection lost: trying again…",
                    State::Ended => "The room has closed",
                });
                if state != State::Ended && !link.following && ui.button("Follow the presenter").clicked() {
                    follow_again = true;
                }
                if state == State::Ended {
                    return;
                }
                ui.separator();
                let Some(label) = &item_label else {
                    ui.label(RichText::new("Click a concept or a relationship to comment on it.").weak());
                    return;
                };
                ui.label(RichText::new(format!("On: {label}")).strong());
                ui.horizontal(|ui| {
                    for stance in [Stance::Agree, Stance::Disagree, Stance::Unsure] {
                        let on = link.stance == Some(stance);
                        if ui.selectable_label(on, stance.label()).clicked() {
                            link.stance = if on { None } else { Some(stance) };
                        }
                    }
                });
                ui.add(
                    egui::TextEdit::multiline(&mut link.draft)
                        .hint_text("A short comment (optional)")
                        .char_limit(TEXT_LIMIT)
                        .desired_rows(3)
                        .desired_width(f32::INFINITY),
                );
                ui.horizontal(|ui| {
                    ui.label("Your name here:");
                    ui.add(
                        egui::TextEdit::singleline(pseudonym)
                            .hint_text("a pseudonym")
                            .char_limit(PSEUDONYM_LIMIT)
                            .desired_width(140.0),
                    );
                });
                let ready = !pseudonym.trim().is_empty()
                    && (link.stance.is_some() || !link.draft.trim().is_empty())
                    && !link.sending;
                if ui.add_enabled(ready, egui::Button::new(if link.sending { "Sending…" } else { "Send" })).clicked()
                {
                    send = item;
                }
                if let Some(last) = &link.last {
                    ui.label(RichText::new(last).weak());
                }
            });
        if let Some(item) = send {
            let pseudonym = self.prefs.pseudonym.clone();
            if let Some(link) = &mut self.room_link {
                link.last = None;
                link.send(ctx, &pseudonym, item);
            }
        }
        if follow_again && let Some(link) = &mut self.room_link {
            link.following = true;
            let step = link.step;
            self.follow_step(ctx, step);
        }
    }
}
