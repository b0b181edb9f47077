//! A participant of the workshop room as the room's tests and benchmark drive it: plain HTTP/1.1
//! over std's `TcpStream` (no browser), and a small browser build to serve.

#![allow(dead_code, reason = "the tests and the benchmark each use their own part of this module")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test client stops loudly")]

use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use qualmap::web_bundle::WebBundle;

/// The WebAssembly served by [`bundle`].
pub const WASM: &[u8] = b"\0asm\x01\0\0\0 not really a program";
/// The font served by [`bundle`].
pub const FONT: &[u8] = b"\0\x01\0\0 font bytes";

/// Writes a small browser build into `dir` (with a file beside it that must never be served)
/// and loads it.
pub fn bundle(dir: &Path) -> WebBundle {
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html>\n<html><body>\n<canvas id=\"qualmap_canvas\" data-map=\"map.qualmap\"></canvas>\n\
         <script type=\"module\">import init from \"./qualmap.js\";</script>\n</body></html>\n",
    )
    .unwrap();
    std::fs::write(dir.join("qualmap.js"), "export default async function init() {}\n").unwrap();
    std::fs::write(dir.join("qualmap_bg.wasm"), WASM).unwrap();
    std::fs::write(dir.join("fonts/Test-Regular.ttf"), FONT).unwrap();
    std::fs::write(dir.join("fonts/OFL.txt"), "SIL Open Font License").unwrap();
    std::fs::write(dir.join("secret.txt"), "SECRET beside the bundle").unwrap();
    WebBundle::load(dir).unwrap()
}

/// Runs `work` on a thread named `name`.
pub fn spawn<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> std::thread::JoinHandle<T> {
    std::thread::Builder::new().name(name.to_owned()).spawn(work).expect("a thread")
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    Ok(stream)
}

/// Sends `raw` as it is and reads the response (the server closes after it, or the request
/// asked it to).
pub fn raw(addr: SocketAddr, raw: &[u8]) -> io::Result<Reply> {
    let mut stream = connect(addr)?;
    stream.write_all(raw)?;
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader)?;
    // The answer to HEAD has the headers of a body, and none.
    let body = if raw.starts_with(b"HEAD ") { Vec::new() } else { read_body(&mut reader, &headers)? };
    Ok(Reply { status, headers, body })
}

/// `GET path` (the path exactly as given, not normalised).
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    raw(addr, format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).unwrap()
}

/// `METHOD path` with `body`.
pub fn send(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> Reply {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    raw(addr, &request).unwrap()
}

/// The path of `route` in the room at `url` (`http://HOST:PORT/r/TOKEN/`).
pub fn path_of(url: &str, route: &str) -> String {
    let at = url.find("/r/").expect("a room URL");
    format!("{}{route}", &url[at..])
}

fn read_head(reader: &mut BufReader<TcpStream>) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Ok((status, headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked"))
}

fn read_body(reader: &mut BufReader<TcpStream>, headers: &[(String, String)]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if is_chunked(headers) {
        while let Some(chunk) = read_chunk(reader)? {
            body.extend_from_slice(&chunk);
        }
    } else if let Some(length) =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.parse().ok())
    {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(body)
}

/// One chunk of a chunked body; `None` at its end.
fn read_chunk(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Vec<u8>>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let size = usize::from_str_radix(line.trim(), 16)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("chunk size {line:?}")))?;
    let mut chunk = vec![0; size];
    reader.read_exact(&mut chunk)?;
    let mut crlf = [0; 2];
    reader.read_exact(&mut crlf)?;
    Ok((size > 0).then_some(chunk))
}

/// A server-sent event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

/// A participant's open event stream.
pub struct Events {
    reader: BufReader<TcpStream>,
    pending: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Keep-alive comments seen.
    pub pings: usize,
}

impl Events {
    /// Opens the stream at `path`.
    pub fn open(addr: SocketAddr, path: &str) -> io::Result<Events> {
        let mut stream = connect(addr)?;
        stream.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").as_bytes(),
        )?;
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader)?;
        Ok(Events { reader, pending: String::new(), status, headers, pings: 0 })
    }

    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The next event (keep-alive comments counted and passed over), or `None` when the stream
    /// ended.
    pub fn next(&mut self) -> io::Result<Option<Event>> {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let mut event = Event { name: "message".to_owned(), data: String::new() };
                let mut comment = true;
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event: ") {
                        event.name = name.to_owned();
                        comment = false;
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        event.data = data.to_owned();
                        comment = false;
                    }
                }
                if comment {
                    self.pings += 1;
                    continue;
                }
                return Ok(Some(event));
            }
            match read_chunk(&mut self.reader)? {
                Some(chunk) => self.pending.push_str(&String::from_utf8_lossy(&chunk)),
                None => return Ok(None),
            }
        }
    }

    /// The next event's data, expecting it to be named `name`.
    pub fn expect(&mut self, name: &str) -> String {
        let event = self.next().unwrap().unwrap_or_else(|| panic!("the stream ended before an event {name:?}"));
        assert_eq!(event.name, name, "{event:?}");
        event.data
    }
}
