//! Monitoring: badges and scans, and the organizer's reports.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One section of a report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportSection {
    pub name: String,
    pub columns: Vec<String>,
    /// One array per row, a cell per column: a string, a number or null.
    pub rows: Vec<Vec<Value>>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    pub from_ms: i64,
    pub to_ms: i64,
    #[serde(default)]
    pub company_id: Option<i64>,
    pub sections: Vec<ReportSection>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Badge {
    /// What the badge's QR code carries; typing it works too.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScanInput {
    pub badge_code: String,
    /// Scanning at a booth (staff: their own booth, the default for them).
    #[serde(default)]
    pub company_id: Option<i64>,
}
