//! Nested request objects that must be JSON objects. serde's derived `Deserialize` reads a
//! struct from a JSON array too (`[a, b]` as its fields in order), which the OpenAPI
//! document does not allow; top-level bodies are checked by the server's `JsonBody`, and
//! fields holding structs use these readers.

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn object<T: DeserializeOwned, E: Error>(fields: Map<String, Value>) -> Result<T, E> {
    T::deserialize(Value::Object(fields)).map_err(E::custom)
}

/// A map whose values are objects (the `texts` of companies and products).
pub fn map<'de, D, T>(deserializer: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    BTreeMap::<String, Map<String, Value>>::deserialize(deserializer)?
        .into_iter()
        .map(|(key, fields)| Ok((key, object(fields)?)))
        .collect()
}

/// A list of objects.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Vec::<Map<String, Value>>::deserialize(deserializer)?
        .into_iter()
        .map(object)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::api::{CompanyInput, GridInput};

    #[test]
    fn nested_objects_refuse_arrays() {
        let company = |texts: &str| {
            serde_json::from_str::<CompanyInput>(&format!(
                r#"{{"reg_no": "1", "name": "A", "country": "KR", "texts": {texts}}}"#
            ))
        };
        let read = company(r#"{"zh": {"name": "甲"}}"#).unwrap();
        assert_eq!(read.texts["zh"].name.as_deref(), Some("甲"));
        assert!(company(r#"{"zh": [null, null, null]}"#).is_err());
        let grid = |breaks: &str| {
            serde_json::from_str::<GridInput>(&format!(
                r#"{{"day": "2026-05-20", "timezone": "Asia/Seoul", "start": "09:00",
                    "end": "17:00", "slot_minutes": 30, "breaks": {breaks}}}"#
            ))
        };
        assert_eq!(
            grid(r#"[{"start": "12:00", "end": "13:00"}]"#)
                .unwrap()
                .breaks
                .len(),
            1
        );
        assert!(grid(r#"[["12:00", "13:00"]]"#).is_err());
    }
}
