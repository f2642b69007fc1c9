//! Line diffs between the library's version of a file and the bundle's, for review before accepting a change.

use std::time::Duration;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Lines of unchanged context shown around each change.
const CONTEXT: usize = 3;

/// Whether a diff line is kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    Equal,
    Insert,
    Delete,
}

/// One line of a diff. Line numbers are 1-based; a gap in them between two lines marks the start of a new hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub tag: DiffTag,
    /// The line without its line break.
    pub text: String,
    /// Line number in the library's version (absent for an inserted line).
    pub old_line: Option<usize>,
    /// Line number in the bundle's version (absent for a deleted line).
    pub new_line: Option<usize>,
}

impl DiffLine {
    /// The line as in a unified diff: `+`, `-` or a space, then the text.
    pub fn unified(&self) -> String {
        let sign = match self.tag {
            DiffTag::Equal => ' ',
            DiffTag::Insert => '+',
            DiffTag::Delete => '-',
        };
        format!("{sign}{}", self.text)
    }

    /// Whether this line starts a new hunk after `previous` (its line numbers do not follow on).
    pub fn starts_hunk_after(&self, previous: &DiffLine) -> bool {
        let follows = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => b == a + 1,
            _ => true,
        };
        let old_ok =
            self.old_line.is_none() || previous.old_line.is_none() || follows(previous.old_line, self.old_line);
        let new_ok =
            self.new_line.is_none() || previous.new_line.is_none() || follows(previous.new_line, self.new_line);
        !(old_ok && new_ok)
    }
}

/// The changed lines of `old` → `new`, with a few lines of context around each change. Very large inputs give
/// up on a minimal diff after a second rather than stall the review.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure().timeout(Duration::from_secs(1)).diff_lines(old, new);
    let mut out = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        for op in &group {
            for change in diff.iter_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Equal => DiffTag::Equal,
                    ChangeTag::Insert => DiffTag::Insert,
                    ChangeTag::Delete => DiffTag::Delete,
                };
                let text = change.value().trim_end_matches(['\n', '\r']).to_string();
                out.push(DiffLine {
                    tag,
                    text,
                    old_line: change.old_index().map(|i| i + 1),
                    new_line: change.new_index().map(|i| i + 1),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changes_with_context() {
        let old: String = (1..=20).map(|i| format!("第{i}行\n")).collect();
        let new = old.replace("第10行\n", "第十行\n").replace("第20行\n", "第20行\n新增一行\n");
        let d = line_diff(&old, &new);
        let changed: Vec<String> = d.iter().filter(|l| l.tag != DiffTag::Equal).map(DiffLine::unified).collect();
        assert_eq!(changed, ["-第10行", "+第十行", "+新增一行"]);
        // Context: three lines either side of line 10, three before the insertion at the end.
        assert_eq!(d.first().and_then(|l| l.old_line), Some(7));
        assert_eq!(d.iter().filter(|l| l.tag == DiffTag::Equal).count(), 9);
        let starts = d.windows(2).filter(|w| w[1].starts_hunk_after(&w[0])).count();
        assert_eq!(starts, 1, "two hunks");
    }

    #[test]
    fn identical_texts_have_no_diff() {
        assert!(line_diff("a\nb\n", "a\nb\n").is_empty());
    }
}
