//! The public API of `monitor-runtime` stays small: the items a user can name
//! (functions, types, traits, constants, statics, macros; not modules, enum variants
//! or methods) are counted from rustdoc's JSON of the crate with every feature on,
//! walking the public modules and re-exports from the crate root as a user's `use`
//! would. Each item counts once, however many paths reach it; a second public path
//! to one item is reported too. Doc-hidden items (the `__private` door of generated
//! code) are not in rustdoc's output, so they do not count.
//!
//! rustdoc writes JSON only on a nightly toolchain: [`NIGHTLY`], pinned, which
//! `.ci/run` installs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The most public items the crate may have.
const LIMIT: usize = 120;

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

/// rustdoc's JSON of `monitor-runtime`, or `None` when the nightly is not installed
/// outside CI.
fn rustdoc_json() -> Option<Value> {
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
    let output = Command::new("rustup")
        .args(["run", NIGHTLY, "cargo", "rustdoc", "-p", "monitor-runtime"])
        .args(["--all-features", "--lib", "--target-dir"])
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
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
    let Some(json) = rustdoc_json() else { return };
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
fn every_public_item_has_one_path() {
    let Some(json) = rustdoc_json() else { return };
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
