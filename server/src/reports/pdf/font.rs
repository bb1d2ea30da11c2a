//! The report typeface, DejaVu Sans (regular and bold, shipped in `server/fonts/` with its
//! licence): measuring text, encoding it as glyph ids, and embedding only the glyphs a document
//! uses (a subset, as a CID-keyed TrueType font with a ToUnicode map so text can be copied and
//! searched). DejaVu covers Latin, Greek and Cyrillic, so names like Côte d'Ivoire or Türkiye
//! print as written.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use crate::error::Error;

/// One of the two faces the reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub const ALL: [Weight; 2] = [Weight::Regular, Weight::Bold];

    fn program(self) -> &'static FontProgram {
        match self {
            Weight::Regular => &REGULAR,
            Weight::Bold => &BOLD,
        }
    }

    /// The name the page resources give it.
    pub fn resource_name(self) -> Name<'static> {
        match self {
            Weight::Regular => Name(b"F1"),
            Weight::Bold => Name(b"F2"),
        }
    }

    /// The width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        let program = self.program();
        text.chars().map(|c| program.glyph(c).1).sum::<f32>() * size / 1000.0
    }
}

/// A parsed font file with what the layout needs at hand.
struct FontProgram {
    data: &'static [u8],
    face: Face<'static>,
    postscript_name: &'static str,
    /// Per 1000 units of the em.
    scale: f32,
    /// The glyph drawn for characters the font lacks.
    fallback: u16,
}

impl FontProgram {
    fn load(data: &'static [u8], postscript_name: &'static str) -> Self {
        let face = Face::parse(data, 0).expect("the shipped DejaVu font parses");
        let scale = 1000.0 / f32::from(face.units_per_em());
        let fallback = face.glyph_index('?').map(|g| g.0).unwrap_or(0);
        FontProgram {
            data,
            face,
            postscript_name,
            scale,
            fallback,
        }
    }

    /// The glyph for a character and its advance width in 1/1000 em.
    fn glyph(&self, c: char) -> (u16, f32) {
        let c = match c {
            '\t' => ' ',
            c => c,
        };
        let gid = self
            .face
            .glyph_index(c)
            .map(|g| g.0)
            .unwrap_or(self.fallback);
        let advance = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        (gid, f32::from(advance) * self.scale)
    }

    fn units(&self, value: i16) -> f32 {
        f32::from(value) * self.scale
    }
}

static REGULAR: LazyLock<FontProgram> = LazyLock::new(|| {
    FontProgram::load(
        include_bytes!("../../../fonts/DejaVuSans.ttf"),
        "DejaVuSans",
    )
});
static BOLD: LazyLock<FontProgram> = LazyLock::new(|| {
    FontProgram::load(
        include_bytes!("../../../fonts/DejaVuSans-Bold.ttf"),
        "DejaVuSans-Bold",
    )
});

/// The glyphs one document uses from one face, in the order first used (subset glyph ids are
/// handed out in that order, so text can be encoded while pages are still being laid out).
pub struct UsedGlyphs {
    face: Weight,
    remapper: GlyphRemapper,
    /// Subset glyph id → the character it shows and its width.
    shown: BTreeMap<u16, (char, f32)>,
    cache: HashMap<char, u16>,
}

impl UsedGlyphs {
    pub fn new(face: Weight) -> Self {
        UsedGlyphs {
            face,
            remapper: GlyphRemapper::new(),
            shown: BTreeMap::new(),
            cache: HashMap::new(),
        }
    }

    /// `text` as the two-byte subset glyph ids a content stream shows with this font.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let id = match self.cache.get(&c) {
                Some(id) => *id,
                None => {
                    let (gid, width) = self.face.program().glyph(c);
                    let id = self.remapper.remap(gid);
                    self.shown.entry(id).or_insert((c, width));
                    self.cache.insert(c, id);
                    id
                }
            };
            bytes.extend_from_slice(&id.to_be_bytes());
        }
        bytes
    }

    /// Writes the font objects (Type 0 font, CID font, descriptor, subset program, ToUnicode
    /// map) with `type0` as the font's own reference; `next` hands out further references.
    pub fn write(
        &self,
        chunk: &mut Chunk,
        type0: Ref,
        next: &mut impl FnMut() -> Ref,
    ) -> Result<(), Error> {
        let program = self.face.program();
        let cid_ref = next();
        let descriptor_ref = next();
        let file_ref = next();
        let cmap_ref = next();

        let subset = subsetter::subset(program.data, 0, &self.remapper)
            .map_err(|e| Error::Internal(format!("font subsetting failed: {e}")))?;
        // A subset is named with a tag derived from what it holds (PDF 32000 §9.6.4).
        let digest = Sha256::digest(&subset);
        let tag: String = digest[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let base_name = format!("{tag}+{}", program.postscript_name);

        chunk
            .type0_font(type0)
            .base_font(Name(base_name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid = chunk.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base_name.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let widths: Vec<f32> = (0..self.remapper.num_gids())
            .map(|id| self.shown.get(&id).map(|(_, w)| *w).unwrap_or(0.0))
            .collect();
        cid.widths().consecutive(0, widths);
        cid.finish();

        let face = &program.face;
        let bbox = face.global_bounding_box();
        let cap_height = face.capital_height().unwrap_or(face.ascender());
        chunk
            .font_descriptor(descriptor_ref)
            .name(Name(base_name.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                program.units(bbox.x_min),
                program.units(bbox.y_min),
                program.units(bbox.x_max),
                program.units(bbox.y_max),
            ))
            .italic_angle(face.italic_angle())
            .ascent(program.units(face.ascender()))
            .descent(program.units(face.descender()))
            .cap_height(program.units(cap_height))
            .stem_v(if self.face == Weight::Bold {
                120.0
            } else {
                80.0
            })
            .font_file2(file_ref);

        let compressed = deflate(&subset);
        chunk
            .stream(file_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Attest-UCS"), system_info);
        for (id, (c, _)) in &self.shown {
            cmap.pair(*id, *c);
        }
        let cmap = cmap.finish();
        chunk.cmap(cmap_ref, &cmap);
        Ok(())
    }
}

/// zlib-compresses a stream (FlateDecode).
pub fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(data)
        .expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_the_fonts_own_advances() {
        // DejaVu Sans: 'i' is narrower than 'W', bold is wider than regular.
        assert!(Weight::Regular.width("i", 10.0) < Weight::Regular.width("W", 10.0));
        assert!(Weight::Bold.width("Attest", 10.0) > Weight::Regular.width("Attest", 10.0));
        let one = Weight::Regular.width("x", 10.0);
        assert!((Weight::Regular.width("xxxx", 10.0) - 4.0 * one).abs() < 1e-3);
        assert!((Weight::Regular.width("x", 20.0) - 2.0 * one).abs() < 1e-3);
    }

    #[test]
    fn encodes_each_character_once_with_ids_in_first_use_order() {
        let mut used = UsedGlyphs::new(Weight::Regular);
        let a = used.encode("Tü");
        let b = used.encode("üT");
        assert_eq!(a, vec![0, 1, 0, 2]);
        assert_eq!(b, vec![0, 2, 0, 1]);
        assert_eq!(used.shown.get(&2).map(|(c, _)| *c), Some('ü'));
    }
}
