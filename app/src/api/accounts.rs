//! Server functions of 账号管理 (administrators: disable, re-enable, reset a password) and of 账号安全
//! (everyone: change one's own password, sign out everywhere). CSRF-checked.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// An account as 账号管理 lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountLine {
    pub id: i64,
    pub username: String,
    pub role_zh: String,
    pub disabled: bool,
}

/// 账号管理: every account, and the form token.
#[server]
pub async fn admin_accounts() -> Result<(Vec<AccountLine>, String), ApiError> {
    let (state, session) = super::staff_session().await?;
    let page = server::features::admin::overview(&state, session.actor).await?;
    let lines = page
        .accounts
        .into_iter()
        .map(|a| AccountLine {
            id: a.id,
            username: a.username,
            role_zh: a.role.label_zh().to_owned(),
            disabled: a.disabled_at.is_some(),
        })
        .collect();
    Ok((lines, session.csrf().to_owned()))
}

/// 停用 (`disabled` = "1") or 启用 an account.
#[server]
pub async fn admin_set_disabled(id: i64, disabled: String, csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let disabled = disabled == "1";
    server::features::admin::accounts::set_disabled(&state, session.actor, id, disabled).await?;
    Ok(())
}

/// 重置密码.
#[server]
pub async fn admin_reset_password(id: i64, password: String, csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    server::features::admin::accounts::reset_password(&state, session.actor, id, &password).await?;
    Ok(())
}

/// 修改密码 — one's own; the other sessions of the account end.
#[server]
pub async fn change_password(
    current: String,
    new_password: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    server::features::admin::accounts::change_own_password(
        &state,
        session.actor,
        session.token_hash(),
        &current,
        &new_password,
    )
    .await?;
    Ok(())
}

/// 退出所有登录 — every session of the account ends, this one too.
#[server]
pub async fn sign_out_everywhere(csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    state.store.end_sessions(session.actor.account_id).await?;
    let cookie = server::platform::session::closing_cookie(&state);
    expect_context::<leptos_axum::ResponseOptions>().insert_header(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&cookie)?,
    );
    leptos_axum::redirect("/staff/login");
    Ok(())
}
