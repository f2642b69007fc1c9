//! The `casebook` binary: parses arguments and hands over to the command line layer.

fn main() -> std::process::ExitCode {
    quiet_on_closed_pipe();
    casebook_cli::run()
}

/// `casebook search 调解 | head -1`: when the reader goes away, end quietly as other command-line tools do,
/// instead of panicking on the next line printed (Rust ignores SIGPIPE; this restores the default).
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}

#[path = "cli/mod.rs"]
mod casebook_cli;
