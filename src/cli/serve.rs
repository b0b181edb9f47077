//! `qualmap serve`: the workshop room without the window. Serves the map and the browser viewer
//! to the local network (see `crate::room`), prints the address and its QR code, steps through
//! the story as lines typed on standard input say, and prints participants' comments.

use std::io::{self, BufRead as _, IsTerminal as _, Read as _, Write};
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context as _, bail};

use crate::command::Command;
use crate::model::{Document, ItemRef, io as map_io};
use crate::room::{Room, RoomComment, RoomConfig, qr_text};
use crate::web_bundle::WebBundle;

/// Options of `qualmap serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The .qualmap file to present.
    pub map: PathBuf,
    /// Where to listen, HOST:PORT: 0.0.0.0 serves every network this machine is on (the room's
    /// participants), 127.0.0.1 this machine only; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "0.0.0.0:0")]
    pub addr: String,
    /// The browser build to serve; without it, $QUALMAP_WEB, a `web` folder beside the program,
    /// or target/qualmap-web in Qualmap's source tree (`web/build.sh` makes it).
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
    /// Take each comment into the map as a memo on its item (under the participant's pseudonym)
    /// and save the map here after each one; without it comments are only printed. May be the
    /// map itself.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What the presenter's loop waits for.
enum Input {
    /// A line typed.
    Line(String),
    /// Standard input ended.
    End,
    /// A comment arrived in the room.
    Comment,
}

/// `qualmap serve`: 0 when stopped normally, 2 on error.
pub fn serve(args: &ServeArgs) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let addr = resolve(&args.addr)?;
    let (bytes, mut doc) = load(&args.map)?;
    let bundle_dir = WebBundle::find(args.web.as_deref())?;
    let bundle = WebBundle::load(&bundle_dir)?;
    let map_name = args.map.file_name().map_or_else(|| "map.qualmap".to_owned(), |n| n.to_string_lossy().into_owned());
    let (inputs, waiting) = mpsc::channel();
    let comments = inputs.clone();
    let mut config = RoomConfig::new(addr, bundle, bytes, map_name.clone());
    config.step = (!doc.story.is_empty()).then_some(0);
    config.notify = Some(Box::new(move || {
        let _ = comments.send(Input::Comment);
    }));
    let room = Room::start(config)?;
    std::thread::Builder::new()
        .name("qualmap-serve-stdin".to_owned())
        .spawn(move || {
            for line in io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if inputs.send(Input::Line(line)).is_err() {
                    return;
                }
            }
            let _ = inputs.send(Input::End);
        })
        .context("cannot read standard input")?;
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let title = if doc.info.title.is_empty() { map_name.clone() } else { doc.info.title.clone() };
    writeln!(out, "Qualmap room for {} ({map_name}), {}", quoted(&title), steps_phrase(doc.story.len()))?;
    writeln!(out, "Participants open:\n  {}", room.url())?;
    if addr.ip().is_loopback() {
        writeln!(out, "(only this machine can: --addr 0.0.0.0:PORT serves the local network)")?;
    }
    write!(out, "{}", qr_text(&room.url(), terminal)?)?;
    writeln!(out, "{HELP}")?;
    show_step(&mut out, &doc, &room)?;
    present(&room, &mut doc, args.output.as_deref(), &waiting, &mut out)?;
    room.stop();
    writeln!(out, "The room is closed.")?;
    Ok(())
}

const HELP: &str =
    "Type n (or just Enter) for the next step, p for the previous, a step number to go to it, q to stop.";

/// Steps through the story as the lines say and prints comments as they come, until `q` or the
/// end of the input.
fn present(
    room: &Room,
    doc: &mut Document,
    output: Option<&Path>,
    inputs: &mpsc::Receiver<Input>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let steps = doc.story.len();
    while let Ok(input) = inputs.recv() {
        let line = match input {
            Input::Comment => {
                for comment in room.comments() {
                    take_comment(room, doc, output, &comment, out)?;
                }
                continue;
            }
            Input::End => return Ok(()),
            Input::Line(line) => line,
        };
        let command = line.trim().to_lowercase();
        let wanted = match command.as_str() {
            "q" | "quit" | "exit" => return Ok(()),
            "h" | "help" | "?" => {
                writeln!(out, "{HELP}")?;
                continue;
            }
            _ if steps == 0 => {
                writeln!(out, "This map has no story to step through; q stops.")?;
                continue;
            }
            "" | "n" | "next" => match room.step() {
                Some(step) if step + 1 >= steps => {
                    writeln!(out, "That was the last step.")?;
                    continue;
                }
                Some(step) => step + 1,
                None => 0,
            },
            "p" | "prev" | "previous" => match room.step() {
                Some(0) | None => {
                    writeln!(out, "This is the first step.")?;
                    continue;
                }
                Some(step) => step - 1,
            },
            number => match number.parse::<usize>() {
                Ok(n) if (1..=steps).contains(&n) => n - 1,
                Ok(_) => {
                    writeln!(out, "The story has steps 1 to {steps}.")?;
                    continue;
                }
                Err(_) => {
                    writeln!(out, "Unknown command. {HELP}")?;
                    continue;
                }
            },
        };
        room.set_step(Some(wanted));
        show_step(out, doc, room)?;
    }
    Ok(())
}

/// A participant's comment: printed, and with `output`, taken into the map as a memo on its item
/// (under the participant's pseudonym), the map saved there and offered to the room again.
fn take_comment(
    room: &Room,
    doc: &mut Document,
    output: Option<&Path>,
    comment: &RoomComment,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    writeln!(out, "{}", comment_line(doc, comment))?;
    let Some(output) = output else { return Ok(()) };
    if !doc.contains(comment.item) {
        return Ok(());
    }
    let memo = comment.memo(doc.next_memo_id(), crate::model::clock::now());
    Command::AddMemo(memo).apply(doc).map_err(|e| anyhow::anyhow!("the comment could not be kept: {e}"))?;
    map_io::save_path(doc, output)?;
    room.set_map(map_io::to_json(doc).into_bytes());
    Ok(())
}

/// A comment as one line (continued lines of its text indented).
fn comment_line(doc: &Document, comment: &RoomComment) -> String {
    let who = match comment.stance {
        Some(stance) => format!("[{} · {}]", comment.pseudonym, stance.word()),
        None => format!("[{}]", comment.pseudonym),
    };
    let (kind, number) = match comment.item {
        ItemRef::Concept(id) => ("concept", id.0),
        ItemRef::Area(id) => ("area", id.0),
        ItemRef::Relationship(id) => ("relationship", id.0),
    };
    let item = if doc.contains(comment.item) {
        format!("{kind} {}", quoted(&doc.item_label(comment.item)))
    } else {
        format!("{kind} {number} (not in the map)")
    };
    if comment.text.is_empty() {
        format!("{who} {item}")
    } else {
        format!("{who} {item}: {}", comment.text.replace('\n', "\n    "))
    }
}

fn show_step(out: &mut impl Write, doc: &Document, room: &Room) -> io::Result<()> {
    let following = match room.participants() {
        1 => "1 participant following".to_owned(),
        n => format!("{n} participants following"),
    };
    match room.step().and_then(|s| doc.story.get(s).map(|step| (s, step))) {
        Some((s, step)) => {
            writeln!(out, "Step {} of {}: {} ({following})", s + 1, doc.story.len(), quoted(&step.title))
        }
        None => writeln!(out, "Showing the whole map ({following})"),
    }
}

fn steps_phrase(steps: usize) -> String {
    match steps {
        0 => "no story".to_owned(),
        1 => "a story of 1 step".to_owned(),
        n => format!("a story of {n} steps"),
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// HOST:PORT as an address to listen on (a name such as localhost is looked up).
fn resolve(addr: &str) -> anyhow::Result<SocketAddr> {
    let mut found = addr.to_socket_addrs().with_context(|| format!("--addr {addr}: not a HOST:PORT to listen on"))?;
    match found.next() {
        Some(addr) => Ok(addr),
        None => bail!("--addr {addr}: no address by that name"),
    }
}

/// The map file's bytes (what participants are served) and the map they hold.
fn load(path: &Path) -> anyhow::Result<(Vec<u8>, Document)> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(map_io::MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("{}: cannot read it", path.display()))?;
    if bytes.len() as u64 > map_io::MAX_FILE_BYTES {
        bail!("{}: larger than Qualmap opens", path.display());
    }
    let doc = map_io::load_bytes(&bytes, &path.display().to_string())?;
    Ok((bytes, doc))
}
