//! Metadata of the OAuth 2.0 authorization server that guards the Open Badges 3.0 API
//! (schema version 4).
//!
//! Invariants every backend keeps: only SHA-256 digests (hex) of client secrets, authorization
//! codes and tokens are stored; [`OAuthMeta::redeem_code`] marks a code used in the same statement
//! that reads it, so of two racing redemptions exactly one is [`Redeemed::First`]; a token is
//! revoked at most once and never un-revoked; rows are never deleted.

use super::BoxFut;

/// A registered client (RFC 7591).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    pub client_id: String,
    pub secret_sha256: String,
    /// The registered client metadata, as the JSON answered at registration (without the secret).
    pub metadata: String,
    pub created_ms: i64,
}

/// An authorization code, granted by an admin to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    pub code_sha256: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// Space-separated scopes granted.
    pub scope: String,
    /// The PKCE `code_challenge` (S256).
    pub challenge: String,
    /// The admin who consented.
    pub username: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub used_ms: Option<i64>,
}

/// What redeeming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// The first redemption: the code is now used.
    First(CodeRow),
    /// The code was used before (the tokens of its grant should be revoked).
    Again(CodeRow),
    /// No such code.
    Unknown,
}

/// An access or refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub token_sha256: String,
    /// `access` or `refresh`.
    pub kind: String,
    pub client_id: String,
    pub scope: String,
    pub username: String,
    /// The code digest this chain of tokens started from.
    pub grant_id: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// OAuth metadata (part of [`super::MetaStore`]).
pub trait OAuthMeta {
    fn create_client(&self, row: ClientRow) -> BoxFut<'_, ()>;
    fn client(&self, client_id: &str) -> BoxFut<'_, Option<ClientRow>>;
    fn create_code(&self, row: CodeRow) -> BoxFut<'_, ()>;
    /// Marks the code used at `now_ms` if it was not, and says which case it was.
    fn redeem_code(&self, code_sha256: &str, now_ms: i64) -> BoxFut<'_, Redeemed>;
    fn create_token(&self, row: TokenRow) -> BoxFut<'_, ()>;
    fn token(&self, token_sha256: &str) -> BoxFut<'_, Option<TokenRow>>;
    /// Revokes one live token; `false` if unknown or already revoked.
    fn revoke_token(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, bool>;
    /// Revokes every live token of a grant; returns how many.
    fn revoke_grant(&self, grant_id: &str, now_ms: i64) -> BoxFut<'_, u64>;
}
