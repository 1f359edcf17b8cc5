//! The shapes of Expo Hub's data, shared by the server and every client.
//!
//! Two kinds of type live here and nowhere else:
//! - the **wire protocol** of `/ws` ([`protocol`]): every command a client sends, every reply and
//!   event it gets back, and the stable machine error codes ([`ErrorCode`]);
//! - the **domain and REST types** ([`domain`], [`api`]): roles, users, halls, companies.
//!
//! They are plain serde types with `JsonSchema` (for `/api/v1/protocol.json`) and `ToSchema`
//! (for `/api/v1/openapi.json`) derives, and no behaviour beyond small helpers. The SQL
//! migrations for both engines sit beside this crate in `migrations/`.
//!
//! The web client gets its copy of the protocol's names and limits from [`js`], which
//! generates `assets/gen/protocol.js` from these definitions.

pub mod api;
pub mod domain;
pub mod error;
pub mod js;
pub mod matchmaking;
pub mod phrases;
pub mod protocol;

pub use domain::*;
pub use error::{Application, ErrorBody, ErrorCode};
pub use phrases::PhraseRef;
