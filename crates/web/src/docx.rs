//! A small .docx (WordprocessingML) writer: paragraphs of runs, tables and an A4 page
//! in the Youth Union document format (Times New Roman, left margin 30 mm, others
//! 20 mm, page numbers from the second page). Enough for reports and plans; written
//! by hand on top of the `zip` crate, so every byte of the output is ours to check.

use std::io::{Cursor, Write};

use crate::error::Failure;

/// Twips per millimetre (1 inch = 1440 twips = 25.4 mm).
pub fn mm(millimetres: f64) -> u32 {
    (millimetres * 1440.0 / 25.4).round() as u32
}

const PAGE_WIDTH: u32 = 11906; // A4: 210 mm
const PAGE_HEIGHT: u32 = 16838; // 297 mm

/// The page's margins in millimetres: 30 mm left, 20 mm elsewhere (Hướng dẫn 29-HD/TWĐTN-VP).
const MARGIN_LEFT_MM: f64 = 30.0;
const MARGIN_RIGHT_MM: f64 = 20.0;
const MARGIN_TOP_MM: f64 = 20.0;
const MARGIN_BOTTOM_MM: f64 = 20.0;

/// The width of the text between the margins, in twips.
pub fn text_width() -> u32 {
    PAGE_WIDTH - mm(MARGIN_LEFT_MM) - mm(MARGIN_RIGHT_MM)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Justify,
    Left,
    Center,
    Right,
}

impl Align {
    fn as_str(self) -> &'static str {
        match self {
            Align::Justify => "both",
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A stretch of text with one look. Sizes are in points.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub size: Option<f64>,
    /// RRGGBB
    pub color: Option<&'static str>,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Run {
        Run { text: text.into(), ..Run::default() }
    }
    pub fn bold(mut self) -> Run {
        self.bold = true;
        self
    }
    pub fn italic(mut self) -> Run {
        self.italic = true;
        self
    }
    pub fn underline(mut self) -> Run {
        self.underline = true;
        self
    }
    pub fn size(mut self, points: f64) -> Run {
        self.size = Some(points);
        self
    }
    pub fn color(mut self, rgb: &'static str) -> Run {
        self.color = Some(rgb);
        self
    }
}

/// A paragraph. Spacing in points, indents in millimetres.
#[derive(Debug, Clone)]
pub struct Para {
    pub runs: Vec<Run>,
    pub align: Align,
    pub first_line_mm: f64,
    pub left_mm: f64,
    pub before: f64,
    pub after: f64,
    /// Line spacing as a multiple (1.0 single).
    pub line: f64,
    pub keep_next: bool,
    /// Starts a new page (an annex after the signature).
    pub page_break_before: bool,
}

impl Default for Para {
    fn default() -> Para {
        Para {
            runs: Vec::new(),
            align: Align::Justify,
            first_line_mm: 0.0,
            left_mm: 0.0,
            before: 0.0,
            after: 0.0,
            line: 1.0,
            keep_next: false,
            page_break_before: false,
        }
    }
}

impl Para {
    pub fn new() -> Para {
        Para::default()
    }
    /// A body paragraph: justified, first line indented 10 mm, 6 pt after, 1.15 lines.
    pub fn body(text: impl Into<String>) -> Para {
        Para { first_line_mm: 10.0, after: 6.0, line: 1.15, ..Para::default() }.run(Run::new(text))
    }
    pub fn run(mut self, run: Run) -> Para {
        self.runs.push(run);
        self
    }
    pub fn text(self, text: impl Into<String>) -> Para {
        self.run(Run::new(text))
    }
    pub fn align(mut self, align: Align) -> Para {
        self.align = align;
        self
    }
    pub fn center(self) -> Para {
        self.align(Align::Center)
    }
    pub fn spacing(mut self, before: f64, after: f64) -> Para {
        self.before = before;
        self.after = after;
        self
    }
    pub fn line(mut self, line: f64) -> Para {
        self.line = line;
        self
    }
    pub fn first_line(mut self, millimetres: f64) -> Para {
        self.first_line_mm = millimetres;
        self
    }
    pub fn left(mut self, millimetres: f64) -> Para {
        self.left_mm = millimetres;
        self
    }
    pub fn keep_next(mut self) -> Para {
        self.keep_next = true;
        self
    }
    pub fn page_break_before(mut self) -> Para {
        self.page_break_before = true;
        self
    }
    /// Every run of the paragraph in this size (points).
    pub fn size(mut self, points: f64) -> Para {
        for r in &mut self.runs {
            r.size = Some(points);
        }
        self
    }
}

/// A table cell: paragraphs, an optional fill (RRGGBB) and a column span.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub paras: Vec<Para>,
    pub fill: Option<&'static str>,
    pub span: u32,
}

impl Cell {
    pub fn new(paras: Vec<Para>) -> Cell {
        Cell { paras, fill: None, span: 1 }
    }
    /// One paragraph of text, single-spaced, in the given size and alignment.
    pub fn text(text: impl Into<String>, align: Align, size: f64) -> Cell {
        Cell::new(vec![Para::new().align(align).spacing(2.0, 2.0).run(Run::new(text).size(size))])
    }
    pub fn bold(mut self) -> Cell {
        for p in &mut self.paras {
            for r in &mut p.runs {
                r.bold = true;
            }
        }
        self
    }
    pub fn fill(mut self, rgb: &'static str) -> Cell {
        self.fill = Some(rgb);
        self
    }
    pub fn span(mut self, columns: u32) -> Cell {
        self.span = columns.max(1);
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Repeated at the top of every page the table runs onto.
    pub header: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column widths in twips.
    pub widths: Vec<u32>,
    pub rows: Vec<Row>,
    pub borders: bool,
}

impl Table {
    /// Columns sized in proportion to `weights`, filling the text width.
    pub fn proportional(weights: &[u32], borders: bool) -> Table {
        let total: u32 = weights.iter().sum::<u32>().max(1);
        let width = text_width();
        let widths = weights.iter().map(|w| width * w / total).collect();
        Table { widths, rows: Vec::new(), borders }
    }
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row { cells, header: false });
    }
    pub fn header_row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row { cells, header: true });
    }
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
    /// A picture on its own line, centred: the index of `Document::images`.
    Image(usize),
}

/// A JPEG picture of the document (word/media/imageN.jpeg), with its size on the
/// page in EMU (914,400 a inch).
#[derive(Debug, Clone)]
pub struct Image {
    pub jpeg: Vec<u8>,
    pub cx: u64,
    pub cy: u64,
}

/// EMU per twip (1/1440 inch).
const EMU_PER_TWIP: u64 = 635;

/// A document: blocks in order on A4 pages.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// The body's size in points (13 or 14).
    pub body_size: f64,
    pub title: String,
    pub images: Vec<Image>,
}

impl Document {
    pub fn new(title: impl Into<String>, body_size: f64) -> Document {
        Document { blocks: Vec::new(), body_size, title: title.into(), images: Vec::new() }
    }

    /// A JPEG of `width` × `height` pixels, scaled to the text width and at most
    /// `max_height_mm` high, keeping its shape.
    pub fn image(&mut self, jpeg: Vec<u8>, width: u32, height: u32, max_height_mm: f64) {
        let max_cx = u64::from(text_width()) * EMU_PER_TWIP;
        let max_cy = u64::from(mm(max_height_mm)) * EMU_PER_TWIP;
        let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
        // Fit the width first, then the height.
        let (mut cx, mut cy) = (max_cx, max_cx * h / w);
        if cy > max_cy {
            cy = max_cy;
            cx = max_cy * w / h;
        }
        self.images.push(Image { jpeg, cx, cy });
        self.blocks.push(Block::Image(self.images.len() - 1));
    }
    pub fn para(&mut self, p: Para) {
        self.blocks.push(Block::Para(p));
    }
    pub fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }

    /// The .docx file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Failure> {
        let mut buffer = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            let parts: [(&str, String); 7] = [
                ("[Content_Types].xml", CONTENT_TYPES.to_string()),
                ("_rels/.rels", ROOT_RELS.to_string()),
                ("docProps/core.xml", core_xml(&self.title)),
                ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
                ("word/styles.xml", styles_xml(self.body_size)),
                ("word/header1.xml", header_xml(self.body_size)),
                ("word/document.xml", self.document_xml()),
            ];
            for (name, content) in parts {
                let content = match name {
                    "word/_rels/document.xml.rels" => self.document_rels(),
                    _ => content,
                };
                zip.start_file(name, options).map_err(Failure::internal)?;
                zip.write_all(content.as_bytes()).map_err(Failure::internal)?;
            }
            // JPEG is compressed already: stored as it is.
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            for (i, image) in self.images.iter().enumerate() {
                zip.start_file(format!("word/media/image{}.jpeg", i + 1), stored).map_err(Failure::internal)?;
                zip.write_all(&image.jpeg).map_err(Failure::internal)?;
            }
            zip.finish().map_err(Failure::internal)?;
        }
        Ok(buffer.into_inner())
    }

    /// The document's relationships: styles, header and one per picture.
    fn document_rels(&self) -> String {
        let mut rels = DOCUMENT_RELS.replace("</Relationships>", "");
        for i in 1..=self.images.len() {
            rels.push_str(&format!(
                r#"<Relationship Id="rIdImg{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{i}.jpeg"/>"#
            ));
        }
        rels.push_str("</Relationships>");
        rels
    }

    fn document_xml(&self) -> String {
        let mut x = String::with_capacity(64 * 1024);
        x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
        x.push_str(r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>"#);
        for b in &self.blocks {
            match b {
                Block::Para(p) => para_xml(&mut x, p),
                Block::Table(t) => table_xml(&mut x, t),
                Block::Image(i) => {
                    if let Some(image) = self.images.get(*i) {
                        image_xml(&mut x, *i + 1, image);
                    }
                }
            }
        }
        x.push_str(&format!(
            r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/><w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr>"#,
            mm(MARGIN_TOP_MM),
            mm(MARGIN_RIGHT_MM),
            mm(MARGIN_BOTTOM_MM),
            mm(MARGIN_LEFT_MM)
        ));
        x.push_str("</w:body></w:document>");
        x
    }
}

/// A picture inline in its own centred paragraph, kept with the caption after it.
fn image_xml(x: &mut String, n: usize, image: &Image) {
    let (cx, cy) = (image.cx, image.cy);
    x.push_str(&format!(
        r#"<w:p><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{n}" name="Hình {n}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}.jpeg"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    ));
}

/// Text as XML character data: escaped, and without the control characters XML forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn para_xml(x: &mut String, p: &Para) {
    x.push_str("<w:p><w:pPr>");
    if p.keep_next {
        x.push_str("<w:keepNext/>");
    }
    if p.page_break_before {
        x.push_str("<w:pageBreakBefore/>");
    }
    x.push_str(&format!(
        r#"<w:spacing w:before="{}" w:after="{}" w:line="{}" w:lineRule="auto"/>"#,
        (p.before * 20.0).round() as i64,
        (p.after * 20.0).round() as i64,
        (p.line * 240.0).round() as i64
    ));
    if p.first_line_mm != 0.0 || p.left_mm != 0.0 {
        let first = mm(p.first_line_mm.abs());
        let first_attr =
            if p.first_line_mm < 0.0 { format!(r#"w:hanging="{first}""#) } else { format!(r#"w:firstLine="{first}""#) };
        x.push_str(&format!(r#"<w:ind w:left="{}" {first_attr}/>"#, mm(p.left_mm)));
    }
    x.push_str(&format!(r#"<w:jc w:val="{}"/>"#, p.align.as_str()));
    x.push_str("</w:pPr>");
    for r in &p.runs {
        run_xml(x, r);
    }
    x.push_str("</w:p>");
}

fn run_xml(x: &mut String, r: &Run) {
    let mut props = String::new();
    if r.bold {
        props.push_str("<w:b/><w:bCs/>");
    }
    if r.italic {
        props.push_str("<w:i/><w:iCs/>");
    }
    if let Some(c) = r.color {
        props.push_str(&format!(r#"<w:color w:val="{c}"/>"#));
    }
    if let Some(s) = r.size {
        let half = (s * 2.0).round() as i64;
        props.push_str(&format!(r#"<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>"#));
    }
    if r.underline {
        props.push_str(r#"<w:u w:val="single"/>"#);
    }
    let start = if props.is_empty() { "<w:r>".to_string() } else { format!("<w:r><w:rPr>{props}</w:rPr>") };
    x.push_str(&start);
    for (i, line) in r.text.split('\n').enumerate() {
        if i > 0 {
            x.push_str("<w:br/>");
        }
        x.push_str(r#"<w:t xml:space="preserve">"#);
        x.push_str(&escape(line.trim_end_matches('\r')));
        x.push_str("</w:t>");
    }
    x.push_str("</w:r>");
}

fn table_xml(x: &mut String, t: &Table) {
    let total: u32 = t.widths.iter().sum();
    x.push_str(&format!(r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>"#));
    let border = if t.borders { r#"w:val="single" w:sz="4" w:space="0" w:color="000000""# } else { r#"w:val="nil""# };
    x.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.push_str(&format!("<w:{side} {border}/>"));
    }
    x.push_str("</w:tblBorders>");
    x.push_str(r#"<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#);
    for w in &t.widths {
        x.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    x.push_str("</w:tblGrid>");
    for row in &t.rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if row.header {
            x.push_str("<w:tblHeader/>");
        }
        x.push_str("</w:trPr>");
        let mut column = 0usize;
        for cell in &row.cells {
            let span = cell.span.max(1) as usize;
            let width: u32 = t.widths.iter().skip(column).take(span).sum();
            column += span;
            x.push_str(&format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#));
            if span > 1 {
                x.push_str(&format!(r#"<w:gridSpan w:val="{span}"/>"#));
            }
            if let Some(fill) = cell.fill {
                x.push_str(&format!(r#"<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>"#));
            }
            x.push_str(r#"<w:vAlign w:val="center"/></w:tcPr>"#);
            if cell.paras.is_empty() {
                x.push_str("<w:p/>");
            }
            for p in &cell.paras {
                para_xml(x, p);
            }
            x.push_str("</w:tc>");
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdHeader1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>"#;

fn core_xml(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>phongtrao</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>"#,
        escape(title)
    )
}

fn styles_xml(body_size: f64) -> String {
    let half = (body_size * 2.0).round() as i64;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#
    )
}

/// The page number, centred at the top, from the second page on (titlePg).
fn header_xml(body_size: f64) -> String {
    let half = (body_size * 2.0).round() as i64;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:sz w:val="{half}"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="{half}"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="{half}"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="{half}"/></w:rPr><w:t>2</w:t></w:r><w:r><w:rPr><w:sz w:val="{half}"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>"#
    )
}

/// The text of a .docx's body, paragraph by paragraph (for tests and checks): the
/// `w:t` runs joined, `w:p` and `w:tr` ending lines, cells separated by " | ".
pub fn read_text(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").ok()?, &mut xml).ok()?;
    Some(xml_text(&xml))
}

/// The text of WordprocessingML: see `read_text`.
pub fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else { break };
        let tag = &rest[start + 1..start + end];
        let after = &rest[start + end + 1..];
        if tag.starts_with("w:t ") || tag == "w:t" {
            let close = after.find("</w:t>").unwrap_or(after.len());
            out.push_str(&unescape(&after[..close]));
            rest = &after[close..];
            continue;
        }
        match tag {
            "/w:p" => out.push('\n'),
            "/w:tc" => {
                if out.ends_with('\n') {
                    out.pop();
                }
                out.push_str(" | ");
            }
            "w:br/" => out.push(' '),
            _ => {}
        }
        rest = after;
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_with_the_union_margins() {
        assert_eq!(mm(30.0), 1701);
        assert_eq!(mm(20.0), 1134);
        assert_eq!(text_width(), 11906 - 1701 - 1134);
    }

    #[test]
    fn text_round_trips_escaped() {
        let mut d = Document::new("t", 14.0);
        d.para(Para::body("a < b & \"c\" \u{1} =HYPERLINK(\"x\")"));
        let mut t = Table::proportional(&[1, 2], true);
        t.row(vec![Cell::text("1.500", Align::Right, 13.0), Cell::text("94,5%", Align::Right, 13.0)]);
        d.table(t);
        let bytes = d.to_bytes().unwrap_or_default();
        let text = read_text(&bytes).unwrap_or_default();
        assert!(text.contains("a < b & \"c\"  =HYPERLINK(\"x\")"), "{text}");
        assert!(text.contains("1.500 | 94,5% | "), "{text}");
    }
}
