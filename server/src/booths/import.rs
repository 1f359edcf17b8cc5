//! Bulk import of halls, companies, staff and products from CSV or XLSX.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
