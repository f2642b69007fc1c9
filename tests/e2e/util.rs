//! Shared helpers: a temporary library builder and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A library in a fresh temporary folder.
pub struct TempLibrary {
    dir: tempfile::TempDir,
}

impl TempLibrary {
    pub fn new() -> Self {
        TempLibrary { dir: tempfile::tempdir().expect("temporary folder") }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (parents created) and returns its path.
    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A write-up with the usual keys; `extra` lines go into the front matter.
    pub fn writeup(&self, rel: &str, id: &str, district: &str, extra: &str, body: &str) -> PathBuf {
        self.file(
            rel,
            format!("---\nid: {id}\ntitle: 标题{id}\ndistrict: {district}\nyear: 2021\n{extra}---\n{body}\n"),
        )
    }

    /// Runs `casebook --library <root> args…`.
    pub fn run(&self, args: &[&str]) -> Output {
        let root = self.root().to_string_lossy().into_owned();
        let mut all = vec!["--library", root.as_str()];
        all.extend_from_slice(args);
        casebook(&all)
    }

    /// Runs a command that must print JSON, and parses it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {args:?}\nstdout: {}\nstderr: {}", out.stdout, out.stderr))
    }

    /// `search --json` for a query; returns the exact matches (完全匹配): their number and ids in order. The
    /// related hits that follow them are left out (see [`TempLibrary::search_all`]).
    pub fn search(&self, query: &str) -> (u64, Vec<String>) {
        let v = self.json(&["search", query, "--json", "--limit", "100"]);
        let ids = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["tier"] == "exact")
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        (v["exact"].as_u64().unwrap(), ids)
    }

    /// `search --json` for a query: every hit, exact and related, as (total, ids in order).
    pub fn search_all(&self, query: &str) -> (u64, Vec<String>) {
        let v = self.json(&["search", query, "--json", "--limit", "100"]);
        let ids = v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
        (v["total"].as_u64().unwrap(), ids)
    }
}

/// A model folder that does not exist: the semantic tier is off in every test that does not ask for it.
pub const NO_MODEL: &str = "/nonexistent/casebook-test-no-model";

/// Runs the real binary with exactly these arguments.
pub fn casebook(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .env("NO_COLOR", "1")
        // Lexical search only, whatever model this machine has installed (see `semantic.rs` for the model).
        .env("CASEBOOK_MODEL_DIR", NO_MODEL)
        .output()
        .expect("run casebook");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Path of the bundled sample library.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Copies a folder tree (without the derived `.casebook` folder).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| e.file_name() != ".casebook") {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs the real binary with these arguments and extra environment variables (e.g. `CASEBOOK_FAIL_WRITES`).
pub fn casebook_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .env_remove("CASEBOOK_LIBRARY")
        .env("NO_COLOR", "1")
        .env("CASEBOOK_MODEL_DIR", NO_MODEL)
        .envs(env.iter().copied())
        .output()
        .expect("run casebook");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
