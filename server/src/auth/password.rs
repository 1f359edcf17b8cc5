//! Password hashing (argon2id) and opaque session tokens (random, stored only as sha-256).
//!
//! Argon2id with the argon2 crate's defaults (RFC 9106's second recommendation as OWASP
//! lists it: m = 19,456 KiB, t = 2, p = 1): about 19 MiB and a few tens of milliseconds of one
//! core per hash, with at most `throttle::MAX_CONCURRENT_HASHES` running at once on a node.
//! The 19 MiB of working memory are allocated here, not by the crate, so that they go back to
//! the system after each hash (see [`working_memory`]).

use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordVerifier, Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Larger than the largest mmap threshold glibc's malloc ever sets itself (32 MiB on 64-bit).
const ALWAYS_MAPPED_BYTES: usize = 33 << 20;

/// argon2's working memory for `blocks` blocks of 1 KiB.
///
/// glibc's malloc serves a request below its mmap threshold from an arena, which keeps the
/// memory after it is freed, and it raises that threshold to the size of every mapped block
/// that is freed (up to 32 MiB). So the crate's own 19 MiB vector is mapped once, then
/// recycled in the arena of each blocking thread that hashes: after a burst of sign-ins a
/// node kept hundreds of megabytes it no longer used (issue 15: 32 sign-ins at once, 900 MB,
/// never returned). Asking for more than the threshold can ever be makes every hash its own
/// mapping, unmapped when it is dropped; only the pages the hash touches are ever resident.
fn working_memory(blocks: usize) -> Vec<Block> {
    let capacity = blocks.max(ALWAYS_MAPPED_BYTES / std::mem::size_of::<Block>());
    let mut memory = Vec::with_capacity(capacity);
    memory.resize(blocks, Block::default());
    memory
}

/// The raw argon2 output for `password` under `params` and `salt`, in [`working_memory`].
fn derive(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &Salt<'_>,
    out: &mut [u8],
) -> anyhow::Result<()> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("a password salt: {e}"))?;
    argon
        .hash_password_into_with_memory(
            password,
            salt_bytes,
            out,
            working_memory(params.block_count()),
        )
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password` with a fresh salt.
fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    derive(&argon, &params, password, &salt.as_salt(), &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string: its own algorithm, version, parameters
/// and salt, compared in constant time ([`Output`]'s equality). Other schemes than argon2 are
/// checked by the crate as before.
fn matches(password: &[u8], phc: &str) -> bool {
    let Ok(stored) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Some(expected), Some(salt)) = (
        Algorithm::try_from(stored.algorithm),
        stored.hash,
        stored.salt,
    ) else {
        return Argon2::default().verify_password(password, &stored).is_ok();
    };
    let Ok(params) = Params::try_from(&stored) else {
        return false;
    };
    let version = stored
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if derive(&argon, &params, password, &salt, &mut out).is_err() {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Hashes a password on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes())).await?
}

/// Checks a password against a stored PHC string, on a blocking thread.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || matches(password.as_bytes(), &phc))
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

    /// Hashes made with the working memory given here and the argon2 crate's own are one
    /// format: each verifies the other's, with the defaults and with other parameters (a
    /// hash stored before, or under other settings, keeps working).
    #[test]
    fn hashes_agree_with_the_argon2_crate() {
        use argon2::password_hash::PasswordHasher;
        let ours = hash_now(b"correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong horse", &parsed)
            .is_err());
        let params = Params::new(8 * 1024, 3, 1, Some(24)).unwrap();
        for theirs in [
            Argon2::default(),
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
            Argon2::new(Algorithm::Argon2i, Version::V0x10, params),
        ] {
            let salt = SaltString::generate(&mut rand::thread_rng());
            let phc = theirs
                .hash_password(b"correct horse", &salt)
                .unwrap()
                .to_string();
            assert!(matches(b"correct horse", &phc), "{phc}");
            assert!(!matches(b"correct horsf", &phc), "{phc}");
        }
    }

    #[test]
    fn working_memory_is_one_mapping_with_the_blocks_asked_for() {
        let memory = working_memory(Params::default().block_count());
        assert_eq!(memory.len(), 19 * 1024);
        assert!(memory.capacity() * std::mem::size_of::<Block>() >= ALWAYS_MAPPED_BYTES);
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
