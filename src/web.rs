//! The app in a browser (wasm32): started on the page's canvas (`<canvas id="qualmap_canvas">`)
//! with eframe's web runner, on the map the page names (`?map=URL` in its address, else the
//! canvas's `data-map` attribute), fetched before the app starts; without one, the built-in
//! example.
//!
//! Work that runs on threads natively runs in the frame here (`app::tasks::Task`), the scene is
//! always built in the frame, there are no recovery files, and time comes from `web_time`.

use eframe::wasm_bindgen::JsCast as _;
use eframe::web_sys;

use crate::app::{QualmapApp, Startup};
use crate::model::io;

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
    let url = query("map").or_else(|| canvas.get_attribute("data-map"));
    let startup = match &url {
        Some(url) => match fetch(url).await {
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
        None => Startup::Example,
    };
    let started = eframe::WebRunner::new()
        .start(
            canvas,
            eframe::WebOptions::default(),
            Box::new(move |cc| Ok(Box::new(QualmapApp::with_recovery_dir(cc, startup, None)))),
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

/// The last part of a URL's path, as the map's name.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("map.qualmap").to_owned()
}

/// The bytes at `url`, or why not.
async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: could not be fetched ({e:?}); a map on another site must allow it (CORS)"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: the server answered {} {}", response.status(), response.status_text()));
    }
    let buffer = response.array_buffer().map_err(|e| format!("{url}: {e:?}"))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| format!("{url}: {e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    if bytes.len() as u64 > io::MAX_FILE_BYTES {
        return Err(format!("{url}: larger than Qualmap opens"));
    }
    Ok(bytes)
}
