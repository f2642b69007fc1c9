//! 帮助: how to use the app (使用说明), its keyboard shortcuts (快捷键) and 关于 (version and licences), each in a
//! modal window closed by Escape. The text is here, in Chinese, so it works offline and matches this version.

/// Which help page is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpPage {
    Guide,
    Shortcuts,
    About,
}

impl HelpPage {
    /// The menu entry and window title.
    pub fn title(self) -> &'static str {
        match self {
            HelpPage::Guide => "使用说明",
            HelpPage::Shortcuts => "快捷键",
            HelpPage::About => "关于经验库",
        }
    }
}

/// The shortcuts the app answers to, with what they do (shown in 快捷键 and tested against the app).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+K 或 Ctrl+F", "转到检索框"),
    ("回车（检索框中）", "立即检索，并记入检索历史"),
    ("↑ / ↓（检索框中）", "逐条查看结果"),
    ("Ctrl+↑ / Ctrl+↓", "上一条 / 下一条结果（任何位置）"),
    ("Alt+← / Alt+→", "返回 / 前进（打开过的记录和页面）"),
    ("Ctrl+S", "保存正在编辑的记录"),
    ("Esc", "关闭对话框"),
];

/// Sections of 使用说明: a heading and its paragraphs.
const GUIDE: &[(&str, &[&str])] = &[
    (
        "检索",
        &[
            "在检索框中输入词语、短语或一句问话，例如“邻里纠纷调解的好办法”“电梯加装矛盾怎么调解”。同时包含全部词语的材料列为“完全匹配”，排在前面；只包含部分词语或意思相近的列为“相关”。",
            "“怎么、有没有、好办法、经验”等虚词不参与匹配；简体、繁体，全角、半角都能互相找到；常见简称与全称互通（如“电诈”与“电信网络诈骗”）。",
            "检索式：\"精确短语\"、-排除词、OR，以及 district:渝中区、theme:社会矛盾、type:典型案例、year:2021、project:项目编号 等筛选。左侧的区县、主题、文种、年份可多选筛选。",
            "“在结果中检索”保留当前结果，清空检索框，再输入的词语只在这些结果中找（可多次，层层缩小；上方的“在……的结果中”可随时去掉）。",
            "“已存检索 → 保存当前检索…”把检索词、筛选条件和“在结果中检索”一起起个名字保存到资料库的 casebook.yaml，打开同一资料库的同事都能在“已存检索”中一键使用或删除。",
        ],
    ),
    (
        "查看与导航",
        &[
            "点击结果的任意位置打开材料；右侧显示全文、所属项目、相似经验。Alt+← 返回上一条打开过的材料或页面，Alt+→ 前进；“文件 → 最近打开的记录”列出最近看过的材料。",
        ],
    ),
    (
        "编辑与导入",
        &[
            "“文件 → 新建”写作材料、认领项目、调研点或学习专辑；左侧填写区县、主题、文种等，右侧写正文。正文像在 Word 中一样输入：一行即一段，以“一、”“（一）”“1．”“（1）”开头的短行自动成为相应层级的标题；也可以用正文上方的“标题一、标题二、标题三、加粗、列表、表格、插入图片”按钮（图片保存时与材料一起存入资料库）。",
            "把 Word（.docx）、文本（.txt，UTF-8 或 GBK）、Markdown 文件拖进窗口或从“文件 → 导入文件”导入：程序识别标题、区县、日期、文种并列出依据，核对后保存才写入资料库。找不到文种依据的标为“待确认”，不计入经验材料篇数。",
            "保存前按试点要求检查；有错误时不会写入，并指出是哪一项。每次保存都保留上一版本，可在编辑页“历史版本”中恢复。",
        ],
    ),
    (
        "迎验收与对比",
        &[
            "“总览 · 迎验收”按区县列出认领项目的经验材料篇数（每个项目至少两篇）、调研点个数（3–4 个）和指标是否齐全。项目页的“试点前后对比”画出各指标的前后数据；“从报表导入指标…”用 Excel、WPS 报表中的数字填写指标；“横向对比”比较各区县同一指标的改善幅度。“档案”按项目、年度、文种列出归档材料和缺项。",
            "导入：把 Word、WPS、PDF、Excel 表格、扫描件或照片拖进窗口，或用“文件 → 导入文件”。扫描件和没有文字层的 PDF 页自动做文字识别（每页几秒，状态栏显示进度），识别出的文字注明“文字识别”，请对照原件核对；原件随记录保存，详情页可“打开原件”。",
        ],
    ),
    (
        "交换与导出",
        &[
            "“文件 → 导出交换包”把一个区县的材料打成 .zip，报送或交换；收到的交换包拖进窗口后逐条核对再导入，改动过的材料必须逐条勾选，绝不静默覆盖。",
            "“文件 → 导出展示材料”为调研点、调研路线或学习专辑生成网页（可用浏览器打印）和 Word 文档（GB/T 9704 公文格式）。",
            "写作材料的详情页和项目页有“打印…”：在浏览器中打开这一篇（或这个项目）的 A4 打印页，按 Ctrl+P 打印或另存为 PDF。调研点、调研路线和学习专辑从“文件 → 打印展示材料或学习专辑…”导出后点“打印…”。",
            "命令行 casebook docx-check 文件.docx 按 GB/T 9704 逐项检查任何 Word 文件（纸张、页边距、字体字号、行数字数、标题、页码）。",
        ],
    ),
];

/// Draws the open page in a modal; returns false when it was closed.
pub fn show(ui: &egui::Ui, page: HelpPage) -> bool {
    let modal = egui::Modal::new(egui::Id::unique("help-modal")).show(ui.ctx(), |ui| {
        ui.set_max_width(620.0);
        ui.heading(page.title());
        ui.separator();
        egui::ScrollArea::vertical().max_height(460.0).show(ui, |ui| match page {
            HelpPage::Guide => {
                for (heading, paragraphs) in GUIDE {
                    ui.add_space(4.0);
                    ui.label(egui::RichText::new(*heading).strong());
                    for p in *paragraphs {
                        ui.label(*p);
                    }
                }
            }
            HelpPage::Shortcuts => {
                egui::Grid::new("shortcuts").striped(true).num_columns(2).show(ui, |ui| {
                    for (keys, what) in SHORTCUTS {
                        ui.label(egui::RichText::new(*keys).strong());
                        ui.label(*what);
                        ui.end_row();
                    }
                });
            }
            HelpPage::About => {
                ui.label(format!("经验库 Casebook {}", env!("CARGO_PKG_VERSION")));
                ui.label("市域社会治理现代化试点“可复制可推广”经验材料的桌面知识库：检索、编辑、迎验收、对比与导出。");
                ui.add_space(6.0);
                ui.label(egui::RichText::new("许可").strong());
                ui.label("程序：MIT 或 Apache-2.0 许可（任选其一）。");
                ui.label("界面字体：思源黑体（Noto Sans SC）子集，SIL 开放字体许可 1.1（assets/fonts/OFL.txt）。");
                ui.label("可选的语义模型：multilingual-e5-small 4 位量化版，MIT 许可。");
                ui.label(
                    "所用的开源库（egui、tantivy、jieba-rs、pulldown-cmark 等）各依其许可，见源代码的 Cargo.lock。",
                );
                ui.add_space(6.0);
                ui.weak("示例资料库为演示编写的示例数据，不是官方材料。");
            }
        });
        ui.separator();
        ui.button("关闭").clicked()
    });
    !(modal.inner || modal.should_close())
}
