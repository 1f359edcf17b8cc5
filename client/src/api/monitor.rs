//! Badges and check-ins, the live dashboard, reports and exhibitor figures
//! (`server/src/monitor/`), and the operations endpoints (`/healthz`, `/readyz`).

use super::NoQuery;
use crate::{Api, Result};
use expo_schema::api::{Badge, RangeQuery, Readiness, Report, ScanInput};
use expo_schema::{CheckIn, DashboardSnapshot};

impl Api {
    /// `GET /healthz`: the process answers.
    pub async fn healthz(&self) -> Result<String> {
        self.get_text("/healthz", &NoQuery {}).await
    }

    /// `GET /readyz`: each dependency and whether it answered (503 when not ready).
    pub async fn readyz(&self) -> Result<Readiness> {
        self.get("/readyz").await
    }

    /// `GET /api/v1/me/badge.svg`: the caller's badge as an image.
    pub async fn my_badge_svg(&self) -> Result<String> {
        self.get_text("/api/v1/me/badge.svg", &NoQuery {}).await
    }

    /// `GET /api/v1/dashboard` (organizers): the live figures now.
    pub async fn dashboard(&self) -> Result<DashboardSnapshot> {
        self.get("/api/v1/dashboard").await
    }

    /// `GET /api/v1/reports/{file}` (organizers): one section as CSV (`by_country.csv` ...).
    pub async fn report_csv(&self, file: &str, range: &RangeQuery) -> Result<String> {
        self.get_text(&format!("/api/v1/reports/{file}"), range)
            .await
    }

    /// `GET /api/v1/reports.xlsx` (organizers): every section, one sheet each.
    pub async fn report_xlsx(&self, range: &RangeQuery) -> Result<Vec<u8>> {
        let response = self
            .request(reqwest::Method::GET, "/api/v1/reports.xlsx")
            .query(range)
            .send()
            .await?;
        if response.status().is_success() {
            Ok(response.bytes().await?.to_vec())
        } else {
            Err(crate::error_of(response).await)
        }
    }
}

impl Api {
    /// `GET /api/v1/me/badge`: the caller's badge code.
    pub async fn my_badge(&self) -> Result<Badge> {
        self.get("/api/v1/me/badge").await
    }

    /// `POST /api/v1/checkins`: scans a badge at the entrance or (with `company_id`) a
    /// booth.
    pub async fn scan(&self, input: &ScanInput) -> Result<CheckIn> {
        self.post("/api/v1/checkins", input).await
    }

    /// `GET /api/v1/reports` (organizers): every section as JSON.
    pub async fn report(&self, range: &RangeQuery) -> Result<Report> {
        self.get_query("/api/v1/reports", range).await
    }

    /// `GET /api/v1/companies/{id}/stats`: one exhibitor's figures.
    pub async fn company_stats(&self, company_id: i64, range: &RangeQuery) -> Result<Report> {
        self.get_query(&format!("/api/v1/companies/{company_id}/stats"), range)
            .await
    }
}
