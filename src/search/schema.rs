//! The index schema: which fields exist and how each is analysed. Changing it bumps [`SCHEMA_VERSION`], which
//! makes every existing index rebuild itself from the files on next open.

use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};

use super::facets::Facet;
use super::tokenizer::{BIGRAM, JIEBA};

/// Bump when the schema or the analysers change.
pub const SCHEMA_VERSION: u32 = 6;

/// Handles to every field.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Unique key: the record's path relative to the library.
    pub path: Field,
    pub id: Field,
    pub kind: Field,
    pub title: Field,
    /// Plain text of the body, stored for snippets.
    pub body: Field,
    /// The title and, for a write-up or site, its projects' names: matches here weigh more.
    pub title_bigram: Field,
    pub title_jieba: Field,
    pub text_bigram: Field,
    pub text_jieba: Field,
    pub district: Field,
    pub theme: Field,
    pub doc_type: Field,
    pub year: Field,
    pub project: Field,
    pub project_name: Field,
}

/// Builds the schema and returns it with its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let bigram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(BIGRAM).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let jieba = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(JIEBA).set_index_option(IndexRecordOption::WithFreqs),
    );
    let facet = STRING | STORED | FAST;
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        title_bigram: b.add_text_field("title_bigram", bigram.clone()),
        title_jieba: b.add_text_field("title_jieba", jieba.clone()),
        text_bigram: b.add_text_field("text_bigram", bigram),
        text_jieba: b.add_text_field("text_jieba", jieba),
        district: b.add_text_field(Facet::District.field_name(), facet.clone()),
        theme: b.add_text_field(Facet::Theme.field_name(), facet.clone()),
        doc_type: b.add_text_field(Facet::DocType.field_name(), facet.clone()),
        year: b.add_text_field(Facet::Year.field_name(), facet),
        project: b.add_text_field("project", STRING | STORED),
        project_name: b.add_text_field("project_name", STORED),
    };
    (b.build(), fields)
}
