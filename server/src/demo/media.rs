//! The demo booths' media, built into the binary: a product picture per industry and
//! variant, a brochure and a booth video (drawn by `tests/browser/make-demo-media.mjs`).

use anyhow::Context;

/// The demo booths' media, built into the binary: a product picture per industry and
/// variant, a brochure and a booth video (drawn by `tests/browser/make-demo-media.mjs`).
/// Each demo media row names one of these with a stored name `demo~{file}~{n}`, and
/// [`embedded`] answers it, so forty booths share one copy and nothing is written to disk.
const MEDIA: &[(&str, &str, &[u8])] = &[
    (
        "booth-video.webm",
        "video/webm",
        include_bytes!("../../demo-media/booth-video.webm"),
    ),
    (
        "brochure.pdf",
        "application/pdf",
        include_bytes!("../../demo-media/brochure.pdf"),
    ),
    (
        "photo-agriculture-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-agriculture-1.jpg"),
    ),
    (
        "photo-agriculture-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-agriculture-2.jpg"),
    ),
    (
        "photo-auto-parts-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-auto-parts-1.jpg"),
    ),
    (
        "photo-auto-parts-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-auto-parts-2.jpg"),
    ),
    (
        "photo-consumer-goods-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-consumer-goods-1.jpg"),
    ),
    (
        "photo-consumer-goods-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-consumer-goods-2.jpg"),
    ),
    (
        "photo-cosmetics-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-cosmetics-1.jpg"),
    ),
    (
        "photo-cosmetics-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-cosmetics-2.jpg"),
    ),
    (
        "photo-energy-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-energy-1.jpg"),
    ),
    (
        "photo-energy-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-energy-2.jpg"),
    ),
    (
        "photo-food-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-food-1.jpg"),
    ),
    (
        "photo-food-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-food-2.jpg"),
    ),
    (
        "photo-ict-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-ict-1.jpg"),
    ),
    (
        "photo-ict-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-ict-2.jpg"),
    ),
    (
        "photo-medical-devices-1.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-medical-devices-1.jpg"),
    ),
    (
        "photo-medical-devices-2.jpg",
        "image/jpeg",
        include_bytes!("../../demo-media/photo-medical-devices-2.jpg"),
    ),
];

/// The stored names of built-in demo files start with this (never a random upload name).
const EMBEDDED_PREFIX: &str = "demo~";

/// A built-in demo file by its stored name: its content type and bytes.
pub fn embedded(stored: &str) -> Option<(&'static str, &'static [u8])> {
    let file = stored.strip_prefix(EMBEDDED_PREFIX)?.split('~').next()?;
    MEDIA
        .iter()
        .find(|(name, _, _)| *name == file)
        .map(|(_, mime, bytes)| (*mime, *bytes))
}

/// One media row of a demo booth, pointing at a built-in file.
pub(super) async fn insert_media(
    conn: &mut sqlx::AnyConnection,
    company_id: i64,
    product_id: Option<i64>,
    kind: &str,
    title: &str,
    file: &str,
    now: i64,
) -> anyhow::Result<()> {
    let (mime, bytes) = embedded(&format!("{EMBEDDED_PREFIX}{file}"))
        .with_context(|| format!("no built-in demo file {file}"))?;
    let stored = format!(
        "{EMBEDDED_PREFIX}{file}~{company_id}-{}-{kind}",
        product_id.unwrap_or(0)
    );
    sqlx::query(
        "insert into media (company_id, product_id, kind, title, file_name, stored_name, \
         content_type, size_bytes, created_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(company_id)
    .bind(product_id)
    .bind(kind)
    .bind(title)
    .bind(file)
    .bind(stored)
    .bind(mime)
    .bind(bytes.len() as i64)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod media_tests {
    use super::*;

    #[test]
    fn every_industry_has_its_pictures_and_names_resolve() {
        let halls = csv::Reader::from_reader(crate::demo::data::HALLS.as_bytes())
            .records()
            .map(|r| r.unwrap()[2].to_string())
            .collect::<Vec<_>>();
        assert_eq!(halls.len(), 8);
        for industry in halls {
            for variant in 1..=2 {
                let name = format!("{EMBEDDED_PREFIX}photo-{industry}-{variant}.jpg~1-2-photo");
                let (mime, bytes) = embedded(&name).expect("a picture per industry and variant");
                assert_eq!(mime, "image/jpeg");
                assert!(bytes.starts_with(&[0xff, 0xd8]));
            }
        }
        assert!(embedded("demo~brochure.pdf~3-0-brochure")
            .unwrap()
            .1
            .starts_with(b"%PDF"));
        assert_eq!(
            embedded("demo~booth-video.webm~3-0-video").unwrap().0,
            "video/webm"
        );
        assert!(embedded("demo~../../etc/passwd~1").is_none());
        assert!(embedded("random-upload-name.jpg").is_none());
    }
}
