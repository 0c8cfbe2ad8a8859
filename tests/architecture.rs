//! The layout holds: no two files of `src/` import each other, directly or
//! through others, and every import runs from a higher layer to a lower
//! one (the layers are the README's overview, as a table below).
//!
//! Read from the source itself: each file's `use` declarations and the
//! `crate::…`, `super::…` and child-module paths in its code, outside its
//! unit tests, resolved to the file that defines the module. A parent
//! that only declares a child (`mod child;`) does not import it; a parent
//! that re-exports from a child, or calls into it, does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`, lowest layer first. A module may
/// import only from modules of lower layers (and from itself).
const LAYERS: &[&[&str]] = &[
    // Leaf code: escapes, locales, slugs, byte search, the error chain.
    &["util"],
    // What needs nothing but the leaf code: the config, the parser, the
    // editorial reading of one item, the SQLite state.
    &["config", "parse", "extract", "store"],
    // The network (and finding a site's feed), the article card.
    &["fetch", "article"],
    // The site's format, when a feed is due, what a run did.
    &["output", "schedule", "report"],
    // Every file written.
    &["write"],
    // The run's recipe, and the read model of the feeds' health.
    &["pipeline", "health"],
    // The command line's grammar, then the commands.
    &["cli"],
    &["commands"],
    // The crate's roots.
    &["lib", "main"],
];

/// One file of `src/` and what it imports.
struct SourceFile {
    /// The module path: `["pipeline", "run"]`; `[]` for `lib.rs`.
    module: Vec<String>,
    text: String,
}

#[test]
fn no_file_imports_itself_through_others() {
    let graph = import_graph(&source_files());
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "these files import each other in a circle: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn imports_run_downward_only() {
    let graph = import_graph(&source_files());
    let layer_of = |file: &str| -> usize {
        let top = top_module(file);
        LAYERS
            .iter()
            .position(|layer| layer.contains(&top.as_str()))
            .unwrap_or_else(|| panic!("{file}: module `{top}` has no layer in LAYERS"))
    };
    let mut upward = Vec::new();
    for (file, imports) in &graph {
        for imported in imports {
            if top_module(file) != top_module(imported) && layer_of(imported) >= layer_of(file) {
                upward.push(format!("{file} -> {imported}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not run to a lower layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_reading_finds_the_imports_it_must() {
    // A reader that found nothing would pass the two tests above.
    let graph = import_graph(&source_files());
    for (from, to) in [
        ("src/pipeline/run.rs", "src/fetch/mod.rs"),
        ("src/pipeline/mod.rs", "src/pipeline/run.rs"),
        ("src/commands/mod.rs", "src/commands/run.rs"),
        ("src/output/format.rs", "src/config/output.rs"),
        ("src/parse/json.rs", "src/parse/strict.rs"),
    ] {
        assert!(
            graph
                .get(from)
                .is_some_and(|to_files| to_files.contains(to)),
            "{from} should import {to}; found {:?}",
            graph.get(from)
        );
    }
    let cycle: BTreeMap<String, BTreeSet<String>> =
        [("a.rs", ["b.rs"]), ("b.rs", ["c.rs"]), ("c.rs", ["a.rs"])]
            .into_iter()
            .map(|(f, to)| (f.to_string(), to.iter().map(|t| t.to_string()).collect()))
            .collect();
    assert!(find_cycle(&cycle).is_some());
}

#[test]
fn use_trees_expand_to_every_path() {
    let mut paths = Vec::new();
    expand_use_tree(
        "crate::a::{b::{c, D as E}, self, f}",
        &mut Vec::new(),
        &mut paths,
    );
    assert_eq!(
        paths,
        [
            vec!["crate", "a", "b", "c"],
            vec!["crate", "a", "b", "D"],
            vec!["crate", "a", "self"],
            vec!["crate", "a", "f"],
        ]
    );
}

/// The top-level module a file belongs to: `src/pipeline/run.rs` →
/// `pipeline`, `src/cli.rs` → `cli`.
fn top_module(file: &str) -> String {
    let relative = file.trim_start_matches("src/");
    let first = relative.split('/').next().unwrap_or(relative);
    first.trim_end_matches(".rs").to_string()
}

fn source_files() -> BTreeMap<String, SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect_rs(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            let module = module_path(&relative);
            (relative, SourceFile { module, text })
        })
        .collect()
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/pipeline/mod.rs` → `["pipeline"]`; `src/lib.rs` → `[]`.
fn module_path(relative: &str) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .trim_start_matches("src/")
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Per file, the files it imports.
fn import_graph(files: &BTreeMap<String, SourceFile>) -> BTreeMap<String, BTreeSet<String>> {
    let by_module: BTreeMap<&[String], &str> = files
        .iter()
        // `main.rs` is the binary: it reaches the library by its name.
        .filter(|(path, _)| path.as_str() != "src/main.rs")
        .map(|(path, file)| (file.module.as_slice(), path.as_str()))
        .collect();
    let resolve = |segments: &[String]| -> Option<&str> {
        (0..=segments.len())
            .rev()
            .find_map(|n| by_module.get(&segments[..n]).copied())
    };
    let mut graph = BTreeMap::new();
    for (path, file) in files {
        let code = code_outside_tests(&file.text);
        let children = declared_children(&code);
        let mut imports = BTreeSet::new();
        for segments in paths_in(&code, &children) {
            let absolute = match segments[0].as_str() {
                "crate" => segments[1..].to_vec(),
                "super" => {
                    let ups = segments.iter().take_while(|s| *s == "super").count();
                    let mut absolute =
                        file.module[..file.module.len().saturating_sub(ups)].to_vec();
                    absolute.extend_from_slice(&segments[ups..]);
                    absolute
                }
                "self" => [file.module.as_slice(), &segments[1..]].concat(),
                _ => [file.module.as_slice(), segments.as_slice()].concat(),
            };
            if let Some(target) = resolve(&absolute)
                && target != path
                && path != "src/main.rs"
            {
                imports.insert(target.to_string());
            }
        }
        graph.insert(path.clone(), imports);
    }
    graph
}

/// The text without comments (line comments, doc comments) and without
/// the unit tests (`#[cfg(test)] mod tests { … }` and `#[cfg(test)]`
/// items), which may reach anywhere.
fn code_outside_tests(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            // Skip the item: to the end of its braces, or its `;`.
            let mut depth = 0i32;
            let mut opened = false;
            for next in lines.by_ref() {
                let next = strip_line_comment(next);
                depth += next.matches('{').count() as i32 - next.matches('}').count() as i32;
                opened |= next.contains('{');
                if (opened && depth <= 0) || (!opened && next.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        code.push_str(strip_line_comment(line));
        code.push('\n');
    }
    code
}

/// `line` up to a `//` that starts a comment (not one inside a string:
/// `"https://…"`).
fn strip_line_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' if in_string => {
                escaped = !escaped;
                continue;
            }
            b'"' if !escaped => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        escaped = false;
    }
    line
}

/// The modules a file declares as its children (`mod name;`).
fn declared_children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub(crate) mod ")
                .or_else(|| line.strip_prefix("pub(super) mod "))
                .or_else(|| line.strip_prefix("pub mod "))
                .or_else(|| line.strip_prefix("mod "))?;
            rest.strip_suffix(';').map(str::to_string)
        })
        .collect()
}

/// Every module path in `code`: the `use` trees expanded, and the paths
/// written inline that start with `crate`, `super` or a child module.
fn paths_in(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    // A `use` declaration starts a line (after its visibility), and ends
    // at its `;`, perhaps lines later.
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let declaration = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|prefix| trimmed.strip_prefix(prefix));
        let Some(declaration) = declaration else {
            continue;
        };
        let at = start + (line.len() - declaration.len());
        if let Some(end) = code[at..].find(';') {
            expand_use_tree(&code[at..at + end], &mut Vec::new(), &mut paths);
        }
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let starts_word = i == 0 || !word(bytes[i - 1] as char);
        if starts_word && word(bytes[i] as char) {
            let end = code[i..]
                .find(|c: char| !(word(c) || c == ':'))
                .map_or(code.len(), |n| i + n);
            let segments: Vec<String> = code[i..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if segments.len() > 1
                && (segments[0] == "crate"
                    || segments[0] == "super"
                    || children.contains(&segments[0]))
            {
                paths.push(segments);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    paths
        .into_iter()
        .filter(|p| {
            p[0] == "crate" || p[0] == "super" || p[0] == "self" || children.contains(&p[0])
        })
        .collect()
}

/// `a::{b, c::{d, e as f}}` as the paths it names.
fn expand_use_tree(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let name = tree.split(" as ").next().unwrap_or(tree);
        let mut path = prefix.clone();
        path.extend(
            name.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "*")
                .map(str::to_string),
        );
        if !path.is_empty() {
            out.push(path);
        }
        return;
    };
    let depth_before = prefix.len();
    prefix.extend(
        tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    let close = tree.rfind('}').filter(|&c| c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand_use_tree(&inner[start..i], prefix, out);
                start = i + 1;
            }
            _ => {}
        }
    }
    expand_use_tree(&inner[start..], prefix, out);
    prefix.truncate(depth_before);
}

/// A circle of imports, if the graph has one: its files in order.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        file: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(file) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = trail.iter().position(|f| f == file).unwrap_or(0);
                let mut cycle = trail[from..].to_vec();
                cycle.push(file.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(file.to_string(), Mark::Open);
        trail.push(file.to_string());
        for next in graph.get(file).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, trail) {
                return Some(cycle);
            }
        }
        trail.pop();
        marks.insert(file.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for file in graph.keys() {
        if let Some(cycle) = visit(file, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}
