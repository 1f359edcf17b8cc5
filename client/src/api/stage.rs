//! The live stage (`server/src/stage/`): stages and shows, the ingest address, marking an
//! external show live or ended, and the media server's publish callbacks (as nginx-rtmp
//! sends them: a form with the stream name, the shared secret in the query), and commerce in
//! the stream (quote and sample requests, a show's counts).

use crate::{error_of, Api, Result};
use expo_schema::api::{
    CallbackQuery, Ingest, LangQuery, PinInput, PollInput, PollList, PollVote, QuestionInput,
    QuestionList, QuoteRequestInput, QuoteRequestList, RtmpCallback, Show, ShowChat, ShowChatInput,
    ShowCommerce, ShowInput, ShowList, ShowPin, ShowPinList, ShowPoll, ShowQuestion, Stage,
    StageInput, StageList,
};
use expo_schema::QuoteRequest;

/// What the media server's `on_publish` callback was answered: the status, and the
/// `Location` (the stream's public name) when it was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishAnswer {
    pub status: u16,
    pub location: Option<String>,
}

impl Api {
    /// `GET /api/v1/stages`: every stage with the show live now and the next one.
    pub async fn stages(&self, query: &LangQuery) -> Result<StageList> {
        self.get_query("/api/v1/stages", query).await
    }

    /// `POST /api/v1/stages` (organizers).
    pub async fn create_stage(&self, input: &StageInput) -> Result<Stage> {
        self.post("/api/v1/stages", input).await
    }

    /// `PUT /api/v1/stages/{id}` (organizers).
    pub async fn update_stage(&self, id: i64, input: &StageInput) -> Result<Stage> {
        self.put(&format!("/api/v1/stages/{id}"), input).await
    }

    /// `GET /api/v1/stages/{id}/shows`: every show of a stage, by start.
    pub async fn stage_shows(&self, id: i64, query: &LangQuery) -> Result<ShowList> {
        self.get_query(&format!("/api/v1/stages/{id}/shows"), query)
            .await
    }

    /// `POST /api/v1/shows` (organizers).
    pub async fn create_show(&self, input: &ShowInput) -> Result<Show> {
        self.post("/api/v1/shows", input).await
    }

    /// `PUT /api/v1/shows/{id}` (organizers).
    pub async fn update_show(&self, id: i64, input: &ShowInput) -> Result<Show> {
        self.put(&format!("/api/v1/shows/{id}"), input).await
    }

    /// `GET /api/v1/shows/{id}`.
    pub async fn show(&self, id: i64, query: &LangQuery) -> Result<Show> {
        self.get_query(&format!("/api/v1/shows/{id}"), query).await
    }

    /// `GET /api/v1/shows/{id}/ingest` (organizers and the host company's staff).
    pub async fn show_ingest(&self, id: i64) -> Result<Ingest> {
        self.get(&format!("/api/v1/shows/{id}/ingest")).await
    }

    /// `POST /api/v1/shows/{id}/live` (organizers; shows with an external stream).
    pub async fn mark_show_live(&self, id: i64) -> Result<Show> {
        self.post_nothing(&format!("/api/v1/shows/{id}/live")).await
    }

    /// `POST /api/v1/shows/{id}/end` (organizers; shows with an external stream).
    pub async fn mark_show_ended(&self, id: i64) -> Result<Show> {
        self.post_nothing(&format!("/api/v1/shows/{id}/end")).await
    }

    /// `POST /api/v1/shows/{id}/pin` (organizers and the host company's staff): pins a
    /// product for every viewer, or takes the pin down with `product_id: None`.
    pub async fn pin_show_product(&self, id: i64, input: &PinInput) -> Result<ShowPin> {
        self.post(&format!("/api/v1/shows/{id}/pin"), input).await
    }

    /// `GET /api/v1/shows/{id}/chat`: the show's chat room (made on first use) and its rules.
    pub async fn show_chat(&self, id: i64) -> Result<ShowChat> {
        self.get(&format!("/api/v1/shows/{id}/chat")).await
    }

    /// `PUT /api/v1/shows/{id}/chat` (organizers and the host company's staff): slow mode.
    pub async fn set_show_chat(&self, id: i64, input: &ShowChatInput) -> Result<ShowChat> {
        self.put(&format!("/api/v1/shows/{id}/chat"), input).await
    }

    /// `GET /api/v1/shows/{id}/questions`: most upvoted first.
    pub async fn show_questions(&self, id: i64) -> Result<QuestionList> {
        self.get(&format!("/api/v1/shows/{id}/questions")).await
    }

    /// `POST /api/v1/shows/{id}/questions`: asks the host.
    pub async fn ask_question(&self, id: i64, input: &QuestionInput) -> Result<ShowQuestion> {
        self.post(&format!("/api/v1/shows/{id}/questions"), input)
            .await
    }

    /// `POST /api/v1/questions/{id}/vote`.
    pub async fn upvote_question(&self, id: i64) -> Result<ShowQuestion> {
        self.post_nothing(&format!("/api/v1/questions/{id}/vote"))
            .await
    }

    /// `POST /api/v1/questions/{id}/answered` (moderators).
    pub async fn answer_question(&self, id: i64) -> Result<ShowQuestion> {
        self.post_nothing(&format!("/api/v1/questions/{id}/answered"))
            .await
    }

    /// `POST /api/v1/questions/{id}/hide` (moderators).
    pub async fn hide_question(&self, id: i64) -> Result<()> {
        self.post_empty(&format!("/api/v1/questions/{id}/hide"))
            .await
    }

    /// `GET /api/v1/shows/{id}/polls`: newest first.
    pub async fn show_polls(&self, id: i64) -> Result<PollList> {
        self.get(&format!("/api/v1/shows/{id}/polls")).await
    }

    /// `POST /api/v1/shows/{id}/polls` (moderators).
    pub async fn open_poll(&self, id: i64, input: &PollInput) -> Result<ShowPoll> {
        self.post(&format!("/api/v1/shows/{id}/polls"), input).await
    }

    /// `POST /api/v1/polls/{id}/vote`.
    pub async fn vote_poll(&self, id: i64, input: &PollVote) -> Result<ShowPoll> {
        self.post(&format!("/api/v1/polls/{id}/vote"), input).await
    }

    /// `POST /api/v1/polls/{id}/close` (moderators).
    pub async fn close_poll(&self, id: i64) -> Result<ShowPoll> {
        self.post_nothing(&format!("/api/v1/polls/{id}/close"))
            .await
    }

    /// `GET /api/v1/shows/{id}/pins`: every pin of a show, in order, the products' names in
    /// the language asked for.
    pub async fn show_pins(&self, id: i64, query: &LangQuery) -> Result<ShowPinList> {
        self.get_query(&format!("/api/v1/shows/{id}/pins"), query)
            .await
    }

    /// `POST /api/v1/products/{id}/quote-requests` (buyers): a quote or sample request for
    /// a product, from a show (`show_id`) or the booth; `consent` must be true.
    pub async fn request_quote(
        &self,
        product_id: i64,
        input: &QuoteRequestInput,
    ) -> Result<QuoteRequest> {
        self.post(
            &format!("/api/v1/products/{product_id}/quote-requests"),
            input,
        )
        .await
    }

    /// `GET /api/v1/companies/{id}/quote-requests` (the company's staff and organizers):
    /// newest first, with each buyer's contact.
    pub async fn company_quote_requests(&self, company_id: i64) -> Result<QuoteRequestList> {
        self.get(&format!("/api/v1/companies/{company_id}/quote-requests"))
            .await
    }

    /// `GET /api/v1/shows/{id}/commerce` (organizers and the host company's staff): the
    /// quote and sample requests and meetings booked from the show.
    pub async fn show_commerce(&self, id: i64) -> Result<ShowCommerce> {
        self.get(&format!("/api/v1/shows/{id}/commerce")).await
    }

    /// `POST /api/v1/stage/rtmp/publish`, as the media server calls it.
    pub async fn rtmp_publish(
        &self,
        query: &CallbackQuery,
        form: &RtmpCallback,
    ) -> Result<PublishAnswer> {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?
            .post(format!("{}/api/v1/stage/rtmp/publish", self.base()))
            .query(query)
            .form(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if status < 400 {
            Ok(PublishAnswer { status, location })
        } else {
            Err(error_of(response).await)
        }
    }

    /// `POST /api/v1/stage/rtmp/publish-done`, as the media server calls it.
    pub async fn rtmp_publish_done(
        &self,
        query: &CallbackQuery,
        form: &RtmpCallback,
    ) -> Result<()> {
        self.rtmp_callback("/api/v1/stage/rtmp/publish-done", query, form)
            .await
    }

    /// `POST /api/v1/stage/rtmp/record-done`, as the media server calls it.
    pub async fn rtmp_record_done(&self, query: &CallbackQuery, form: &RtmpCallback) -> Result<()> {
        self.rtmp_callback("/api/v1/stage/rtmp/record-done", query, form)
            .await
    }

    /// A media server callback answered with no body.
    async fn rtmp_callback(
        &self,
        path: &str,
        query: &CallbackQuery,
        form: &RtmpCallback,
    ) -> Result<()> {
        let response = self
            .request(reqwest::Method::POST, path)
            .query(query)
            .form(form)
            .send()
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }
}
