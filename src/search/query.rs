//! The query language: words, "exact phrases", -exclusions, OR, and field filters.
//!
//! Every input parses: an unbalanced quote, a stray operator or a pasted page degrade to a plain search, never
//! an error. Parsing is pure (no index), so the rules are easy to test and reuse in the UI (for chips).

/// A searchable unit: a word (segmented, synonyms expanded, order-free) or an exact phrase (literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(String),
}

impl Term {
    pub fn text(&self) -> &str {
        match self {
            Term::Word(s) | Term::Phrase(s) => s,
        }
    }
}

/// One positive clause: its alternatives are joined by OR (a single term in the common case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub alternatives: Vec<Term>,
}

/// Facet filters; values of one field are alternatives, different fields must all hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub district: Vec<String>,
    pub theme: Vec<String>,
    pub doc_type: Vec<String>,
    pub year: Vec<String>,
    pub project: Vec<String>,
    pub kind: Vec<String>,
    /// Earlier queries every hit must also answer, as that search answered them (在结果中检索: narrowing a
    /// result list by another query without losing what it was).
    pub within: Vec<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.district.is_empty()
            && self.theme.is_empty()
            && self.doc_type.is_empty()
            && self.year.is_empty()
            && self.project.is_empty()
            && self.kind.is_empty()
            && self.within.is_empty()
    }

    /// The filters a saved search (已存检索) keeps beside its words.
    pub fn of_saved(saved: &crate::library::saved::SavedSearch) -> Filters {
        Filters {
            district: saved.district.clone(),
            theme: saved.themes.clone(),
            doc_type: saved.types.clone(),
            year: saved.years.clone(),
            within: saved.within.clone(),
            ..Filters::default()
        }
    }

    /// Adds another set of filters (e.g. the command line's `--district`) to these.
    pub fn merge(&mut self, other: Filters) {
        self.district.extend(other.district);
        self.theme.extend(other.theme);
        self.doc_type.extend(other.doc_type);
        self.year.extend(other.year);
        self.project.extend(other.project);
        self.kind.extend(other.kind);
        self.within.extend(other.within);
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    pub excludes: Vec<Term>,
    pub filters: Filters,
    /// Whether part of the input was left out (more than [`MAX_CLAUSES`] clauses, or a term longer than
    /// [`MAX_TERM_CHARS`]), so that the user can be told instead of silently getting a narrower search.
    pub truncated: bool,
}

impl ParsedQuery {
    /// The words of the positive clauses as one line, without operators or filters: what a reader of the
    /// query would say it asks (the text the semantic tier embeds).
    pub fn words_text(&self) -> String {
        let words: Vec<&str> =
            self.clauses.iter().flat_map(|c| c.alternatives.iter().map(|t| t.text().trim())).collect();
        words.join(" ")
    }
}

/// What to tell the user when a query was cut (see [`ParsedQuery::truncated`]).
pub fn truncation_note() -> String {
    format!("查询过长：只按前 {MAX_CLAUSES} 个词、每个词的前 {MAX_TERM_CHARS} 个字检索")
}

/// At most this many clauses are searched; the rest of a long paste is ignored.
pub const MAX_CLAUSES: usize = 24;
/// A term longer than this is cut (a pasted paragraph becomes a search for its opening).
pub const MAX_TERM_CHARS: usize = 48;

#[derive(Debug, PartialEq)]
enum Token {
    Text { text: String, quoted: bool, negated: bool },
    Or,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '“' => Some('”'),
        '「' => Some('」'),
        '＂' => Some('＂'),
        _ => None,
    }
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_space(chars[i]) {
            i += 1;
            continue;
        }
        let mut negated = false;
        if (chars[i] == '-' || chars[i] == '－') && i + 1 < chars.len() && !is_space(chars[i + 1]) {
            negated = true;
            i += 1;
        }
        // A quoted phrase, if its closing quote exists; otherwise the quote is just dropped.
        if let Some(close) = closing_quote(chars[i])
            && let Some(len) = chars[i + 1..].iter().position(|&c| c == close)
        {
            let text: String = chars[i + 1..i + 1 + len].iter().collect();
            tokens.push(Token::Text { text, quoted: true, negated });
            i += len + 2;
            continue;
        }
        let start = i;
        while i < chars.len() && !is_space(chars[i]) {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        let text: String = raw.chars().filter(|c| closing_quote(*c).is_none() && !matches!(c, '”' | '」')).collect();
        if !negated && (text == "OR" || text == "|" || text == "或") {
            tokens.push(Token::Or);
        } else if !text.is_empty() {
            tokens.push(Token::Text { text, quoted: false, negated });
        }
    }
    tokens
}

fn filter_field(name: &str) -> Option<&'static str> {
    Some(match name.to_lowercase().as_str() {
        "district" | "区县" | "区" => "district",
        "theme" | "主题" => "theme",
        "type" | "文种" | "类型" => "type",
        "year" | "年份" | "年" => "year",
        "project" | "项目" => "project",
        "kind" | "类别" => "kind",
        _ => return None,
    })
}

/// Splits `district:渝中区` (ASCII or full-width colon) into a known field and a non-empty value.
fn as_filter(text: &str) -> Option<(&'static str, String)> {
    let (name, value) = text.split_once([':', '：'])?;
    let field = filter_field(name)?;
    let value = value.trim();
    (!value.is_empty()).then(|| (field, value.to_string()))
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_TERM_CHARS).collect()
}

/// Parses any string into a query.
pub fn parse(input: &str) -> ParsedQuery {
    let mut q = ParsedQuery::default();
    let mut pending_or = false;
    for token in lex(input) {
        let (text, quoted, negated) = match token {
            Token::Or => {
                pending_or = !q.clauses.is_empty();
                continue;
            }
            Token::Text { text, quoted, negated } => (text, quoted, negated),
        };
        if !quoted && let Some((field, value)) = as_filter(&text) {
            let list = match field {
                "district" => &mut q.filters.district,
                "theme" => &mut q.filters.theme,
                "type" => &mut q.filters.doc_type,
                "year" => &mut q.filters.year,
                "project" => &mut q.filters.project,
                _ => &mut q.filters.kind,
            };
            list.extend(value.split([',', '，']).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()));
            pending_or = false;
            continue;
        }
        let text = text.trim();
        if text.chars().count() > MAX_TERM_CHARS {
            q.truncated = true;
        }
        let text = cut(text);
        if text.chars().all(|c| !c.is_alphanumeric()) {
            continue;
        }
        let term = if quoted { Term::Phrase(text) } else { Term::Word(text) };
        if negated {
            q.excludes.push(term);
        } else if pending_or && let Some(last) = q.clauses.last_mut() {
            last.alternatives.push(term);
        } else if q.clauses.len() < MAX_CLAUSES {
            q.clauses.push(Clause { alternatives: vec![term] });
        } else {
            q.truncated = true;
        }
        pending_or = false;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &ParsedQuery) -> Vec<Vec<String>> {
        q.clauses.iter().map(|c| c.alternatives.iter().map(|t| t.text().to_string()).collect()).collect()
    }

    #[test]
    fn words_phrases_excludes() {
        let q = parse("枫桥经验  \"矛盾纠纷化解\" -信访");
        assert_eq!(words(&q), [["枫桥经验"], ["矛盾纠纷化解"]]);
        assert_eq!(q.clauses[1].alternatives[0], Term::Phrase("矛盾纠纷化解".into()));
        assert_eq!(q.excludes, [Term::Word("信访".into())]);
    }

    #[test]
    fn chinese_quotes_and_or() {
        let q = parse("“网格员” OR 网格化 调解");
        assert_eq!(words(&q), vec![vec!["网格员", "网格化"], vec!["调解"]]);
    }

    #[test]
    fn filters_in_both_languages() {
        let q = parse("调解 district:渝中区 主题：社会矛盾 year:2021 type:经验材料,典型案例 项目:yz-p01");
        assert_eq!(words(&q), [["调解"]]);
        assert_eq!(q.filters.district, ["渝中区"]);
        assert_eq!(q.filters.theme, ["社会矛盾"]);
        assert_eq!(q.filters.year, ["2021"]);
        assert_eq!(q.filters.doc_type, ["经验材料", "典型案例"]);
        assert_eq!(q.filters.project, ["yz-p01"]);
    }

    #[test]
    fn hostile_input_degrades_to_plain_search() {
        let q = parse("\"未闭合的引号 - -- ：");
        assert_eq!(words(&q), [["未闭合的引号"]]);
        assert!(q.excludes.is_empty());
        let q = parse("district: 调解");
        assert_eq!(words(&q), [["district:"], ["调解"]]);
        assert!(parse("").clauses.is_empty());
        assert!(parse("OR OR |").clauses.is_empty());
        let long = "治".repeat(100_000);
        let q = parse(&long);
        assert_eq!(q.clauses[0].alternatives[0].text().chars().count(), MAX_TERM_CHARS);
        let many = "词 ".repeat(1000);
        assert_eq!(parse(&many).clauses.len(), MAX_CLAUSES);
        assert!(parse(&many).truncated && q.truncated, "a cut query says so");
        assert!(!parse("网格员 调解 district:渝中区").truncated);
    }
}
