//! The browser build as a folder of files (`web/build.sh` writes it to `target/qualmap-web`):
//! `index.html`, `qualmap.js`, `qualmap_bg.wasm` and, from builds that carry them, `fonts/` (font
//! files and their licence, `OFL.txt`). Found beside the program or in a development tree, and
//! read into memory once, so what serves it (the workshop room, `room`) never reads the disk
//! again and can hand out nothing but these files.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// The files every browser build has.
pub const REQUIRED: [&str; 3] = ["index.html", "qualmap.js", "qualmap_bg.wasm"];

/// The most a bundle may weigh, all files together.
pub const MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;

/// The most files `fonts/` may hold.
const MAX_FONT_FILES: usize = 256;

/// The environment variable naming a bundle folder.
pub const ENV: &str = "QUALMAP_WEB";

/// A browser build held in memory: file names relative to the bundle (`fonts/` ones with the
/// folder: `fonts/NotoSans-Regular.ttf`) and their bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebBundle {
    files: BTreeMap<String, Vec<u8>>,
}

impl WebBundle {
    /// The bundle folder to use: `explicit` (`--web DIR`) if given, else `$QUALMAP_WEB`, else a
    /// `web` folder beside the program, else `target/qualmap-web` under the current folder or one
    /// of its ancestors (a development tree). A folder named explicitly or by the variable must be
    /// a bundle; the error says why not. Without any, the error lists where it looked and how to
    /// build one.
    pub fn find(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
        let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf));
        let cwd = std::env::current_dir().ok();
        find_in(explicit, std::env::var_os(ENV), exe_dir.as_deref(), cwd.as_deref())
    }

    /// Reads the bundle in `dir` into memory: the three required files, and from `fonts/` the
    /// font files (`.ttf`, `.otf`, `.ttc`, `.woff`, `.woff2`) and `OFL.txt`; anything else there
    /// is left out. Refuses a bundle over [`MAX_BUNDLE_BYTES`] and any file that resolves (through
    /// a symbolic link) outside the folder.
    pub fn load(dir: &Path) -> anyhow::Result<WebBundle> {
        let root = dir.canonicalize().with_context(|| format!("{}: cannot open the browser build", dir.display()))?;
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for name in REQUIRED {
            let bytes = read_inside(&root, &root.join(name), &mut total)
                .with_context(|| format!("{}: not a browser build of Qualmap", dir.display()))?;
            files.insert(name.to_owned(), bytes);
        }
        let fonts = root.join("fonts");
        if fs::symlink_metadata(&fonts).is_ok() {
            let fonts_dir = inside(&root, &fonts)?;
            if fonts_dir.is_dir() {
                let mut names: Vec<String> = Vec::new();
                for entry in fs::read_dir(&fonts_dir).with_context(|| format!("{}", fonts.display()))? {
                    let entry = entry.with_context(|| format!("{}", fonts.display()))?;
                    if let Some(name) = entry.file_name().to_str().filter(|n| is_font_file_name(n)) {
                        names.push(name.to_owned());
                    }
                }
                names.sort();
                if names.len() > MAX_FONT_FILES {
                    bail!("{}: more than {MAX_FONT_FILES} font files", fonts.display());
                }
                for name in names {
                    let path = fonts_dir.join(&name);
                    if !fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                        continue;
                    }
                    let bytes = read_inside(&root, &path, &mut total)?;
                    files.insert(format!("fonts/{name}"), bytes);
                }
            }
        }
        Ok(WebBundle { files })
    }

    /// Every file, sorted by name.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
    }

    /// One file's bytes.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// All the files' bytes together.
    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|b| b.len() as u64).sum()
    }

    /// The files, taken out (name to bytes, sorted by name).
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
    }
}

/// [`WebBundle::find`] with its surroundings given: the variable's value, the program's folder
/// and the current folder.
pub fn find_in(
    explicit: Option<&Path>,
    env: Option<OsString>,
    exe_dir: Option<&Path>,
    cwd: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    if let Some(dir) = explicit {
        return check(dir).with_context(|| format!("--web {}", dir.display()));
    }
    if let Some(dir) = env.filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return check(&dir).with_context(|| format!("${ENV}={}", dir.display()));
    }
    let mut looked = Vec::new();
    if let Some(exe_dir) = exe_dir {
        let dir = exe_dir.join("web");
        if check(&dir).is_ok() {
            return Ok(dir);
        }
        looked.push(dir);
    }
    if let Some(cwd) = cwd {
        for ancestor in cwd.ancestors() {
            let dir = ancestor.join("target").join("qualmap-web");
            if check(&dir).is_ok() {
                return Ok(dir);
            }
            looked.push(dir);
        }
    }
    let looked: Vec<String> = looked.iter().map(|p| format!("  {}", p.display())).collect();
    bail!(
        "no browser build of Qualmap found; looked in:\n{}\nBuild one with `web/build.sh` in Qualmap's source \
         (it writes target/qualmap-web), or name a folder with --web DIR or ${ENV}",
        looked.join("\n")
    )
}

/// `dir` if it holds the files every build has, else which is missing.
fn check(dir: &Path) -> anyhow::Result<PathBuf> {
    if !dir.is_dir() {
        bail!("not a folder");
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|name| !dir.join(name).is_file()).collect();
    if !missing.is_empty() {
        bail!("not a browser build of Qualmap: no {} (build one with `web/build.sh`)", missing.join(", "));
    }
    Ok(dir.to_path_buf())
}

/// A name `fonts/` may hand out: a font file or the font licence, in plain characters.
fn is_font_file_name(name: &str) -> bool {
    let plain = !name.starts_with('.')
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let font = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ["ttf", "otf", "ttc", "woff", "woff2"].iter().any(|e| ext.eq_ignore_ascii_case(e)));
    plain && (font || name == "OFL.txt")
}

/// `path` resolved, if it lies inside `root` (itself resolved).
fn inside(root: &Path, path: &Path) -> anyhow::Result<PathBuf> {
    let real = path.canonicalize().with_context(|| format!("{}", path.display()))?;
    if !real.starts_with(root) {
        bail!("{}: leads outside the browser build (to {})", path.display(), real.display());
    }
    Ok(real)
}

/// The bytes of `path`, which must resolve inside `root`; `total` counts the bundle's bytes so far
/// and refuses to pass [`MAX_BUNDLE_BYTES`].
fn read_inside(root: &Path, path: &Path, total: &mut u64) -> anyhow::Result<Vec<u8>> {
    let real = inside(root, path)?;
    let left = MAX_BUNDLE_BYTES - *total;
    let mut bytes = Vec::new();
    fs::File::open(&real)
        .and_then(|f| f.take(left + 1).read_to_end(&mut bytes))
        .with_context(|| format!("{}", path.display()))?;
    if bytes.len() as u64 > left {
        bail!("the browser build is larger than {} MiB", MAX_BUNDLE_BYTES / (1024 * 1024));
    }
    *total += bytes.len() as u64;
    Ok(bytes)
}

/// `html` (a bundle's `index.html`) with the app's canvas (`<canvas id="qualmap_canvas">`) given
/// `attributes` (replacing any of those names the tag had), its other attributes kept as written.
/// Values are written as given, in double quotes: they must not hold `"`.
pub fn point_canvas(html: &str, attributes: &[(&str, &str)]) -> anyhow::Result<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<canvas").map(|i| i + from) {
        let after_name = at + "<canvas".len();
        from = after_name;
        if !lower[after_name..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/') {
            continue;
        }
        let Some((found, end)) = tag_attributes(html, after_name) else { break };
        let is_ours = found
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("id") && value.as_deref() == Some("qualmap_canvas"));
        if !is_ours {
            continue;
        }
        let mut tag = String::from("<canvas");
        let mut rest = &html[after_name..end];
        // Keep each attribute's own text, except those set here.
        for (name, _) in &found {
            let Some(start) = rest.find(|c: char| !c.is_ascii_whitespace()) else { break };
            let text_len = attribute_len(&rest[start..]);
            let text = &rest[start..start + text_len];
            if !attributes.iter().any(|(set, _)| name.eq_ignore_ascii_case(set)) {
                tag.push(' ');
                tag.push_str(text);
            }
            rest = &rest[start + text_len..];
        }
        for (name, value) in attributes {
            tag.push_str(&format!(" {name}=\"{value}\""));
        }
        tag.push('>');
        return Ok(format!("{}{tag}{}", &html[..at], &html[end + 1..]));
    }
    bail!("the browser build's index.html has no <canvas id=\"qualmap_canvas\">")
}

/// An attribute of a tag: its name and its value, unquoted.
type Attribute = (String, Option<String>);

/// The attributes of the tag whose name ends at `from`, and where its closing `>` is; `None`
/// when it never closes.
fn tag_attributes(html: &str, from: usize) -> Option<(Vec<Attribute>, usize)> {
    let mut attributes = Vec::new();
    let mut at = from;
    loop {
        let rest = &html[at..];
        let skip = rest.find(|c: char| !c.is_ascii_whitespace() && c != '/')?;
        at += skip;
        let rest = &html[at..];
        if rest.starts_with('>') {
            return Some((attributes, at));
        }
        let len = attribute_len(rest);
        if len == 0 {
            return None;
        }
        let text = &rest[..len];
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => {
                let value = value.trim();
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(value);
                (name.trim().to_owned(), Some(unquoted.to_owned()))
            }
            None => (text.to_owned(), None),
        };
        attributes.push((name, value));
        at += len;
    }
}

/// The length of the attribute at the start of `text` (`name`, `name=value`, `name="v a l"`).
fn attribute_len(text: &str) -> usize {
    let name_end =
        text.find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/').unwrap_or(text.len());
    let after_name = &text[name_end..];
    let spaces = after_name.len() - after_name.trim_start().len();
    if !after_name.trim_start().starts_with('=') {
        return name_end;
    }
    let value_at = name_end + spaces + 1;
    let value = &text[value_at..];
    let value_spaces = value.len() - value.trim_start().len();
    let value = value.trim_start();
    let value_len = match value.chars().next() {
        Some(quote @ ('"' | '\'')) => value[1..].find(quote).map_or(value.len(), |i| i + 2),
        _ => value.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(value.len()),
    };
    value_at + value_spaces + value_len
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests stop loudly")]

    use super::*;

    fn bundle(dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("index.html"), "<canvas id=\"qualmap_canvas\"></canvas>").unwrap();
        fs::write(dir.join("qualmap.js"), "export default 1;").unwrap();
        fs::write(dir.join("qualmap_bg.wasm"), b"\0asm").unwrap();
    }

    #[test]
    fn finds_in_order_explicit_env_beside_program_then_target_up_the_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let work = root.join("project/src/deep");
        fs::create_dir_all(&work).unwrap();
        let exe = root.join("bin");
        fs::create_dir_all(&exe).unwrap();
        // Nothing anywhere: the error names where it looked and how to build.
        let err = find_in(None, None, Some(&exe), Some(&work)).unwrap_err().to_string();
        assert!(err.contains("web/build.sh"), "{err}");
        assert!(err.contains(&exe.join("web").display().to_string()), "{err}");
        assert!(err.contains(&root.join("project/target/qualmap-web").display().to_string()), "{err}");

        bundle(&root.join("project/target/qualmap-web"));
        assert_eq!(find_in(None, None, Some(&exe), Some(&work)).unwrap(), root.join("project/target/qualmap-web"));
        bundle(&exe.join("web"));
        assert_eq!(find_in(None, None, Some(&exe), Some(&work)).unwrap(), exe.join("web"));
        let named = root.join("named");
        bundle(&named);
        assert_eq!(find_in(None, Some(named.clone().into()), Some(&exe), Some(&work)).unwrap(), named);
        let explicit = root.join("explicit");
        bundle(&explicit);
        assert_eq!(find_in(Some(&explicit), Some(named.clone().into()), Some(&exe), Some(&work)).unwrap(), explicit);
        // A folder named explicitly that is not a bundle is an error, not a reason to look on.
        let empty = root.join("empty");
        fs::create_dir_all(&empty).unwrap();
        let err = format!("{:#}", find_in(Some(&empty), None, Some(&exe), Some(&work)).unwrap_err());
        assert!(err.contains("no index.html, qualmap.js, qualmap_bg.wasm"), "{err}");
        let err = format!("{:#}", find_in(None, Some(empty.into()), Some(&exe), Some(&work)).unwrap_err());
        assert!(err.contains(ENV), "{err}");
    }

    #[test]
    fn loads_only_the_bundle_files_and_fonts_sorted() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("b");
        bundle(&dir);
        fs::write(dir.join("secret.txt"), "no").unwrap();
        fs::create_dir_all(dir.join("fonts/sub")).unwrap();
        fs::write(dir.join("fonts/Z.ttf"), "z").unwrap();
        fs::write(dir.join("fonts/A.woff2"), "a").unwrap();
        fs::write(dir.join("fonts/OFL.txt"), "licence").unwrap();
        fs::write(dir.join("fonts/notes.md"), "no").unwrap();
        fs::write(dir.join("fonts/.hidden.ttf"), "no").unwrap();
        fs::write(dir.join("fonts/sub/B.ttf"), "no").unwrap();
        let bundle = WebBundle::load(&dir).unwrap();
        let names: Vec<&str> = bundle.files().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["fonts/A.woff2", "fonts/OFL.txt", "fonts/Z.ttf", "index.html", "qualmap.js", "qualmap_bg.wasm"]
        );
        assert_eq!(bundle.get("fonts/OFL.txt"), Some(&b"licence"[..]));
        assert_eq!(bundle.total_bytes(), 1 + 7 + 1 + 37 + 17 + 4);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_out_of_the_bundle_and_oversized_bundles() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside.ttf");
        fs::write(&outside, "secret").unwrap();
        let dir = tmp.path().join("b");
        bundle(&dir);
        fs::create_dir_all(dir.join("fonts")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("fonts/Out.ttf")).unwrap();
        let err = format!("{:#}", WebBundle::load(&dir).unwrap_err());
        assert!(err.contains("leads outside"), "{err}");
        fs::remove_file(dir.join("fonts/Out.ttf")).unwrap();
        // A link inside the bundle is fine.
        fs::write(dir.join("fonts/In.ttf"), "in").unwrap();
        std::os::unix::fs::symlink(dir.join("fonts/In.ttf"), dir.join("fonts/Alias.ttf")).unwrap();
        assert_eq!(WebBundle::load(&dir).unwrap().get("fonts/Alias.ttf"), Some(&b"in"[..]));
        // Over the limit: a sparse file costs no disk.
        let big = fs::File::create(dir.join("qualmap_bg.wasm")).unwrap();
        big.set_len(MAX_BUNDLE_BYTES + 1).unwrap();
        let err = format!("{:#}", WebBundle::load(&dir).unwrap_err());
        assert!(err.contains("larger than 64 MiB"), "{err}");
    }
}
