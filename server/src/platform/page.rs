//! A tiny HTML writer for the citizen pages.
//!
//! These pages are deliberately not Leptos pages: they must stay within 14 KB and load no
//! hydration runtime, so they are written out directly, with every interpolated value escaped.

use std::fmt::Write;

use serde::Deserialize;

/// Escapes text for use in HTML content and in double-quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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
const CSS: &str = include_str!("../../../style/widget.css");

/// Wraps `body` in the page frame: head, language and large-text switches, and the widget loader.
pub(crate) fn page(d: Display, title: &str, body: &str, with_widget: bool) -> String {
    let mut out = String::with_capacity(body.len() + CSS.len() + 1024);
    let html_lang = d.lang.t("zh-CN", "en");
    let class = if d.big { "big" } else { "" };
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body class=\"{class}\">"
    );
    let other = d.query_with(|d| {
        d.lang = if d.lang == Lang::Zh {
            Lang::En
        } else {
            Lang::Zh
        }
    });
    let big = d.query_with(|d| d.big = !d.big);
    let _ = write!(
        out,
        "<header class=\"bar\"><span class=\"brand\">{}</span><nav>\
         <a href=\"{other}\" lang=\"{}\">{}</a><a href=\"{big}\">{}</a></nav></header><main>{body}</main>",
        d.lang.t("政务服务“好差评”", "Government service rating"),
        d.lang.t("en", "zh-CN"),
        d.lang.t("English", "中文"),
        if d.big {
            d.lang.t("标准字号", "Normal text")
        } else {
            d.lang.t("大字模式", "Large text")
        },
    );
    if with_widget {
        out.push_str("<script type=\"module\" src=\"/widget/boot.js\"></script>");
    }
    out.push_str("</body></html>");
    out
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
