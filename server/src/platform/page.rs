//! The frame and shared parts of the citizen pages, as compile-time templates (maud: every value
//! is escaped unless marked otherwise).
//!
//! These pages are deliberately not Leptos pages: they must stay within 14 KB and load no
//! hydration runtime.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

/// The interface language: zh-CN by default, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub(crate) fn parse(code: Option<&str>) -> Self {
        if code == Some("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Picks the text of this language.
    pub(crate) fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        self.t("zh", "en")
    }
}

/// How the page is shown: language, large text (适老化), and whether it sits in a portal's iframe.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Display {
    pub(crate) lang: Lang,
    pub(crate) big: bool,
    pub(crate) embed: bool,
}

impl Display {
    /// The query string that keeps these settings, with one of them changed by `f`.
    pub(crate) fn query_with(self, f: impl FnOnce(&mut Display)) -> String {
        let mut d = self;
        f(&mut d);
        let mut q = format!("?lang={}", d.lang.code());
        if d.big {
            q.push_str("&big=1");
        }
        q
    }
}

/// The small stylesheet of the citizen pages, inlined so the first response is all that is needed.
pub(crate) const CSS: &str = include_str!("../../../style/widget.css");

/// Wraps `body` in the page frame: head, language and large-text switches, and the widget loader.
pub(crate) fn page(d: Display, title: &str, body: Markup, with_widget: bool) -> String {
    let lang = d.lang;
    let other = d.query_with(|d| {
        d.lang = if d.lang == Lang::Zh {
            Lang::En
        } else {
            Lang::Zh
        }
    });
    let big = d.query_with(|d| d.big = !d.big);
    let size = if d.big {
        lang.t("标准字号", "Normal text")
    } else {
        lang.t("大字模式", "Large text")
    };
    html! {
        (DOCTYPE)
        html lang=(lang.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body class=(if d.big { "big" } else { "" }) {
                header.bar {
                    span.brand { (lang.t("政务服务“好差评”", "Government service rating")) }
                    nav {
                        a href=(other) lang=(lang.t("en", "zh-CN")) { (lang.t("English", "中文")) }
                        a href=(big) { (size) }
                    }
                }
                main { (body) }
                @if with_widget {
                    script type="module" src="/widget/boot.js" {}
                }
            }
        }
    }
    .into_string()
}

/// The slot where a field's problems show (`err-{field}`), kept in the page while empty so that
/// the widget can fill it and `aria-describedby` always points somewhere.
pub(crate) fn error_slot(field: &str, messages: &[String]) -> Markup {
    html! {
        @if messages.is_empty() {
            p.err id={ "err-" (field) } hidden {}
        } @else {
            p.err id={ "err-" (field) } role="alert" { (messages.join(" ")) }
        }
    }
}

/// 无法办理 — a page's one message when what was asked cannot be done.
pub(crate) fn refused(title: &str, text: &str) -> Markup {
    html! {
        div.refused #refused {
            h1 { (title) }
            p { (text) }
        }
    }
}

/// The display choices a citizen page reads from its query string (`?lang=en&big=1`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DisplayQuery {
    lang: Option<String>,
    big: Option<String>,
}

impl DisplayQuery {
    pub(crate) fn display(&self, embed: bool) -> Display {
        Display {
            lang: Lang::parse(self.lang.as_deref()),
            big: self.big.as_deref() == Some("1"),
            embed,
        }
    }
}
