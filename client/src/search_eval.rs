//! The search suite: queries in the fair's six languages with the booths each must find,
//! run against a server's `/api/v1/booths`; recall and precision per language
//! (`expo search-eval`, and the end-to-end test `search::search_suite`).

use crate::Api;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// The suite kept in the repository (`tests/data/search_queries.json`).
pub const SUITE: &str = include_str!("../../tests/data/search_queries.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteQuery {
    pub q: String,
    /// The language the query is typed in (also sent as `lang`).
    pub lang: String,
    /// Every booth the query must find, by the company's English name.
    pub expect: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suite {
    pub queries: Vec<SuiteQuery>,
}

impl Suite {
    pub fn parse(text: &str) -> anyhow::Result<Suite> {
        serde_json::from_str(text).context("reading the search suite")
    }
}

/// What one query found.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub q: String,
    pub lang: String,
    /// Found booths, best first (English names).
    pub found: Vec<String>,
    /// Expected booths it did not find.
    pub missing: Vec<String>,
    /// Booths it found that were not expected.
    pub extra: Vec<String>,
    pub recall: f64,
    pub precision: f64,
}

/// Mean recall and precision over a set of queries.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub lang: String,
    pub queries: usize,
    pub recall: f64,
    pub precision: f64,
    /// Queries that found every expected booth.
    pub complete: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub results: Vec<QueryResult>,
    pub per_lang: Vec<Figures>,
    pub overall: Figures,
}

fn figures(lang: &str, results: &[&QueryResult]) -> Figures {
    let n = results.len().max(1) as f64;
    Figures {
        lang: lang.to_string(),
        queries: results.len(),
        recall: results.iter().map(|r| r.recall).sum::<f64>() / n,
        precision: results.iter().map(|r| r.precision).sum::<f64>() / n,
        complete: results.iter().filter(|r| r.missing.is_empty()).count(),
    }
}

/// Runs every query of the suite as the signed-in `api`.
pub async fn run(api: &Api, suite: &Suite) -> anyhow::Result<Report> {
    let companies = api.companies(None, Some("en")).await?;
    let names: HashMap<i64, String> = companies
        .companies
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let known: BTreeSet<&String> = names.values().collect();
    let mut results = Vec::new();
    for query in &suite.queries {
        for name in &query.expect {
            anyhow::ensure!(
                known.contains(name),
                "{}: no booth is named {name}",
                query.q
            );
        }
        let page = api
            .search_booths(&crate::api::BoothQuery {
                q: Some(query.q.clone()),
                lang: Some(query.lang.clone()),
                per_page: Some(100),
                ..Default::default()
            })
            .await
            .with_context(|| format!("searching {}", query.q))?;
        let found: Vec<String> = page
            .booths
            .iter()
            .map(|b| names.get(&b.company.id).cloned().unwrap_or_default())
            .collect();
        let expected: BTreeSet<&String> = query.expect.iter().collect();
        let found_set: BTreeSet<&String> = found.iter().collect();
        let hits = expected.intersection(&found_set).count() as f64;
        results.push(QueryResult {
            q: query.q.clone(),
            lang: query.lang.clone(),
            missing: expected
                .difference(&found_set)
                .map(|s| s.to_string())
                .collect(),
            extra: found_set
                .difference(&expected)
                .map(|s| s.to_string())
                .collect(),
            recall: if expected.is_empty() {
                1.0
            } else {
                hits / expected.len() as f64
            },
            precision: if found_set.is_empty() {
                if expected.is_empty() {
                    1.0
                } else {
                    0.0
                }
            } else {
                hits / found_set.len() as f64
            },
            found,
        });
    }
    let mut by_lang: BTreeMap<&str, Vec<&QueryResult>> = BTreeMap::new();
    for r in &results {
        by_lang.entry(r.lang.as_str()).or_default().push(r);
    }
    let per_lang = by_lang.iter().map(|(l, rs)| figures(l, rs)).collect();
    let overall = figures("all", &results.iter().collect::<Vec<_>>());
    Ok(Report {
        results,
        per_lang,
        overall,
    })
}

impl Report {
    /// The figures as a Markdown table, then every query that missed a booth or found one
    /// not expected.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| language | queries | recall | precision | queries finding every booth |\n\
             | --- | ---: | ---: | ---: | ---: |\n",
        );
        for f in self.per_lang.iter().chain(std::iter::once(&self.overall)) {
            let _ = writeln!(
                out,
                "| {} | {} | {:.3} | {:.3} | {} |",
                f.lang, f.queries, f.recall, f.precision, f.complete
            );
        }
        for r in &self.results {
            if !r.missing.is_empty() || !r.extra.is_empty() {
                let _ = writeln!(
                    out,
                    "\n- `{}` ({}): missing {:?}, also found {:?}",
                    r.q, r.lang, r.missing, r.extra
                );
            }
        }
        out
    }
}
