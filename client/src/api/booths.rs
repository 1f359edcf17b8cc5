//! The fair, halls, companies, products, media, search, the taxonomy, leads and imports
//! (`server/src/booths/`).

use super::NoQuery;
use crate::{error_of, Api, ClientError, Result};
use expo_schema::api::{
    BoothPage, BoothQuery, CompanyDetail, CompanyFilter, CompanyInput, CompanyList, FairSummary,
    HallInput, HallList, ImportQuery, ImportReport, LangQuery, Lead, LeadFollowUp, LeadReport,
    ProductInput, RecommendationList, TaxonomyFile, TaxonomyView, UploadQuery, VideoLinkInput,
};
use expo_schema::{Company, Hall, MediaItem, Product};

impl Api {
    /// `GET /api/v1/fair`: counts that show the fair is alive (no sign-in needed).
    pub async fn fair(&self) -> Result<FairSummary> {
        self.get("/api/v1/fair").await
    }

    /// `GET /api/v1/halls`.
    pub async fn halls(&self) -> Result<HallList> {
        self.get("/api/v1/halls").await
    }

    /// `POST /api/v1/halls` (organizers).
    pub async fn create_hall(&self, input: &HallInput) -> Result<Hall> {
        self.post("/api/v1/halls", input).await
    }

    /// `PUT /api/v1/halls/{id}` (organizers).
    pub async fn update_hall(&self, id: i64, input: &HallInput) -> Result<Hall> {
        self.put(&format!("/api/v1/halls/{id}"), input).await
    }

    /// `GET /api/v1/companies`: exhibitors by name, optionally of one hall, texts in `lang`.
    pub async fn companies(&self, hall_id: Option<i64>, lang: Option<&str>) -> Result<CompanyList> {
        self.get_query(
            "/api/v1/companies",
            &CompanyFilter {
                hall_id,
                lang: lang.map(str::to_string),
            },
        )
        .await
    }

    /// `GET /api/v1/companies/{id}`: one booth, texts in `lang` where it has them.
    pub async fn company(&self, id: i64, lang: Option<&str>) -> Result<CompanyDetail> {
        self.get_query(
            &format!("/api/v1/companies/{id}"),
            &LangQuery {
                lang: lang.map(str::to_string),
            },
        )
        .await
    }

    /// `POST /api/v1/companies` (organizers).
    pub async fn create_company(&self, input: &CompanyInput) -> Result<Company> {
        self.post("/api/v1/companies", input).await
    }

    /// `PUT /api/v1/companies/{id}`: the answer's texts are in `lang`.
    pub async fn update_company(
        &self,
        id: i64,
        lang: Option<&str>,
        input: &CompanyInput,
    ) -> Result<Company> {
        let response = self
            .request(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"))
            .query(&LangQuery {
                lang: lang.map(str::to_string),
            })
            .json(input)
            .send()
            .await?;
        crate::decode(response).await
    }

    /// `POST /api/v1/companies/{id}/products`.
    pub async fn create_product(&self, company_id: i64, input: &ProductInput) -> Result<Product> {
        self.post(&format!("/api/v1/companies/{company_id}/products"), input)
            .await
    }

    /// `PUT /api/v1/products/{id}`.
    pub async fn update_product(&self, id: i64, input: &ProductInput) -> Result<Product> {
        self.put(&format!("/api/v1/products/{id}"), input).await
    }

    /// `DELETE /api/v1/products/{id}`.
    pub async fn delete_product(&self, id: i64) -> Result<()> {
        self.delete(&format!("/api/v1/products/{id}")).await
    }

    /// `POST /api/v1/companies/{id}/media`: uploads a logo, photo, brochure or video file.
    pub async fn upload_media(
        &self,
        company_id: i64,
        upload: &UploadQuery,
        bytes: Vec<u8>,
    ) -> Result<MediaItem> {
        self.post_file(
            &format!("/api/v1/companies/{company_id}/media"),
            upload,
            bytes,
        )
        .await
    }

    /// `POST /api/v1/companies/{id}/videos`: a video hosted elsewhere.
    pub async fn add_video_link(
        &self,
        company_id: i64,
        input: &VideoLinkInput,
    ) -> Result<MediaItem> {
        self.post(&format!("/api/v1/companies/{company_id}/videos"), input)
            .await
    }

    /// `GET /api/v1/media/{id}`: the stored file (a linked video's redirect is followed).
    pub async fn media(&self, id: i64) -> Result<Vec<u8>> {
        self.get_bytes(&format!("/api/v1/media/{id}")).await
    }

    /// `DELETE /api/v1/media/{id}`.
    pub async fn delete_media(&self, id: i64) -> Result<()> {
        self.delete(&format!("/api/v1/media/{id}")).await
    }

    /// `GET /api/v1/booths`: the lobby's search.
    pub async fn search_booths(&self, query: &BoothQuery) -> Result<BoothPage> {
        self.get_query("/api/v1/booths", query).await
    }

    /// `GET /api/v1/recommendations` (buyers).
    pub async fn recommendations(&self, lang: Option<&str>) -> Result<RecommendationList> {
        self.get_query(
            "/api/v1/recommendations",
            &LangQuery {
                lang: lang.map(str::to_string),
            },
        )
        .await
    }

    /// `GET /api/v1/taxonomy`: the product taxonomy in one language.
    pub async fn taxonomy(&self, lang: Option<&str>) -> Result<TaxonomyView> {
        self.get_query(
            "/api/v1/taxonomy",
            &LangQuery {
                lang: lang.map(str::to_string),
            },
        )
        .await
    }

    /// `GET /api/v1/taxonomy/extension` (organizers): the fair's extension of the taxonomy.
    pub async fn taxonomy_extension(&self) -> Result<TaxonomyFile> {
        self.get("/api/v1/taxonomy/extension").await
    }

    /// `PUT /api/v1/taxonomy/extension` (organizers): replaces the extension.
    pub async fn put_taxonomy_extension(&self, extension: &TaxonomyFile) -> Result<TaxonomyView> {
        self.put("/api/v1/taxonomy/extension", extension).await
    }

    /// `GET /api/v1/companies/{id}/leads`.
    pub async fn leads(&self, company_id: i64) -> Result<LeadReport> {
        self.get(&format!("/api/v1/companies/{company_id}/leads"))
            .await
    }

    /// `GET /api/v1/companies/{id}/leads.csv`.
    pub async fn leads_csv(&self, company_id: i64) -> Result<String> {
        self.get_text(
            &format!("/api/v1/companies/{company_id}/leads.csv"),
            &NoQuery {},
        )
        .await
    }

    /// `PUT /api/v1/companies/{id}/leads/{user_id}`: replaces the company's follow-up.
    pub async fn annotate_lead(
        &self,
        company_id: i64,
        user_id: i64,
        input: &LeadFollowUp,
    ) -> Result<Lead> {
        self.put(
            &format!("/api/v1/companies/{company_id}/leads/{user_id}"),
            input,
        )
        .await
    }

    /// `POST /api/v1/import/{kind}`: imports a CSV or XLSX file (organizers). A file with bad
    /// rows is answered 422 with the report too; both come back as `Ok(report)` (its
    /// `errors` tell them apart).
    pub async fn import(&self, kind: &str, dry_run: bool, file: Vec<u8>) -> Result<ImportReport> {
        let response = self
            .request(reqwest::Method::POST, &format!("/api/v1/import/{kind}"))
            .query(&ImportQuery { dry_run })
            .body(file)
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        if status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let text = response.text().await.unwrap_or_default();
            return match serde_json::from_str::<ImportReport>(&text) {
                Ok(report) => Ok(report),
                Err(_) => Err(match serde_json::from_str(&text) {
                    Ok(body) => ClientError::Server(body),
                    Err(_) => ClientError::Http(422, text),
                }),
            };
        }
        Err(error_of(response).await)
    }

    /// `GET /api/v1/import/{kind}/template.csv`: the header row of a kind of import.
    pub async fn import_template(&self, kind: &str) -> Result<String> {
        self.get_text(&format!("/api/v1/import/{kind}/template.csv"), &NoQuery {})
            .await
    }
}
