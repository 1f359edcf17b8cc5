//! The fair's word filter: organizers keep one list of words, in any of the fair's six
//! languages, and a message in a public room (a booth's or a show's) that has one of them is
//! refused with `filtered` before it is stored. Nothing is dropped silently: the sender is told.
//!
//! Matching is case-blind after Unicode normalization (NFKC, so full-width Latin and
//! compatibility forms match their plain letters). In scripts written with spaces between
//! words (Latin, Greek, Cyrillic, which Russian and Mongolian use) a word matches whole, so
//! "ass" does not refuse "class"; elsewhere (Chinese, Japanese, Korean with its attached
//! particles) a word matches anywhere in the text.

use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::AppState;
use expo_schema::ErrorCode;
use unicode_normalization::UnicodeNormalization;

/// Words in the list at most.
pub const MAX_WORDS: usize = 500;
/// Characters in one word at most.
pub const MAX_WORD_CHARS: usize = 50;

/// The form both the list and the messages are compared in.
pub fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// A letter of a script that separates words with spaces.
fn spaced_letter(c: char) -> bool {
    c.is_alphanumeric() && ((c as u32) < 0x0590 || (0x1E00..0x2000).contains(&(c as u32)))
}

/// The first word of `words` (normalized) found in `text` (normalized), if any.
pub fn find<'w>(words: &'w [String], text: &str) -> Option<&'w str> {
    words.iter().map(String::as_str).find(|word| {
        let Some(first) = word.chars().next() else {
            return false;
        };
        let last = word.chars().next_back().unwrap_or(first);
        text.match_indices(word).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            let open = !spaced_letter(first) || !before.is_some_and(char::is_alphanumeric);
            let close = !spaced_letter(last) || !after.is_some_and(char::is_alphanumeric);
            open && close
        })
    })
}

/// The list as stored, in order.
pub async fn words(state: &AppState) -> ApiResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("select word from chat_filter_words order by word")
            .fetch_all(state.store.pool())
            .await?,
    )
}

/// Refuses `body` with `filtered` when it has a word of the list.
pub async fn check(state: &AppState, body: &str) -> ApiResult<()> {
    let list: Vec<String> = words(state).await?.iter().map(|w| normalize(w)).collect();
    if list.is_empty() {
        return Ok(());
    }
    if find(&list, &normalize(body)).is_some() {
        return Err(ApiError::new(
            ErrorCode::Filtered,
            "this message has a word the fair does not allow; nothing was sent",
        ));
    }
    Ok(())
}

/// Replaces the list (organizers): words trimmed, duplicates (after normalization) dropped.
pub async fn replace(state: &AppState, by: i64, list: &[String]) -> ApiResult<Vec<String>> {
    if list.len() > MAX_WORDS {
        return Err(ApiError::validation(format!(
            "the filter holds at most {MAX_WORDS} words"
        )));
    }
    let mut kept: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for word in list {
        let word = word.trim();
        let chars = word.chars().count();
        if chars == 0 || chars > MAX_WORD_CHARS {
            return Err(ApiError::validation(format!(
                "each word has 1 to {MAX_WORD_CHARS} characters"
            )));
        }
        if seen.insert(normalize(word)) {
            kept.push(word.to_string());
        }
    }
    let mut tx = state.store.begin_write().await?;
    write_words(&mut tx, Some(by), &kept, now_ms()).await?;
    tx.commit().await?;
    words(state).await
}

/// Replaces the list inside the caller's transaction with `words` (already checked and
/// without duplicates); the demo fair sets its list with it too.
pub(crate) async fn write_words(
    conn: &mut sqlx::AnyConnection,
    by: Option<i64>,
    words: &[String],
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("delete from chat_filter_words")
        .execute(&mut *conn)
        .await?;
    for word in words {
        sqlx::query(
            "insert into chat_filter_words (word, created_by, created_ms) values ($1, $2, $3)",
        )
        .bind(word)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| normalize(w)).collect()
    }

    fn hit(words: &[&str], text: &str) -> bool {
        find(&list(words), &normalize(text)).is_some()
    }

    #[test]
    fn spaced_scripts_match_whole_words_case_blind() {
        assert!(hit(&["spam"], "Buy SPAM now"));
        assert!(hit(&["spam"], "spam!"));
        assert!(!hit(&["spam"], "spammer"));
        assert!(!hit(&["ass"], "first class shipping"));
        // Cyrillic (Russian, Mongolian), with case.
        assert!(hit(&["дурак"], "Ты ДУРАК."));
        assert!(!hit(&["дурак"], "дураками"));
        assert!(hit(&["тэнэг"], "Чи тэнэг үү"));
    }

    #[test]
    fn unspaced_scripts_match_anywhere() {
        assert!(hit(&["傻瓜"], "你是傻瓜吗"));
        assert!(hit(&["バカ"], "あなたはバカです"));
        // Korean particles attach to the word.
        assert!(hit(&["바보"], "너는바보야"));
        assert!(!hit(&["바보"], "안녕하세요"));
    }

    #[test]
    fn compatibility_forms_match_their_plain_letters() {
        // Full-width Latin and half-width katakana normalize (NFKC) to the plain forms.
        assert!(hit(&["spam"], "ＳＰＡＭ here"));
        assert!(hit(&["バカ"], "ﾊﾞｶ"));
    }

    #[test]
    fn an_empty_list_finds_nothing() {
        assert!(!hit(&[], "anything"));
    }
}
