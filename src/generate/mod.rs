//! A deterministic generator of libraries of any size, for tests and benchmarks.
//!
//! The same `(writeups, seed)` always gives the same bytes. Text is recombined from a bank of sentences in the
//! genre's voice (see [`bank`]) drawn under a Zipf-like distribution, so term frequencies look like real
//! material: a few phrases everywhere, a long tail of rare ones, domain terms throughout. Every generated
//! library passes `check`: each project has at least two 经验材料, each district with sites has three.

mod bank;
mod rng;

use std::fmt::Write as _;
use std::path::Path;

use crate::library::Config;
use rng::{Rng, Zipf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenSpec {
    pub writeups: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenReport {
    pub projects: usize,
    pub writeups: usize,
    pub sites: usize,
    pub collections: usize,
    pub bytes: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("输出文件夹 {0} 已存在且不是空的；请指定新的文件夹")]
    NotEmpty(std::path::PathBuf),
    #[error("写入 {path} 失败：{}", crate::os_error::describe(.source))]
    Io { path: std::path::PathBuf, source: std::io::Error },
}

/// Average write-ups per project (two 经验材料 plus, sometimes, a case, brief or minutes).
const WRITEUPS_PER_PROJECT: usize = 3;

struct Writer<'a> {
    root: &'a Path,
    report: GenReport,
}

impl Writer<'_> {
    fn write(&mut self, rel: &str, text: &str) -> Result<(), GenError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| GenError::Io { path: dir.to_path_buf(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| GenError::Io { path, source })?;
        self.report.bytes += text.len() as u64;
        Ok(())
    }
}

/// Writes a library into `out` (which must be absent or empty).
pub fn generate(out: &Path, spec: &GenSpec) -> Result<GenReport, GenError> {
    if out.exists() && std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(GenError::NotEmpty(out.to_path_buf()));
    }
    let config = Config::default();
    let districts: Vec<&str> = config.districts.iter().map(|d| d.name.as_str()).collect();
    let themes: Vec<&str> = config.all_themes().collect();
    let mut rng = Rng::new(spec.seed);
    let sentence_zipf = Zipf::new(bank::SENTENCES.len(), 1.05);
    let term_zipf = Zipf::new(bank::TERMS.len(), 1.0);
    let mut w = Writer { root: out, report: GenReport::default() };
    w.write(
        "README.md",
        &format!(
            "# 生成的测试资料库\n\n由 `casebook gen --writeups {} --seed {}` 生成，内容为随机组合的示例文字，不是真实材料。\n",
            spec.writeups, spec.seed
        ),
    )?;

    let n_projects = spec.writeups.div_ceil(WRITEUPS_PER_PROJECT).max(1);
    let mut remaining = spec.writeups;
    let mut projects_by_district: Vec<Vec<String>> = vec![Vec::new(); districts.len()];
    let mut all_writeups: Vec<String> = Vec::with_capacity(spec.writeups);
    for p in 0..n_projects {
        let d = p % districts.len();
        let district = districts[d];
        let pid = format!("g{:02}-p{:05}", d + 1, p / districts.len() + 1);
        let projects_left = n_projects - p;
        // Spread what is left evenly; never fewer than two 经验材料 when there is room.
        let count =
            if projects_left == 1 { remaining } else { remaining.div_ceil(projects_left).max(2).min(remaining) };
        remaining -= count;
        let mut ctx = Ctx { rng: &mut rng, sentence_zipf: &sentence_zipf, term_zipf: &term_zipf, district };
        let name = format!("{}{}", ctx.term(), bank::PROJECT_SUFFIX[ctx.rng.below(bank::PROJECT_SUFFIX.len())]);
        let p_themes = ctx.pick_themes(&themes);
        let project_text = ctx.project(&pid, &name, &p_themes);
        w.write(&format!("g{:02}/{pid}/project.md", d + 1), &project_text)?;
        w.report.projects += 1;
        projects_by_district[d].push(pid.clone());
        for k in 0..count {
            let id = format!("{pid}-{}", k + 1);
            let doc_type =
                if k < 2 { "经验材料" } else { bank::OTHER_TYPES[ctx.rng.below(bank::OTHER_TYPES.len())] };
            let text = ctx.writeup(&id, &pid, &name, doc_type, &p_themes);
            w.write(&format!("g{:02}/{pid}/{id}.md", d + 1), &text)?;
            w.report.writeups += 1;
            all_writeups.push(id);
        }
    }
    for (d, pids) in projects_by_district.iter().enumerate() {
        if pids.len() < 3 {
            continue;
        }
        for s in 0..3 {
            let mut ctx =
                Ctx { rng: &mut rng, sentence_zipf: &sentence_zipf, term_zipf: &term_zipf, district: districts[d] };
            let sid = format!("g{:02}-s{}", d + 1, s + 1);
            let text = ctx.site(&sid, s + 1, &pids[s..s + 1]);
            w.write(&format!("g{:02}/sites/{sid}.md", d + 1), &text)?;
            w.report.sites += 1;
        }
    }
    let n_collections = (spec.writeups / 2000).clamp(1, 50);
    for c in 0..n_collections {
        if all_writeups.is_empty() {
            break;
        }
        let mut ctx =
            Ctx { rng: &mut rng, sentence_zipf: &sentence_zipf, term_zipf: &term_zipf, district: districts[0] };
        let cid = format!("gcol-{:03}", c + 1);
        let text = ctx.collection(&cid, &all_writeups);
        w.write(&format!("collections/{cid}.md"), &text)?;
        w.report.collections += 1;
    }
    Ok(w.report)
}

struct Ctx<'a> {
    rng: &'a mut Rng,
    sentence_zipf: &'a Zipf,
    term_zipf: &'a Zipf,
    district: &'a str,
}

impl Ctx<'_> {
    fn term(&mut self) -> &'static str {
        bank::TERMS[self.term_zipf.sample(self.rng)]
    }

    fn pick_themes<'t>(&mut self, themes: &[&'t str]) -> Vec<&'t str> {
        let n = 2 + self.rng.below(2);
        let mut out: Vec<&str> = Vec::new();
        while out.len() < n {
            let t = themes[self.rng.below(themes.len())];
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// One sentence from the bank with its slots filled.
    fn sentence(&mut self, out: &mut String) {
        let template = bank::SENTENCES[self.sentence_zipf.sample(self.rng)];
        let mut rest = template;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else { break };
            match &rest[i + 1..i + j] {
                "d" => out.push_str(self.district),
                "t" => out.push_str(self.term()),
                "town" => out.push_str(bank::TOWNS[self.rng.below(bank::TOWNS.len())]),
                "n" => {
                    let _ = write!(out, "{}", 2 + self.rng.below(300));
                }
                "p" => {
                    let _ = write!(out, "{}.{}", 60 + self.rng.below(39), self.rng.below(10));
                }
                other => out.push_str(other),
            }
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
    }

    fn paragraph(&mut self, out: &mut String, sentences: usize) {
        for _ in 0..sentences {
            self.sentence(out);
        }
        out.push_str("\n\n");
    }

    fn project(&mut self, id: &str, name: &str, themes: &[&str]) -> String {
        let mut s = format!(
            "---\nkind: project\nid: {id}\nname: {name}\ndistrict: {}\nthemes: [{}]\nlead_unit: {}委政法委\nclaimed: {}\nstatus: {}\nindicators:\n",
            self.district,
            themes.join(", "),
            self.district,
            2020 + self.rng.below(2),
            ["推进中", "已完成", "已验收"][self.rng.below(3)]
        );
        let n = 2 + self.rng.below(3);
        let start = self.rng.below(bank::INDICATORS.len());
        for k in 0..n {
            let (name, unit, higher, base) = bank::INDICATORS[(start + k) % bank::INDICATORS.len()];
            let before = base * (0.7 + self.rng.unit() * 0.6);
            let change = 0.05 + self.rng.unit() * 0.3;
            let mut after = if higher { before * (1.0 + change) } else { before * (1.0 - change) };
            if unit == "%" {
                after = after.min(99.9);
            }
            let _ = write!(
                s,
                "  - name: {name}\n    unit: \"{unit}\"\n    better: {}\n    before: {{period: \"2019\", value: {}}}\n    after: {{period: \"2022\", value: {}}}\n",
                if higher { "higher" } else { "lower" },
                round1(before),
                round1(after)
            );
        }
        if self.rng.below(3) == 0 {
            let base = 80.0 + self.rng.unit() * 8.0;
            let _ = write!(
                s,
                "evaluation:\n  - {{period: \"2020\", satisfaction: {}, sample: {}}}\n  - {{period: \"2022\", satisfaction: {}, sample: {}}}\n",
                round1(base),
                500 + self.rng.below(1500),
                round1((base + 3.0 + self.rng.unit() * 8.0).min(99.5)),
                500 + self.rng.below(1500)
            );
        }
        s.push_str("---\n");
        self.paragraph(&mut s, 3);
        s
    }

    fn writeup(&mut self, id: &str, pid: &str, pname: &str, doc_type: &str, themes: &[&str]) -> String {
        let year = 2020 + self.rng.below(3);
        let tag = self.term();
        let mut s = format!(
            "---\nid: {id}\ntitle: {}{}{}\nproject: {pid}\ndistrict: {}\nthemes: [{}]\ntype: {doc_type}\ndate: {year}-{:02}-{:02}\nauthor_unit: {}委政法委\ntags: [{}]\n---\n",
            self.district,
            pname,
            bank::TITLE_SUFFIX[self.rng.below(bank::TITLE_SUFFIX.len())],
            self.district,
            themes.join(", "),
            1 + self.rng.below(12),
            1 + self.rng.below(28),
            self.district,
            tag,
        );
        let headings = bank::HEADINGS[self.rng.below(bank::HEADINGS.len())];
        for h in headings {
            let _ = writeln!(s, "## {h}\n");
            let n = 3 + self.rng.below(5);
            self.paragraph(&mut s, n);
        }
        s
    }

    fn site(&mut self, id: &str, order: usize, projects: &[String]) -> String {
        let town = bank::TOWNS[self.rng.below(bank::TOWNS.len())];
        let highlight = self.term();
        let mut s = format!(
            "---\nkind: site\nid: {id}\nname: {}{town}{}\ndistrict: {}\naddress: {}{town}中心路{}号\nhighlight: {}\nprojects: [{}]\nroute_order: {order}\nstops:\n",
            self.district,
            ["综治中心", "矛调中心", "网格服务站"][order % 3],
            self.district,
            self.district,
            1 + self.rng.below(200),
            highlight,
            projects.join(", ")
        );
        for k in 0..3 {
            let _ = writeln!(
                s,
                "  - {{name: {}, what: 观摩{}, minutes: {}, presenter: {}}}",
                bank::STOPS[(order + k) % bank::STOPS.len()],
                self.term(),
                5 + self.rng.below(16),
                ["街道党工委书记", "综治中心主任", "网格员代表", "调委会主任"][k % 4]
            );
        }
        let _ = write!(
            s,
            "reception: {{contact: {}委政法委 023-6{:03} {:04}, capacity: {}, parking: 中心停车场, notes: 提前一天报送名单}}\n---\n各位领导：欢迎莅临{town}。",
            self.district,
            self.rng.below(1000),
            self.rng.below(10000),
            20 + self.rng.below(40)
        );
        self.paragraph(&mut s, 6);
        s
    }

    fn collection(&mut self, id: &str, writeups: &[String]) -> String {
        let mut s = format!(
            "---\nkind: collection\nid: {id}\ntitle: {}专题学习材料\naudience: 区县政法委干部\nitems:\n",
            self.term()
        );
        for _ in 0..6 {
            let item = &writeups[self.rng.below(writeups.len())];
            let _ = writeln!(s, "  - {{id: {item}, note: 重点学习{}的做法}}", self.term());
        }
        s.push_str("questions:\n");
        for _ in 0..3 {
            let _ = writeln!(s, "  - 本地区推进{}还存在哪些短板？", self.term());
        }
        s.push_str("---\n");
        self.paragraph(&mut s, 4);
        s
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("lib");
        let report = generate(&out, &GenSpec { writeups: 250, seed: 7 }).unwrap();
        assert_eq!(report.writeups, 250);
        assert_eq!(report.projects, 84);
        assert!(report.sites >= 3);
        assert!(generate(&out, &GenSpec { writeups: 1, seed: 7 }).is_err(), "refuses a non-empty folder");
    }
}
