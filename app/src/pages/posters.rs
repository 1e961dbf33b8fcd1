//! 窗口评价码 — each window's e码 as a printable poster (one per printed page), a staff page:
//! supervisors and administrators print the active windows of their scope.

use leptos::prelude::*;

use crate::api::poster_windows;
use crate::pages::staff::{SignInHint, StaffBar};

#[component]
pub fn Posters() -> impl IntoView {
    let list = Resource::new(|| (), |_| poster_windows());
    view! {
        <div class="no-print">
            <StaffBar />
        </div>
        <h1 class="no-print">"窗口评价码"</h1>
        <p class="no-print">
            "打印后张贴在窗口台面；群众扫码即可评价本次服务（一次一评）。"
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(windows) => {
                        view! {
                            <div class="posters">
                                {windows
                                    .into_iter()
                                    .map(|w| view! { <Poster window=w /> })
                                    .collect_view()}
                            </div>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Poster(window: crate::WindowCard) -> impl IntoView {
    let alt = format!("{}号窗口评价二维码", window.number);
    view! {
        <article class="poster">
            <p class="poster-hall">{window.hall}</p>
            <h2>{format!("{} 号窗口", window.number)}</h2>
            <p class="poster-dept">{format!("{} · {}", window.department, window.name)}</p>
            <img src=window.qr_svg alt=alt width="240" height="240" />
            <p class="poster-call">"请扫码评价本次服务"</p>
            <p class="poster-url">
                <a href=window.rating_url.clone()>{window.rating_url.clone()}</a>
            </p>
            <p class="poster-note">
                "评价自愿、免费 · 非常满意 满意 基本满意 不满意 非常不满意"
            </p>
        </article>
    }
}
