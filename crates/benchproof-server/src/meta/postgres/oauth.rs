//! [`OAuthMeta`] on PostgreSQL.

use tokio_postgres::Row;

use super::{pg, PgMeta};
use crate::meta::{BoxFut, ClientRow, CodeRow, OAuthMeta, Redeemed, TokenRow};

const CODE_COLS: &str =
    "code_sha256, client_id, redirect_uri, scope, challenge, username, created_ms, expires_ms, used_ms";
const TOKEN_COLS: &str = "token_sha256, kind, client_id, scope, username, grant_id, created_ms, expires_ms, revoked_ms";

fn code(r: &Row) -> CodeRow {
    CodeRow {
        code_sha256: r.get(0),
        client_id: r.get(1),
        redirect_uri: r.get(2),
        scope: r.get(3),
        challenge: r.get(4),
        username: r.get(5),
        created_ms: r.get(6),
        expires_ms: r.get(7),
        used_ms: r.get(8),
    }
}

fn token(r: &Row) -> TokenRow {
    TokenRow {
        token_sha256: r.get(0),
        kind: r.get(1),
        client_id: r.get(2),
        scope: r.get(3),
        username: r.get(4),
        grant_id: r.get(5),
        created_ms: r.get(6),
        expires_ms: r.get(7),
        revoked_ms: r.get(8),
    }
}

impl OAuthMeta for PgMeta {
    fn create_client(&self, c: ClientRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let db = self.client.lock().await;
            db.execute(
                "INSERT INTO oauth_clients (client_id, secret_sha256, metadata, created_ms) VALUES ($1, $2, $3, $4)",
                &[&c.client_id, &c.secret_sha256, &c.metadata, &c.created_ms],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn client(&self, client_id: &str) -> BoxFut<'_, Option<ClientRow>> {
        let id = client_id.to_owned();
        Box::pin(async move {
            let db = self.client.lock().await;
            let r = db
                .query_opt(
                    "SELECT client_id, secret_sha256, metadata, created_ms FROM oauth_clients WHERE client_id = $1",
                    &[&id],
                )
                .await
                .map_err(pg)?;
            Ok(r.map(|r| ClientRow {
                client_id: r.get(0),
                secret_sha256: r.get(1),
                metadata: r.get(2),
                created_ms: r.get(3),
            }))
        })
    }

    fn create_code(&self, c: CodeRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let db = self.client.lock().await;
            db.execute(
                &format!("INSERT INTO oauth_codes ({CODE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                &[
                    &c.code_sha256,
                    &c.client_id,
                    &c.redirect_uri,
                    &c.scope,
                    &c.challenge,
                    &c.username,
                    &c.created_ms,
                    &c.expires_ms,
                    &c.used_ms,
                ],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn redeem_code(&self, code_sha256: &str, now_ms: i64) -> BoxFut<'_, Redeemed> {
        let h = code_sha256.to_owned();
        Box::pin(async move {
            let db = self.client.lock().await;
            // One statement: the row as it was before, and whether this call marked it used.
            let r = db
                .query_opt(
                    &format!(
                        "WITH before AS (SELECT {CODE_COLS} FROM oauth_codes WHERE code_sha256 = $1 FOR UPDATE), \
                         marked AS (UPDATE oauth_codes SET used_ms = $2 WHERE code_sha256 = $1 AND used_ms IS NULL RETURNING code_sha256) \
                         SELECT {CODE_COLS}, EXISTS (SELECT 1 FROM marked) FROM before"
                    ),
                    &[&h, &now_ms],
                )
                .await
                .map_err(pg)?;
            Ok(match r {
                None => Redeemed::Unknown,
                Some(r) if r.get::<_, bool>(9) => Redeemed::First(CodeRow { used_ms: Some(now_ms), ..code(&r) }),
                Some(r) => Redeemed::Again(code(&r)),
            })
        })
    }

    fn create_token(&self, t: TokenRow) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let db = self.client.lock().await;
            db.execute(
                &format!("INSERT INTO oauth_tokens ({TOKEN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                &[
                    &t.token_sha256,
                    &t.kind,
                    &t.client_id,
                    &t.scope,
                    &t.username,
                    &t.grant_id,
                    &t.created_ms,
                    &t.expires_ms,
                    &t.revoked_ms,
                ],
            )
            .await
            .map_err(pg)?;
            Ok(())
        })
    }

    fn token(&self, token_sha256: &str) -> BoxFut<'_, Option<TokenRow>> {
        let h = token_sha256.to_owned();
        Box::pin(async move {
            let db = self.client.lock().await;
            let r = db
                .query_opt(&format!("SELECT {TOKEN_COLS} FROM oauth_tokens WHERE token_sha256 = $1"), &[&h])
                .await
                .map_err(pg)?;
            Ok(r.as_ref().map(token))
        })
    }

    fn revoke_token(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let h = token_sha256.to_owned();
        Box::pin(async move {
            let db = self.client.lock().await;
            let n = db
                .execute(
                    "UPDATE oauth_tokens SET revoked_ms = $2 WHERE token_sha256 = $1 AND revoked_ms IS NULL",
                    &[&h, &now_ms],
                )
                .await
                .map_err(pg)?;
            Ok(n == 1)
        })
    }

    fn revoke_grant(&self, grant_id: &str, now_ms: i64) -> BoxFut<'_, u64> {
        let g = grant_id.to_owned();
        Box::pin(async move {
            let db = self.client.lock().await;
            db.execute(
                "UPDATE oauth_tokens SET revoked_ms = $2 WHERE grant_id = $1 AND revoked_ms IS NULL",
                &[&g, &now_ms],
            )
            .await
            .map_err(pg)
        })
    }
}
