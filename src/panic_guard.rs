//! Parsers of untrusted files (PDF, spreadsheets) are third-party code that may panic on a malformed file. Such a
//! panic is caught and becomes a refusal of that one file; it is kept off the terminal, where a backtrace would
//! look like a crash of the program.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`, returning `None` if it panicked. A panic inside is not printed; panics elsewhere (other threads, or
/// this one outside `f`) still are.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_inside_is_caught() {
        assert_eq!(super::quietly(|| 7), Some(7));
        let caught: Option<()> = super::quietly(|| panic!("malformed file"));
        assert!(caught.is_none());
        // Nested use keeps the outer one quiet.
        assert_eq!(super::quietly(|| super::quietly(|| 1).unwrap_or(0) + 1), Some(2));
    }
}
