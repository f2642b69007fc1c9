//! Everything the command line prints goes through here: text made inert ([`inert`]), highlighting when writing to
//! a terminal that shows colour, and bytes in the encoding the reader expects.
//!
//! **Encodings on Windows.** Written to a console window, text goes out as UTF-16 (`WriteConsoleW`, which Rust's
//! standard library uses for a console handle), so Chinese shows correctly whatever the console's code page (936,
//! 65001 …). Redirected to a file or a pipe, Windows programs expect the bytes in the console's output code page:
//! cmd's `findstr`, PowerShell (which decodes a program's output with `[Console]::OutputEncoding`) and Python
//! (`text=True`) all read code page 936 (GBK) on a Chinese system, where UTF-8 bytes would turn into mojibake.
//! So redirected text is encoded in the console's output code page (`chcp`; characters it lacks become `?`, as
//! with every Windows console program), UTF-8 when that page is 65001 or no console exists; JSON, which must stay
//! lossless, is then written in ASCII with `\uXXXX` escapes, which every reader decodes alike. Elsewhere
//! (Linux, macOS) output is UTF-8.
//!
//! A reader that stops reading (`casebook search 调解 | more`, `| Select-Object -First 3`) ends the program
//! quietly, as it does on Linux through SIGPIPE, instead of a panic about a closed pipe.

use std::io::{IsTerminal, Write};

/// Which standard stream to write to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// How text becomes bytes on a stream. (Code pages exist on Windows only; the choice is tested everywhere.)
#[cfg_attr(not(windows), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// UTF-8 bytes, or UTF-16 through `WriteConsoleW` when the stream is a Windows console.
    Utf8,
    /// The bytes of a Windows code page (redirected output on a console whose code page is not UTF-8).
    CodePage(u32),
}

/// The form for a stream: a console, or redirected output with the console's output code page (0: no console).
#[cfg_attr(not(windows), allow(dead_code))]
pub fn form_for(is_console: bool, console_code_page: u32) -> Form {
    const UTF8: u32 = 65001;
    if is_console || console_code_page == 0 || console_code_page == UTF8 {
        Form::Utf8
    } else {
        Form::CodePage(console_code_page)
    }
}

/// The form of `stream` for this process (decided once per stream).
pub fn form(stream: Stream) -> Form {
    use std::sync::OnceLock;
    static OUT: OnceLock<Form> = OnceLock::new();
    static ERR: OnceLock<Form> = OnceLock::new();
    let cell = match stream {
        Stream::Out => &OUT,
        Stream::Err => &ERR,
    };
    *cell.get_or_init(|| platform::form(stream))
}

/// Writes `text` to `stream` in its [`form`]. A reader that went away ends the program quietly (exit code 0); any
/// other failure to print stdout is reported on stderr and ends the program with exit code 2.
pub fn write(stream: Stream, text: &str) {
    let bytes = match form(stream) {
        Form::Utf8 => std::borrow::Cow::Borrowed(text.as_bytes()),
        Form::CodePage(cp) => std::borrow::Cow::Owned(platform::encode(cp, text)),
    };
    let result = match stream {
        Stream::Out => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).and_then(|()| out.flush())
        }
        Stream::Err => std::io::stderr().lock().write_all(&bytes),
    };
    if let Err(e) = result {
        if reader_went_away(&e) {
            std::process::exit(0);
        }
        if stream == Stream::Out {
            let message = format!("错误：无法输出结果：{}\n", casebook::os_error::describe(&e));
            let _ = std::io::stderr().write_all(message.as_bytes());
            std::process::exit(2);
        }
    }
}

/// Whether a write failed because the reading end of a pipe was closed: `BrokenPipe`, and on Windows the
/// system's numbers for it (109 ERROR_BROKEN_PIPE, 232 ERROR_NO_DATA, 233 ERROR_PIPE_NOT_CONNECTED, which Wine
/// gives), which not every Rust version names `BrokenPipe`.
fn reader_went_away(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe || (cfg!(windows) && matches!(e.raw_os_error(), Some(109 | 232 | 233)))
}

/// Whether standard output shows colour: a terminal (on Windows, a console that accepts ANSI sequences, which is
/// switched on if it can be) — and `NO_COLOR` is not set.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() && platform::ansi_on_stdout()
}

/// JSON with every character outside ASCII written as a `\uXXXX` escape (a pair for characters beyond the BMP).
/// Valid because in JSON text such characters only occur inside strings.
pub fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

#[cfg(windows)]
mod platform {
    use super::{Form, Stream};
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Globalization::WideCharToMultiByte;
    use windows_sys::Win32::System::Console::{
        ENABLE_VIRTUAL_TERMINAL_PROCESSING, FreeConsole, GetConsoleMode, GetConsoleOutputCP, GetConsoleProcessList,
        SetConsoleMode,
    };

    fn is_console(handle: std::os::windows::io::RawHandle) -> bool {
        let mut mode = 0;
        // SAFETY: a handle of this process's standard stream (possibly null or invalid, which makes the call fail).
        unsafe { GetConsoleMode(handle, &mut mode) != 0 }
    }

    pub fn form(stream: Stream) -> Form {
        let handle = match stream {
            Stream::Out => std::io::stdout().as_raw_handle(),
            Stream::Err => std::io::stderr().as_raw_handle(),
        };
        // SAFETY: no arguments; 0 when the process has no console.
        let code_page = unsafe { GetConsoleOutputCP() };
        super::form_for(is_console(handle), code_page)
    }

    /// `text` in code page `cp`, characters it lacks as the code page's default character (`?`).
    pub fn encode(cp: u32, text: &str) -> Vec<u8> {
        let wide: Vec<u16> = text.encode_utf16().collect();
        if wide.is_empty() {
            return Vec::new();
        }
        let Ok(len) = i32::try_from(wide.len()) else { return text.as_bytes().to_vec() };
        // SAFETY: `wide` holds `len` units; a null output buffer asks for the size needed.
        let needed = unsafe {
            WideCharToMultiByte(
                cp,
                0,
                wide.as_ptr(),
                len,
                std::ptr::null_mut(),
                0,
                std::ptr::null(),
                std::ptr::null_mut(),
            )
        };
        if needed <= 0 {
            return text.as_bytes().to_vec();
        }
        let mut out = vec![0u8; needed as usize];
        // SAFETY: `out` holds `needed` bytes, the size the first call asked for.
        let written = unsafe {
            WideCharToMultiByte(
                cp,
                0,
                wide.as_ptr(),
                len,
                out.as_mut_ptr(),
                needed,
                std::ptr::null(),
                std::ptr::null_mut(),
            )
        };
        if written <= 0 {
            return text.as_bytes().to_vec();
        }
        out.truncate(written as usize);
        out
    }

    /// Whether the console behind stdout interprets ANSI colour sequences, switching it on if needed (Windows 10
    /// and later; older consoles would print the sequences as text, so they get none).
    pub fn ansi_on_stdout() -> bool {
        let handle = std::io::stdout().as_raw_handle();
        let mut mode = 0;
        // SAFETY: stdout's handle; both calls fail harmlessly on a handle that is not a console.
        unsafe {
            GetConsoleMode(handle, &mut mode) != 0
                && (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
                    || SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0)
        }
    }

    /// Closes the console window Windows opened for this program alone, as it does for a double-clicked
    /// console program, so that only the app's window stays (it shows for an instant at start). A console shared
    /// with cmd or PowerShell, which started the app, is left alone.
    pub fn close_own_console() {
        let mut ids = [0u32; 2];
        // SAFETY: `ids` holds 2 entries, the count passed; the call returns how many processes share the console.
        let sharing = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), 2) };
        if sharing == 1 {
            // SAFETY: no arguments; detaches this process from its console, which closes the console window.
            unsafe { FreeConsole() };
        }
    }
}

#[cfg(windows)]
pub use platform::close_own_console;

#[cfg(not(windows))]
mod platform {
    use super::{Form, Stream};

    pub fn form(_: Stream) -> Form {
        Form::Utf8
    }

    pub fn encode(_: u32, text: &str) -> Vec<u8> {
        text.as_bytes().to_vec()
    }

    pub fn ansi_on_stdout() -> bool {
        true
    }
}

/// Stand-ins for the highlight's escape sequences: [`mark`] writes them, [`inert`] turns them into ANSI bold red
/// and back to normal after neutralising every escape the text itself carries.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Text made safe to print: ESC shows as ␛, every other control character (C0 but line feed and tab, DEL, C1) and
/// the bidirectional overrides that reorder what a terminal shows become U+FFFD; [`mark`]'s highlights become
/// ANSI colour.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => out.push('␛'),
            MARK_OPEN => out.push_str("\x1b[1;31m"),
            MARK_CLOSE => out.push_str("\x1b[0m"),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Marks character ranges of `text`: bold red on a terminal (through [`inert`]), 【】 brackets otherwise.
pub fn mark(text: &str, ranges: &[(usize, usize)], colour: bool) -> String {
    let (open, close) = if colour { (MARK_OPEN, MARK_CLOSE) } else { ('【', '】') };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut ranges = ranges.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if ranges.peek().is_some_and(|r| r.0 == i) {
            out.push(open);
        }
        out.push(c);
        if ranges.peek().is_some_and(|r| r.1 == i + 1) {
            out.push(close);
            ranges.next();
        }
    }
    out
}

/// Prints a value as pretty JSON (ASCII with escapes where stdout is in a Windows code page, see the module).
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    if form(Stream::Out) != Form::Utf8 {
        text = ascii_json(&text);
    }
    text.push('\n');
    write(Stream::Out, &text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_in_data_never_reach_the_terminal() {
        let hostile = "标题\x1b[2J\x1b]0;title\x07\u{9b}31m\u{202e}反";
        let safe = inert(hostile);
        assert!(!safe.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{safe:?}");
        assert!(safe.starts_with("标题␛[2J␛]0;title"));
        assert_eq!(inert(&mark("枫桥", &[(0, 2)], true)), "\x1b[1;31m枫桥\x1b[0m");
        assert_eq!(inert("一\n二\t三"), "一\n二\t三");
    }

    #[test]
    fn redirected_output_follows_the_console_code_page() {
        assert_eq!(form_for(true, 936), Form::Utf8, "a console gets UTF-16 whatever its code page");
        assert_eq!(form_for(false, 936), Form::CodePage(936));
        assert_eq!(form_for(false, 65001), Form::Utf8);
        assert_eq!(form_for(false, 0), Form::Utf8, "no console");
    }

    #[test]
    fn json_in_ascii_reads_back_the_same() {
        let value = serde_json::json!({"标题": "枫桥经验 \u{1F600} “引号” \"q\"", "n": 1});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let ascii = ascii_json(&text);
        assert!(ascii.is_ascii(), "{ascii}");
        assert!(ascii.contains("\\u6807\\u9898"), "{ascii}");
        assert!(ascii.contains("\\ud83d\\ude00"), "a surrogate pair: {ascii}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&ascii).unwrap(), value);
    }

    #[test]
    fn marks_ranges() {
        assert_eq!(mark("推广枫桥经验做法", &[(2, 6)], false), "推广【枫桥经验】做法");
        assert_eq!(mark("ab", &[(0, 1), (1, 2)], false), "【a】【b】");
    }
}
