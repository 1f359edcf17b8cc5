//! Password hashing (argon2id) and opaque session tokens (random, stored only as sha-256).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hashes a password on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::thread_rng());
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// Checks a password against a stored PHC string, on a blocking thread.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A real argon2id hash of a random password, made once, for checking logins of unknown
/// emails: the miss then costs the same time as a hit, so timing reveals no accounts.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash(one_time_password())
                .await
                .unwrap_or_else(|_| String::new())
        })
        .await
        .clone()
}

/// A fresh random token (32 bytes, URL-safe base64) and the hash that is stored for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A readable random password for the first organizer when none is configured.
pub fn one_time_password() -> String {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Passwords every guessing list starts with (compared without case, digits and symbols
/// stripped at the ends).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjk",
    "asdfghjkl",
    "zxcvbnm",
    "abcdefgh",
    "iloveyou",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon",
    "monkey",
    "master",
    "superman",
    "trustno1",
    "starwars",
    "whatever",
    "changeme",
    "expohub",
    "qazwsxedc",
    "1q2w3e4r",
    "1qaz2wsx",
    "q1w2e3r4",
];

/// The rules every password must meet: 8 to 1024 characters, not all one kind of keyboard
/// run (`12345678`, `aaaaaaaa`, `qwertyui`), not a well-known password, at least five
/// different characters.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("a password needs at least 8 characters");
    }
    if password.chars().count() > 1024 {
        return Err("a password may have at most 1024 characters");
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Err("a password needs at least 5 different characters");
    }
    if lower.chars().all(|c| c.is_ascii_digit()) {
        return Err("a password cannot be only digits");
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if COMMON_PASSWORDS.contains(&lower.as_str()) || COMMON_PASSWORDS.contains(&core) {
        return Err("that password is on every guessing list; choose another");
    }
    if is_keyboard_run(&lower) {
        return Err("a password cannot be a run of neighbouring keys or letters");
    }
    Ok(())
}

/// [`check_strength`], and not the email or its name part.
pub fn check_strength_for(password: &str, email: &str) -> Result<(), &'static str> {
    check_strength(password)?;
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if lower == email || lower == local || core == local {
        return Err("a password cannot contain your email address");
    }
    Ok(())
}

/// Whether the text is a stretch of one keyboard row or of the alphabet (either way round).
fn is_keyboard_run(text: &str) -> bool {
    const RUNS: &[&str] = &[
        "1234567890",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "abcdefghijklmnopqrstuvwxyz",
    ];
    RUNS.iter().any(|run| {
        let reversed: String = run.chars().rev().collect();
        let doubled = format!("{run}{run}");
        let doubled_rev = format!("{reversed}{reversed}");
        doubled.contains(text) || doubled_rev.contains(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let phc = hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), phc.clone()).await);
        assert!(!verify("wrong horse".into(), phc).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[test]
    fn tokens_are_unique_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), ha);
        assert_eq!(ha.len(), 64);
    }

    #[test]
    fn strength() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough").is_ok());
        for weak in [
            "12345678",
            "87654321",
            "1234567890",
            "aaaaaaaa",
            "abababab",
            "password",
            "Password1",
            "qwertyui",
            "abcdefgh",
            "00000000000",
        ] {
            assert!(check_strength(weak).is_err(), "{weak} is accepted");
        }
        assert!(check_strength("buyer-password").is_ok());
        assert!(check_strength("expo-demo-2026").is_ok());
        assert!(check_strength_for("olga.smirnova", "olga.smirnova@vostok.example").is_err());
        assert!(check_strength_for("olga-password", "olga@vostok.example").is_ok());
    }
}
