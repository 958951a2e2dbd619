//! The plan importer: reads a plan document (.docx, .txt, .md) and proposes the
//! campaign as a draft that a person reviews and confirms.
//!
//! Nothing here is a silent guess: every extracted value keeps the sentence it came
//! from and how sure the reader is ([`Confidence`]), and what could not be read is
//! listed in [`ImportDraft::problems`]. The draft renders as a plan file
//! ([`ImportDraft::to_toml`]) in the format of `crate::plan`, with clear
//! placeholders where the document lacks a required value.
//!
//! Pure: bytes and text in, values out. The heuristics live in small modules:
//! `text` (normalisation), `docx` (Word text), `structure` (sections I–VI, 1.,
//! 2.1, bullets), `header`, `targets` (purpose, areas, targets), `indicators`
//! (one target sentence → its indicators) with `lexicon` (the words it knows),
//! `numbers`, `dates`, `schedule` (events, milestones, weekly rule), `people`
//! (signatory, recipients, contact, issuing body), `duties`, `draft` (the model and
//! the extracted items), `render` (the plan file) and `lint`.

mod dates;
mod docx;
mod draft;
mod duties;
mod header;
mod indicators;
mod lexicon;
mod lint;
mod numbers;
mod people;
mod render;
mod schedule;
mod structure;
mod targets;
mod text;

use std::fmt;

use serde::Serialize;

use crate::plan::{parse_plan, Plan, PlanErrors};

pub use lint::lint_draft;

/// How sure the importer is of one extracted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A reading choice was made, or a value was filled in: check it.
    Low,
    /// Read by a rule that usually holds; worth a look.
    Medium,
    /// Read directly from an unambiguous phrase.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One value the importer read from the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extracted {
    /// Dotted path of the plan field ("targets[4].indicators[0].goal", "campaign.theme").
    pub field: String,
    pub value: String,
    /// The sentence or line of the document the value came from.
    pub source: String,
    /// 1-based line of the (normalised) document text; 0 when the value was derived.
    pub line: usize,
    pub confidence: Confidence,
}

/// The result of an import: a draft plan, never a confirmed one.
#[derive(Debug, Clone)]
pub struct ImportDraft {
    /// Every value read, in plan order, with its source and confidence.
    pub items: Vec<Extracted>,
    /// What could not be read or had to be filled in ("vi / en").
    pub problems: Vec<String>,
    plan: draft::PlanDraft,
}

impl ImportDraft {
    /// The draft as a plan file (the format of `crate::plan`), with
    /// `# nguồn / source:` comments and placeholders for missing values.
    pub fn to_toml(&self) -> String {
        self.plan.to_toml()
    }

    /// The draft checked as a plan: `parse_plan(&self.to_toml())`.
    pub fn to_plan(&self) -> Result<Plan, PlanErrors> {
        parse_plan(&self.to_toml())
    }

    /// The extracted values with at most this confidence (what a reviewer looks at first).
    pub fn items_at_most(&self, confidence: Confidence) -> impl Iterator<Item = &Extracted> {
        self.items.iter().filter(move |i| i.confidence <= confidence)
    }

    pub(crate) fn draft(&self) -> &draft::PlanDraft {
        &self.plan
    }
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The extension is not .docx, .txt or .md.
    UnsupportedFormat(String),
    /// A text file that is not UTF-8.
    NotUtf8 { valid_up_to: usize },
    /// A .docx that is not a zip archive.
    NotZip(String),
    /// A zip without word/document.xml.
    NoDocumentXml,
    /// word/document.xml is larger than the limit once uncompressed.
    TooLarge { size: u64, limit: u64 },
    /// word/document.xml is not readable XML.
    BadXml(String),
    /// One paragraph (line) is longer than a plan's paragraph can reasonably be.
    ParagraphTooLong { chars: usize, limit: usize },
    /// The text as a whole is longer than a plan can reasonably be.
    TextTooLong { bytes: usize, limit: usize },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::UnsupportedFormat(name) => write!(
                f,
                "Không đọc được định dạng của tệp \"{name}\": chỉ nhận .docx, .txt, .md / unsupported file type \"{name}\": only .docx, .txt and .md are read"
            ),
            ImportError::NotUtf8 { valid_up_to } => write!(
                f,
                "Tệp văn bản không phải UTF-8 (lỗi ở byte {valid_up_to}); hãy lưu lại với mã UTF-8 / the text file is not UTF-8 (bad byte at {valid_up_to}); save it as UTF-8"
            ),
            ImportError::NotZip(e) => write!(
                f,
                "Tệp .docx không hợp lệ (không phải tệp nén Word): {e} / not a valid .docx (not a zip archive): {e}"
            ),
            ImportError::NoDocumentXml => f.write_str(
                "Tệp .docx không có phần nội dung word/document.xml / the .docx has no word/document.xml",
            ),
            ImportError::TooLarge { size, limit } => write!(
                f,
                "Nội dung văn bản quá lớn ({size} byte, tối đa {limit}) / the document text is too large ({size} bytes, limit {limit})"
            ),
            ImportError::BadXml(e) => write!(
                f,
                "Không đọc được nội dung .docx (XML lỗi): {e} / unreadable .docx content (bad XML): {e}"
            ),
            ImportError::ParagraphTooLong { chars, limit } => write!(
                f,
                "Văn bản có một đoạn quá dài (hơn {chars} ký tự, tối đa {limit}): đây không giống một kế hoạch / a paragraph is too long (over {chars} characters, limit {limit}): this does not look like a plan"
            ),
            ImportError::TextTooLong { bytes, limit } => write!(
                f,
                "Nội dung văn bản quá dài (hơn {bytes} byte, tối đa {limit}) / the document text is too long (over {bytes} bytes, limit {limit})"
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// Largest uncompressed word/document.xml read from a .docx (20 MiB).
pub const MAX_DOCUMENT_XML: u64 = 20 * 1024 * 1024;

/// The longest paragraph handed to the reader, in characters: a plan's longest
/// paragraph is a few thousand; the reader's work grows faster than the length.
pub const MAX_PARAGRAPH_CHARS: usize = 20_000;
/// The most text handed to the reader, in bytes (a 40-page plan is ~200 KB).
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// Refuses a text the reader should not be given: too long, or with a paragraph
/// too long.
pub fn check_text_bounds(text: &str) -> Result<(), ImportError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ImportError::TextTooLong { bytes: text.len(), limit: MAX_TEXT_BYTES });
    }
    if let Some(line) = text.lines().find(|l| l.len() > MAX_PARAGRAPH_CHARS && l.chars().count() > MAX_PARAGRAPH_CHARS)
    {
        return Err(ImportError::ParagraphTooLong { chars: line.chars().count(), limit: MAX_PARAGRAPH_CHARS });
    }
    Ok(())
}

/// Reads a plan from its text (.txt or .md content, or text pasted by a person).
pub fn import_text(text: &str) -> ImportDraft {
    read(text, structure::Origin::Text)
}

fn read(text: &str, origin: structure::Origin) -> ImportDraft {
    let normalised = text::normalise(text);
    let lines = text::lines(&normalised);
    let document = structure::read_from(lines, origin);
    let (plan, problems) = draft::build(&document);
    let items = plan.items();
    ImportDraft { items, problems, plan }
}

/// Reads a plan from a .docx: each paragraph is a line of its own (never joined
/// to the next unless it was cut mid-sentence), each table row a line
/// `| a | b |` read by the same table reader as a Markdown table, and Word's
/// automatic numbering — direct or by paragraph style — is written out
/// ("1.", "2.1.", "-").
pub fn import_docx(bytes: &[u8]) -> Result<ImportDraft, ImportError> {
    let text = docx::text(bytes)?;
    check_text_bounds(&text)?;
    Ok(read(&text, structure::Origin::Paragraphs))
}

/// Reads a plan file by its name's extension: .docx, .txt or .md.
/// Text must be UTF-8 (a byte-order mark is dropped); a text cut in the middle
/// of a character at its very end is read up to that point, with a problem noted.
pub fn import_file(name: &str, bytes: &[u8]) -> Result<ImportDraft, ImportError> {
    let lower = name.to_lowercase();
    if lower.ends_with(".docx") {
        return import_docx(bytes);
    }
    if !(lower.ends_with(".txt") || lower.ends_with(".md") || lower.ends_with(".markdown")) {
        return Err(ImportError::UnsupportedFormat(name.to_string()));
    }
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(ImportError::TextTooLong { bytes: bytes.len(), limit: MAX_TEXT_BYTES });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            check_text_bounds(text)?;
            Ok(import_text(text))
        }
        Err(e) if e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4 => {
            // Only the last character is cut: a truncated file.
            let text = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            check_text_bounds(text)?;
            let mut draft = import_text(text);
            draft.problems.insert(
                0,
                "Tệp bị cắt giữa một ký tự ở cuối; đã đọc đến trước ký tự đó / the file ends in the middle of a character; read up to it"
                    .to_string(),
            );
            Ok(draft)
        }
        Err(e) => Err(ImportError::NotUtf8 { valid_up_to: e.valid_up_to() }),
    }
}
