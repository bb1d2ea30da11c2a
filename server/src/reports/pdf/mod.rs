//! A small document builder on top of `pdf-writer`: A4 pages that fill from the top, wrapped
//! paragraphs, tables that break across pages with their header repeated, simple drawings
//! (bars, stars), a running header and "page i of n" footer on every page, a DRAFT mark for
//! previews, and an optional signature field that [`sign`] fills in afterwards.
//!
//! Reports describe their content with it (see `audit_report.rs`); nothing here knows about
//! audits.

pub mod font;
pub mod layout;
pub mod sign;

use pdf_writer::types::{AnnotationFlags, FieldType, SigFlags};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use self::font::{UsedGlyphs, Weight};
use self::layout::{paginate, wrap, RowSize, TableMetrics};
use crate::error::Error;

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
pub const MARGIN: f32 = 50.0;
/// Where the body of each page begins and ends (below the header, above the footer).
const BODY_TOP: f32 = PAGE_HEIGHT - 78.0;
const BODY_BOTTOM: f32 = 62.0;
pub const BODY_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// A colour as red, green, blue from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0.1, 0.1, 0.12);
    pub const GREY: Rgb = Rgb(0.42, 0.44, 0.48);
    pub const RULE: Rgb = Rgb(0.78, 0.8, 0.83);
    pub const SHADE: Rgb = Rgb(0.93, 0.94, 0.96);
    pub const NAVY: Rgb = Rgb(0.09, 0.22, 0.4);
    pub const GOLD: Rgb = Rgb(0.95, 0.68, 0.1);
    pub const GREEN: Rgb = Rgb(0.13, 0.52, 0.3);
    pub const AMBER: Rgb = Rgb(0.8, 0.5, 0.05);
    pub const RED: Rgb = Rgb(0.72, 0.13, 0.13);
    pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub weight: Weight,
    pub size: f32,
    pub color: Rgb,
}

impl Style {
    pub const BODY: Style = Style {
        weight: Weight::Regular,
        size: 9.5,
        color: Rgb::BLACK,
    };
    pub const SMALL: Style = Style {
        weight: Weight::Regular,
        size: 8.0,
        color: Rgb::GREY,
    };
    pub const LABEL: Style = Style {
        weight: Weight::Bold,
        size: 9.0,
        color: Rgb::GREY,
    };
    pub const HEADING: Style = Style {
        weight: Weight::Bold,
        size: 14.0,
        color: Rgb::NAVY,
    };
    pub const SUBHEADING: Style = Style {
        weight: Weight::Bold,
        size: 11.0,
        color: Rgb::NAVY,
    };

    pub fn bold(self) -> Style {
        Style {
            weight: Weight::Bold,
            ..self
        }
    }

    pub fn colored(self, color: Rgb) -> Style {
        Style { color, ..self }
    }

    pub fn sized(self, size: f32) -> Style {
        Style { size, ..self }
    }

    pub fn line_height(self) -> f32 {
        self.size * 1.3
    }

    pub fn width(self, text: &str) -> f32 {
        self.weight.width(text, self.size)
    }
}

/// Alignment of text in a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its title and its share of the body width (shares are normalised).
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: &str, share: f32) -> Self {
        Column {
            title: title.into(),
            share,
            align: Align::Left,
        }
    }

    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }
}

/// One cell's text and look.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            style: TABLE_TEXT,
        }
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        Cell {
            text: text.into(),
            style,
        }
    }
}

const TABLE_TEXT: Style = Style {
    weight: Weight::Regular,
    size: 8.5,
    color: Rgb::BLACK,
};
const CELL_PADDING: f32 = 3.5;

/// What the running header and footer say, and whether the document is a draft.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Document title (also the PDF's title).
    pub title: String,
    /// Right side of the header (for example the site).
    pub header_right: String,
    /// Left side of the footer (for example the report reference).
    pub footer_left: String,
    /// Marks every page DRAFT.
    pub draft: bool,
}

/// Where a signature goes: the name and reason stored in the signature dictionary.
#[derive(Debug, Clone)]
pub struct SignatureField {
    pub signer_name: String,
    pub reason: String,
    pub location: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
}

/// A document being laid out.
pub struct Document {
    meta: Meta,
    pages: Vec<Content>,
    /// The top of the free space on the current page.
    y: f32,
    regular: UsedGlyphs,
    bold: UsedGlyphs,
}

impl Document {
    pub fn new(meta: Meta) -> Self {
        Document {
            meta,
            pages: vec![Content::new()],
            y: BODY_TOP,
            regular: UsedGlyphs::new(Weight::Regular),
            bold: UsedGlyphs::new(Weight::Bold),
        }
    }

    /// Space left on the current page.
    pub fn space_left(&self) -> f32 {
        self.y - BODY_BOTTOM
    }

    /// The current vertical position (top of the free space).
    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = BODY_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn keep(&mut self, height: f32) {
        if self.space_left() < height {
            self.new_page();
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    fn glyphs(&mut self, weight: Weight) -> &mut UsedGlyphs {
        match weight {
            Weight::Regular => &mut self.regular,
            Weight::Bold => &mut self.bold,
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a document always has a page")
    }

    /// Draws one line of text with its baseline at `y`, on the current page.
    pub fn text_at(&mut self, x: f32, y: f32, style: Style, text: &str) {
        let encoded = self.glyphs(style.weight).encode(text);
        draw_text(self.page(), x, y, style, &encoded);
    }

    /// A paragraph wrapped to `width` from `x`, flowing onto new pages as needed.
    pub fn paragraph_at(&mut self, x: f32, width: f32, style: Style, text: &str) {
        for line in wrap(text, width, |t| style.width(t)) {
            self.keep(style.line_height());
            self.y -= style.line_height();
            let baseline = self.y + style.line_height() * 0.25;
            self.text_at(x, baseline, style, &line);
        }
    }

    /// A paragraph across the body width.
    pub fn paragraph(&mut self, style: Style, text: &str) {
        self.paragraph_at(MARGIN, BODY_WIDTH, style, text);
    }

    /// A section heading, kept with at least `keep_with` points of what follows.
    pub fn heading(&mut self, style: Style, text: &str, keep_with: f32) {
        self.keep(style.line_height() + 6.0 + keep_with);
        self.gap(4.0);
        self.paragraph(style, text);
        self.gap(2.0);
    }

    /// Label–value pairs in two columns (the label column `label_width` wide).
    pub fn fields(&mut self, label_width: f32, pairs: &[(&str, String)]) {
        for (label, value) in pairs {
            let lines = wrap(value, BODY_WIDTH - label_width, |t| Style::BODY.width(t));
            let height = lines.len() as f32 * Style::BODY.line_height() + 3.0;
            self.keep(height.min(BODY_TOP - BODY_BOTTOM));
            let top = self.y;
            self.text_at(
                MARGIN,
                top - Style::BODY.line_height() + 2.5,
                Style::LABEL,
                label,
            );
            self.paragraph_at(
                MARGIN + label_width,
                BODY_WIDTH - label_width,
                Style::BODY,
                value,
            );
            self.gap(3.0);
        }
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb) {
        let page = self.page();
        page.save_state();
        page.set_fill_rgb(color.0, color.1, color.2);
        page.rect(x, y, width, height);
        page.fill_nonzero();
        page.restore_state();
    }

    pub fn stroke_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb) {
        let page = self.page();
        page.save_state();
        page.set_stroke_rgb(color.0, color.1, color.2);
        page.set_line_width(0.6);
        page.rect(x, y, width, height);
        page.stroke();
        page.restore_state();
    }

    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, color: Rgb, width: f32) {
        let page = self.page();
        page.save_state();
        page.set_stroke_rgb(color.0, color.1, color.2);
        page.set_line_width(width);
        page.move_to(x1, y);
        page.line_to(x2, y);
        page.stroke();
        page.restore_state();
    }

    /// A five-pointed star centred at (`cx`, `cy`), filled or drawn as an outline.
    pub fn star(&mut self, cx: f32, cy: f32, radius: f32, filled: bool) {
        let points = star_points(cx, cy, radius);
        let page = self.page();
        page.save_state();
        page.set_line_width(0.9);
        page.set_stroke_rgb(Rgb::AMBER.0, Rgb::AMBER.1, Rgb::AMBER.2);
        page.set_fill_rgb(Rgb::GOLD.0, Rgb::GOLD.1, Rgb::GOLD.2);
        page.move_to(points[0].0, points[0].1);
        for (x, y) in &points[1..] {
            page.line_to(*x, *y);
        }
        page.close_path();
        if filled {
            page.fill_nonzero_and_stroke();
        } else {
            page.stroke();
        }
        page.restore_state();
    }

    /// A table across the body width, continuing on new pages with its header repeated.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.share / total * BODY_WIDTH)
            .collect();
        let header_style = TABLE_TEXT.bold().colored(Rgb::NAVY);
        let header_lines: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| wrap(&c.title, w - 2.0 * CELL_PADDING, |t| header_style.width(t)))
            .collect();
        let header_line_count = header_lines.iter().map(Vec::len).max().unwrap_or(1);
        let line_height = TABLE_TEXT.line_height();
        let metrics = TableMetrics {
            line_height,
            row_padding: CELL_PADDING,
            header_height: header_line_count as f32 * line_height + 2.0 * CELL_PADDING,
        };
        let wrapped: Vec<Vec<Vec<String>>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&widths)
                    .map(|(cell, w)| {
                        wrap(&cell.text, w - 2.0 * CELL_PADDING, |t| cell.style.width(t))
                    })
                    .collect()
            })
            .collect();
        let sizes: Vec<RowSize> = wrapped
            .iter()
            .map(|cells| RowSize {
                lines: cells.iter().map(Vec::len).max().unwrap_or(1),
            })
            .collect();
        let pages = paginate(&sizes, metrics, self.space_left(), BODY_TOP - BODY_BOTTOM);
        for (page_index, slices) in pages.iter().enumerate() {
            if page_index > 0 {
                self.new_page();
            }
            if slices.is_empty() {
                continue;
            }
            // Header.
            let top = self.y;
            self.fill_rect(
                MARGIN,
                top - metrics.header_height,
                BODY_WIDTH,
                metrics.header_height,
                Rgb::SHADE,
            );
            let mut x = MARGIN;
            for ((column, lines), width) in columns.iter().zip(&header_lines).zip(&widths) {
                for (i, line) in lines.iter().enumerate() {
                    let baseline = top - CELL_PADDING - (i as f32 + 1.0) * line_height + 2.5;
                    let lx = aligned(x, *width, column.align, header_style.width(line));
                    self.text_at(lx, baseline, header_style, line);
                }
                x += width;
            }
            self.y -= metrics.header_height;
            self.rule(MARGIN, MARGIN + BODY_WIDTH, self.y, Rgb::NAVY, 0.8);
            // Rows.
            for slice in slices {
                let height = metrics.row_height(slice.lines.len());
                let top = self.y;
                let mut x = MARGIN;
                for (((cell, lines), width), column) in rows[slice.row]
                    .iter()
                    .zip(&wrapped[slice.row])
                    .zip(&widths)
                    .zip(columns)
                {
                    for (i, line) in lines
                        .iter()
                        .enumerate()
                        .skip(slice.lines.start)
                        .take(slice.lines.len())
                    {
                        let row_line = (i - slice.lines.start) as f32;
                        let baseline = top - CELL_PADDING - (row_line + 1.0) * line_height + 2.5;
                        let lx = aligned(x, *width, column.align, cell.style.width(line));
                        self.text_at(lx, baseline, cell.style, line);
                    }
                    x += width;
                }
                self.y -= height;
                self.rule(MARGIN, MARGIN + BODY_WIDTH, self.y, Rgb::RULE, 0.4);
            }
        }
        self.gap(6.0);
    }

    /// Writes the PDF. With a signature field, the result still has to go through
    /// [`sign::sign`] (it carries placeholders for the byte range and the signature).
    pub fn finish(mut self, signature: Option<&SignatureField>) -> Result<Vec<u8>, Error> {
        let mut next_id = 1;
        let mut alloc = || {
            let id = Ref::new(next_id);
            next_id += 1;
            id
        };
        let catalog_id = alloc();
        let tree_id = alloc();
        let info_id = alloc();
        let regular_id = alloc();
        let bold_id = alloc();
        let page_count = self.pages.len();
        let page_ids: Vec<Ref> = (0..page_count).map(|_| alloc()).collect();
        let mut pdf = Pdf::new();

        let mut page_streams = Vec::with_capacity(page_count);
        let bodies = std::mem::take(&mut self.pages);
        for (index, body) in bodies.into_iter().enumerate() {
            let mut frame = Content::new();
            self.draw_frame(&mut frame, index + 1, page_count);
            let mut bytes = frame.finish().to_vec();
            bytes.push(b'\n');
            bytes.extend_from_slice(&body.finish());
            page_streams.push(bytes);
        }

        let signature_ids = signature.map(|_| (alloc(), alloc()));
        {
            let mut catalog = pdf.catalog(catalog_id);
            catalog.pages(tree_id);
            if let Some((field_id, _)) = signature_ids {
                catalog
                    .form()
                    .fields([field_id])
                    .sig_flags(SigFlags::SIGNATURES_EXIST | SigFlags::APPEND_ONLY);
            }
        }
        pdf.pages(tree_id)
            .kids(page_ids.iter().copied())
            .count(page_count as i32);
        for (index, (page_id, stream)) in page_ids.iter().zip(&page_streams).enumerate() {
            let content_id = alloc();
            let compressed = font::deflate(stream);
            pdf.stream(content_id, &compressed)
                .filter(pdf_writer::Filter::FlateDecode);
            let mut page = pdf.page(*page_id);
            page.parent(tree_id)
                .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .contents(content_id);
            {
                let mut resources = page.resources();
                let mut fonts = resources.fonts();
                fonts.pair(Weight::Regular.resource_name(), regular_id);
                fonts.pair(Weight::Bold.resource_name(), bold_id);
            }
            if index + 1 == page_count {
                if let Some((field_id, _)) = signature_ids {
                    page.annotations([field_id]);
                }
            }
            page.finish();
        }
        self.regular.write(&mut pdf, regular_id, &mut alloc)?;
        self.bold.write(&mut pdf, bold_id, &mut alloc)?;

        let now = chrono::Utc::now();
        let mut info = pdf.document_info(info_id);
        info.title(TextStr(&self.meta.title))
            .author(TextStr("Attest"))
            .creator(TextStr("Attest"))
            .producer(TextStr("Attest (pdf-writer)"))
            .creation_date(pdf_date(now));
        info.finish();

        if let (Some(field), Some((field_id, sig_id))) = (signature, signature_ids) {
            let last_page = *page_ids.last().expect("a document always has a page");
            let mut form_field = pdf.form_field(field_id);
            form_field
                .field_type(FieldType::Signature)
                .partial_name(TextStr("Signature1"));
            form_field.pair(Name(b"V"), sig_id);
            let mut widget = form_field.into_annotation();
            // `into_annotation` already makes it a widget.
            widget
                .rect(Rect::new(0.0, 0.0, 0.0, 0.0))
                .flags(AnnotationFlags::PRINT | AnnotationFlags::LOCKED)
                .page(last_page);
            widget.finish();
            sign::write_signature_dictionary(&mut pdf, sig_id, field);
        }
        let id = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            format!("{}{}", self.meta.title, now.to_rfc3339()),
        ));
        pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));
        Ok(pdf.finish())
    }

    /// The running header, footer and (for drafts) the DRAFT mark, drawn under the body.
    fn draw_frame(&mut self, frame: &mut Content, page: usize, pages: usize) {
        if self.meta.draft {
            let style = Style {
                weight: Weight::Bold,
                size: 110.0,
                color: Rgb(0.92, 0.8, 0.8),
            };
            let word = "DRAFT";
            let width = style.width(word);
            let encoded = self.bold.encode(word);
            let (sin, cos) = (45f32.to_radians().sin(), 45f32.to_radians().cos());
            // Centred on the page, along the diagonal.
            let (cx, cy) = (PAGE_WIDTH / 2.0, PAGE_HEIGHT / 2.0);
            let x = cx - cos * width / 2.0 + sin * style.size * 0.35;
            let y = cy - sin * width / 2.0 - cos * style.size * 0.35;
            frame.save_state();
            frame.begin_text();
            frame.set_fill_rgb(style.color.0, style.color.1, style.color.2);
            frame.set_font(Weight::Bold.resource_name(), style.size);
            frame.set_text_matrix([cos, sin, -sin, cos, x, y]);
            frame.show(Str(&encoded));
            frame.end_text();
            frame.restore_state();
        }
        let header = Style::SMALL;
        let top = PAGE_HEIGHT - 40.0;
        let left = format!("Attest · {}", self.meta.title);
        let encoded = self.regular.encode(&left);
        draw_text(frame, MARGIN, top, header, &encoded);
        let right = if self.meta.draft {
            format!("DRAFT · {}", self.meta.header_right)
        } else {
            self.meta.header_right.clone()
        };
        let right_style = if self.meta.draft {
            header.bold().colored(Rgb::RED)
        } else {
            header
        };
        let encoded = self.glyphs(right_style.weight).encode(&right);
        draw_text(
            frame,
            PAGE_WIDTH - MARGIN - right_style.width(&right),
            top,
            right_style,
            &encoded,
        );
        line(
            frame,
            MARGIN,
            PAGE_WIDTH - MARGIN,
            top - 6.0,
            Rgb::RULE,
            0.6,
        );

        let bottom = 34.0;
        line(
            frame,
            MARGIN,
            PAGE_WIDTH - MARGIN,
            bottom + 12.0,
            Rgb::RULE,
            0.6,
        );
        let left = if self.meta.draft {
            "DRAFT: not issued, not signed, not valid as a report".to_string()
        } else {
            self.meta.footer_left.clone()
        };
        let encoded = self.regular.encode(&left);
        draw_text(frame, MARGIN, bottom, header, &encoded);
        let numbers = format!("Page {page} of {pages}");
        let encoded = self.regular.encode(&numbers);
        draw_text(
            frame,
            PAGE_WIDTH - MARGIN - header.width(&numbers),
            bottom,
            header,
            &encoded,
        );
    }
}

fn aligned(x: f32, width: f32, align: Align, text_width: f32) -> f32 {
    match align {
        Align::Left => x + CELL_PADDING,
        Align::Right => x + width - CELL_PADDING - text_width,
    }
}

fn draw_text(content: &mut Content, x: f32, y: f32, style: Style, encoded: &[u8]) {
    content.save_state();
    content.begin_text();
    content.set_fill_rgb(style.color.0, style.color.1, style.color.2);
    content.set_font(style.weight.resource_name(), style.size);
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
    content.show(Str(encoded));
    content.end_text();
    content.restore_state();
}

fn line(content: &mut Content, x1: f32, x2: f32, y: f32, color: Rgb, width: f32) {
    content.save_state();
    content.set_stroke_rgb(color.0, color.1, color.2);
    content.set_line_width(width);
    content.move_to(x1, y);
    content.line_to(x2, y);
    content.stroke();
    content.restore_state();
}

/// The ten corners of a five-pointed star, the first at the top.
fn star_points(cx: f32, cy: f32, radius: f32) -> Vec<(f32, f32)> {
    let inner = radius * 0.4;
    (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { radius } else { inner };
            let angle = std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
            (cx + r * angle.cos(), cy + r * angle.sin())
        })
        .collect()
}

/// A PDF date in UTC.
pub fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> Date {
    use chrono::{Datelike, Timelike};
    Date::new(at.year() as u16)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_has_five_outer_points_at_the_radius_and_starts_at_the_top() {
        let points = star_points(0.0, 0.0, 10.0);
        assert_eq!(points.len(), 10);
        assert!((points[0].0).abs() < 1e-4 && (points[0].1 - 10.0).abs() < 1e-4);
        for (i, (x, y)) in points.iter().enumerate() {
            let r = (x * x + y * y).sqrt();
            let expected = if i % 2 == 0 { 10.0 } else { 4.0 };
            assert!((r - expected).abs() < 1e-3);
        }
    }

    fn meta(draft: bool) -> Meta {
        Meta {
            title: "Test".into(),
            header_right: "KEN-NBO".into(),
            footer_left: "ref".into(),
            draft,
        }
    }

    #[test]
    fn a_long_table_flows_onto_further_pages() {
        let mut doc = Document::new(meta(false));
        let rows: Vec<Vec<Cell>> = (0..200)
            .map(|i| vec![Cell::new(i.to_string()), Cell::new("Côte d'Ivoire")])
            .collect();
        doc.table(
            &[Column::new("No.", 1.0), Column::new("Country", 4.0)],
            &rows,
        );
        assert!(doc.pages.len() >= 4, "{} pages", doc.pages.len());
        let bytes = doc.finish(None).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }
}
