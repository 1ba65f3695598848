//! Keeps the layout of `src/` as the crate docs describe it ("Architecture"): imports
//! between the top modules (`core`, `monitored`, `business`, `health`, `http`, ...)
//! run one way (`http`, `kubernetes` and `grafana` sit on top of the features), `core` imports nothing else of the crate, features import nothing of
//! each other, and `__private.rs` only re-exports.
//!
//! The module graph is read from the sources: `use crate::…`, `crate::x::…` and
//! `super::…` paths, with comments and string literals left out. `$crate::…` paths
//! are not edges: they belong to macros and resolve where the macro is expanded.
//! `crate::name` where `name` is a crate-root re-export counts as an import of the
//! module it re-exports from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Top modules that are features: each imports `core` and nothing else of the crate.
const FEATURES: [&str; 12] = [
    "monitored",
    "business",
    "health",
    "alerts",
    "pool",
    "client",
    "runtime_metrics",
    "cache",
    "logs",
    "push",
    "history",
    "system",
];

/// One place where a top module names another.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    from: String,
    to: String,
    file: String,
    line: usize,
    text: String,
}

impl Reference {
    fn describe(&self) -> String {
        format!("{}:{}: {}", self.file, self.line, self.text.trim())
    }
}

/// `from` → `to` → the references that make the edge.
type Graph = BTreeMap<String, BTreeMap<String, Vec<Reference>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    line: usize,
}

/// A source file of the crate, as the module path it defines.
struct Source {
    /// Path relative to the crate, for messages (`src/core/registry.rs`).
    name: String,
    /// `["core", "registry"]` for `src/core/registry.rs`, `[]` for `src/lib.rs`.
    module: Vec<String>,
    text: String,
}

// ---------------------------------------------------------------------------------
// Reading the sources

fn sources() -> Vec<Source> {
    sources_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// The files under `src`, the `src/` of this crate or of another.
fn sources_in(src: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    collect_rs_files(src, &mut files);
    files.sort();
    assert!(
        files.iter().any(|file| file.ends_with("lib.rs")),
        "no src/lib.rs under {}",
        src.display()
    );
    files
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(src).expect("under src/");
            Source {
                name: format!("src/{}", relative.display()).replace('\\', "/"),
                module: module_path(relative),
                text: fs::read_to_string(&file)
                    .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display())),
            }
        })
        .collect()
}

fn collect_rs_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for dir_entry in entries {
        let path = dir_entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_rs_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The module a file defines: `core/mod.rs` is `core`, `core/registry.rs` is
/// `core::registry`, `lib.rs` is the crate root.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().expect("a file name");
    let stem = file.trim_end_matches(".rs");
    if !(stem == "mod" || (parts.is_empty() && stem == "lib")) {
        parts.push(stem.to_owned());
    }
    parts
}

// ---------------------------------------------------------------------------------
// Lexing: comments and literals out, tokens with their line

/// The code with comments, string and character literals blanked out (newlines kept,
/// so that lines still match the file).
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if !after_ident && raw_string_start(&chars, i).is_some() {
            let (hashes, body) = raw_string_start(&chars, i).expect("checked");
            for &c in &chars[i..body] {
                blank(&mut out, c);
            }
            i = body;
            while i < chars.len() {
                let closes = chars[i] == '"'
                    && (1..=hashes).all(|offset| chars.get(i + offset) == Some(&'#'));
                if closes {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal; `'a` without a closing quote is a lifetime.
            out.push(' ');
            i += 1;
            if chars.get(i) == Some(&'\\') {
                out.push(' ');
                i += 1;
            }
            while i < chars.len() && chars[i] != '\'' {
                blank(&mut out, chars[i]);
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `r"`, `r#"`, `br"`…: the number of `#` and where the body starts.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// Identifiers (with `$crate` as one token), `::`, and single punctuation characters.
fn tokens(code: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_alphanumeric() || c == '_' || (c == '$' && i + 1 < chars.len()) {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                tokens.push(Token {
                    text: chars[start..i].iter().collect(),
                    line: index + 1,
                });
            } else if c == ':' && chars.get(i + 1) == Some(&':') {
                tokens.push(Token {
                    text: "::".to_owned(),
                    line: index + 1,
                });
                i += 2;
            } else {
                tokens.push(Token {
                    text: c.to_string(),
                    line: index + 1,
                });
                i += 1;
            }
        }
    }
    tokens
}

fn is_ident(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

// ---------------------------------------------------------------------------------
// The graph

/// Names the crate root re-exports, and the top module each comes from:
/// `pub use crate::core::{init, registry}` in `lib.rs` maps `init` and `registry` to
/// `core`; `#[macro_export] macro_rules! name` in `src/monitored/finish.rs` maps `name`
/// to `monitored`.
fn root_names(sources: &[Source], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for source in sources {
        let tokens = tokens(&strip(&source.text));
        if source.module.is_empty() {
            let mut i = 0;
            while i < tokens.len() {
                if tokens[i].text == "use" {
                    let end = (i..tokens.len())
                        .find(|&j| tokens[j].text == ";")
                        .unwrap_or(tokens.len());
                    let mut path = &tokens[i + 1..end];
                    if path.len() > 2 && matches!(path[0].text.as_str(), "crate" | "self") {
                        path = &path[2..];
                    }
                    if let Some(module) = path.first().filter(|first| modules.contains(&first.text))
                    {
                        for (k, token) in path.iter().enumerate() {
                            let followed = path.get(k + 1).map_or(";", |next| next.text.as_str());
                            if k > 0 && is_ident(&token.text) && matches!(followed, "," | "}" | ";")
                            {
                                names.insert(token.text.clone(), module.text.clone());
                            }
                        }
                    }
                    i = end;
                }
                i += 1;
            }
        } else if let Some(top) = source.module.first() {
            for (i, window) in tokens.windows(3).enumerate() {
                let exported = i >= 4
                    && tokens[i - 4..i]
                        .iter()
                        .map(|token| token.text.as_str())
                        .eq(["#", "[", "macro_export", "]"]);
                if exported && window[0].text == "macro_rules" && window[1].text == "!" {
                    names.insert(window[2].text.clone(), top.clone());
                }
            }
        }
    }
    names
}

/// The inline `mod name { … }` blocks a walk over a file's tokens is inside, with
/// the brace depth each opened at.
#[derive(Default)]
struct InlineModules {
    open: Vec<(String, usize)>,
    depth: usize,
}

impl InlineModules {
    /// Follows the token at `i` (`text_at` reads a token, `""` past the end): its
    /// braces, and the opening `mod name {` of an inline module, whose three tokens
    /// it takes. Returns how many tokens that opening takes, 0 for any other token.
    fn follow<'t>(&mut self, text_at: &impl Fn(usize) -> &'t str, i: usize) -> usize {
        match text_at(i) {
            "{" => self.depth += 1,
            "}" => {
                self.depth -= 1;
                if self
                    .open
                    .last()
                    .is_some_and(|(_, opened)| *opened == self.depth)
                {
                    self.open.pop();
                }
            }
            "mod" if is_ident(text_at(i + 1)) && text_at(i + 2) == "{" => {
                self.open.push((text_at(i + 1).to_owned(), self.depth));
                self.depth += 1;
                return 3;
            }
            _ => {}
        }
        0
    }

    /// The names of the open blocks, outermost first.
    fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.open.iter().map(|(name, _)| name.clone())
    }
}

/// Every reference from `module` (the module a file defines) to another top module.
/// `modules` are the top modules, `roots` the crate-root re-exports (see
/// [`root_names`]).
fn references(
    file: &str,
    module: &[String],
    text: &str,
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
) -> Vec<Reference> {
    let Some(from) = module.first() else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let tokens = tokens(&strip(text));
    let mut found = Vec::new();
    let mut inline = InlineModules::default();
    let mut i = 0;
    while i < tokens.len() {
        let text_at = |k: usize| {
            tokens
                .get(k)
                .map_or("", |token: &Token| token.text.as_str())
        };
        let opening = inline.follow(&text_at, i);
        if opening > 0 {
            i += opening;
            continue;
        }
        let start = i;
        // Where the path lands once `crate::` or the `super::`s are resolved: the
        // module path so far, and the index of the next segment.
        let resolved: Option<(Vec<String>, usize)> =
            if text_at(i) == "crate" && text_at(i + 1) == "::" {
                Some((Vec::new(), i + 2))
            } else if text_at(i) == "super"
                && text_at(i + 1) == "::"
                && (i == 0 || text_at(i - 1) != "::")
            {
                let mut base: Vec<String> = module.to_vec();
                base.extend(inline.names());
                let mut j = i;
                while text_at(j) == "super" && text_at(j + 1) == "::" {
                    base.pop();
                    j += 2;
                }
                Some((base, j))
            } else {
                None
            };
        let Some((base, next)) = resolved else {
            i += 1;
            continue;
        };
        let mut targets = Vec::new();
        if let Some(top) = base.first() {
            targets.push(top.clone());
        } else if text_at(next) == "{" {
            // `crate::{a::b, c}`: the first segment of each item.
            let mut nesting = 0;
            let mut item_start = true;
            let mut k = next;
            while k < tokens.len() {
                match text_at(k) {
                    "{" => {
                        nesting += 1;
                        if nesting == 1 {
                            k += 1;
                            continue;
                        }
                    }
                    "}" => {
                        nesting -= 1;
                        if nesting == 0 {
                            break;
                        }
                    }
                    "," if nesting == 1 => {
                        item_start = true;
                        k += 1;
                        continue;
                    }
                    name if item_start && nesting == 1 && is_ident(name) => {
                        targets.push(name.to_owned());
                    }
                    _ => {}
                }
                item_start = false;
                k += 1;
            }
        } else if is_ident(text_at(next)) {
            targets.push(text_at(next).to_owned());
        }
        for target in targets {
            let to = if modules.contains(&target) {
                Some(target)
            } else {
                roots.get(&target).cloned()
            };
            if let Some(to) = to.filter(|to| to != from) {
                let line = tokens[start].line;
                found.push(Reference {
                    from: from.clone(),
                    to,
                    file: file.to_owned(),
                    line,
                    text: lines.get(line - 1).copied().unwrap_or("").to_owned(),
                });
            }
        }
        i = next;
    }
    found
}

fn crate_graph() -> Graph {
    let sources = sources();
    let modules: BTreeSet<String> = sources
        .iter()
        .filter_map(|source| source.module.first().cloned())
        .collect();
    let roots = root_names(&sources, &modules);
    let mut graph = Graph::new();
    for module in &modules {
        graph.entry(module.clone()).or_default();
    }
    for source in &sources {
        for reference in references(&source.name, &source.module, &source.text, &modules, &roots) {
            graph
                .entry(reference.from.clone())
                .or_default()
                .entry(reference.to.clone())
                .or_default()
                .push(reference);
        }
    }
    graph
}

/// A cycle of `graph`, as the modules along it with the first one repeated at the
/// end (`["a", "b", "a"]`), or `None`.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        InProgress,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::InProgress);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next.as_str()) {
                Some(Mark::InProgress) => {
                    let from = path
                        .iter()
                        .position(|step| step == next)
                        .expect("on the path");
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, marks, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node.as_str())
            && let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

fn edges(graph: &Graph) -> BTreeMap<String, BTreeSet<String>> {
    graph
        .iter()
        .map(|(from, targets)| (from.clone(), targets.keys().cloned().collect()))
        .collect()
}

/// Every reference from `from` to a module outside `allowed`, one per line.
fn forbidden(graph: &Graph, from: &str, allowed: &[&str]) -> String {
    let mut report = String::new();
    for (to, references) in graph.get(from).into_iter().flatten() {
        if !allowed.contains(&to.as_str()) {
            for reference in references {
                let _ = writeln!(report, "  {} (imports `{to}`)", reference.describe());
            }
        }
    }
    report
}

// ---------------------------------------------------------------------------------
// `__private.rs`

/// The items of `text` that are not `pub use` re-exports, as `line: text`. Comments,
/// doc comments and attributes on the re-exports are fine.
fn items_other_than_pub_use(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let tokens = tokens(&strip(text));
    let mut offending = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].text == "#" {
            // An attribute, outer or inner: skip it, brackets balanced.
            let mut k = i + 1;
            if tokens.get(k).is_some_and(|token| token.text == "!") {
                k += 1;
            }
            let mut nesting = 0;
            while k < tokens.len() {
                match tokens[k].text.as_str() {
                    "[" => nesting += 1,
                    "]" => {
                        nesting -= 1;
                        if nesting == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            i = k + 1;
            continue;
        }
        let is_pub_use =
            tokens[i].text == "pub" && tokens.get(i + 1).is_some_and(|token| token.text == "use");
        let end = (i..tokens.len())
            .find(|&k| tokens[k].text == ";")
            .unwrap_or(tokens.len() - 1);
        if !is_pub_use {
            let line = tokens[i].line;
            offending.push(format!(
                "{line}: {}",
                lines.get(line - 1).copied().unwrap_or("").trim()
            ));
            // Skip the rest of this item: to its `;`, or past its braces.
            let mut nesting = 0;
            let mut k = i;
            while k < tokens.len() {
                match tokens[k].text.as_str() {
                    "{" | "(" | "[" => nesting += 1,
                    "}" | ")" | "]" => {
                        nesting -= 1;
                        if nesting == 0 && tokens[k].text == "}" {
                            break;
                        }
                    }
                    ";" if nesting == 0 => break,
                    _ => {}
                }
                k += 1;
            }
            i = k + 1;
            continue;
        }
        i = end + 1;
    }
    offending
}

// ---------------------------------------------------------------------------------
// The checks on this crate

#[test]
fn top_modules_import_each_other_without_a_cycle() {
    let graph = crate_graph();
    if let Some(cycle) = find_cycle(&edges(&graph)) {
        let mut message = format!(
            "the top modules of src/ import each other in a cycle: {}\n",
            cycle.join(" -> ")
        );
        for step in cycle.windows(2) {
            let references = &graph[&step[0]][&step[1]];
            let _ = writeln!(message, "{} -> {}:", step[0], step[1]);
            for reference in references {
                let _ = writeln!(message, "  {}", reference.describe());
            }
        }
        panic!("{message}imports must run one way: core <- features <- http");
    }
}

#[test]
fn core_imports_nothing_else_of_the_crate() {
    let graph = crate_graph();
    assert!(graph.contains_key("core"), "no src/core/ module");
    let report = forbidden(&graph, "core", &[]);
    assert!(
        report.is_empty(),
        "core must import nothing else of the crate (features reach it through its \
         link-time slices), but:\n{report}"
    );
}

#[test]
fn features_import_only_core() {
    let graph = crate_graph();
    let mut report = String::new();
    for feature in FEATURES {
        assert!(graph.contains_key(feature), "no src/{feature}/ module");
        report.push_str(&forbidden(&graph, feature, &["core"]));
    }
    assert!(
        report.is_empty(),
        "a feature folder imports another feature (features import only core):\n{report}"
    );
}

#[test]
fn nothing_imports_the_private_door() {
    let graph = crate_graph();
    let mut report = String::new();
    for from in graph.keys() {
        for reference in graph[from].get("__private").into_iter().flatten() {
            let _ = writeln!(report, "  {}", reference.describe());
        }
    }
    assert!(
        report.is_empty(),
        "__private is for generated code only; import the defining module instead:\n{report}"
    );
}

#[test]
fn private_rs_only_re_exports() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/__private.rs");
    let text = fs::read_to_string(&path).expect("src/__private.rs exists");
    let offending = items_other_than_pub_use(&text);
    assert!(
        offending.is_empty(),
        "src/__private.rs must contain only `pub use` items (define the rest in its \
         feature and re-export it), but has:\n{}",
        offending
            .iter()
            .map(|item| format!("  src/__private.rs:{item}\n"))
            .collect::<String>()
    );
}

// ---------------------------------------------------------------------------------
// The checks themselves

fn graph_of(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        graph
            .entry((*from).to_owned())
            .or_default()
            .insert((*to).to_owned());
        graph.entry((*to).to_owned()).or_default();
    }
    graph
}

#[test]
fn find_cycle_finds_cycles_and_only_cycles() {
    let one_way = graph_of(&[
        ("http", "health"),
        ("http", "core"),
        ("health", "core"),
        ("business", "core"),
    ]);
    assert_eq!(find_cycle(&one_way), None);

    let cycle = graph_of(&[
        ("http", "health"),
        ("health", "core"),
        ("core", "business"),
        ("business", "health"),
    ]);
    assert_eq!(
        find_cycle(&cycle),
        Some(vec![
            "business".to_owned(),
            "health".to_owned(),
            "core".to_owned(),
            "business".to_owned()
        ])
    );

    let two = graph_of(&[("core", "monitored"), ("monitored", "core")]);
    assert_eq!(
        find_cycle(&two),
        Some(vec![
            "core".to_owned(),
            "monitored".to_owned(),
            "core".to_owned()
        ])
    );
}

#[test]
fn references_are_read_from_code_only() {
    let modules: BTreeSet<String> = ["core", "health", "http", "business"]
        .map(String::from)
        .into();
    let roots: BTreeMap<String, String> = [("init".to_owned(), "core".to_owned())].into();
    let text = r#"
//! Docs naming [`crate::http`] are not imports.
use crate::{core::report, health};
use super::site::Site;
/* crate::business::X in a block comment */
fn f() {
    let _ = "crate::business::Y";
    let _ = 'c';
    crate::init();
    let _ = $crate::http::X;
    super::super::http::serve();
}
mod inner {
    use super::super::super::business::Series;
}
pub(crate) fn g<'a>(_: &'a str) {}
"#;
    let found: Vec<(String, usize)> = references(
        "src/health/engine.rs",
        &["health".to_owned(), "engine".to_owned()],
        text,
        &modules,
        &roots,
    )
    .into_iter()
    .map(|reference| (reference.to, reference.line))
    .collect();
    assert_eq!(
        found,
        [
            ("core".to_owned(), 3),
            ("core".to_owned(), 9),
            ("http".to_owned(), 11),
            ("business".to_owned(), 14),
        ]
    );
}

#[test]
fn only_pub_use_passes_the_private_check() {
    let fine = r#"
//! The door.

/// Re-exported.
#[doc(hidden)]
pub use crate::core::{Branch, FromResidual};
pub use linkme;
// A comment.
pub use crate::monitored::{
    CallGuard, // with a comment inside
    NoSpan,
};
"#;
    assert_eq!(items_other_than_pub_use(fine), Vec::<String>::new());

    let bad = r#"
pub use linkme;
pub struct Outcome<'a, T: ?Sized>(pub &'a T);
#[macro_export]
macro_rules! finish { () => {}; }
pub(crate) use crate::core::report;
impl Outcome<'_, u8> {
    fn f() {}
}
pub use tracing;
"#;
    assert_eq!(
        items_other_than_pub_use(bad),
        [
            "3: pub struct Outcome<'a, T: ?Sized>(pub &'a T);",
            "5: macro_rules! finish { () => {}; }",
            "6: pub(crate) use crate::core::report;",
            "7: impl Outcome<'_, u8> {",
        ]
    );
}

// ---------------------------------------------------------------------------------
// Files as nodes: the macro crate

/// Every import from `source` to another file, by the file that defines what the
/// path names (`files` maps each module path to its file): `crate::…`, `super::…` and
/// `self::…` paths, and paths that start with a child module of the file (`use
/// expand::run;` in a `mod.rs`: a folder that re-exports its parts depends on them).
/// `mod x;` is not an import: a parent declaring a child does not use it.
fn file_references(source: &Source, files: &BTreeMap<Vec<String>, String>) -> Vec<Reference> {
    let lines: Vec<&str> = source.text.lines().collect();
    let tokens = tokens(&strip(&source.text));
    let text_at = |k: usize| {
        tokens
            .get(k)
            .map_or("", |token: &Token| token.text.as_str())
    };
    let mut found = Vec::new();
    let mut inline = InlineModules::default();
    let mut i = 0;
    while i < tokens.len() {
        let opening = inline.follow(&text_at, i);
        if opening > 0 {
            i += opening;
            continue;
        }
        // Tokens a macro builds (`quote!(impl crate::Orders {})`) name the user's
        // crate, not this one.
        if matches!(text_at(i), "quote" | "quote_spanned" | "parse_quote")
            && text_at(i + 1) == "!"
            && matches!(text_at(i + 2), "(" | "[" | "{")
        {
            let mut nesting = 0;
            i += 2;
            while i < tokens.len() {
                match text_at(i) {
                    "(" | "[" | "{" => nesting += 1,
                    ")" | "]" | "}" => nesting -= 1,
                    _ => {}
                }
                i += 1;
                if nesting == 0 {
                    break;
                }
            }
            continue;
        }
        let mut here = source.module.clone();
        here.extend(inline.names());
        let child =
            |name: &str| files.contains_key(&[here.clone(), vec![name.to_owned()]].concat());
        let continues_a_path = i > 0 && matches!(text_at(i - 1), "::" | ".");
        let start: Option<(Vec<String>, usize)> = if continues_a_path || text_at(i + 1) != "::" {
            None
        } else if text_at(i) == "crate" {
            Some((Vec::new(), i + 2))
        } else if text_at(i) == "self" {
            Some((here.clone(), i + 2))
        } else if text_at(i) == "super" {
            let mut base = here.clone();
            let mut j = i;
            while text_at(j) == "super" && text_at(j + 1) == "::" {
                base.pop();
                j += 2;
            }
            Some((base, j))
        } else if is_ident(text_at(i)) && child(text_at(i)) {
            Some((here.clone(), i))
        } else {
            None
        };
        let Some((base, next)) = start else {
            i += 1;
            continue;
        };
        let mut targets = Vec::new();
        let end = path_targets(&tokens, base, next, files, &mut targets);
        targets.sort();
        targets.dedup();
        for to in targets.into_iter().filter(|to| *to != source.name) {
            let line = tokens[i].line;
            found.push(Reference {
                from: source.name.clone(),
                to,
                file: source.name.clone(),
                line,
                text: lines.get(line - 1).copied().unwrap_or("").to_owned(),
            });
        }
        i = end.max(i + 1);
    }
    found
}

/// The files a path names, read from its segment at `k` on below the module `base`
/// (one per item of a `{…}` group), into `out`; the index after the path.
fn path_targets(
    tokens: &[Token],
    base: Vec<String>,
    mut k: usize,
    files: &BTreeMap<Vec<String>, String>,
    out: &mut Vec<String>,
) -> usize {
    let text_at = |k: usize| {
        tokens
            .get(k)
            .map_or("", |token: &Token| token.text.as_str())
    };
    let mut module = base;
    loop {
        let segment = text_at(k);
        if segment == "{" {
            k += 1;
            while k < tokens.len() && text_at(k) != "}" {
                k = path_targets(tokens, module.clone(), k, files, out);
                // Past `as name` and the `,`.
                let mut nesting = 0;
                while k < tokens.len() && !(nesting == 0 && matches!(text_at(k), "," | "}")) {
                    match text_at(k) {
                        "{" => nesting += 1,
                        "}" => nesting -= 1,
                        _ => {}
                    }
                    k += 1;
                }
                if text_at(k) == "," {
                    k += 1;
                }
            }
            return k + 1;
        }
        if !is_ident(segment) {
            break;
        }
        let candidate = [module.clone(), vec![segment.to_owned()]].concat();
        k += 1;
        if files.contains_key(&candidate) {
            module = candidate;
            if text_at(k) == "::" {
                k += 1;
                continue;
            }
        }
        break;
    }
    // A module without a file of its own (an inline one) is in its parent's file.
    while !files.contains_key(&module) && module.pop().is_some() {}
    if let Some(file) = files.get(&module) {
        out.push(file.clone());
    }
    k
}

/// `from` file → `to` file → the references that make the edge.
fn file_graph(sources: &[Source]) -> Graph {
    let files: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|source| (source.module.clone(), source.name.clone()))
        .collect();
    let mut graph = Graph::new();
    for source in sources {
        graph.entry(source.name.clone()).or_default();
        for reference in file_references(source, &files) {
            graph
                .entry(reference.from.clone())
                .or_default()
                .entry(reference.to.clone())
                .or_default()
                .push(reference);
        }
    }
    graph
}

/// `cycle` step by step, each step with the lines that make it.
fn describe_cycle(graph: &Graph, cycle: &[String]) -> String {
    let mut message = format!("{}\n", cycle.join(" -> "));
    for step in cycle.windows(2) {
        let _ = writeln!(message, "{} -> {}:", step[0], step[1]);
        for reference in &graph[&step[0]][&step[1]] {
            let _ = writeln!(message, "  {}", reference.describe());
        }
    }
    message
}

/// The macro crate's pipeline runs one way: the entry points (`lib.rs`) reach the
/// driver of stacked attributes (`stacked.rs`), which reaches the attribute folders,
/// which reach only `naming/` and `support/`; no file imports back a file that
/// imports it (a folder's `mod.rs` re-exporting a file counts as importing it).
#[test]
fn macro_crate_files_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../monitor-macros/src");
    let mut sources = sources_in(&src);
    for source in &mut sources {
        source.name.insert_str(0, "monitor-macros/");
    }
    let graph = file_graph(&sources);
    assert!(
        !graph["monitor-macros/src/lib.rs"].is_empty(),
        "the entry points import nothing: the imports were not read"
    );
    if let Some(cycle) = find_cycle(&edges(&graph)) {
        panic!(
            "the files of monitor-macros/src import each other in a cycle: {}imports must \
             run one way: lib.rs -> stacked.rs -> attribute folders -> naming/ -> support/",
            describe_cycle(&graph, &cycle)
        );
    }
}

/// The runtime's files import each other one way too: within a part no file imports
/// back a file that imports it, and `core` names no part (its registry reaches the
/// exposition's figures and the identity through its slice of initialisers, as it
/// reaches the features).
#[test]
fn runtime_files_import_each_other_without_a_cycle() {
    let graph = file_graph(&sources());
    assert!(
        !graph["src/core/registry.rs"].is_empty(),
        "the registry imports nothing: the imports were not read"
    );
    let edges = edges(&graph);
    if let Some(cycle) = find_cycle(&edges) {
        let tangles: Vec<String> = tangles(&edges)
            .into_iter()
            .map(|files| files.join(", "))
            .collect();
        panic!(
            "the files of monitor-runtime/src import each other in a cycle: {}\nevery set \
             of files that import each other:\n  {}",
            describe_cycle(&graph, &cycle),
            tangles.join("\n  ")
        );
    }
}

/// The sets of two or more files that reach each other (strongly connected
/// components, Tarjan's algorithm), largest first.
fn tangles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let next = self.index.len();
            self.index.insert(node, next);
            self.low.insert(node, next);
            self.stack.push(node);
            self.on_stack.insert(node);
            for to in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(to.as_str()) {
                    self.visit(to);
                    let low = self.low[node].min(self.low[to.as_str()]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(to.as_str()) {
                    let low = self.low[node].min(self.index[to.as_str()]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_owned());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
        .sort_by_key(|component| std::cmp::Reverse(component.len()));
    walk.found
}

#[test]
fn file_references_name_the_defining_file() {
    let files: BTreeMap<Vec<String>, String> = [
        (vec![], "src/lib.rs"),
        (vec!["business"], "src/business/mod.rs"),
        (vec!["business", "attr"], "src/business/attr.rs"),
        (vec!["business", "expand"], "src/business/expand.rs"),
        (vec!["support"], "src/support/mod.rs"),
        (vec!["support", "args"], "src/support/args.rs"),
        (vec!["stacked"], "src/stacked.rs"),
    ]
    .into_iter()
    .map(|(module, file)| {
        (
            module.into_iter().map(String::from).collect(),
            file.to_owned(),
        )
    })
    .collect();
    let source = |name: &str, module: &[&str], text: &str| Source {
        name: name.to_owned(),
        module: module.iter().map(|part| (*part).to_owned()).collect(),
        text: text.to_owned(),
    };
    let found = |source: &Source| -> Vec<(String, usize)> {
        file_references(source, &files)
            .into_iter()
            .map(|reference| (reference.to, reference.line))
            .collect()
    };
    let front = source(
        "src/business/mod.rs",
        &["business"],
        r#"
mod attr;
pub(crate) mod expand;
pub(crate) use expand::{parse as parse_business, part};
// crate::stacked in a comment
fn f() { attr::parse(); naming::check(); }
"#,
    );
    assert_eq!(
        found(&front),
        [
            ("src/business/expand.rs".to_owned(), 4),
            ("src/business/attr.rs".to_owned(), 6),
        ]
    );
    let part = source(
        "src/business/expand.rs",
        &["business", "expand"],
        r#"
use super::attr::{self, Action};
use super::{check_metric, mentions_ret};
use crate::{stacked, support::args::{crate_path as path, string}};
fn f() { crate::support::Ctxt::default(); self::g(); x.attr::<u8>(); }
fn quoted() { quote::quote!(impl crate::business::Orders { fn f() {} }); }
mod tests {
    use super::*;
    use super::super::attr;
}
"#,
    );
    assert_eq!(
        found(&part),
        [
            ("src/business/attr.rs".to_owned(), 2),
            ("src/business/mod.rs".to_owned(), 3),
            ("src/stacked.rs".to_owned(), 4),
            ("src/support/args.rs".to_owned(), 4),
            ("src/support/mod.rs".to_owned(), 5),
            ("src/business/attr.rs".to_owned(), 9),
        ]
    );
}
