//! 首页 — what this is, and looking a rating up by its tracking code.

use leptos::prelude::*;

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
                " "
                <a class="button" href="/opinion" rel="external">
                    "综合点评：提意见、提建议"
                </a>
            </p>
        </section>
        <TrackForm />
    }
}

/// 评价查询 — a plain form: the tracking page of the code (`/t/{code}`) answers.
#[component]
fn TrackForm() -> impl IntoView {
    view! {
        <section class="card">
            <h2>"评价查询"</h2>
            <form method="get" action="/t" id="track">
                <label for="track-code">"查询码"</label>
                <input id="track-code" name="code" required maxlength="16" autocomplete="off" />
                <button type="submit">"查询"</button>
            </form>
        </section>
    }
}
