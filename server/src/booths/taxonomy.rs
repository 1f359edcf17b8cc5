//! The product taxonomy: concepts (kimchi, noodles, drones, tires …) with their terms in the
//! fair's six languages, HS headings and parents, and the certifications buyers search for.
//!
//! The built-in list is `schema/data/taxonomy.json`, compiled into the binary; an organizer
//! extends it with a file in the same format (merged by id: new concepts are added, the terms
//! and HS headings of an existing one are appended), imported into the fair's store
//! (`EXPO_TAXONOMY_FILE` at start, or `PUT /api/v1/taxonomy/extension`), so every node reads
//! the same taxonomy from there. Companies and products are
//! tagged with concepts when their search document is rebuilt (`booths::reindex`); a query is
//! normalized, split into units, and each unit is expanded into the concepts it names.
//!
//! Text is compared after [`normalize`]: NFKC (full-width Latin and half-width kana become
//! ordinary), lower case, `ё` → `е`, and Mongolian `ө`, `ү` → `о`, `у` (people type Mongolian
//! on Russian keyboards). Latin and Cyrillic words are compared by a light stem (plural `s`,
//! common Russian endings), so `шины`, `шина` and `шин` meet. Korean, Chinese and Japanese have
//! no spaces: their terms are found inside words.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use unicode_normalization::UnicodeNormalization;

/// The built-in taxonomy.
pub const BUILTIN: &str = include_str!("../../../schema/data/taxonomy.json");

use expo_schema::api::{
    TaxonomyCertDef as CertDef, TaxonomyConceptDef as ConceptDef, TaxonomyFile,
};

/// One concept of the taxonomy.
#[derive(Debug, Clone)]
pub struct Concept {
    pub id: String,
    pub parent: Option<String>,
    /// HS heading prefixes, digits only.
    pub hs: Vec<String>,
    pub text_hs: Vec<String>,
    /// Terms as written, by language; the first is the label.
    pub terms: BTreeMap<String, Vec<String>>,
    /// Every term (and the id), normalized and stemmed word by word.
    keys: BTreeSet<String>,
}

impl Concept {
    /// The concept's name in a language (its first term there), else English, else its id.
    pub fn label(&self, lang: &str) -> String {
        self.terms
            .get(lang)
            .or_else(|| self.terms.get("en"))
            .and_then(|t| t.first())
            .cloned()
            .unwrap_or_else(|| self.id.replace('-', " "))
    }
}

/// A certification scheme and the spellings that name it.
#[derive(Debug, Clone)]
pub struct Certification {
    pub id: String,
    /// Normalized, without spaces.
    keys: BTreeSet<String>,
}

/// The whole taxonomy, ready for tagging and queries.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    pub certifications: Vec<Certification>,
    /// Changes whenever the concepts or their terms change (stored tags are then rebuilt).
    pub fingerprint: String,
}

/// One part of a query: words that must all match somewhere, or a concept, a certification
/// or an HS heading they name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryUnit {
    /// The words as typed (normalized), for full-text search.
    pub words: Vec<String>,
    /// Concepts (indexes) the words name.
    pub concepts: BTreeSet<usize>,
    /// Certifications (ids) the words name.
    pub certifications: BTreeSet<String>,
    /// An HS code prefix (digits) when the unit is a number.
    pub hs: Option<String>,
}

/// The built-in taxonomy alone.
pub fn builtin() -> Arc<Taxonomy> {
    static BUILTIN_TAXONOMY: OnceLock<Arc<Taxonomy>> = OnceLock::new();
    BUILTIN_TAXONOMY
        .get_or_init(|| {
            Arc::new(Taxonomy::parse(&[BUILTIN]).expect("the built-in taxonomy is valid"))
        })
        .clone()
}

/// The built-in taxonomy extended by an organizer's file (its JSON text), parsed once per
/// distinct text.
pub fn with_extension(extension: Option<&str>) -> anyhow::Result<Arc<Taxonomy>> {
    let Some(text) = extension.filter(|t| !t.trim().is_empty()) else {
        return Ok(builtin());
    };
    anyhow::ensure!(
        text.len() <= MAX_EXTENSION_BYTES,
        "a taxonomy extension may have at most {} KiB",
        MAX_EXTENSION_BYTES / 1024
    );
    static PARSED: OnceLock<Mutex<HashMap<String, Arc<Taxonomy>>>> = OnceLock::new();
    let cache = PARSED.get_or_init(Default::default);
    if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(text) {
        return Ok(t.clone());
    }
    let taxonomy = Arc::new(Taxonomy::parse(&[BUILTIN, text])?);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= 8 {
        cache.clear();
    }
    cache.insert(text.to_string(), taxonomy.clone());
    Ok(taxonomy)
}

/// The largest taxonomy extension accepted (its JSON text): every search reads it.
pub const MAX_EXTENSION_BYTES: usize = 256 * 1024;

/// Where the fair's extension of the taxonomy is kept (every node reads it from there).
pub const EXTENSION_KEY: &str = "taxonomy_extension";

/// The taxonomy in force for the fair in this store: the built-in one plus the extension an
/// organizer imported (`EXPO_TAXONOMY_FILE` at start, or `PUT /api/v1/taxonomy/extension`).
pub async fn load<'c, E>(executor: E) -> sqlx::Result<Arc<Taxonomy>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let text: Option<String> = sqlx::query_scalar("select value from meta where key = $1")
        .bind(EXTENSION_KEY)
        .fetch_optional(executor)
        .await?;
    Ok(with_extension(text.as_deref()).unwrap_or_else(|e| {
        // Stored extensions are checked before they are stored; this is only a safety net.
        tracing::error!(error = %e, "the stored taxonomy extension is invalid; using the built-in one");
        builtin()
    }))
}

/// NFKC, lower case, and the foldings described in the module documentation.
pub fn normalize(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ё' => 'е',
            'ө' => 'о',
            'ү' => 'у',
            _ => c,
        })
        .collect()
}

/// Korean, Chinese or Japanese script (written without spaces between words).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x31F0..=0x31FF)
}

/// Normalized words (letters and digits of any script).
pub fn words(text: &str) -> Vec<String> {
    normalize(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

const RUSSIAN_ENDINGS: &[&str] = &[
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ий", "ый", "ая", "яя",
    "ое", "ее", "ые", "ие", "ов", "ев", "ам", "ям", "ах", "ях", "ом", "ем", "ую", "юю", "а", "я",
    "о", "е", "ы", "и", "у", "ю", "ь", "й",
];

/// A light stem: English plural `s`, common Russian case and number endings.
pub fn stem(word: &str) -> String {
    let chars = word.chars().count();
    if word.chars().all(|c| c.is_ascii_alphabetic()) {
        if chars >= 4 && word.ends_with('s') && !word.ends_with("ss") {
            return word[..word.len() - 1].to_string();
        }
        return word.to_string();
    }
    if chars >= 4 && word.chars().all(|c| ('а'..='я').contains(&c) || c == 'й') {
        for ending in RUSSIAN_ENDINGS {
            if let Some(rest) = word.strip_suffix(ending) {
                if rest.chars().count() >= 3 {
                    return rest.to_string();
                }
            }
        }
    }
    word.to_string()
}

/// The comparison key of a term or a run of query words.
fn key_of(words: &[String]) -> String {
    words.iter().map(|w| stem(w)).collect::<Vec<_>>().join(" ")
}

fn is_cjk_key(key: &str) -> bool {
    key.chars().any(is_cjk)
}

fn compact(key: &str) -> String {
    key.chars().filter(|c| !c.is_whitespace()).collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

impl Taxonomy {
    /// Parses and merges taxonomy files (later files extend earlier ones).
    pub fn parse(texts: &[&str]) -> anyhow::Result<Taxonomy> {
        let mut concepts: Vec<ConceptDef> = Vec::new();
        let mut certs: Vec<CertDef> = Vec::new();
        for text in texts {
            let file: TaxonomyFile = serde_json::from_str(text)
                .map_err(|e| anyhow::anyhow!("not a taxonomy file: {e}"))?;
            for def in file.concepts {
                let id = def.id.trim().to_lowercase();
                anyhow::ensure!(!id.is_empty(), "a concept without an id");
                match concepts.iter_mut().find(|c| c.id == id) {
                    Some(existing) => {
                        if def.parent.is_some() {
                            existing.parent = def.parent;
                        }
                        existing.hs.extend(def.hs);
                        existing.text_hs.extend(def.text_hs);
                        for (lang, terms) in def.terms {
                            existing.terms.entry(lang).or_default().extend(terms);
                        }
                    }
                    None => concepts.push(ConceptDef { id, ..def }),
                }
            }
            for def in file.certifications {
                anyhow::ensure!(!def.id.trim().is_empty(), "a certification without an id");
                match certs.iter_mut().find(|c| c.id == def.id) {
                    Some(existing) => existing.terms.extend(def.terms),
                    None => certs.push(def),
                }
            }
        }
        let by_id: HashMap<String, usize> = concepts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        for c in &concepts {
            if let Some(parent) = &c.parent {
                anyhow::ensure!(
                    by_id.contains_key(parent),
                    "concept {} names an unknown parent {parent}",
                    c.id
                );
            }
        }
        let mut fingerprint_source = String::new();
        let concepts: Vec<Concept> = concepts
            .into_iter()
            .map(|def| {
                let mut keys = BTreeSet::new();
                keys.insert(key_of(&words(&def.id.replace('-', " "))));
                for term in def.terms.values().flatten() {
                    let key = key_of(&words(term));
                    if !key.is_empty() {
                        keys.insert(key);
                    }
                }
                fingerprint_source.push_str(&format!(
                    "{}|{:?}|{:?}|{:?}|{:?}\n",
                    def.id, def.parent, def.hs, def.text_hs, keys
                ));
                Concept {
                    id: def.id,
                    parent: def.parent,
                    hs: def.hs.iter().map(|h| digits(h)).collect(),
                    text_hs: def.text_hs.iter().map(|h| digits(h)).collect(),
                    terms: def.terms,
                    keys,
                }
            })
            .collect();
        let certifications = certs
            .into_iter()
            .map(|def| {
                let mut keys: BTreeSet<String> =
                    def.terms.iter().map(|t| compact(&normalize(t))).collect();
                keys.insert(compact(&normalize(&def.id)));
                fingerprint_source.push_str(&format!("cert {}|{keys:?}\n", def.id));
                Certification { id: def.id, keys }
            })
            .collect();
        use sha2::Digest;
        let fingerprint = hex::encode(&sha2::Sha256::digest(fingerprint_source.as_bytes())[..12]);
        Ok(Taxonomy {
            concepts,
            by_id,
            certifications,
            fingerprint,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The concept and everything under it (ids).
    pub fn with_descendants(&self, index: usize) -> BTreeSet<String> {
        let mut out = BTreeSet::from([self.concepts[index].id.clone()]);
        loop {
            let before = out.len();
            for c in &self.concepts {
                if c.parent.as_ref().is_some_and(|p| out.contains(p)) {
                    out.insert(c.id.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    /// A tag, category or keyword written by an exhibitor: the concept it names exactly.
    pub fn concept_of_tag(&self, tag: &str) -> Option<usize> {
        let tag = tag.trim().to_lowercase();
        if let Some(&i) = self.by_id.get(&tag) {
            return Some(i);
        }
        let key = key_of(&words(&tag));
        if key.is_empty() {
            return None;
        }
        self.concepts.iter().position(|c| c.keys.contains(&key))
    }

    /// Concepts whose HS headings cover an HS code.
    pub fn concepts_of_hs(&self, hs_code: &str) -> Vec<usize> {
        let code = digits(hs_code);
        if code.len() < 2 {
            return vec![];
        }
        (0..self.concepts.len())
            .filter(|&i| self.concepts[i].hs.iter().any(|h| code.starts_with(h)))
            .collect()
    }

    /// Concepts a text mentions (names, taglines, product names, in any language). With an
    /// HS code, concepts limited to some headings (`text_hs`) count only when it is one of them;
    /// without one (a company's own texts) they do not count.
    pub fn concepts_in_text(&self, text: &str, hs_code: Option<&str>) -> Vec<usize> {
        let ws = words(text);
        if ws.is_empty() {
            return vec![];
        }
        let stems: Vec<String> = ws.iter().map(|w| stem(w)).collect();
        let joined = format!(" {} ", stems.join(" "));
        let cjk_text = compact(&ws.join(""));
        let code = hs_code.map(digits);
        (0..self.concepts.len())
            .filter(|&i| {
                let c = &self.concepts[i];
                if !c.text_hs.is_empty()
                    && !code
                        .as_ref()
                        .is_some_and(|code| c.text_hs.iter().any(|h| code.starts_with(h)))
                {
                    return false;
                }
                c.keys.iter().any(|key| {
                    if is_cjk_key(key) {
                        let k = compact(key);
                        k.chars().count() >= 2 && cjk_text.contains(&k)
                    } else {
                        key.chars().count() >= 3 && joined.contains(&format!(" {key} "))
                    }
                })
            })
            .collect()
    }

    /// Concepts named by a run of query words.
    fn concepts_named(&self, run: &[String]) -> BTreeSet<usize> {
        let key = key_of(run);
        let mut found: BTreeSet<usize> = (0..self.concepts.len())
            .filter(|&i| self.concepts[i].keys.contains(&key))
            .collect();
        if !found.is_empty() || run.len() != 1 {
            return found;
        }
        let word = &run[0];
        let len = word.chars().count();
        for (i, c) in self.concepts.iter().enumerate() {
            let hit = c.keys.iter().any(|k| {
                if word.chars().any(is_cjk) {
                    let k = compact(k);
                    // A CJK word holding a term ("韩国化妆品"), or typed part of one ("화장").
                    (is_cjk_key(&k) && k.chars().count() >= 2 && word.contains(&k))
                        || (len >= 2 && k.starts_with(word.as_str()))
                } else {
                    // A word being typed: "косм", "dron".
                    len >= 4 && k.starts_with(word.as_str())
                }
            });
            if hit {
                found.insert(i);
            }
        }
        found
    }

    fn certifications_named(&self, run: &[String]) -> BTreeSet<String> {
        let key = compact(&run.join(""));
        self.certifications
            .iter()
            .filter(|c| c.keys.contains(&key))
            .map(|c| c.id.clone())
            .collect()
    }

    /// Splits a query into units: the longest runs of words naming a concept or a
    /// certification, else single words (numbers also as HS headings). At most eight words.
    pub fn parse_query(&self, query: &str) -> Vec<QueryUnit> {
        let ws: Vec<String> = words(query).into_iter().take(8).collect();
        let mut units = Vec::new();
        let mut i = 0;
        while i < ws.len() {
            let mut taken = None;
            for j in (i + 1..=ws.len().min(i + 4)).rev() {
                let run = &ws[i..j];
                let concepts = self.concepts_named(run);
                let certifications = self.certifications_named(run);
                if !concepts.is_empty() || !certifications.is_empty() {
                    taken = Some((j, concepts, certifications));
                    break;
                }
            }
            let (j, concepts, certifications) =
                taken.unwrap_or((i + 1, BTreeSet::new(), BTreeSet::new()));
            let run = ws[i..j].to_vec();
            let hs = (run.len() == 1
                && run[0].chars().all(|c| c.is_ascii_digit())
                && (2..=10).contains(&run[0].len()))
            .then(|| run[0].clone());
            units.push(QueryUnit {
                words: run,
                concepts,
                certifications,
                hs,
            });
            i = j;
        }
        units
    }
}

/// Whether a certification written by an exhibitor is the scheme `id`.
pub fn same_certification(taxonomy: &Taxonomy, written: &str, id: &str) -> bool {
    let written = compact(&normalize(written));
    taxonomy
        .certifications
        .iter()
        .find(|c| c.id == id)
        .is_some_and(|c| c.keys.contains(&written))
}

const INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
/// Final consonants before a consonant or at the end of a word.
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];
/// Final consonants carried over to a following syllable that starts with ㅇ.
const FINALS_BEFORE_VOWEL: [&str; 28] = [
    "", "g", "kk", "gs", "n", "nj", "n", "d", "r", "lg", "lm", "lb", "ls", "lt", "lp", "r", "m",
    "b", "bs", "s", "ss", "ng", "j", "ch", "k", "t", "p", "",
];

/// Revised Romanization of Korean for Hangul syllables (other characters are kept): the
/// spelling Korean companies use for their names in Latin letters (설악 → seorak,
/// 강릉 → gangneung, 철원 → cheorwon). Sound changes beyond carrying a final consonant over to
/// a following vowel and the ㄹ rules are not applied.
pub fn romanize(text: &str) -> String {
    let syllables: Vec<Option<(usize, usize, usize)>> = text
        .chars()
        .map(|c| {
            let code = c as u32;
            (0xAC00..=0xD7A3).contains(&code).then(|| {
                let s = (code - 0xAC00) as usize;
                (s / (21 * 28), (s / 28) % 21, s % 28)
            })
        })
        .collect();
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        let Some((initial, medial, final_)) = syllables[n] else {
            out.push(c);
            continue;
        };
        let previous_final = n
            .checked_sub(1)
            .and_then(|p| syllables[p])
            .map(|(_, _, f)| f);
        // ㄹ at the start of a syllable: "l" after ㄹ or ㄴ (신라 silla), "n" after another
        // consonant (강릉 gangneung), "r" otherwise.
        let initial_text = if initial == 5 {
            match previous_final {
                Some(8) | Some(4) => "l",
                Some(0) | None => "r",
                Some(_) => "n",
            }
        } else {
            INITIALS[initial]
        };
        out.push_str(initial_text);
        out.push_str(MEDIALS[medial]);
        let next = syllables.get(n + 1).copied().flatten();
        let final_text = match next {
            Some((11, _, _)) => FINALS_BEFORE_VOWEL[final_],
            Some((5, _, _)) if final_ == 4 || final_ == 8 => "l",
            _ => FINALS[final_],
        };
        out.push_str(final_text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(t: &Taxonomy, units: &[QueryUnit]) -> Vec<Vec<String>> {
        units
            .iter()
            .map(|u| {
                u.concepts
                    .iter()
                    .map(|&i| t.concepts[i].id.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_builtin_taxonomy_parses_with_six_languages_everywhere() {
        let t = Taxonomy::parse(&[BUILTIN]).unwrap();
        assert!(t.concepts.len() >= 60);
        for c in &t.concepts {
            for lang in ["ko", "en", "zh", "ru", "mn", "ja"] {
                assert!(
                    t.get(&c.id)
                        .unwrap()
                        .terms
                        .get(lang)
                        .is_some_and(|l| !l.is_empty()),
                    "{} has no {lang} terms",
                    c.id
                );
            }
        }
    }

    #[test]
    fn normalization_and_stems() {
        assert_eq!(normalize("ＫＩＭＣＨＩ Ёлка"), "kimchi елка");
        assert_eq!(normalize("Мөөг"), "моог");
        assert_eq!(stem("шины"), "шин");
        assert_eq!(stem("шина"), "шин");
        assert_eq!(stem("шин"), "шин");
        assert_eq!(stem("косметики"), stem("косметика"));
        assert_eq!(stem("noodles"), "noodle");
        assert_eq!(stem("glass"), "glass");
    }

    #[test]
    fn queries_in_six_languages_name_concepts() {
        let t = Taxonomy::parse(&[BUILTIN]).unwrap();
        for (q, id) in [
            ("косметика", "cosmetics"),
            ("Косметику", "cosmetics"),
            ("화장품", "cosmetics"),
            ("化妆品", "cosmetics"),
            ("кимчи", "kimchi"),
            ("чай", "tea"),
            ("дрон", "drones"),
            ("無人機", "drones"),
            ("人参", "ginseng"),
            ("гоймон", "noodles"),
            ("шин", "tires"),
            ("шины", "tires"),
            ("ｷﾑﾁ", "kimchi"),
            ("韩国化妆品", "cosmetics"),
            ("sheet masks", "sheet-mask"),
        ] {
            let units = t.parse_query(q);
            assert_eq!(units.len(), 1, "{q}");
            assert!(
                ids(&t, &units)[0].contains(&id.to_string()),
                "{q}: {units:?}"
            );
        }
        let units = t.parse_query("HACCP");
        assert_eq!(
            units[0].certifications,
            BTreeSet::from(["HACCP".to_string()])
        );
        let units = t.parse_query("iso 13485");
        assert_eq!(units.len(), 1);
        assert!(units[0].certifications.contains("ISO 13485"));
        let units = t.parse_query("1905");
        assert_eq!(units[0].hs.as_deref(), Some("1905"));
        let units = t.parse_query("zzzyyyxxx");
        assert!(units[0].concepts.is_empty());
        // At most eight words of a query count.
        let units = t.parse_query("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10");
        assert_eq!(units.iter().map(|u| u.words.len()).sum::<usize>(), 8);
    }

    #[test]
    fn tagging_by_text_and_hs() {
        let t = Taxonomy::parse(&[BUILTIN]).unwrap();
        let named = |text: &str, hs: Option<&str>| -> Vec<String> {
            t.concepts_in_text(text, hs)
                .into_iter()
                .map(|i| t.concepts[i].id.clone())
                .collect()
        };
        assert!(named("Highland Kimchi 1 kg", Some("2005.99")).contains(&"kimchi".into()));
        assert!(!named("Celadon Tea Set", Some("6911.10")).contains(&"tea".into()));
        assert!(named("Seorak Pine Needle Tea", Some("2101.20")).contains(&"tea".into()));
        assert!(named("동해해양심층수화장품", None).contains(&"cosmetics".into()));
        assert!(!named("Steak house", None).contains(&"tea".into()));
        let hs: Vec<String> = t
            .concepts_of_hs("8806.22")
            .into_iter()
            .map(|i| t.concepts[i].id.clone())
            .collect();
        assert_eq!(hs, ["drones"]);
        assert_eq!(
            t.concept_of_tag("Tires").map(|i| t.concepts[i].id.as_str()),
            Some("tires")
        );
    }

    #[test]
    fn extension_files_add_concepts_and_terms() {
        let extension = r#"{"concepts": [
            {"id": "kimchi", "terms": {"en": ["kimuchi"]}},
            {"id": "honey", "parent": "food", "hs": ["0409"], "terms": {"en": ["honey"], "mn": ["зөгийн бал"]}}
        ]}"#;
        let t = Taxonomy::parse(&[BUILTIN, extension]).unwrap();
        let base = Taxonomy::parse(&[BUILTIN]).unwrap();
        assert_ne!(t.fingerprint, base.fingerprint);
        assert_eq!(t.concepts.len(), base.concepts.len() + 1);
        let units = t.parse_query("kimuchi");
        assert_eq!(ids(&t, &units), [["kimchi"]]);
        let units = t.parse_query("зөгийн бал");
        assert_eq!(ids(&t, &units), [["honey"]]);
        assert!(
            Taxonomy::parse(&[BUILTIN, r#"{"concepts": [{"id": "x", "parent": "nope"}]}"#])
                .is_err()
        );
    }

    #[test]
    fn extensions_are_parsed_once_and_bad_ones_refused() {
        let text = r#"{"concepts": [{"id": "honey", "parent": "food", "terms": {"ru": ["мёд"]}}]}"#;
        let a = with_extension(Some(text)).unwrap();
        let b = with_extension(Some(text)).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_ne!(a.fingerprint, builtin().fingerprint);
        assert_eq!(a.get("honey").unwrap().label("ru"), "мёд");
        assert!(Arc::ptr_eq(&with_extension(None).unwrap(), &builtin()));
        assert!(Arc::ptr_eq(
            &with_extension(Some("  ")).unwrap(),
            &builtin()
        ));
        assert!(
            with_extension(Some(r#"{"concepts": [{"id": "x", "parent": "nothing"}]}"#)).is_err()
        );
        assert!(with_extension(Some("not json")).is_err());
    }

    #[test]
    fn revised_romanization() {
        assert_eq!(romanize("설악"), "seorak");
        assert_eq!(romanize("강릉"), "gangneung");
        assert_eq!(romanize("철원"), "cheorwon");
        assert_eq!(romanize("춘천"), "chuncheon");
        assert_eq!(romanize("횡성"), "hoengseong");
        assert_eq!(romanize("평창"), "pyeongchang");
        assert_eq!(romanize("원주"), "wonju");
        assert_eq!(romanize("신라"), "silla");
        assert_eq!(romanize("속초 A"), "sokcho A");
    }
}
