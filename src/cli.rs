//! The command line: `qualmap [FILE]` opens the app; subcommands work headless.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::{example, io};

/// Qualmap: conceptual maps grounded in coded qualitative evidence.
#[derive(Debug, Parser)]
#[command(name = "qualmap", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A .qualmap file to open; without one, the app opens on the built-in example map.
    pub file: Option<PathBuf>,
    /// Start with a blank map instead of the example.
    #[arg(long, conflicts_with = "file")]
    pub blank: bool,
    /// Headless work.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// Headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Check a map file; prints a one-line summary, or the problems and exits non-zero.
    Validate {
        /// The .qualmap file to check.
        file: PathBuf,
    },
    /// Write the built-in example map to a file.
    Example {
        /// Where to write it ("-" for standard output).
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Runs a headless subcommand; returns the process exit code.
pub fn run(command: &Commands) -> i32 {
    match command {
        Commands::Validate { file } => match io::load_path(file) {
            Ok(doc) => {
                println!("{}: valid Qualmap map: {}", file.display(), doc.counts());
                0
            }
            Err(err) => {
                eprintln!("error: {err}");
                1
            }
        },
        Commands::Example { output } => {
            if output.as_os_str() == "-" {
                print!("{}", example::EXAMPLE_JSON);
                return 0;
            }
            match io::write_atomic(output, example::EXAMPLE_JSON.as_bytes()) {
                Ok(()) => {
                    println!("wrote the example map to {}", output.display());
                    0
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    1
                }
            }
        }
    }
}
