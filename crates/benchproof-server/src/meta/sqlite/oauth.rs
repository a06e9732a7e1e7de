//! [`OAuthMeta`] on SQLite.

use rusqlite::{params, OptionalExtension};

use super::SqliteMeta;
use crate::meta::{BoxFut, ClientRow, CodeRow, OAuthMeta, Redeemed, TokenRow};

const CODE_COLS: &str =
    "code_sha256, client_id, redirect_uri, scope, challenge, username, created_ms, expires_ms, used_ms";
const TOKEN_COLS: &str = "token_sha256, kind, client_id, scope, username, grant_id, created_ms, expires_ms, revoked_ms";

fn code(r: &rusqlite::Row<'_>) -> rusqlite::Result<CodeRow> {
    Ok(CodeRow {
        code_sha256: r.get(0)?,
        client_id: r.get(1)?,
        redirect_uri: r.get(2)?,
        scope: r.get(3)?,
        challenge: r.get(4)?,
        username: r.get(5)?,
        created_ms: r.get(6)?,
        expires_ms: r.get(7)?,
        used_ms: r.get(8)?,
    })
}

fn token(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        token_sha256: r.get(0)?,
        kind: r.get(1)?,
        client_id: r.get(2)?,
        scope: r.get(3)?,
        username: r.get(4)?,
        grant_id: r.get(5)?,
        created_ms: r.get(6)?,
        expires_ms: r.get(7)?,
        revoked_ms: r.get(8)?,
    })
}

impl OAuthMeta for SqliteMeta {
    fn create_client(&self, c: ClientRow) -> BoxFut<'_, ()> {
        self.run(move |db| {
            db.execute(
                "INSERT INTO oauth_clients (client_id, secret_sha256, metadata, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![c.client_id, c.secret_sha256, c.metadata, c.created_ms],
            )
            .map(drop)
        })
    }

    fn client(&self, client_id: &str) -> BoxFut<'_, Option<ClientRow>> {
        let id = client_id.to_owned();
        self.run(move |db| {
            db.query_row(
                "SELECT client_id, secret_sha256, metadata, created_ms FROM oauth_clients WHERE client_id = ?1",
                [id],
                |r| {
                    Ok(ClientRow {
                        client_id: r.get(0)?,
                        secret_sha256: r.get(1)?,
                        metadata: r.get(2)?,
                        created_ms: r.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    fn create_code(&self, c: CodeRow) -> BoxFut<'_, ()> {
        self.run(move |db| {
            db.execute(
                &format!("INSERT INTO oauth_codes ({CODE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    c.code_sha256,
                    c.client_id,
                    c.redirect_uri,
                    c.scope,
                    c.challenge,
                    c.username,
                    c.created_ms,
                    c.expires_ms,
                    c.used_ms
                ],
            )
            .map(drop)
        })
    }

    fn redeem_code(&self, code_sha256: &str, now_ms: i64) -> BoxFut<'_, Redeemed> {
        let h = code_sha256.to_owned();
        self.run(move |db| {
            let tx = db.transaction()?;
            let found = tx
                .query_row(&format!("SELECT {CODE_COLS} FROM oauth_codes WHERE code_sha256 = ?1"), [&h], code)
                .optional()?;
            let out = match found {
                None => Redeemed::Unknown,
                Some(row) if row.used_ms.is_some() => Redeemed::Again(row),
                Some(mut row) => {
                    tx.execute("UPDATE oauth_codes SET used_ms = ?2 WHERE code_sha256 = ?1", params![h, now_ms])?;
                    row.used_ms = Some(now_ms);
                    Redeemed::First(row)
                }
            };
            tx.commit()?;
            Ok(out)
        })
    }

    fn create_token(&self, t: TokenRow) -> BoxFut<'_, ()> {
        self.run(move |db| {
            db.execute(
                &format!("INSERT INTO oauth_tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    t.token_sha256,
                    t.kind,
                    t.client_id,
                    t.scope,
                    t.username,
                    t.grant_id,
                    t.created_ms,
                    t.expires_ms,
                    t.revoked_ms
                ],
            )
            .map(drop)
        })
    }

    fn token(&self, token_sha256: &str) -> BoxFut<'_, Option<TokenRow>> {
        let h = token_sha256.to_owned();
        self.run(move |db| {
            db.query_row(&format!("SELECT {TOKEN_COLS} FROM oauth_tokens WHERE token_sha256 = ?1"), [h], token)
                .optional()
        })
    }

    fn revoke_token(&self, token_sha256: &str, now_ms: i64) -> BoxFut<'_, bool> {
        let h = token_sha256.to_owned();
        self.run(move |db| {
            db.execute(
                "UPDATE oauth_tokens SET revoked_ms = ?2 WHERE token_sha256 = ?1 AND revoked_ms IS NULL",
                params![h, now_ms],
            )
            .map(|n| n == 1)
        })
    }

    fn revoke_grant(&self, grant_id: &str, now_ms: i64) -> BoxFut<'_, u64> {
        let g = grant_id.to_owned();
        self.run(move |db| {
            db.execute(
                "UPDATE oauth_tokens SET revoked_ms = ?2 WHERE grant_id = ?1 AND revoked_ms IS NULL",
                params![g, now_ms],
            )
            .map(|n| n as u64)
        })
    }
}
