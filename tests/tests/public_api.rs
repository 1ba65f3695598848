//! The public API of `monitor-runtime` stays small: the items a user can name
//! (functions, types, traits, constants, statics, macros; not modules, enum variants
//! or methods) are counted from rustdoc's JSON of the crate with every feature on,
//! walking the public modules and re-exports from the crate root as a user's `use`
//! would. Each item counts once, however many paths reach it; a second public path
//! to one item is reported too. Doc-hidden items (the `__private` door of generated
//! code) are not in rustdoc's output, so they do not count.
//!
//! Every item has an example in its docs (compiled as a doctest).
//!
//! Nothing doc-hidden is reachable by a public path other than `__private`: with
//! the hidden items documented too, the walk from the root (`__private` left out)
//! meets no item, method or trait item marked `#[doc(hidden)]` (but the
//! `macro_rules!` macros `#[macro_export]` puts at the root, where Rust puts them).
//!
//! rustdoc writes JSON only on a nightly toolchain: [`NIGHTLY`], pinned, which
//! `.ci/run` installs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

/// The most public items the crate may have.
// 121: `push::Otlp`, the OTLP metrics exporter (issue 24).
const LIMIT: usize = 121;

/// The nightly whose rustdoc writes the JSON (format version [`FORMAT`]).
const NIGHTLY: &str = "nightly-2026-05-20";

/// The version of rustdoc's JSON format this walk reads.
const FORMAT: u64 = 57;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// rustdoc's JSON of `monitor-runtime` (with the doc-hidden items too when
/// `hidden`), or `None` when the nightly is not installed outside CI.
fn rustdoc_json(hidden: bool) -> Option<Value> {
    // The runs share their output directory: one at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let installed = Command::new("rustup")
        .args(["run", NIGHTLY, "rustdoc", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        assert!(
            !monitor_tests::tools::in_ci(),
            "the toolchain {NIGHTLY} is missing: `rustup toolchain install {NIGHTLY} --profile minimal`"
        );
        eprintln!("skipped: {NIGHTLY} is not installed");
        return None;
    }
    let target = workspace().join("target").join("public-api");
    let mut rustdoc = Command::new("rustup");
    rustdoc
        .args(["run", NIGHTLY, "cargo", "rustdoc", "-p", "monitor-runtime"])
        .args(["--all-features", "--lib", "--target-dir"])
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"]);
    if hidden {
        rustdoc.arg("--document-hidden-items");
    }
    let output = rustdoc
        .current_dir(workspace())
        .env_remove("RUSTDOCFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo rustdoc runs");
    assert!(
        output.status.success(),
        "rustdoc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = target.join("doc").join("monitor_runtime.json");
    let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        json["format_version"].as_u64(),
        Some(FORMAT),
        "rustdoc's JSON format changed: check the walk of this test against it"
    );
    Some(json)
}

/// What a user can name: item id → every public path that reaches it.
#[derive(Default)]
struct Api {
    items: BTreeMap<String, BTreeSet<String>>,
    modules: BTreeSet<String>,
}

impl Api {
    fn read(json: &Value) -> Self {
        let mut api = Api::default();
        let root = json["root"].to_string();
        api.walk(json, &root, "monitor_runtime", true);
        api
    }

    fn walk(&mut self, json: &Value, id: &str, path: &str, root: bool) {
        let Some(item) = json["index"].get(id) else {
            return;
        };
        let (kind, inner) = item["inner"].as_object().unwrap().iter().next().unwrap();
        match kind.as_str() {
            "module" => {
                if !root && !self.modules.insert(path.to_owned()) {
                    return;
                }
                for child in inner["items"].as_array().unwrap() {
                    let child = child.to_string();
                    let name = json["index"][&child]["name"].as_str().unwrap_or("");
                    self.walk(json, &child, &format!("{path}::{name}"), false);
                }
            }
            "use" => {
                let parent = path.rsplit_once("::").map_or(path, |(parent, _)| parent);
                let name = inner["name"].as_str().unwrap_or("*");
                let target = inner["id"].to_string();
                let external = json["index"].get(&target).is_none();
                if external {
                    // A re-exported item of another crate (the macros, `prometheus`).
                    self.items
                        .entry(format!("external {name}"))
                        .or_default()
                        .insert(format!("{parent}::{name}"));
                } else if inner["is_glob"].as_bool() == Some(true) {
                    let module = &json["index"][&target]["inner"]["module"]["items"];
                    for child in module.as_array().into_iter().flatten() {
                        let child = child.to_string();
                        let name = json["index"][&child]["name"].as_str().unwrap_or("");
                        self.walk(json, &child, &format!("{parent}::{name}"), false);
                    }
                } else {
                    self.walk(json, &target, &format!("{parent}::{name}"), false);
                }
            }
            "impl" | "variant" | "struct_field" => {}
            _ => {
                self.items
                    .entry(id.to_owned())
                    .or_default()
                    .insert(path.to_owned());
            }
        }
    }

    fn listing(&self) -> String {
        let mut paths: Vec<_> = self
            .items
            .values()
            .map(|paths| paths.first().unwrap())
            .collect();
        paths.sort();
        paths.iter().map(|path| format!("  {path}\n")).collect()
    }
}

#[test]
fn the_public_api_has_at_most_the_limit_of_items() {
    let Some(json) = rustdoc_json(false) else {
        return;
    };
    let api = Api::read(&json);
    println!(
        "{} public items in {} public modules:\n{}",
        api.items.len(),
        api.modules.len(),
        api.listing()
    );
    // The walk found the front door: the attributes and serving.
    let named = |wanted: &str| {
        api.items
            .values()
            .any(|paths| paths.iter().any(|path| path == wanted))
    };
    for wanted in [
        "monitor_runtime::monitored",
        "monitor_runtime::business_metric",
        "monitor_runtime::health_check",
        "monitor_runtime::init",
        "monitor_runtime::health::HealthCheck",
    ] {
        assert!(named(wanted), "{wanted} is not found:\n{}", api.listing());
    }
    assert!(
        api.items.len() <= LIMIT,
        "{} public items, more than {LIMIT}:\n{}",
        api.items.len(),
        api.listing()
    );
}

#[test]
fn every_public_item_has_an_example() {
    let Some(json) = rustdoc_json(false) else {
        return;
    };
    let api = Api::read(&json);
    let without: Vec<&String> = api
        .items
        .iter()
        .filter(|(id, _)| !id.starts_with("external "))
        .filter(|(id, _)| {
            let docs = json["index"][id.as_str()]["docs"].as_str().unwrap_or("");
            !docs.contains("```")
        })
        .map(|(_, paths)| paths.first().unwrap())
        .collect();
    assert!(
        api.items.len() > 100,
        "the walk found {} items: it reads nothing",
        api.items.len()
    );
    assert!(
        without.is_empty(),
        "public items without an example in their docs:\n  {}",
        without
            .iter()
            .map(|path| path.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn every_public_item_has_one_path() {
    let Some(json) = rustdoc_json(false) else {
        return;
    };
    let api = Api::read(&json);
    let twice: Vec<String> = api
        .items
        .values()
        .filter(|paths| paths.len() > 1)
        .map(|paths| paths.iter().cloned().collect::<Vec<_>>().join(" and "))
        .collect();
    assert!(
        twice.is_empty(),
        "items reachable by two public paths:\n{}",
        twice.join("\n")
    );
}

fn is_hidden(item: &Value) -> bool {
    item["attrs"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|attr| attr.to_string().contains("doc(hidden)"))
}

/// The doc-hidden items reached from the root without going through `__private`:
/// items, the methods of their inherent impls, the items of their traits.
fn hidden_reachable(json: &Value) -> Vec<String> {
    let index = &json["index"];
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![(json["root"].to_string(), "monitor_runtime".to_owned())];
    while let Some((id, path)) = stack.pop() {
        let Some(item) = index.get(&id) else { continue };
        if !seen.insert(id.clone()) {
            continue;
        }
        let (kind, inner) = item["inner"].as_object().unwrap().iter().next().unwrap();
        // `#[macro_export]` puts a `macro_rules!` macro at the crate root, the only
        // place Rust allows: generated code names ours through `__private`, and
        // linkme's slices bring their own.
        if is_hidden(item) && kind != "macro" {
            found.push(path.clone());
            continue;
        }
        let child = |child: &Value, parent: &str| {
            let child = child.to_string();
            let name = index[&child]["name"].as_str().unwrap_or("").to_owned();
            (child, format!("{parent}::{name}"))
        };
        match kind.as_str() {
            "module" => {
                for item in inner["items"].as_array().unwrap() {
                    let (id, path) = child(item, &path);
                    if !path.ends_with("::__private") {
                        stack.push((id, path));
                    }
                }
            }
            "use" => {
                let parent = path.rsplit_once("::").map_or(path.as_str(), |(p, _)| p);
                let name = inner["name"].as_str().unwrap_or("*");
                stack.push((inner["id"].to_string(), format!("{parent}::{name}")));
            }
            "struct" | "enum" | "union" => {
                for implementation in inner["impls"].as_array().into_iter().flatten() {
                    let implementation = &index[&implementation.to_string()];
                    let inherent = implementation["inner"]["impl"]["trait"].is_null();
                    if !inherent {
                        continue;
                    }
                    for method in implementation["inner"]["impl"]["items"].as_array().unwrap() {
                        let (id, path) = child(method, &path);
                        stack.push((id, path));
                    }
                }
            }
            "trait" => {
                for method in inner["items"].as_array().into_iter().flatten() {
                    let (id, path) = child(method, &path);
                    stack.push((id, path));
                }
            }
            _ => {}
        }
    }
    found.sort();
    found
}

#[test]
fn nothing_doc_hidden_is_reachable_outside_the_private_door() {
    let Some(json) = rustdoc_json(true) else {
        return;
    };
    let hidden = hidden_reachable(&json);
    // The walk saw the hidden door's neighbours: it reads hidden items at all.
    let any_hidden = json["index"].as_object().unwrap().values().any(is_hidden);
    assert!(
        any_hidden,
        "rustdoc documented no hidden item: the walk reads nothing"
    );
    assert!(
        hidden.is_empty(),
        "doc-hidden items reachable by a public path other than __private (generated \
         code reaches what it needs through __private only):\n  {}",
        hidden.join("\n  ")
    );
}
