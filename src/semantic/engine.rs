//! The embedding engine: multilingual-e5-small (4-bit) run by a small C engine loaded at run time.
//!
//! The model is not part of the program: it is a folder (`e5-small-q4.bin` and the engine library, `libe5.so`
//! / `e5.dll` / `libe5.dylib`) placed beside the program by the portable package or by `.ci/model`. Without
//! it every search still works, lexically. The engine is loaded with `libloading`, so a missing or broken
//! model is an error value, never a failed start.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use super::SemanticError;

/// The model file inside a model folder.
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// The environment variable naming a model folder (overrides the folders beside the program).
pub const MODEL_DIR_ENV: &str = "CASEBOOK_MODEL_DIR";

/// The engine library's file name on this platform (`libe5.so`, `e5.dll`, `libe5.dylib`).
pub fn engine_file() -> String {
    libloading::library_filename("e5").to_string_lossy().into_owned()
}

/// Where a model folder is looked for: `$CASEBOOK_MODEL_DIR` alone when it is set (a folder that does not
/// exist switches the tier off), else `model/` beside the program, then `model/` one folder up (so
/// `target/release/casebook` finds `target/model`, and `bin/casebook` finds `model/`).
pub fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        return vec![PathBuf::from(dir)];
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
        dirs.push(exe_dir.join("model"));
        if let Some(up) = exe_dir.parent() {
            dirs.push(up.join("model"));
        }
    }
    dirs
}

/// The first candidate folder that holds both the model and the engine, if any.
pub fn locate() -> Option<PathBuf> {
    candidate_dirs().into_iter().find(|d| d.join(MODEL_FILE).is_file() && d.join(engine_file()).is_file())
}

type LoadFn = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type DimFn = unsafe extern "C" fn(*const c_void) -> c_int;
type EmbedFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int, *mut f32) -> c_int;
type BatchFn = unsafe extern "C" fn(*mut c_void, *const *const c_char, c_int, c_int, *mut f32) -> c_int;
type ThreadsFn = unsafe extern "C" fn(c_int);

/// A loaded model. Not shared between threads: every call takes `&mut self`.
pub struct Embedder {
    model: *mut c_void,
    free: FreeFn,
    embed: EmbedFn,
    batch: BatchFn,
    threads: Option<ThreadsFn>,
    dim: usize,
    /// Where the model was loaded from (for messages).
    pub dir: PathBuf,
}

// SAFETY: the engine keeps no thread-local state between calls; the model pointer is owned by this value and
// only used through `&mut self`, so moving it to another thread is sound.
unsafe impl Send for Embedder {}

/// Longest text given to the engine, in bytes (e5 reads at most 512 tokens; this is well beyond that).
const MAX_TEXT_BYTES: usize = 4096;

impl Embedder {
    /// Loads the engine and model from a folder.
    pub fn load(dir: &Path) -> Result<Embedder, SemanticError> {
        let model_path = dir.join(MODEL_FILE);
        let engine_path = dir.join(engine_file());
        for p in [&model_path, &engine_path] {
            if !p.is_file() {
                return Err(SemanticError::Missing(p.clone()));
            }
        }
        let broken = |why: String| SemanticError::Engine { path: engine_path.clone(), why };
        // SAFETY: loading runs the library's initialisers; the engine is a plain C library without any.
        let library = unsafe { libloading::Library::new(&engine_path) }.map_err(|e| broken(e.to_string()))?;
        // Never unloaded: the engine's OpenMP worker threads outlive any one model and would crash in unmapped
        // code. Loading the same file again only raises the system's reference count.
        let library: &'static libloading::Library = Box::leak(Box::new(library));
        // SAFETY: the signatures are those of e5.h.
        let (load, free, dim, embed, batch, threads) = unsafe {
            let load: LoadFn = *library.get(b"e5_load\0").map_err(|e| broken(e.to_string()))?;
            let free: FreeFn = *library.get(b"e5_free\0").map_err(|e| broken(e.to_string()))?;
            let dim: DimFn = *library.get(b"e5_dim\0").map_err(|e| broken(e.to_string()))?;
            let embed: EmbedFn = *library.get(b"e5_embed\0").map_err(|e| broken(e.to_string()))?;
            let batch: BatchFn = *library.get(b"e5_embed_batch\0").map_err(|e| broken(e.to_string()))?;
            let threads: Option<ThreadsFn> = library.get(b"omp_set_num_threads\0").ok().map(|s| *s);
            (load, free, dim, embed, batch, threads)
        };
        let c_path = CString::new(model_path.to_string_lossy().as_bytes())
            .map_err(|_| SemanticError::Missing(model_path.clone()))?;
        // SAFETY: a NUL-terminated path; the engine returns NULL on any error.
        let model = unsafe { load(c_path.as_ptr()) };
        if model.is_null() {
            return Err(SemanticError::Engine { path: model_path, why: "模型文件无法读取或已损坏".into() });
        }
        // SAFETY: a model just returned by e5_load.
        let dim = unsafe { dim(model) };
        let mut embedder = Embedder { model, free, embed, batch, threads, dim: 0, dir: dir.to_path_buf() };
        if !(1..=4096).contains(&dim) {
            return Err(SemanticError::Engine { path: model_path, why: format!("向量维数 {dim} 不正常") });
        }
        embedder.dim = dim as usize;
        Ok(embedder)
    }

    /// Loads the model found by [`locate`], if any.
    pub fn find() -> Option<Result<Embedder, SemanticError>> {
        locate().map(|dir| Embedder::load(&dir))
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Caps the threads the engine uses (one when the machine is busy with other work).
    pub fn set_threads(&mut self, n: usize) {
        if let Some(set) = self.threads {
            // SAFETY: omp_set_num_threads takes any positive count.
            unsafe { set(n.clamp(1, 64) as c_int) }
        }
    }

    /// The normalised embedding of a query.
    pub fn query(&mut self, text: &str) -> Result<Vec<f32>, SemanticError> {
        let c = c_text(text);
        let mut out = vec![0f32; self.dim];
        // SAFETY: `out` holds dim floats, as e5_embed requires.
        let rc = unsafe { (self.embed)(self.model, c.as_ptr(), 1, out.as_mut_ptr()) };
        if rc != 0 {
            return Err(SemanticError::Failed(rc));
        }
        Ok(out)
    }

    /// The normalised embeddings of passages, `texts.len() × dim` floats, row after row.
    pub fn passages(&mut self, texts: &[String]) -> Result<Vec<f32>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let owned: Vec<CString> = texts.iter().map(|t| c_text(t)).collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let mut out = vec![0f32; self.dim * texts.len()];
        // SAFETY: `ptrs` holds texts.len() NUL-terminated strings alive for the call; `out` holds n × dim floats.
        let rc = unsafe { (self.batch)(self.model, ptrs.as_ptr(), ptrs.len() as c_int, 0, out.as_mut_ptr()) };
        if rc != 0 {
            return Err(SemanticError::Failed(rc));
        }
        Ok(out)
    }
}

impl Drop for Embedder {
    fn drop(&mut self) {
        // SAFETY: the model came from e5_load and is freed once; the library is never unloaded.
        unsafe { (self.free)(self.model) }
    }
}

/// A text as the engine takes it: NUL bytes removed, cut at a character boundary.
fn c_text(text: &str) -> CString {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes: Vec<u8> = text[..end].bytes().filter(|b| *b != 0).collect();
    CString::new(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_at_characters_and_lose_nul_bytes() {
        let long = "调".repeat(3000);
        let c = c_text(&long);
        assert!(c.as_bytes().len() <= MAX_TEXT_BYTES);
        assert!(std::str::from_utf8(c.as_bytes()).is_ok());
        assert_eq!(c_text("a\0b").as_bytes(), b"ab");
    }

    #[test]
    fn a_folder_without_the_model_is_an_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Embedder::load(dir.path()), Err(SemanticError::Missing(_))));
        std::fs::write(dir.path().join(MODEL_FILE), b"not a model").unwrap();
        std::fs::write(dir.path().join(engine_file()), b"not a library").unwrap();
        assert!(matches!(Embedder::load(dir.path()), Err(SemanticError::Engine { .. })));
    }
}
