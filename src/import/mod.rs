//! Turning outside files (.md, .txt, .docx) into records (issue 5). Being written.
