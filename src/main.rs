//! The `qualmap` binary: the desktop app, or a headless subcommand; in a browser (wasm32), the
//! app on the page's canvas (`qualmap::web`).

#[cfg(target_arch = "wasm32")]
fn main() {
    wasm_bindgen_futures::spawn_local(qualmap::web::start());
}

#[cfg(not(target_arch = "wasm32"))]
use clap::Parser as _;
#[cfg(not(target_arch = "wasm32"))]
use qualmap::app::{QualmapApp, Startup, Then};
#[cfg(not(target_arch = "wasm32"))]
use qualmap::cli::{self, Cli};

/// mimalloc instead of the system allocator: every frame builds and drops meshes of several
/// megabytes, which glibc's malloc hands back to the kernel and page-faults in again each frame
/// (measured: the 1,000-concept frame bench drops from 23 ms to 6 ms).
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Import files are read by this same binary in a child process with limits on its memory
    // and time (import::sandbox); where the path cannot be found they are read in this process.
    if let Ok(program) = std::env::current_exe() {
        qualmap::import::sandbox::use_program(program);
    }
    if let Some(command) = &cli.command {
        return exit_code(cli::run(command));
    }
    let startup = match (cli.file, cli.blank) {
        (Some(path), _) => Startup::File(path),
        (None, true) => Startup::Blank,
        (None, false) => Startup::Example,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Qualmap")
            .with_app_id("qualmap")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 420.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let then = match (cli.compare, cli.merge) {
        (Some(other), _) => Some(Then::Compare(other)),
        (None, Some(other)) => Some(Then::Merge(other)),
        (None, None) => None,
    };
    let result = eframe::run_native(
        "Qualmap",
        options,
        Box::new(move |cc| {
            let mut app = QualmapApp::new(cc, startup);
            if let Some(then) = then {
                app.once_open(&cc.egui_ctx, then);
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: could not open the Qualmap window: {err}");
            eprintln!("(the headless subcommands work without a display: see `qualmap --help`)");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn exit_code(code: i32) -> std::process::ExitCode {
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
