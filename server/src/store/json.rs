//! Lists stored as JSON text (languages, tags, interests): one encoding for both engines.

/// Encodes a list of strings for a `text` column.
pub fn encode_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Decodes a list column; anything unreadable becomes an empty list rather than an error,
/// because a broken tag list must never hide a whole record.
pub fn decode_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let items = vec!["ko".to_string(), "ru".to_string()];
        assert_eq!(decode_list(&encode_list(&items)), items);
        assert!(decode_list("not json").is_empty());
    }
}
