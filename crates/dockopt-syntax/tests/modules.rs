//! The crate's modules import each other without cycles: each can be read
//! knowing only the ones below it.

use std::collections::BTreeMap;
use std::path::Path;

/// Each module of `src/` and the modules of this crate it names.
fn imports() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut used: Vec<String> = text
            .match_indices("crate::")
            .map(|(at, _)| {
                text[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| *m != name && src.join(format!("{m}.rs")).exists())
            .collect();
        used.sort();
        used.dedup();
        out.insert(name, used);
    }
    out
}

// Depth-first, with the path so far: a module met again on it is a cycle.
fn visit(m: &str, graph: &BTreeMap<String, Vec<String>>, path: &mut Vec<String>) {
    if let Some(at) = path.iter().position(|p| p == m) {
        panic!("cycle: {} -> {m}", path[at..].join(" -> "));
    }
    path.push(m.to_string());
    for next in &graph[m] {
        visit(next, graph, path);
    }
    path.pop();
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = imports();
    assert!(graph.len() > 5, "{graph:?}");
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new());
    }
}
