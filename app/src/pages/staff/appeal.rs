//! 申诉 on the ticket page: the filing form (category, reason, evidence), the appeal on record with
//! its files and deadline, and the form that adds evidence while it is undecided. The forms are
//! plain multipart forms posting to the server's routes (`server::features::appeal`): they work
//! without JavaScript, and answer with the ticket page again or a page naming the refused field.

use domain::appeal::{AppealCategory, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, REASON_MAX_CHARS};
use leptos::prelude::*;

use crate::api::staff::AppealView;

/// What the file inputs offer; the server tells the type by the content, whatever the name.
const ACCEPT: &str = ".jpg,.jpeg,.png,.pdf,.ofd,.docx";

fn limits() -> String {
    format!(
        "可上传 JPEG、PNG 图片，PDF、OFD 或 Word（.docx）文档；每件申诉最多 {MAX_EVIDENCE_FILES} 个文件，每个不超过 {} MB。证据材料仅工单承办部门和监督人员可查看，不公开。",
        MAX_EVIDENCE_BYTES >> 20
    )
}

/// 提出申诉 — for the handler, while the ticket may be appealed.
#[component]
pub fn AppealForm(id: i64, csrf: String) -> impl IntoView {
    let categories = AppealCategory::ALL
        .into_iter()
        .map(|c| {
            let input_id = format!("appeal-{}", c.as_str());
            view! {
                <input type="radio" id=input_id.clone() name="category" value=c.as_str() required />
                <label for=input_id>{format!("{}：{}", c.label_zh(), c.description_zh())}</label>
            }
        })
        .collect_view();
    view! {
        <form
            method="post"
            action=format!("/staff/tickets/{id}/appeal")
            enctype="multipart/form-data"
            class="step"
            id="appeal-form"
        >
            <input type="hidden" name="csrf" value=csrf />
            <fieldset>
                <legend>"申诉类别（必选）"</legend>
                {categories}
            </fieldset>
            <label for="appeal-note">
                {format!("申诉理由（必填，最多{REASON_MAX_CHARS}字）")}
            </label>
            <textarea id="appeal-note" name="note" rows="3" required></textarea>
            <label for="appeal-evidence">"证据材料（可选，可多选）"</label>
            <input
                type="file"
                id="appeal-evidence"
                name="evidence"
                multiple
                accept=ACCEPT
                aria-describedby="appeal-limits"
            />
            <p id="appeal-limits">{limits()}</p>
            <button type="submit">"提出申诉"</button>
        </form>
    }
}

/// The appeal on record: category, who filed it and when, the decision's deadline while it waits,
/// the evidence with download links and, for the handler, the form that adds more.
#[component]
pub fn AppealCard(appeal: AppealView, id: i64, csrf: String, may_add: bool) -> impl IntoView {
    let AppealView {
        category_zh,
        due,
        filed_by,
        filed_at,
        evidence,
    } = appeal;
    let files = if evidence.is_empty() {
        view! { <p id="evidence">"未附证据材料。"</p> }.into_any()
    } else {
        let items = evidence
            .into_iter()
            .map(|e| {
                view! {
                    <li>
                        <a href=e.href>{e.name}</a>
                        {format!(
                            "（{}，{}；{} 上传于 {}）",
                            e.kind_zh,
                            e.size,
                            e.uploaded_by,
                            e.uploaded_at,
                        )}
                    </li>
                }
            })
            .collect_view();
        view! { <ul id="evidence">{items}</ul> }.into_any()
    };
    let more = may_add.then(|| view! { <EvidenceForm id csrf /> });
    view! {
        <section class="card" id="appeal">
            <h2>"申诉"</h2>
            <p id="appeal-category">{format!("申诉类别：{category_zh}")}</p>
            <p>{format!("提出人：{filed_by}，{filed_at}")}</p>
            {due.map(|d| view! { <p id="appeal-due">{format!("复核时限：{d}")}</p> })}
            <h3>"证据材料"</h3>
            {files}
            {more}
        </section>
    }
}

/// 补充证据 — while the appeal is undecided.
#[component]
fn EvidenceForm(id: i64, csrf: String) -> impl IntoView {
    view! {
        <form
            method="post"
            action=format!("/staff/tickets/{id}/evidence")
            enctype="multipart/form-data"
            class="step"
            id="evidence-form"
        >
            <input type="hidden" name="csrf" value=csrf />
            <label for="more-evidence">"补充证据材料"</label>
            <input
                type="file"
                id="more-evidence"
                name="evidence"
                multiple
                required
                accept=ACCEPT
                aria-describedby="evidence-limits"
            />
            <p id="evidence-limits">{limits()}</p>
            <button type="submit">"上传证据"</button>
        </form>
    }
}
