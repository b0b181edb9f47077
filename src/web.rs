//! The app in a browser (wasm32): started on the page's canvas (`<canvas id="qualmap_canvas">`)
//! with eframe's web runner, on the map the page names (`?map=URL` in its address, else the
//! canvas's `data-map` attribute), fetched before the app starts; without one, the built-in
//! example.
//!
//! The page can also say (as `data-` attributes of the canvas or parameters of its address):
//! - `readonly`: the map can be read, not changed (a published figure);
//! - `room`: the address of a workshop room (`qualmap serve`, "Share with the room"): the app
//!   follows the presenter's step and offers comments on items (`app::room_link`);
//! - `fonts`: where the script fonts are (default `fonts/` beside the page). The wasm does not
//!   carry them (7 MiB); they are fetched with the map, before the app starts.
//!
//! Work that runs on threads natively runs in the frame here (`app::tasks::Task`), the scene is
//! always built in the frame, there are no recovery files, and time comes from `web_time`.

use eframe::wasm_bindgen::JsCast as _;
use eframe::web_sys;
use wasm_bindgen_futures::JsFuture;

use crate::app::{PageOptions, QualmapApp, Startup};
use crate::model::io;
use crate::scene::fonts;

/// Starts the app on the page's canvas; a failure is written on the page.
pub async fn start() {
    let _ = eframe::WebLogger::init(log::LevelFilter::Warn);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(canvas) =
        document.get_element_by_id("qualmap_canvas").and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        say(&document, "This page has no canvas with the id qualmap_canvas.");
        return;
    };
    let setting = |name: &str| query(name).or_else(|| canvas.get_attribute(&format!("data-{name}")));
    let url = setting("map");
    let page = PageOptions {
        read_only: setting("readonly").is_some_and(|v| v != "false" && v != "0"),
        room: setting("room").map(|room| absolute(&room)),
    };
    let font_base = setting("fonts").unwrap_or_else(|| "fonts/".to_owned());
    let font_base = if font_base.ends_with('/') { font_base } else { format!("{font_base}/") };

    // Every request goes out at once; the map and the fonts arrive side by side.
    let map_request = url.as_deref().map(request);
    let font_requests: Vec<_> =
        fonts::SCRIPT_FONT_FILES.iter().map(|(_, _, file)| request(&format!("{font_base}{file}"))).collect();
    let startup = match (&url, map_request) {
        (Some(url), Some(pending)) => match receive(url, pending).await {
            Ok(bytes) => match io::load_bytes(&bytes, url) {
                Ok(doc) => Startup::Document(Box::new(doc), file_name(url)),
                Err(err) => {
                    say(&document, &err.to_string());
                    return;
                }
            },
            Err(message) => {
                say(&document, &message);
                return;
            }
        },
        _ => Startup::Example,
    };
    let mut fetched = Vec::new();
    let mut missing = Vec::new();
    for (i, pending) in font_requests.into_iter().enumerate() {
        let file = fonts::SCRIPT_FONT_FILES[i].2;
        match receive(&format!("{font_base}{file}"), pending).await {
            Ok(bytes) => fetched.push((i, bytes)),
            Err(message) => {
                log::warn!("{message}");
                missing.push(file);
            }
        }
    }
    fonts::provide_script_fonts(fetched);

    let started = eframe::WebRunner::new()
        .start(
            canvas,
            eframe::WebOptions::default(),
            Box::new(move |cc| {
                let mut app = QualmapApp::for_page(cc, startup, page);
                if !missing.is_empty() {
                    app.set_status(format!(
                        "Some fonts could not be loaded ({}): text in their scripts shows as boxes",
                        missing.join(", ")
                    ));
                }
                Ok(Box::new(app))
            }),
        )
        .await;
    match started {
        Ok(()) => {
            if let Some(loading) = document.get_element_by_id("loading") {
                loading.remove();
            }
        }
        Err(err) => say(&document, &format!("Qualmap could not start: {err:?}")),
    }
}

/// Writes `message` in the page's loading line (and the console).
fn say(document: &web_sys::Document, message: &str) {
    log::error!("{message}");
    if let Some(loading) = document.get_element_by_id("loading") {
        loading.set_text_content(Some(message));
    }
}

/// A parameter of the page's address, decoded.
fn query(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// `relative` resolved against the page's address.
pub(crate) fn absolute(relative: &str) -> String {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    web_sys::Url::new_with_base(relative, &base).map(|u| u.href()).unwrap_or_else(|_| relative.to_owned())
}

/// The last part of a URL's path, as the map's name.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("map.qualmap").to_owned()
}

/// Starts fetching `url` (the answer is taken with [`receive`]).
fn request(url: &str) -> Option<js_sys::Promise> {
    Some(web_sys::window()?.fetch_with_str(url))
}

/// The bytes at `url`, or why not.
pub(crate) async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    receive(url, request(url)).await
}

/// The bytes of a fetch started with [`request`], or why not.
async fn receive(url: &str, pending: Option<js_sys::Promise>) -> Result<Vec<u8>, String> {
    let pending = pending.ok_or("no window")?;
    let response = JsFuture::from(pending)
        .await
        .map_err(|e| format!("{url}: could not be fetched ({e:?}); a map on another site must allow it (CORS)"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: the server answered {} {}", response.status(), response.status_text()));
    }
    let buffer = response.array_buffer().map_err(|e| format!("{url}: {e:?}"))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| format!("{url}: {e:?}"))?;
    let buffer = js_sys::Uint8Array::new(&buffer);
    if u64::from(buffer.length()) > io::MAX_FILE_BYTES {
        return Err(format!("{url}: larger than Qualmap opens"));
    }
    Ok(buffer.to_vec())
}

/// Offers `bytes` to the user as a download called `name` (the browser's way of saving).
pub(crate) fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("the file could not be made ({e:?})"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| format!("{e:?}"))?.dyn_into().map_err(|_| "not an anchor")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has its own reference to the blob once started.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// POSTs `body` (JSON) to `url`; resolves to the server's status and text.
pub(crate) async fn post_json(url: &str, body: &str) -> Result<(u16, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&eframe::wasm_bindgen::JsValue::from_str(body));
    let headers = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
    headers.set("Content-Type", "application/json").map_err(|e| format!("{e:?}"))?;
    init.set_headers(&headers);
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| format!("the room could not be reached ({e:?})"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok((response.status(), text))
}
