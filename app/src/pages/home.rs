//! 首页 — what this is, and looking a rating up by its tracking code.

use leptos::prelude::*;

use crate::api::Track;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"政务服务“好差评”"</h1>
            <p>
                "办完事，扫一扫窗口评价码或回执上的二维码，为本次服务打分。每一条差评都有人核实、整改、回复。"
            </p>
            <p>
                <a class="button" href="/complaint" rel="external">
                    "服务不满意？我要投诉"
                </a>
            </p>
        </section>
        <TrackForm />
    }
}

/// 评价查询 — works as a plain form before hydration, without reload after it.
#[component]
fn TrackForm() -> impl IntoView {
    let track = ServerAction::<Track>::new();
    let result = track.value();
    view! {
        <section class="card">
            <h2>"评价查询"</h2>
            <ActionForm action=track>
                <label for="track-code">"查询码"</label>
                <input id="track-code" name="code" required maxlength="16" autocomplete="off" />
                <button type="submit">"查询"</button>
            </ActionForm>
            <div role="status" id="track-result">
                {move || match result.get() {
                    None => None,
                    Some(Ok(Some(r))) => {
                        Some(
                            view! {
                                <p>
                                    {format!(
                                        "查询码 {}：{}，由{}受理。",
                                        r.tracking_code,
                                        r.level_zh,
                                        r.department,
                                    )}
                                    {r
                                        .bad_review
                                        .then_some(
                                            "差评将由受理部门核实整改并回复。",
                                        )}
                                </p>
                                <p>{r.progress}</p>
                            }
                                .into_any(),
                        )
                    }
                    Some(Ok(None)) => {
                        Some(
                            view! { <p>"未找到该查询码，请核对后重试。"</p> }
                                .into_any(),
                        )
                    }
                    Some(Err(_)) => {
                        Some(
                            view! { <p>"查询暂时不可用，请稍后再试。"</p> }.into_any(),
                        )
                    }
                }}
            </div>
        </section>
    }
}
