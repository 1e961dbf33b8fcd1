//! The pages after a rating, and the clear pages for links that cannot be used.

use axum::http::StatusCode;

use super::{Refusal, StoredEvaluation};
use crate::platform::page::{Display, esc, page};

/// 评价成功 — the confirmation with the tracking code.
pub(crate) fn thanks(d: Display, evaluation: &StoredEvaluation) -> String {
    let lang = d.lang;
    let level = evaluation.level;
    let follow_up = if level.is_bad() {
        format!(
            "<p>{}</p>",
            esc(&match lang {
                crate::platform::page::Lang::Zh => format!(
                    "您的意见已转交{}核实整改，处理进展可凭查询码查看。",
                    evaluation.department
                ),
                crate::platform::page::Lang::En => format!(
                    "Your review was passed to {} to check and put right; follow it with the tracking code.",
                    evaluation.department
                ),
            })
        )
    } else {
        String::new()
    };
    let progress = evaluation
        .ticket
        .as_ref()
        .filter(|_| lang == crate::platform::page::Lang::Zh)
        .map(|t| {
            format!(
                "<p id=\"progress\">{}</p>",
                esc(&super::site::progress_zh(*t))
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<div class=\"done\" id=\"done\" data-tracking=\"{code}\"><h1>{}</h1><p>{}</p>\
         <p class=\"code\"><span>{}</span> <strong id=\"tracking-code\">{code}</strong></p>{follow_up}{progress}</div>",
        lang.t(
            "评价已提交，感谢您的反馈",
            "Thank you, your rating is saved"
        ),
        lang.t(level.label_zh(), level.label_en()),
        lang.t("查询码", "Tracking code"),
        code = esc(&evaluation.tracking_code),
    );
    page(d, lang.t("评价已提交", "Rating saved"), &body, d.embed)
}

/// The status and page for a refusal.
pub(crate) fn refusal(d: Display, refusal: Refusal) -> (StatusCode, String) {
    let lang = d.lang;
    let (status, title, text) = match refusal {
        Refusal::Forged => (
            StatusCode::BAD_REQUEST,
            lang.t("评价链接无效", "This rating link is not valid"),
            lang.t("链接不完整或已被改动。请重新扫描回执上的二维码，或打开短信中的完整链接。",
                   "The link is incomplete or was altered. Scan the code on your receipt again or open the full link from the SMS."),
        ),
        Refusal::Expired => (
            StatusCode::GONE,
            lang.t("评价已过期", "The rating period is over"),
            lang.t("本次服务的评价期限已过。如对服务不满意，仍可通过“服务不满意”渠道反映。",
                   "This service can no longer be rated. You can still raise a complaint about it."),
        ),
        Refusal::AlreadyRated => (
            StatusCode::CONFLICT,
            lang.t("本次服务已存在评价", "This service has already been rated"),
            lang.t("每次服务只能评价一次，感谢您的参与。", "Each service can be rated once. Thank you."),
        ),
        Refusal::UnknownWindow => (
            StatusCode::NOT_FOUND,
            lang.t("未找到该窗口", "Window not found"),
            lang.t("二维码无效，请扫描窗口台卡上的评价码。", "This code names no window; scan the code at the counter."),
        ),
        Refusal::TooSoon => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t("您刚刚已评价过该窗口", "You have just rated this window"),
            lang.t("请勿重复提交，感谢您的评价。", "Please do not submit again. Thank you."),
        ),
    };
    let body = format!("<div class=\"refused\" id=\"refused\"><h1>{title}</h1><p>{text}</p></div>");
    (status, page(d, title, &body, false))
}
