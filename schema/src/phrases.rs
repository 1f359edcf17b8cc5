//! The chat phrasebook: ready phrases of export consultations (catalogue, price list, MOQ,
//! samples, lead time, certificates, payment and Incoterms, meetings), each in the fair's six
//! languages, from `schema/data/phrases.json`.
//!
//! A chat message may name a phrase ([`PhraseRef`]: its id and parameter values). Every reader
//! then sees the phrase in their own language; the message's `body` keeps the text as the
//! sender saw it (for search, exports and clients that know no phrasebook). Parameters are
//! language-neutral on purpose: a number (`{qty}`, `{days}`) or a code from a fixed list (an
//! Incoterms 2020 rule for `{incoterm}`), so nothing typed by the sender needs translating.
//! See `docs/i18n.md`.

use crate::domain::LANGUAGES;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use utoipa::ToSchema;

/// The built-in phrasebook (the data file's text).
pub const BUILTIN: &str = include_str!("../data/phrases.json");

/// The most digits a `number` parameter has.
pub const MAX_NUMBER_DIGITS: usize = 9;

/// A chat message's phrase: which phrase of the phrasebook, with which parameter values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct PhraseRef {
    /// The phrase's id in the phrasebook (`ask_samples`, `moq_is` …).
    pub id: String,
    /// The values of the phrase's `{placeholders}`: digits for a `number`, one of its
    /// `choices` (`FOB`) for a `choice`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

/// What a parameter's value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A whole number, 1 to 9 digits (a quantity, a number of days).
    Number,
    /// One of the parameter's `choices`: codes written the same in every language.
    Choice,
}

/// A parameter a phrase may have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ParamDef {
    pub kind: ParamKind,
    /// Its label in each language, for the field where the sender fills it in.
    pub label: BTreeMap<String, String>,
    /// The values of a `choice`, in the order a picker lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// A topic of the phrasebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct PhraseGroup {
    pub id: String,
    /// Its name in each language.
    pub label: BTreeMap<String, String>,
}

/// One phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Phrase {
    /// Permanent: stored messages name it.
    pub id: String,
    /// The id of its [`PhraseGroup`].
    pub group: String,
    /// The phrase in each of the six languages, with the same `{placeholders}` in each.
    pub text: BTreeMap<String, String>,
}

/// The whole phrasebook, as `GET /api/v1/phrases` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Phrasebook {
    /// The parameters phrases may have, by name.
    #[serde(default)]
    pub params: BTreeMap<String, ParamDef>,
    /// The topics, in the order a picker shows them.
    pub groups: Vec<PhraseGroup>,
    /// The phrases, in the order a picker shows them within their group.
    pub phrases: Vec<Phrase>,
}

/// Why a [`PhraseRef`] is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseError {
    /// No phrase has this id.
    Unknown(String),
    /// The parameters are missing, extra, or not of their kind.
    BadParams(String),
}

impl std::fmt::Display for PhraseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhraseError::Unknown(id) => write!(f, "no phrase {id:?} in the phrasebook"),
            PhraseError::BadParams(why) => f.write_str(why),
        }
    }
}

/// The `{name}`s in a text.
pub fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.insert(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// The built-in phrasebook, parsed once.
pub fn builtin() -> &'static Phrasebook {
    static BOOK: OnceLock<Phrasebook> = OnceLock::new();
    BOOK.get_or_init(|| Phrasebook::parse(BUILTIN).expect("the built-in phrasebook is valid"))
}

impl Phrasebook {
    /// Reads a phrasebook in the format of `schema/data/phrases.json` and checks it: ids
    /// unique, every phrase in a known group, every text in all six languages with the same
    /// placeholders, each of them a declared parameter.
    pub fn parse(text: &str) -> Result<Phrasebook, String> {
        let book: Phrasebook =
            serde_json::from_str(text).map_err(|e| format!("not a phrasebook: {e}"))?;
        let six = |what: &str, texts: &BTreeMap<String, String>| -> Result<(), String> {
            for lang in LANGUAGES {
                if texts.get(*lang).is_none_or(|t| t.trim().is_empty()) {
                    return Err(format!("{what} has no text in {lang}"));
                }
            }
            if let Some(other) = texts.keys().find(|l| !LANGUAGES.contains(&l.as_str())) {
                return Err(format!("{what} has a text in {other}, not a fair language"));
            }
            Ok(())
        };
        for (name, def) in &book.params {
            six(&format!("parameter {name}"), &def.label)?;
            let codes = def.choices.iter().all(|c| {
                !c.is_empty()
                    && c.len() <= 16
                    && c.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'/')
            });
            let fits = match def.kind {
                ParamKind::Number => def.choices.is_empty(),
                ParamKind::Choice => !def.choices.is_empty() && codes,
            };
            if !fits {
                return Err(format!(
                    "parameter {name}: a choice lists codes (A-Z, 0-9, /), a number none"
                ));
            }
        }
        let mut groups = BTreeSet::new();
        for group in &book.groups {
            six(&format!("group {}", group.id), &group.label)?;
            if !groups.insert(group.id.as_str()) {
                return Err(format!("group {} appears twice", group.id));
            }
        }
        let mut ids = BTreeSet::new();
        for phrase in &book.phrases {
            let what = format!("phrase {}", phrase.id);
            if phrase.id.is_empty() || !ids.insert(phrase.id.as_str()) {
                return Err(format!("{what}: ids must be present and unique"));
            }
            if !groups.contains(phrase.group.as_str()) {
                return Err(format!("{what}: no group {}", phrase.group));
            }
            six(&what, &phrase.text)?;
            let want = placeholders(&phrase.text["en"]);
            for (lang, text) in &phrase.text {
                if placeholders(text) != want {
                    return Err(format!("{what}: its {lang} text has other placeholders"));
                }
            }
            if let Some(name) = want.iter().find(|n| !book.params.contains_key(*n)) {
                return Err(format!("{what}: {{{name}}} is not a declared parameter"));
            }
        }
        Ok(book)
    }

    /// The phrase with this id.
    pub fn phrase(&self, id: &str) -> Option<&Phrase> {
        self.phrases.iter().find(|p| p.id == id)
    }

    /// Checks a message's phrase: a known id, and exactly its parameters, each of its kind.
    pub fn check(&self, phrase: &PhraseRef) -> Result<&Phrase, PhraseError> {
        let found = self
            .phrase(&phrase.id)
            .ok_or_else(|| PhraseError::Unknown(phrase.id.clone()))?;
        let want = placeholders(&found.text["en"]);
        let have: BTreeSet<String> = phrase.params.keys().cloned().collect();
        if want != have {
            return Err(PhraseError::BadParams(format!(
                "phrase {} takes the parameters {want:?}, not {have:?}",
                found.id
            )));
        }
        for (name, value) in &phrase.params {
            let ok = match self.params.get(name) {
                Some(ParamDef {
                    kind: ParamKind::Number,
                    ..
                }) => {
                    (1..=MAX_NUMBER_DIGITS).contains(&value.len())
                        && value.bytes().all(|b| b.is_ascii_digit())
                }
                Some(ParamDef {
                    kind: ParamKind::Choice,
                    choices,
                    ..
                }) => choices.contains(value),
                None => false,
            };
            if !ok {
                return Err(PhraseError::BadParams(format!(
                    "{value:?} is not a value for {{{name}}}"
                )));
            }
        }
        Ok(found)
    }

    /// The phrase in a language (English for one the phrasebook lacks), parameters filled in;
    /// `None` for an unknown id.
    pub fn render(&self, phrase: &PhraseRef, lang: &str) -> Option<String> {
        let found = self.phrase(&phrase.id)?;
        let text = found.text.get(lang).or_else(|| found.text.get("en"))?;
        let mut out = text.clone();
        for (name, value) in &phrase.params {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        Some(out)
    }

    /// The language whose rendering of the phrase is exactly `body` (trimmed), if any.
    pub fn language_of(&self, phrase: &PhraseRef, body: &str) -> Option<&'static str> {
        LANGUAGES
            .iter()
            .copied()
            .find(|lang| self.render(phrase, lang).as_deref() == Some(body.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, params: &[(&str, &str)]) -> PhraseRef {
        PhraseRef {
            id: id.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn every_phrase_has_all_six_languages_with_the_same_parameters() {
        let book = builtin();
        assert!(book.phrases.len() >= 20, "a phrasebook worth the name");
        for phrase in &book.phrases {
            let en = placeholders(&phrase.text["en"]);
            for lang in LANGUAGES {
                let text = phrase.text.get(*lang).unwrap_or_else(|| {
                    panic!("{} lacks {lang}", phrase.id);
                });
                assert!(!text.trim().is_empty(), "{} is empty in {lang}", phrase.id);
                assert_eq!(placeholders(text), en, "{} in {lang}", phrase.id);
                // A text in another script than English is not English left over.
                if *lang != "en" {
                    assert_ne!(text, &phrase.text["en"], "{} in {lang}", phrase.id);
                }
            }
            for name in &en {
                assert!(book.params.contains_key(name), "{} {{{name}}}", phrase.id);
            }
        }
        for group in &book.groups {
            assert!(
                book.phrases.iter().any(|p| p.group == group.id),
                "group {} has phrases",
                group.id
            );
        }
        // The topics the fair asked for are all there.
        for id in [
            "ask_price_list",
            "ask_moq",
            "ask_samples",
            "ask_lead_time",
            "ask_certificates",
            "ask_payment",
            "ask_price",
            "ask_catalogue",
            "book_meeting",
        ] {
            assert!(book.phrase(id).is_some(), "{id}");
        }
    }

    #[test]
    fn check_wants_a_known_id_and_exactly_its_parameters() {
        let book = builtin();
        assert!(book.check(&r("ask_samples", &[])).is_ok());
        assert_eq!(
            book.check(&r("no_such_phrase", &[])),
            Err(PhraseError::Unknown("no_such_phrase".into()))
        );
        assert!(book.check(&r("moq_is", &[("qty", "500")])).is_ok());
        for bad in [
            r("moq_is", &[]),
            r("moq_is", &[("qty", "five")]),
            r("moq_is", &[("qty", "-5")]),
            r("moq_is", &[("qty", "1234567890")]),
            r("moq_is", &[("qty", "5"), ("days", "3")]),
            r("ask_samples", &[("qty", "5")]),
            r("ask_price", &[("incoterm", "fob")]),
            r("ask_price", &[("incoterm", "XYZ")]),
        ] {
            assert!(
                matches!(book.check(&bad), Err(PhraseError::BadParams(_))),
                "{bad:?}"
            );
        }
        assert!(book.check(&r("ask_price", &[("incoterm", "FOB")])).is_ok());
        // The eleven Incoterms 2020 rules, and nothing else.
        assert_eq!(book.params["incoterm"].choices.len(), 11);
    }

    #[test]
    fn render_fills_in_parameters_in_each_language() {
        let book = builtin();
        let moq = r("moq_is", &[("qty", "500")]);
        assert_eq!(
            book.render(&moq, "en").unwrap(),
            "Our minimum order quantity is 500 units."
        );
        assert!(book.render(&moq, "ko").unwrap().contains("500"));
        assert!(book.render(&moq, "ru").unwrap().contains("500"));
        assert_eq!(book.render(&moq, "xx"), book.render(&moq, "en"));
        assert_eq!(book.render(&r("nope", &[]), "en"), None);
        let ru = book.render(&moq, "ru").unwrap();
        assert_eq!(book.language_of(&moq, &format!(" {ru} ")), Some("ru"));
        assert_eq!(book.language_of(&moq, "something else"), None);
    }

    #[test]
    fn placeholders_are_found_and_braces_otherwise_ignored() {
        assert_eq!(
            placeholders("{a} and {b_2}, not { c } or {}"),
            ["a", "b_2"].iter().map(|s| s.to_string()).collect()
        );
    }

    #[test]
    fn a_bad_phrasebook_is_refused() {
        let missing = r#"{"groups":[{"id":"g","label":{"en":"G"}}],"phrases":[]}"#;
        assert!(Phrasebook::parse(missing)
            .unwrap_err()
            .contains("no text in"));
        let mut book: serde_json::Value = serde_json::from_str(BUILTIN).unwrap();
        book["phrases"][0]["text"]["ru"] = "{qty} шт.".into();
        assert!(Phrasebook::parse(&book.to_string())
            .unwrap_err()
            .contains("other placeholders"));
    }
}
