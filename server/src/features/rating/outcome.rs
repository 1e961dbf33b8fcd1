//! The pages after a rating, and the clear pages for links that cannot be used.

use axum::http::StatusCode;

use super::{Refusal, StoredEvaluation};
use maud::html;

use crate::platform::page::{Display, Lang, page, refused};

/// 评价成功 — the confirmation with the tracking code.
pub(crate) fn thanks(d: Display, evaluation: &StoredEvaluation) -> String {
    let lang = d.lang;
    let level = evaluation.level;
    let department = &evaluation.department;
    let passed_on = match lang {
        Lang::Zh => format!("您的意见已转交{department}核实整改，处理进展可凭查询码查看。"),
        Lang::En => format!(
            "Your review was passed to {department} to check and put right; follow it with the tracking code."
        ),
    };
    let progress = evaluation.ticket.filter(|_| lang == Lang::Zh);
    let code = &evaluation.tracking_code;
    let body = html! {
        div.done #done data-tracking=(code) {
            h1 { (lang.t("评价已提交，感谢您的反馈", "Thank you, your rating is saved")) }
            p { (lang.t(level.label_zh(), level.label_en())) }
            p.code {
                span { (lang.t("查询码", "Tracking code")) }
                " "
                strong #tracking-code { (code) }
            }
            @if level.is_bad() {
                p { (passed_on) }
            }
            @if let Some(ticket) = progress {
                p #progress { (super::site::progress_zh(ticket)) }
            }
        }
    };
    page(d, lang.t("评价已提交", "Rating saved"), body, d.embed)
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
        Refusal::WindowClosed => (
            StatusCode::GONE,
            lang.t("该窗口已停用", "This window is no longer in service"),
            lang.t("该窗口已停止使用，此评价码不再接受评价。请扫描您办事窗口台卡上的评价码；对服务有意见的，可通过“服务不满意”渠道反映。",
                   "This window has closed and its code takes no more ratings. Scan the code at the counter that served you, or raise a complaint."),
        ),
        Refusal::TooSoon => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t("您刚刚已评价过该窗口", "You have just rated this window"),
            lang.t("请勿重复提交，感谢您的评价。", "Please do not submit again. Thank you."),
        ),
    };
    (status, page(d, title, refused(title, text), false))
}
