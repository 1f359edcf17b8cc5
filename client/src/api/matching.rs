//! Two-way marks, the buyer directory, suggestions, accepted pairs, scheduler runs, hand
//! moves and publishing (`server/src/matching/`, `/api/v1/match/...`).

use crate::{Api, ClientError, Result};
use expo_schema::matchmaking::{
    AutoPairInput, AutoPairResult, BuyerDirectory, MarkInput, MarksView, MoveInput, MoveRefused,
    PairInput, PairList, PublishResult, RunInput, ScheduleRun, SuggestionList,
};

impl Api {
    /// `PUT /api/v1/match/marks`: marks a company (as a buyer) or a buyer (as a company's
    /// staff); `level: None` clears.
    pub async fn put_mark(&self, input: &MarkInput) -> Result<MarksView> {
        self.put("/api/v1/match/marks", input).await
    }

    /// `GET /api/v1/match/marks`.
    pub async fn marks(&self) -> Result<MarksView> {
        self.get("/api/v1/match/marks").await
    }

    /// `GET /api/v1/match/buyers`: the buyer directory (exhibitors).
    pub async fn buyer_directory(&self) -> Result<BuyerDirectory> {
        self.get("/api/v1/match/buyers").await
    }

    /// `GET /api/v1/match/suggestions`: a buyer's suggestions (`buyer_id` for organizers),
    /// reasons in `lang`.
    pub async fn suggestions(&self, buyer_id: Option<i64>, lang: &str) -> Result<SuggestionList> {
        let buyer = buyer_id
            .map(|b| format!("&buyer_id={b}"))
            .unwrap_or_default();
        self.get(&format!("/api/v1/match/suggestions?lang={lang}{buyer}"))
            .await
    }

    /// `GET /api/v1/match/pairs`: the accepted pairs.
    pub async fn match_pairs(&self) -> Result<PairList> {
        self.get("/api/v1/match/pairs").await
    }

    /// `POST /api/v1/match/pairs`: accepts a pair.
    pub async fn add_pair(&self, input: &PairInput) -> Result<PairList> {
        self.post("/api/v1/match/pairs", input).await
    }

    /// `DELETE /api/v1/match/pairs/{id}`: removes an accepted pair; the pairs left.
    pub async fn remove_pair(&self, id: i64) -> Result<PairList> {
        self.delete_json(&format!("/api/v1/match/pairs/{id}")).await
    }

    /// `POST /api/v1/match/pairs/auto`: accepts the best suggestions, `per_buyer` each.
    pub async fn auto_pairs(&self, per_buyer: u16) -> Result<AutoPairResult> {
        self.post("/api/v1/match/pairs/auto", &AutoPairInput { per_buyer })
            .await
    }

    /// `POST /api/v1/match/runs`: runs the scheduler over the accepted pairs.
    pub async fn run_scheduler(&self, input: &RunInput) -> Result<ScheduleRun> {
        self.post("/api/v1/match/runs", input).await
    }

    /// `GET /api/v1/match/runs/{id}`.
    pub async fn schedule_run(&self, id: i64) -> Result<ScheduleRun> {
        self.get(&format!("/api/v1/match/runs/{id}")).await
    }

    /// `POST /api/v1/match/runs/{id}/move`: a hand move: the changed run, or the conflicts
    /// that refused it.
    pub async fn move_in_run(
        &self,
        id: i64,
        input: &MoveInput,
    ) -> Result<std::result::Result<ScheduleRun, MoveRefused>> {
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/match/runs/{id}/move"),
            )
            .json(input)
            .send()
            .await?;
        if response.status() == reqwest::StatusCode::CONFLICT {
            let text = response.text().await.unwrap_or_default();
            return match serde_json::from_str::<MoveRefused>(&text) {
                Ok(refused) => Ok(Err(refused)),
                Err(_) => Err(ClientError::Http(409, text)),
            };
        }
        crate::decode(response).await.map(Ok)
    }

    /// `POST /api/v1/match/runs/{id}/publish`: places the run's meetings, all or nothing.
    pub async fn publish_run(&self, id: i64) -> Result<PublishResult> {
        self.post_nothing(&format!("/api/v1/match/runs/{id}/publish"))
            .await
    }
}
