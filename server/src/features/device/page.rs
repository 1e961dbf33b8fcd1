//! The tablet's pages: the enrolment form, and the screen that waits for a visit, shows its
//! rating large (适老化) and thanks the citizen. The widget drives the screen.

use domain::{RatingDraft, device::DeviceSettings};
use maud::{Markup, html};

use crate::{
    features::{admin::WindowView, rating::FormPage},
    platform::page::{Display, Lang, page},
};

/// The tablet's display: Chinese, large text.
pub(super) fn display() -> Display {
    Display {
        lang: Lang::Zh,
        big: true,
        embed: false,
    }
}

/// 评价器绑定 — where a tablet types the administrator's code.
pub(super) fn enrol(problem: Option<&str>) -> String {
    let body = html! {
        h1 { "评价器绑定" }
        p { "请管理员在“评价器管理”中为本窗口生成绑定码，在此输入。绑定后，本设备只用于该窗口的服务评价。" }
        form method="post" action="/device/enrol" #enrol {
            label for="code" { "绑定码（8位数字）" }
            @if let Some(problem) = problem {
                p.err #err-code role="alert" { (problem) }
            }
            input #code name="code" inputmode="numeric" autocomplete="off" maxlength="12" required
                aria-invalid=[problem.map(|_| "true")];
            button type="submit" { "绑定" }
        }
    };
    page(display(), "评价器绑定", body, false)
}

/// The screen: idle until the window finishes a visit, then that visit's rating form.
pub(super) fn screen(window: &WindowView, settings: DeviceSettings) -> String {
    let names = window.names();
    let form = FormPage {
        display: display(),
        names: &names,
        action: "/device/rate/",
        draft: &RatingDraft::default(),
        errors: &[],
    };
    let body: Markup = html! {
        div #device data-idle=(settings.idle_seconds) data-next="/device/next" {
            section #device-idle {
                h1 { (window.number) " " (window.name) }
                p.subject { (window.hall) " · " (window.department) }
                p.lead { "办理完成后，请在此对本次服务进行评价。" }
                noscript { p.err { "评价器需要启用 JavaScript。" } }
            }
            section #device-rate hidden {
                p.subject #device-item {}
                (form.form())
            }
            section #device-done hidden {
                h1 tabindex="-1" { "感谢您的评价" }
                p { "评价已提交。工作人员看不到您的选择。" }
            }
            p.status #device-status role="status" {}
        }
    };
    page(display(), "服务评价器", body, true)
}
