//! The body a new record starts with: a short Chinese skeleton of the headings such a document usually has,
//! so that `casebook new` and the app's “新建” give writers the expected structure.

use crate::library::Kind;

/// The skeleton body for a new record of `kind`; for a write-up, by document type (经验材料 when `None` or
/// unknown).
pub fn body_template(kind: Kind, doc_type: Option<&str>) -> &'static str {
    match kind {
        Kind::Project => "（项目简介：背景、目标、主要举措和阶段成效。）\n",
        Kind::Site => "各位领导，欢迎莅临……\n\n（解说词：按参观路线逐站介绍。）\n",
        Kind::Collection => "（导读：本专辑的学习目标、编排顺序和学习建议。）\n",
        Kind::Writeup => match doc_type.map(str::trim) {
            Some("典型案例") => {
                "## 一、案例背景\n\n（简述事件的起因、当事各方和主要矛盾。）\n\n## 二、主要做法\n\n## 三、取得成效\n\n## 四、案例启示\n"
            }
            Some("工作简报") => "## 工作动态\n\n## 主要成效\n\n## 下一步工作\n",
            Some("会议纪要") => {
                "## 会议基本情况\n\n（时间、地点、主持人、参会单位和人员。）\n\n## 会议议定事项\n\n## 工作要求\n"
            }
            Some("工作方案") => "## 一、总体要求\n\n## 二、主要任务\n\n## 三、实施步骤\n\n## 四、保障措施\n",
            Some("制度文件") => {
                "## 第一章　总则\n\n## 第二章　职责分工\n\n## 第三章　工作程序\n\n## 第四章　附则\n"
            }
            Some("报表") => "| 指标 | 单位 | 试点前 | 试点后 | 数据来源 |\n|---|---|---|---|---|\n|  |  |  |  |  |\n",
            Some("解说词") => "各位领导：\n\n欢迎莅临……\n\n（按参观路线逐站介绍。）\n",
            Some("政策文件") => "## 一、\n\n## 二、\n",
            _ => {
                "## 一、基本情况\n\n（简述背景、面临的问题和认领试点项目的情况。）\n\n## 二、主要做法\n\n### （一）\n\n\
                 ### （二）\n\n## 三、取得成效\n\n（用试点前后的数据说明成效。）\n\n## 四、经验启示\n"
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::DEFAULT_TYPES;

    #[test]
    fn every_type_has_a_skeleton() {
        for t in DEFAULT_TYPES {
            assert!(!body_template(Kind::Writeup, Some(t)).trim().is_empty(), "{t}");
        }
        assert!(body_template(Kind::Writeup, None).starts_with("## 一、基本情况"));
    }
}
