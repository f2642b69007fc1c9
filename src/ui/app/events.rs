//! What the worker reports, taken in before each frame: a library loaded, progress, the index ready, results,
//! saves and refusals, each turned into the state the views draw.

use super::*;

impl CasebookApp {
    /// Drains worker events (called before drawing each frame).
    pub fn logic(&mut self) {
        while let Ok(event) = self.worker.events.try_recv() {
            match event {
                Event::LibraryLoaded { root, library } => {
                    let n = library.records.len();
                    self.library = Some(library);
                    self.state.remember_library(root);
                    if !self.index_ready {
                        self.status = Some((format!("已读取 {n} 条记录，正在建立检索索引……"), false));
                    }
                    if let Some(lib) = &self.library {
                        self.editor.on_library(lib);
                    }
                    // The detail pane, project pages and the overview read the new records from now on.
                }
                Event::Progress(p) => self.progress = Some(p),
                Event::Semantic { coverage, running } => {
                    let finished = !running && self.semantic.is_some_and(|(_, was_running)| was_running);
                    self.semantic = Some((coverage, running));
                    if finished {
                        // The records embedded meanwhile can now be found by meaning.
                        let work = self.search.rerun();
                        self.apply_all(work);
                    }
                }
                Event::IndexReady { report, docs } => {
                    self.index_ready = true;
                    self.progress = None;
                    self.docs = docs;
                    self.status = Some((sync_message(&report, docs), false));
                    let work = self.search.rerun();
                    self.apply_all(work);
                }
                Event::Results { seq, results } => self.search.on_results(seq, results),
                Event::Page { seq, offset, hits } => self.search.on_page(seq, offset, hits),
                Event::Similar { id, hits } => self.search.on_similar(id, hits),
                Event::Original { id, state } => self.search.on_original(id, state),
                Event::Notice(message) => self.status = Some((message, false)),
                Event::ImageRead { name, result } => match (result, self.editor.session.as_mut()) {
                    (Ok(bytes), Some(session)) => {
                        session.insert_image(&name, bytes);
                        self.status = Some((format!("已插入图片 {name}，保存时一并存入资料库"), false));
                    }
                    (Ok(_), None) => {}
                    (Err(message), _) => self.status = Some((message, true)),
                },
                Event::Written { path, what } => {
                    self.status = Some((format!("已保存{what}：{}", path.display()), false));
                }
                Event::Saved { rel, warnings } => {
                    self.status = Some((format!("已保存 {rel}"), false));
                    self.editor.on_saved(&rel, warnings);
                    self.next_import();
                }
                Event::SaveRejected { problems } => {
                    self.status = Some(("未保存：请按提示改正".into(), true));
                    self.editor.on_rejected(problems);
                }
                Event::Drafts(drafts) => self.offered_drafts = drafts,
                Event::Versions { rel, versions } => {
                    if let Some(s) = self.editor.session.as_mut().filter(|s| s.rel.as_deref() == Some(rel.as_str())) {
                        s.versions = Some(versions);
                    }
                }
                Event::ImportProgress(step) => self.import_progress = Some(step),
                Event::IndicatorTable { path, result } => self.indicator_dialog.read(path, result),
                Event::FolderListed { dir, select, result } => self.file_chooser.listed(dir, select, result),
                Event::IndicatorsWritten(result) => {
                    self.indicator_dialog.busy = false;
                    match result {
                        Ok(message) => {
                            self.indicator_dialog.project = None;
                            self.status = Some((message, false));
                        }
                        Err(message) => self.indicator_dialog.table = Some(Err(message)),
                    }
                }
                Event::Imported(results) => {
                    self.import_progress = None;
                    let mut failed = Vec::new();
                    for (path, result) in results {
                        match result {
                            Ok(draft) => self.pending_imports.push(draft),
                            Err(message) => failed.push(format!("{}：{message}", path.display())),
                        }
                    }
                    if !failed.is_empty() {
                        self.status =
                            Some((format!("有 {} 个文件未能导入：{}", failed.len(), failed.join("；")), true));
                    }
                    self.next_import();
                }
                Event::BundlePlan { path, plan } => {
                    self.status = Some((format!("已读取交换包 {}，请核对后导入", path.display()), false));
                    self.bundle.load(path, *plan);
                    self.tab = Tab::Bundle;
                }
                Event::BundleFailed(message) => {
                    self.bundle.applying = false;
                    self.status = Some((message, true));
                }
                Event::BundleApplied(report) => {
                    self.bundle.applying = false;
                    self.status = Some((
                        format!("交换包已导入：新增 {}，更新 {}", report.added.len(), report.updated.len()),
                        false,
                    ));
                    self.bundle.report = Some(report);
                }
                Event::ExportProgress(f, step) => self.export_dialog.progress = Some((f, step)),
                Event::Exported(report) => {
                    self.export_dialog.progress = None;
                    self.status = Some((format!("已导出到 {}", report.folder.display()), false));
                    self.export_dialog.done = Some(report);
                }
                Event::ExportFailed(message) => {
                    self.export_dialog.progress = None;
                    self.status = Some((message, true));
                }
                Event::Error(message) => self.status = Some((message, true)),
            }
        }
    }
}

pub(super) fn sync_message(report: &SyncReport, docs: u64) -> String {
    let mut parts = vec![format!("检索就绪：{docs} 条记录")];
    if let Some(reason) = &report.rebuilt {
        parts.push(reason.label());
    } else if report.added + report.updated + report.removed > 0 {
        parts.push(format!("新增 {}、更新 {}、删除 {}", report.added, report.updated, report.removed));
    }
    if let Some(stale) = &report.stale {
        parts.push(stale.clone());
    }
    if let Some(note) = &report.in_memory {
        parts.push(note.clone());
    }
    if !report.problems.is_empty() {
        parts.push(format!("{} 个文件有错误未能检索（详见“总览”或 casebook check）", report.problems.len()));
    }
    parts.join("；")
}
