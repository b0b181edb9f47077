//! The workshop room: the presenter's map and the browser viewer served over HTTP on the local
//! network, so that participants follow the story on their own screens and send comments back.
//!
//! Everything lives under `/r/<token>/`, the token 128 random bits: the viewer's page
//! (`index.html` with the canvas's `data-room="."`), its script, its WebAssembly and fonts, the
//! map (`map.qualmap`), a server-sent event stream (`events`: `step`, `map` and `end`), and
//! `comment` (POST, JSON). Nothing else is answered (404), and nothing is read from the disk
//! after [`Room::start`]: the bundle and the map are held in memory.
//!
//! One thread serves every connection (hyper's HTTP/1 on tokio's single-threaded runtime), so
//! 200 participants cost sockets and a few kilobytes each, not threads. Everything a client
//! can make the server hold is bounded: request headers (16 KiB, 64 fields, 20 s to send them,
//! also the idle time of a kept-alive connection), comment bodies (4 KiB, 10 s), open
//! connections (three per participant allowed, plus 64; more wait to be accepted), event
//! streams ([`RoomConfig::max_participants`], then 503), queued events per stream (64, after
//! which the stream is closed and the browser reconnects to the current state), a response the
//! client does not read (closed after 20 s without progress), and comments (5 at once, then 1
//! every 2 seconds from one address; 256 waiting for the app).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc as std_mpsc};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::AbortHandle;

use crate::model::ItemRef;
use crate::web_bundle::WebBundle;

/// The most participants by default.
pub const DEFAULT_MAX_PARTICIPANTS: usize = 200;
/// The largest comment body, in bytes.
pub const MAX_COMMENT_BYTES: usize = 4096;
/// The longest pseudonym, in characters.
pub const MAX_PSEUDONYM_CHARS: usize = 40;
/// The longest comment text, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Comments one address may send at once …
pub const RATE_BURST: f64 = 5.0;
/// … and then one per this long.
pub const RATE_EVERY: Duration = Duration::from_secs(2);
/// How often an idle event stream gets a keep-alive comment.
pub const PING_EVERY: Duration = Duration::from_secs(15);

/// Events waiting for one stream before it is closed as not keeping up.
const EVENT_QUEUE: usize = 64;
/// Comments waiting for the app before more are refused (503).
const COMMENT_QUEUE: usize = 256;
/// Request headers: the most bytes (hyper's smallest read buffer is 8 KiB) and fields.
const MAX_HEADER_BUFFER: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// Time to send a request's headers, and the longest a kept-alive connection may sit idle.
const HEADER_TIMEOUT: Duration = Duration::from_secs(20);
/// Time to send a comment's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// A response the client has not read anything of for this long is given up.
const WRITE_STALL: Duration = Duration::from_secs(20);
/// How long stopping waits for the last streams to take `event: end`.
const GRACE: Duration = Duration::from_secs(2);
/// Addresses whose comment rate is remembered.
const MAX_RATED_ADDRESSES: usize = 4096;

const PING: &[u8] = b": ping\n\n";
const END: &[u8] = b"event: end\ndata: {}\n\n";

/// How to start a [`Room`].
pub struct RoomConfig {
    /// Where to listen; port 0 picks a free one. `0.0.0.0` or `[::]` serves the local network.
    pub addr: SocketAddr,
    /// The browser build to serve.
    pub bundle: WebBundle,
    /// The map as its `.qualmap` file's bytes.
    pub map: Vec<u8>,
    /// The map's file name, offered with it (`Content-Disposition`).
    pub map_name: String,
    /// The story step shown (0-based), or `None` when no step is presented.
    pub step: Option<usize>,
    /// The most event streams open at once; more are answered 503.
    pub max_participants: usize,
    /// Called (on the room's thread) whenever a comment arrives, e.g. egui's `request_repaint`.
    pub notify: Option<Box<dyn Fn() + Send + Sync>>,
}

impl RoomConfig {
    /// A room for `map` at `addr`, with no step shown, [`DEFAULT_MAX_PARTICIPANTS`] and no
    /// notification.
    pub fn new(addr: SocketAddr, bundle: WebBundle, map: Vec<u8>, map_name: impl Into<String>) -> Self {
        Self {
            addr,
            bundle,
            map,
            map_name: map_name.into(),
            step: None,
            max_participants: DEFAULT_MAX_PARTICIPANTS,
            notify: None,
        }
    }
}

/// What a participant thinks of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomStance {
    /// Agrees.
    Agree,
    /// Disagrees.
    Disagree,
    /// Is not sure.
    Unsure,
}

impl RoomStance {
    /// The memo's stance it becomes.
    pub fn stance(self) -> crate::model::Stance {
        match self {
            Self::Agree => crate::model::Stance::Agree,
            Self::Disagree => crate::model::Stance::Disagree,
            Self::Unsure => crate::model::Stance::Unsure,
        }
    }

    /// The word for it, as sent.
    pub fn word(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Disagree => "disagree",
            Self::Unsure => "unsure",
        }
    }
}

/// A participant's comment on an item of the map, checked for form (not that the item exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomComment {
    /// The name the participant chose: 1 to 40 characters, trimmed, without control characters.
    pub pseudonym: String,
    /// The item commented on.
    pub item: ItemRef,
    /// Agree, disagree or unsure, if said.
    pub stance: Option<RoomStance>,
    /// The comment, at most 1000 characters, trimmed; control characters other than line breaks
    /// removed. Empty only with a stance.
    pub text: String,
    /// The address it came from.
    pub from: IpAddr,
}

impl RoomComment {
    /// The comment as a memo on its item, with `id`, written at `written_at` (what the app and
    /// `qualmap serve -o` keep of it).
    pub fn memo(&self, id: crate::model::MemoId, written_at: String) -> crate::model::Memo {
        crate::model::Memo {
            id,
            item: self.item,
            author: self.pseudonym.clone(),
            stance: self.stance.map(RoomStance::stance),
            text: self.text.clone(),
            written_at,
        }
    }
}

/// A running room. Stops (ending every stream with `event: end`) when stopped or dropped.
pub struct Room {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    url: String,
    local_url: String,
    comments: Mutex<std_mpsc::Receiver<RoomComment>>,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Room {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Room").field("local_addr", &self.local_addr).finish_non_exhaustive()
    }
}

impl Room {
    /// Starts serving: binds the address, prepares the page and starts the room's thread.
    /// Fails when the address cannot be bound, the bundle's page has no
    /// `<canvas id="qualmap_canvas">`, or the system has no random source.
    pub fn start(config: RoomConfig) -> anyhow::Result<Room> {
        let RoomConfig { addr, bundle, map, map_name, step, max_participants, notify } = config;
        if max_participants == 0 {
            bail!("a room needs room for at least one participant");
        }
        let files = Files::from_bundle(bundle)?;
        let token = new_token()?;
        let listener = std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (comments_tx, comments_rx) = std_mpsc::sync_channel(COMMENT_QUEUE);
        let shared = Arc::new(Shared {
            token: token.clone(),
            files,
            map_disposition: disposition(&map_name),
            state: Mutex::new(State { step, map: Bytes::from(map), revision: 0, streams: Vec::new(), ended: false }),
            participants: AtomicUsize::new(0),
            max_participants,
            connections: AtomicUsize::new(0),
            comments: comments_tx,
            notify,
            rates: Mutex::new(RateLimits::default()),
            started: Instant::now(),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let max_connections = max_participants.saturating_mul(3).saturating_add(64);
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("qualmap-room".to_owned())
            .spawn(move || runtime.block_on(serve(listener, serving, shutdown_rx, max_connections)))
            .context("cannot start the room's thread")?;
        let url = format!("http://{}/r/{token}/", SocketAddr::new(public_ip(local_addr.ip()), local_addr.port()));
        let local_url =
            format!("http://{}/r/{token}/", SocketAddr::new(loopback_for(local_addr.ip()), local_addr.port()));
        Ok(Room {
            shared,
            local_addr,
            url,
            local_url,
            comments: Mutex::new(comments_rx),
            shutdown,
            thread: Some(thread),
        })
    }

    /// The address participants open: `http://HOST:PORT/r/TOKEN/`, HOST this machine's address
    /// on the local network when listening on all of them (127.0.0.1 when it has none).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The same address through the loopback interface (for this machine's own browser).
    pub fn local_url(&self) -> String {
        self.local_url.clone()
    }

    /// The address and port listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Shows story step `step` (0-based) to every participant, or none; nothing is sent when it
    /// is the step already shown.
    pub fn set_step(&self, step: Option<usize>) {
        let mut state = self.shared.state();
        if state.ended || state.step == step {
            return;
        }
        state.step = step;
        state.broadcast(step_event(step));
    }

    /// The step shown.
    pub fn step(&self) -> Option<usize> {
        self.shared.state().step
    }

    /// Replaces the map participants see (its `.qualmap` bytes); they are told to fetch it again
    /// (`event: map` with the new revision). Nothing happens when the bytes are the same.
    pub fn set_map(&self, map: Vec<u8>) {
        let mut state = self.shared.state();
        if state.ended || state.map == map {
            return;
        }
        state.map = Bytes::from(map);
        state.revision += 1;
        let event = format!("event: map\ndata: {{\"revision\":{}}}\n\n", state.revision);
        state.broadcast(Bytes::from(event));
    }

    /// How many times the map was replaced.
    pub fn revision(&self) -> u64 {
        self.shared.state().revision
    }

    /// Open event streams: the participants following the presentation.
    pub fn participants(&self) -> usize {
        self.shared.participants.load(Ordering::SeqCst)
    }

    /// The comments that arrived since the last call, oldest first; never waits.
    pub fn comments(&self) -> impl Iterator<Item = RoomComment> + '_ {
        std::iter::from_fn(move || lock(&self.comments).try_recv().ok())
    }

    /// Stops serving: every stream gets `event: end`, connections close (after at most two
    /// seconds for streams that do not take it) and the room's thread is joined.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let Some(thread) = self.thread.take() else { return };
        {
            let mut state = self.shared.state();
            state.ended = true;
            state.broadcast(Bytes::from_static(END));
            state.streams.clear();
        }
        self.shutdown.send_replace(true);
        let _ = thread.join();
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The QR code of `text`: its width in modules and whether each is dark, row by row (no quiet
/// zone: leave four modules' width of light around it). Error correction level M.
pub fn qr_modules(text: &str) -> anyhow::Result<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .with_context(|| format!("cannot make a QR code of {text:?}"))?;
    let width = code.width();
    let modules = code.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok((width, modules))
}

/// The QR code of `text` drawn with Unicode half blocks, two rows of modules a line, with its
/// quiet zone. With `ansi`, each line is coloured black on white so it reads the same on dark
/// and light terminals; without, dark modules are the drawn blocks (for paper and light
/// backgrounds).
pub fn qr_text(text: &str, ansi: bool) -> anyhow::Result<String> {
    const QUIET: usize = 4;
    let (width, modules) = qr_modules(text)?;
    let size = width + 2 * QUIET;
    let dark = |x: usize, y: usize| {
        x >= QUIET
            && y >= QUIET
            && x < QUIET + width
            && y < QUIET + width
            && modules.get((y - QUIET) * width + (x - QUIET)).copied().unwrap_or(false)
    };
    let mut out = String::new();
    for y in (0..size).step_by(2) {
        if ansi {
            out.push_str("\x1b[30;107m");
        }
        for x in 0..size {
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if ansi {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    Ok(out)
}

/// What every connection's handler shares with the [`Room`].
struct Shared {
    token: String,
    files: Files,
    map_disposition: HeaderValue,
    state: Mutex<State>,
    participants: AtomicUsize,
    max_participants: usize,
    connections: AtomicUsize,
    comments: std_mpsc::SyncSender<RoomComment>,
    notify: Option<Box<dyn Fn() + Send + Sync>>,
    rates: Mutex<RateLimits>,
    started: Instant,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// What changes while the room runs.
struct State {
    step: Option<usize>,
    map: Bytes,
    revision: u64,
    /// One sender per open event stream.
    streams: Vec<mpsc::Sender<Bytes>>,
    ended: bool,
}

impl State {
    /// Queues `event` on every stream; a stream that is gone or has fallen [`EVENT_QUEUE`]
    /// events behind is dropped (its response ends after what it has queued, and the browser
    /// reconnects to the current state).
    fn broadcast(&mut self, event: Bytes) {
        self.streams.retain(|stream| stream.try_send(event.clone()).is_ok());
    }
}

/// The bundle's files, ready to send.
struct Files {
    index: Bytes,
    script: Bytes,
    wasm: Bytes,
    /// By name within `fonts/`: bytes and content type.
    fonts: BTreeMap<String, (Bytes, &'static str)>,
}

impl Files {
    fn from_bundle(bundle: WebBundle) -> anyhow::Result<Files> {
        let mut files = bundle.into_files();
        let mut take = |name: &str| files.remove(name).with_context(|| format!("the browser build has no {name}"));
        let index = String::from_utf8(take("index.html")?).context("the browser build's index.html is not UTF-8")?;
        let index = room_page(&index)?;
        let script = Bytes::from(take("qualmap.js")?);
        let wasm = Bytes::from(take("qualmap_bg.wasm")?);
        let fonts = files
            .into_iter()
            .filter_map(|(name, bytes)| {
                let font = name.strip_prefix("fonts/")?.to_owned();
                let kind = font_type(&font)?;
                Some((font, (Bytes::from(bytes), kind)))
            })
            .collect();
        Ok(Files { index: Bytes::from(index), script, wasm, fonts })
    }
}

/// The content type of a file in `fonts/`, or `None` for a name it does not serve.
fn font_type(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext.to_ascii_lowercase().as_str() {
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "ttc" => "font/collection",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// The viewer's page with its canvas pointed at the room: `data-map="map.qualmap"` and
/// `data-room="."` (replacing any the tag had), the tag's other attributes kept.
fn room_page(html: &str) -> anyhow::Result<String> {
    crate::web_bundle::point_canvas(html, &[("data-map", "map.qualmap"), ("data-room", ".")])
}

/// `inline` with the file name, encoded as RFC 8187 asks.
fn disposition(name: &str) -> HeaderValue {
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&format!("inline; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"))
}

/// 128 random bits from the operating system, as 32 hexadecimal digits.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random numbers from the system: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The address others reach this machine at when listening on `ip`: `ip` itself, or for all
/// addresses the one on the local network (found by connecting a UDP socket, which sends
/// nothing), else the loopback.
fn public_ip(ip: IpAddr) -> IpAddr {
    if !ip.is_unspecified() {
        return ip;
    }
    let probe = |bind: SocketAddr, target: SocketAddr| -> Option<IpAddr> {
        let socket = UdpSocket::bind(bind).ok()?;
        socket.connect(target).ok()?;
        let local = socket.local_addr().ok()?.ip();
        (!local.is_unspecified() && !local.is_loopback()).then_some(local)
    };
    // Documentation addresses (RFC 5737, RFC 3849): routed like any other, never reached.
    let v4 = || probe((Ipv4Addr::UNSPECIFIED, 0).into(), (Ipv4Addr::new(192, 0, 2, 1), 9).into());
    let v6 = || probe((Ipv6Addr::UNSPECIFIED, 0).into(), (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9).into());
    match ip {
        IpAddr::V4(_) => v4().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        IpAddr::V6(_) => v6().or_else(v4).unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    }
}

/// The loopback address of `ip`'s family when listening on all addresses, else `ip`.
fn loopback_for(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        _ => ip,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The room's thread: accepts connections until told to stop, then waits (at most [`GRACE`])
/// for them to finish.
async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    max_connections: usize,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let watched: Arc<Mutex<HashMap<u64, Watched>>> = Arc::default();
    tokio::spawn(watchdog(Arc::clone(&watched), Arc::clone(&shared)));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BUFFER)
        .max_headers(MAX_HEADERS);
    let builder = Arc::new(builder);
    let mut next_id = 0u64;
    loop {
        // Past the limit, connections wait in the system's queue until one closes.
        let slot = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        next_id += 1;
        let progress = Arc::new(Progress::default());
        lock(&watched).insert(next_id, Watched { progress: Arc::clone(&progress), abort: None });
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let guard =
            ConnectionGuard { id: next_id, watched: Arc::clone(&watched), shared: Arc::clone(&shared), _slot: slot };
        let io = WatchedStream { stream, progress, shared: Arc::clone(&shared) };
        let task =
            tokio::spawn(connection(io, peer, Arc::clone(&shared), Arc::clone(&builder), shutdown.clone(), guard));
        if let Some(entry) = lock(&watched).get_mut(&next_id) {
            entry.abort = Some(task.abort_handle());
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async {
        while shared.connections.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

/// One connection, served until it closes or the room stops (then it finishes the response
/// under way and closes).
async fn connection(
    io: WatchedStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    builder: Arc<http1::Builder>,
    mut shutdown: watch::Receiver<bool>,
    _guard: ConnectionGuard,
) {
    // Events are a few bytes each: send them at once rather than wait to fill a packet.
    let _ = io.stream.set_nodelay(true);
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(respond(&shared, request, peer).await) }
    });
    let connection = builder.serve_connection(TokioIo::new(io), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// A connection the watchdog looks after.
struct Watched {
    progress: Arc<Progress>,
    abort: Option<AbortHandle>,
}

/// Since when (milliseconds since the room started, plus one; 0: not) the connection has been
/// waiting to write.
#[derive(Default)]
struct Progress {
    stalled_since: AtomicU64,
}

/// Counts a connection while it lives and frees its slot after.
struct ConnectionGuard {
    id: u64,
    watched: Arc<Mutex<HashMap<u64, Watched>>>,
    shared: Arc<Shared>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        lock(&self.watched).remove(&self.id);
        self.shared.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Closes connections whose client has not taken any of a response for [`WRITE_STALL`].
async fn watchdog(watched: Arc<Mutex<HashMap<u64, Watched>>>, shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let stall = u64::try_from(WRITE_STALL.as_millis()).unwrap_or(u64::MAX);
    loop {
        tick.tick().await;
        let now = shared.millis();
        let stalled: Vec<AbortHandle> = lock(&watched)
            .values()
            .filter(|w| {
                let since = w.progress.stalled_since.load(Ordering::Relaxed);
                since != 0 && now.saturating_sub(since - 1) >= stall
            })
            .filter_map(|w| w.abort.clone())
            .collect();
        for task in stalled {
            task.abort();
        }
    }
}

/// A connection's socket that notes when writing to it stalls.
struct WatchedStream {
    stream: TcpStream,
    progress: Arc<Progress>,
    shared: Arc<Shared>,
}

impl WatchedStream {
    fn note<T>(&self, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match &poll {
            Poll::Pending => {
                let now = self.shared.millis() + 1;
                let _ = self.progress.stalled_since.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
            }
            Poll::Ready(_) => self.progress.stalled_since.store(0, Ordering::Relaxed),
        }
        poll
    }
}

impl AsyncRead for WatchedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WatchedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.note(poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.note(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A response's body: bytes known in full, or an event stream.
enum RoomBody {
    Full(Option<Bytes>),
    Events(Box<EventStream>),
}

impl Body for RoomBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            RoomBody::Full(bytes) => Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(|b| Ok(Frame::data(b)))),
            RoomBody::Events(events) => events.poll_event(cx).map(|event| event.map(|e| Ok(Frame::data(e)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, RoomBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RoomBody::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            RoomBody::Events(_) => SizeHint::default(),
        }
    }
}

/// One participant's event stream: the step when it opened, then what is broadcast, with a
/// keep-alive comment when idle.
struct EventStream {
    first: Option<Bytes>,
    events: mpsc::Receiver<Bytes>,
    ping: tokio::time::Interval,
    _participant: Participant,
}

impl EventStream {
    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(first));
        }
        if let Poll::Ready(event) = self.events.poll_recv(cx) {
            return Poll::Ready(event);
        }
        if self.ping.poll_tick(cx).is_ready() {
            return Poll::Ready(Some(Bytes::from_static(PING)));
        }
        Poll::Pending
    }
}

/// Counts an open event stream.
struct Participant(Arc<Shared>);

impl Drop for Participant {
    fn drop(&mut self) {
        self.0.participants.fetch_sub(1, Ordering::SeqCst);
    }
}

fn step_event(step: Option<usize>) -> Bytes {
    let step = step.map_or_else(|| "null".to_owned(), |s| s.to_string());
    Bytes::from(format!("event: step\ndata: {{\"step\":{step}}}\n\n"))
}

/// Tokens of equal length compared in constant time.
fn same_token(given: &str, token: &str) -> bool {
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Answers one request.
async fn respond(shared: &Arc<Shared>, request: Request<Incoming>, peer: SocketAddr) -> Response<RoomBody> {
    let path = request.uri().path();
    let Some((token, route)) = path.strip_prefix("/r/").and_then(|rest| rest.split_once('/')) else {
        return not_found();
    };
    if !same_token(token, &shared.token) {
        return not_found();
    }
    let files = &shared.files;
    let cached = |bytes: &Bytes, kind: &'static str| {
        let mut response = full(StatusCode::OK, kind, bytes.clone());
        // The address holds the room's token, so what is behind it cannot change.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
        response
    };
    match (request.method(), route) {
        (&Method::GET, "") => {
            let mut response = full(StatusCode::OK, "text/html; charset=utf-8", files.index.clone());
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        (&Method::GET, "qualmap.js") => cached(&files.script, "text/javascript; charset=utf-8"),
        (&Method::GET, "qualmap_bg.wasm") => cached(&files.wasm, "application/wasm"),
        (&Method::GET, "map.qualmap") => {
            let map = shared.state().map.clone();
            let mut response = full(StatusCode::OK, "application/json", map);
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::CONTENT_DISPOSITION, shared.map_disposition.clone());
            response
        }
        (&Method::GET, "events") => events(shared),
        (&Method::POST, "comment") => comment(shared, request, peer).await,
        (&Method::GET, route) => match route.strip_prefix("fonts/").and_then(|name| files.fonts.get(name)) {
            Some((bytes, kind)) => cached(bytes, kind),
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// Opens an event stream, or 503 when the room is full or ending.
fn events(shared: &Arc<Shared>) -> Response<RoomBody> {
    let mut state = shared.state();
    if state.ended {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the room has closed");
    }
    if shared.participants.load(Ordering::SeqCst) >= shared.max_participants {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the room is full");
    }
    shared.participants.fetch_add(1, Ordering::SeqCst);
    let participant = Participant(Arc::clone(shared));
    let (sender, events) = mpsc::channel(EVENT_QUEUE);
    state.streams.retain(|s| !s.is_closed());
    state.streams.push(sender);
    let first = Some(step_event(state.step));
    drop(state);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stream = EventStream { first, events, ping, _participant: participant };
    let mut response = Response::new(RoomBody::Events(Box::new(stream)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Takes a comment: rate-limited by address, its body bounded in size and time, checked, and
/// queued for the app (204), or refused with the reason.
async fn comment(shared: &Arc<Shared>, request: Request<Incoming>, peer: SocketAddr) -> Response<RoomBody> {
    if let Err(wait) = lock(&shared.rates).take(peer.ip(), Instant::now()) {
        let mut response = plain(StatusCode::TOO_MANY_REQUESTS, "too many comments: wait a moment");
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let too_large = || plain(StatusCode::PAYLOAD_TOO_LARGE, format!("a comment is at most {MAX_COMMENT_BYTES} bytes"));
    if request.body().size_hint().lower() > MAX_COMMENT_BYTES as u64 {
        return too_large();
    }
    let body = match tokio::time::timeout(BODY_TIMEOUT, read_body(request.into_body(), MAX_COMMENT_BYTES)).await {
        Err(_) => return plain(StatusCode::REQUEST_TIMEOUT, "the comment took too long to arrive"),
        Ok(Err(ReadError::TooLarge)) => return too_large(),
        Ok(Err(ReadError::Broken)) => return plain(StatusCode::BAD_REQUEST, "the comment arrived broken"),
        Ok(Ok(body)) => body,
    };
    let comment = match parse_comment(&body, peer.ip()) {
        Ok(comment) => comment,
        Err(reason) => return plain(StatusCode::BAD_REQUEST, reason),
    };
    match shared.comments.try_send(comment) {
        Ok(()) => {
            if let Some(notify) = &shared.notify {
                notify();
            }
            let mut response = Response::new(RoomBody::Full(None));
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "the presenter cannot take comments just now"),
    }
}

enum ReadError {
    TooLarge,
    Broken,
}

/// A request body of at most `limit` bytes.
async fn read_body(mut body: Incoming, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| ReadError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(ReadError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// A comment as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentBody {
    pseudonym: String,
    item: ItemRef,
    #[serde(default)]
    stance: Option<RoomStance>,
    #[serde(default)]
    text: Option<String>,
}

/// A comment's body checked, or why it is refused.
fn parse_comment(body: &[u8], from: IpAddr) -> Result<RoomComment, String> {
    let sent: CommentBody = serde_json::from_slice(body).map_err(|e| format!("not a comment: {e}"))?;
    let pseudonym = clean(&sent.pseudonym, false);
    let chars = pseudonym.chars().count();
    if chars == 0 {
        return Err("a pseudonym is needed".to_owned());
    }
    if chars > MAX_PSEUDONYM_CHARS {
        return Err(format!("a pseudonym is at most {MAX_PSEUDONYM_CHARS} characters"));
    }
    let text = clean(sent.text.as_deref().unwrap_or_default(), true);
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("a comment is at most {MAX_TEXT_CHARS} characters"));
    }
    if text.is_empty() && sent.stance.is_none() {
        return Err("say agree, disagree or unsure, or write a comment".to_owned());
    }
    Ok(RoomComment { pseudonym, item: sent.item, stance: sent.stance, text, from })
}

/// `text` without control characters (tabs become spaces; line breaks stay if `lines`), trimmed.
fn clean(text: &str, lines: bool) -> String {
    let kept: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' if lines => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    kept.trim().to_owned()
}

/// Comments allowed per address: a burst, then a steady trickle.
#[derive(Default)]
struct RateLimits {
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

impl RateLimits {
    /// Takes one comment's allowance for `ip`, or says how long until there is one.
    fn take(&mut self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let refill = |(tokens, since): (f64, Instant)| {
            (tokens + now.saturating_duration_since(since).as_secs_f64() / RATE_EVERY.as_secs_f64()).min(RATE_BURST)
        };
        if !self.buckets.contains_key(&ip) && self.buckets.len() >= MAX_RATED_ADDRESSES {
            // Forget the addresses that are back to a full allowance.
            self.buckets.retain(|_, bucket| refill(*bucket) < RATE_BURST);
            if self.buckets.len() >= MAX_RATED_ADDRESSES {
                return Err(RATE_EVERY);
            }
        }
        let bucket = self.buckets.entry(ip).or_insert((RATE_BURST, now));
        let tokens = refill(*bucket);
        if tokens >= 1.0 {
            *bucket = (tokens - 1.0, now);
            Ok(())
        } else {
            *bucket = (tokens, now);
            Err(RATE_EVERY.mul_f64(1.0 - tokens))
        }
    }
}

fn full(status: StatusCode, kind: &'static str, bytes: Bytes) -> Response<RoomBody> {
    let mut response = Response::new(RoomBody::Full(Some(bytes)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn plain(status: StatusCode, message: impl Into<String>) -> Response<RoomBody> {
    let mut response = full(status, "text/plain; charset=utf-8", Bytes::from(message.into() + "\n"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn not_found() -> Response<RoomBody> {
    plain(StatusCode::NOT_FOUND, "not found")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests stop loudly")]

    use super::*;

    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn the_page_points_its_canvas_at_the_room_keeping_its_other_attributes() {
        let page = "<body>\n<canvas class=x id=\"qualmap_canvas\" data-map='other.qualmap' hidden></canvas>\n</body>";
        assert_eq!(
            room_page(page).unwrap(),
            "<body>\n<canvas class=x id=\"qualmap_canvas\" hidden data-map=\"map.qualmap\" data-room=\".\"></canvas>\n</body>"
        );
        let shipped = include_str!("../web/index.html");
        let served = room_page(shipped).unwrap();
        assert!(served.contains("<canvas id=\"qualmap_canvas\" data-map=\"map.qualmap\" data-room=\".\">"), "{served}");
        assert_eq!(served.len(), shipped.len() + " data-room=\".\"".len());
        // Another canvas first, and a tag whose name only starts with "canvas", are passed over.
        let two = "<canvasx id=\"qualmap_canvas\"><canvas id=\"a\"><CANVAS ID=\"qualmap_canvas\">";
        assert_eq!(
            room_page(two).unwrap(),
            "<canvasx id=\"qualmap_canvas\"><canvas id=\"a\"><canvas ID=\"qualmap_canvas\" data-map=\"map.qualmap\" data-room=\".\">"
        );
        assert!(room_page("<canvas id=\"other\"></canvas>").is_err());
        assert!(room_page("<canvas id=\"qualmap_canvas\"").is_err());
    }

    #[test]
    fn comments_are_checked_and_cleaned() {
        let ok = parse_comment(
            br#"{"pseudonym":"  An\u0007a ","item":{"concept":12},"stance":"agree","text":" Yes,\r\nand\tno \u001b[31m "}"#,
            LOCAL,
        )
        .unwrap();
        assert_eq!(ok.pseudonym, "Ana");
        assert_eq!(ok.item, ItemRef::Concept(crate::model::ConceptId(12)));
        assert_eq!(ok.stance, Some(RoomStance::Agree));
        assert_eq!(ok.text, "Yes,\nand no [31m");
        let stance_only =
            parse_comment(br#"{"pseudonym":"B","item":{"relationship":3},"stance":"unsure"}"#, LOCAL).unwrap();
        assert_eq!((stance_only.text.as_str(), stance_only.stance), ("", Some(RoomStance::Unsure)));
        let text_only =
            parse_comment(br#"{"pseudonym":"B","item":{"area":1},"stance":null,"text":"hm"}"#, LOCAL).unwrap();
        assert_eq!(text_only.stance, None);
        // Characters, not bytes: forty Devanagari letters are a pseudonym, forty-one are not.
        let name = |n: usize| "क".repeat(n);
        let body = |name: &str| format!(r#"{{"pseudonym":"{name}","item":{{"area":1}},"stance":"agree"}}"#);
        assert!(parse_comment(body(&name(40)).as_bytes(), LOCAL).is_ok());
        let long = parse_comment(body(&name(41)).as_bytes(), LOCAL).unwrap_err();
        assert!(long.contains("at most 40"), "{long}");
        let text = |n: usize| format!(r#"{{"pseudonym":"B","item":{{"area":1}},"text":"{}"}}"#, "é".repeat(n));
        assert!(parse_comment(text(1000).as_bytes(), LOCAL).is_ok());
        assert!(parse_comment(text(1001).as_bytes(), LOCAL).unwrap_err().contains("at most 1000"));
        for (bad, why) in [
            (r#"{"pseudonym":" \u0001 ","item":{"area":1},"stance":"agree"}"#, "pseudonym is needed"),
            (r#"{"pseudonym":"B","item":{"area":1}}"#, "say agree"),
            (r#"{"pseudonym":"B","item":{"area":1},"text":"  "}"#, "say agree"),
            (r#"{"pseudonym":"B","item":{"area":1},"stance":"maybe"}"#, "unknown variant `maybe`"),
            (r#"{"pseudonym":"B","item":{"excerpt":1},"stance":"agree"}"#, "unknown variant `excerpt`"),
            (r#"{"pseudonym":"B","stance":"agree"}"#, "missing field `item`"),
            (r#"{"pseudonym":"B","item":{"area":1},"stance":"agree","x":1}"#, "unknown field `x`"),
            ("not json", "not a comment"),
        ] {
            let err = parse_comment(bad.as_bytes(), LOCAL).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn an_address_may_send_a_burst_then_one_comment_every_two_seconds() {
        let mut rates = RateLimits::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(rates.take(LOCAL, start).is_ok());
        }
        let wait = rates.take(LOCAL, start).unwrap_err();
        assert!(wait > Duration::from_millis(1900) && wait <= RATE_EVERY, "{wait:?}");
        // Another address has its own allowance.
        assert!(rates.take(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), start).is_ok());
        assert!(rates.take(LOCAL, start + Duration::from_millis(1000)).is_err());
        assert!(rates.take(LOCAL, start + Duration::from_millis(2100)).is_ok());
        assert!(rates.take(LOCAL, start + Duration::from_millis(2200)).is_err());
        assert!(rates.take(LOCAL, start + Duration::from_millis(4200)).is_ok());
    }

    #[test]
    fn the_qr_code_in_half_blocks_holds_every_module() {
        let url = "http://192.168.1.23:45678/r/0123456789abcdef0123456789abcdef/";
        let (width, modules) = qr_modules(url).unwrap();
        assert_eq!(modules.len(), width * width);
        assert!(width >= 21 && (width - 21) % 4 == 0, "{width}");
        // The three finder patterns: a dark 7×7 ring around a light ring around a dark 3×3.
        for (x0, y0) in [(0, 0), (width - 7, 0), (0, width - 7)] {
            for y in 0..7 {
                for x in 0..7 {
                    let ring = x.min(y).min(6 - x).min(6 - y);
                    assert_eq!(modules[(y0 + y) * width + x0 + x], ring != 1, "finder at {x0},{y0}: {x},{y}");
                }
            }
        }
        let text = qr_text(url, false).unwrap();
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let size = width + 8;
        assert_eq!(lines.len(), size.div_ceil(2));
        for y in 0..size {
            for x in 0..size {
                let c = lines[y / 2][x];
                let drawn = if y % 2 == 0 { matches!(c, '█' | '▀') } else { matches!(c, '█' | '▄') };
                let inside = (4..4 + width).contains(&x) && (4..4 + width).contains(&y);
                let dark = inside && modules[(y - 4) * width + (x - 4)];
                assert_eq!(drawn, dark, "module {x},{y}");
            }
        }
        let coloured = qr_text(url, true).unwrap();
        assert!(coloured.lines().all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m")));
    }

    #[test]
    fn a_room_can_be_kept_and_used_from_any_thread() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Room>();
        send_and_sync::<RoomComment>();
        fn send<T: Send>() {}
        send::<RoomConfig>();
    }

    #[test]
    fn the_map_is_offered_under_its_name_encoded() {
        assert_eq!(disposition("Study map.qualmap"), "inline; filename*=UTF-8''Study%20map.qualmap");
        assert_eq!(disposition("é\"\n"), "inline; filename*=UTF-8''%C3%A9%22%0A");
    }

    #[test]
    fn tokens_are_128_random_bits_and_compared_whole() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a[..31], &a));
    }
}
