//! Sign-in, sessions, accounts, approval and invitations (`server/src/auth/`).

use crate::{Api, Result};
use expo_schema::api::{
    AcceptInvitationRequest, ApproveManyRequest, ApproveManyResponse, InvitationInfo,
    InvitationList, InviteRequest, InviteResponse, LoginRequest, LoginResponse,
    RegisterBuyerRequest, RegistrationReceived, RejectRequest, UserFilter, UserList,
};
use expo_schema::UserProfile;

impl Api {
    /// `POST /api/v1/auth/login`: signs in and returns the session (the returned `Api`
    /// carries its token).
    pub async fn login(&self, email: &str, password: &str) -> Result<(Api, LoginResponse)> {
        let session: LoginResponse = self
            .post(
                "/api/v1/auth/login",
                &LoginRequest {
                    email: email.to_string(),
                    password: password.to_string(),
                },
            )
            .await?;
        Ok((self.with_token(session.token.clone()), session))
    }

    /// `POST /api/v1/auth/logout`: ends this session (every websocket opened with it closes).
    pub async fn logout(&self) -> Result<()> {
        self.post_empty("/api/v1/auth/logout").await
    }

    /// `GET /api/v1/auth/me`: the signed-in user.
    pub async fn me(&self) -> Result<UserProfile> {
        self.get("/api/v1/auth/me").await
    }

    /// `POST /api/v1/auth/register`: a buyer's self-registration (waits for approval).
    pub async fn register(&self, input: &RegisterBuyerRequest) -> Result<RegistrationReceived> {
        self.post("/api/v1/auth/register", input).await
    }

    /// `GET /api/v1/users`: accounts, for organizers.
    pub async fn users(&self, query: &UserFilter) -> Result<UserList> {
        self.get_query("/api/v1/users", query).await
    }

    /// `POST /api/v1/users/{id}/approve`.
    pub async fn approve_user(&self, id: i64) -> Result<UserProfile> {
        self.post_nothing(&format!("/api/v1/users/{id}/approve"))
            .await
    }

    /// `POST /api/v1/users/{id}/disable`.
    pub async fn disable_user(&self, id: i64) -> Result<UserProfile> {
        self.post_nothing(&format!("/api/v1/users/{id}/disable"))
            .await
    }

    /// `POST /api/v1/users/{id}/reject`: refuses a pending registration with a reason.
    pub async fn reject_user(&self, id: i64, input: &RejectRequest) -> Result<UserProfile> {
        self.post(&format!("/api/v1/users/{id}/reject"), input)
            .await
    }

    /// `POST /api/v1/users/approve`: approves several pending registrations.
    pub async fn approve_users(&self, input: &ApproveManyRequest) -> Result<ApproveManyResponse> {
        self.post("/api/v1/users/approve", input).await
    }

    /// `POST /api/v1/invitations`: invites exhibitor staff or an interpreter.
    pub async fn invite(&self, input: &InviteRequest) -> Result<InviteResponse> {
        self.post("/api/v1/invitations", input).await
    }

    /// `GET /api/v1/invitations`.
    pub async fn invitations(&self) -> Result<InvitationList> {
        self.get("/api/v1/invitations").await
    }

    /// `POST /api/v1/invitations/{id}/resend`: a new link (the old one stops working).
    pub async fn resend_invitation(&self, id: i64) -> Result<InviteResponse> {
        self.post_nothing(&format!("/api/v1/invitations/{id}/resend"))
            .await
    }

    /// `POST /api/v1/invitations/{id}/revoke`.
    pub async fn revoke_invitation(&self, id: i64) -> Result<InvitationInfo> {
        self.post_nothing(&format!("/api/v1/invitations/{id}/revoke"))
            .await
    }

    /// `POST /api/v1/invitations/accept`: sets the password and signs in.
    pub async fn accept_invitation(
        &self,
        input: &AcceptInvitationRequest,
    ) -> Result<LoginResponse> {
        self.post("/api/v1/invitations/accept", input).await
    }
}
