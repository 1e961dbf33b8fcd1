//! `ApiError` — the one error of the server functions: user-facing variants, their messages in
//! Chinese. Pages show `to_string()` and never parse it.
//!
//! On the server, every error a server function returns comes from one of the `From` conversions
//! at the bottom (from the session, the use cases' errors and the store), and `raised` sets the
//! HTTP status there: once, for a page rendered on the server and for a call from the browser alike.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Why a server function refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// Not signed in, or the session ended (401).
    #[error("请先登录")]
    Unauthorized,
    /// Signed in, but this role or department may not (403).
    #[error("无权进行该操作")]
    Forbidden,
    /// For administrators only (403).
    #[error("仅系统管理员可操作")]
    AdminOnly,
    /// The form's CSRF token is not the session's: the form came from elsewhere (403).
    #[error("无权进行该操作")]
    CsrfMismatch,
    /// Wrong user name, password or authenticator code. No status of its own: a form posted
    /// without JavaScript goes back to the log-in page with the message.
    #[error("用户名、密码或动态验证码错误")]
    SignInFailed,
    /// Too many failed log-ins: the account is locked for a while (no status, as `SignInFailed`).
    #[error("登录失败次数过多，账户已临时锁定，请15分钟后再试")]
    Locked,
    /// Nothing there, or nothing this staff member may see (404).
    #[error("{message}")]
    NotFound { message: String },
    /// Cannot be done as things stand, with the reason (409).
    #[error("{message}")]
    Conflict { message: String },
    /// A field is wrong; the message names it (422).
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The server failed; the cause is logged there, never sent (500).
    #[error("系统繁忙，请稍后再试")]
    Internal,
    /// The call itself did not go through (network, arguments, answer).
    #[error("请求未能完成，请稍后再试")]
    Unavailable,
}

impl ApiError {
    /// The HTTP status this error answers with; `None` keeps the framework's (a form posted
    /// without JavaScript is sent back to its page).
    pub fn status(&self) -> Option<u16> {
        match self {
            // A failed log-in is a 401 for a caller that reads JSON; a plain form post still goes
            // back to the log-in page (see `raised`).
            ApiError::Unauthorized | ApiError::SignInFailed | ApiError::Locked => Some(401),
            ApiError::Forbidden | ApiError::AdminOnly | ApiError::CsrfMismatch => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::Conflict { .. } => Some(409),
            ApiError::Invalid { .. } => Some(422),
            ApiError::Internal => Some(500),
            ApiError::Unavailable => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        leptos::logging::warn!("server function call failed: {value}");
        ApiError::Unavailable
    }
}

impl From<ServerFnErrorErr> for ApiError {
    fn from(value: ServerFnErrorErr) -> Self {
        ApiError::from_server_fn_error(value)
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    //! From the server's errors to `ApiError`, setting the response's status.

    use leptos::prelude::use_context;
    use server::{
        features::{
            admin::AdminError,
            device::DeviceError,
            disclosure::DisclosureError,
            rating::{clerk::ClerkError, site::PosterError},
            report::ReportError,
            ticket::TicketActError,
            voices::VoiceError,
        },
        platform::{auth::LoginError, db::StoreError, session::SessionError},
    };

    use super::ApiError;

    /// The one place that sets a server function's response status. A plain form post (no
    /// JavaScript: it accepts HTML) keeps the redirect back to its page, which then shows the error
    /// from the URL; a browser does not follow a redirect whose status is an error.
    fn raised(e: ApiError) -> ApiError {
        let status = e
            .status()
            .and_then(|code| axum::http::StatusCode::from_u16(code).ok());
        let form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if let (Some(status), Some(response), false) = (
            status,
            use_context::<leptos_axum::ResponseOptions>(),
            form_post,
        ) {
            response.set_status(status);
        }
        e
    }

    impl ApiError {
        /// A field the server function itself could not read (422).
        pub(crate) fn invalid(field: &str, message: &str) -> Self {
            raised(ApiError::Invalid {
                field: Some(field.to_owned()),
                message: message.to_owned(),
            })
        }
    }

    fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        leptos::logging::error!("server function failed: {cause}");
        raised(ApiError::Internal)
    }

    fn conflict(message: impl Into<String>) -> ApiError {
        raised(ApiError::Conflict {
            message: message.into(),
        })
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        raised(ApiError::NotFound {
            message: message.into(),
        })
    }

    impl From<StoreError> for ApiError {
        fn from(e: StoreError) -> Self {
            internal(&e)
        }
    }

    impl From<axum::http::header::InvalidHeaderValue> for ApiError {
        fn from(e: axum::http::header::InvalidHeaderValue) -> Self {
            internal(&e)
        }
    }

    impl From<SessionError> for ApiError {
        fn from(e: SessionError) -> Self {
            match e {
                SessionError::SignedOut => raised(ApiError::Unauthorized),
                SessionError::CsrfMismatch => raised(ApiError::CsrfMismatch),
                SessionError::Store(e) => internal(&e),
            }
        }
    }

    impl From<LoginError> for ApiError {
        fn from(e: LoginError) -> Self {
            match e {
                LoginError::Invalid => raised(ApiError::SignInFailed),
                LoginError::Store(e) => internal(&e),
            }
        }
    }

    impl From<TicketActError> for ApiError {
        fn from(e: TicketActError) -> Self {
            match e {
                TicketActError::NotFound => not_found("工单不存在或无权查看"),
                TicketActError::Forbidden => raised(ApiError::Forbidden),
                TicketActError::Refused(e) => match e.field() {
                    Some(field) => ApiError::invalid(field, e.message_zh()),
                    None => conflict(e.message_zh()),
                },
                TicketActError::Visit(e) => ApiError::invalid(e.field(), e.message_zh()),
                TicketActError::Changed => conflict("工单已被他人更新，请刷新后重试"),
                TicketActError::Unreadable | TicketActError::Store(_) => internal(&e),
            }
        }
    }

    impl From<ClerkError> for ApiError {
        fn from(e: ClerkError) -> Self {
            match e {
                ClerkError::Forbidden => raised(ApiError::Forbidden),
                ClerkError::NotLinked => conflict("账号未关联工号，请联系系统管理员"),
                ClerkError::Store(e) => internal(&e),
            }
        }
    }

    impl From<AdminError> for ApiError {
        fn from(e: AdminError) -> Self {
            match e {
                AdminError::Forbidden => raised(ApiError::AdminOnly),
                AdminError::Invalid(message) => raised(ApiError::Invalid {
                    field: None,
                    message,
                }),
                AdminError::Store(e) => internal(&e),
            }
        }
    }

    impl From<DeviceError> for ApiError {
        fn from(e: DeviceError) -> Self {
            match e {
                DeviceError::Forbidden => raised(ApiError::Forbidden),
                DeviceError::NoWindow => {
                    ApiError::invalid("window", "窗口不存在、已停用或账号未关联窗口")
                }
                DeviceError::NoVisit => conflict("本窗口当前没有正在办理的叫号"),
                DeviceError::Setting(e) => ApiError::invalid(e.field(), e.message_zh()),
                DeviceError::NotEnrolled
                | DeviceError::BadCode
                | DeviceError::Rate(_)
                | DeviceError::Store(_) => internal(&e),
            }
        }
    }

    impl From<ReportError> for ApiError {
        fn from(e: ReportError) -> Self {
            match e {
                ReportError::Forbidden => raised(ApiError::Forbidden),
                ReportError::Store(e) => internal(&e),
            }
        }
    }

    impl From<PosterError> for ApiError {
        fn from(e: PosterError) -> Self {
            match e {
                PosterError::Forbidden => raised(ApiError::Forbidden),
                PosterError::Store(e) => internal(&e),
            }
        }
    }

    impl From<VoiceError> for ApiError {
        fn from(e: VoiceError) -> Self {
            match e {
                VoiceError::Forbidden => raised(ApiError::Forbidden),
                VoiceError::Opinion(problems) => {
                    let first = problems.first();
                    ApiError::invalid(
                        first.map_or("level", |p| p.field()),
                        problems
                            .iter()
                            .map(|p| p.message_zh())
                            .collect::<Vec<_>>()
                            .join("；")
                            .as_str(),
                    )
                }
                VoiceError::Inspection(problems) => {
                    let first = problems.first();
                    ApiError::invalid(
                        first.map_or("inspection_no", |p| p.field()),
                        problems
                            .iter()
                            .map(|p| p.message_zh())
                            .collect::<Vec<_>>()
                            .join("；")
                            .as_str(),
                    )
                }
                VoiceError::TooSoon => conflict("请勿重复提交"),
                VoiceError::Store(e) => internal(&e),
            }
        }
    }

    impl From<DisclosureError> for ApiError {
        fn from(e: DisclosureError) -> Self {
            match e {
                DisclosureError::NotFound(what) => not_found(format!("{what}不存在")),
                DisclosureError::Store(e) => internal(&e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::error::FromServerFnError;

    use super::ApiError;

    #[test]
    fn every_error_crosses_to_the_browser_unchanged_with_its_message() {
        let all = [
            ApiError::Unauthorized,
            ApiError::Forbidden,
            ApiError::AdminOnly,
            ApiError::CsrfMismatch,
            ApiError::SignInFailed,
            ApiError::Locked,
            ApiError::NotFound {
                message: "工单不存在或无权查看".into(),
            },
            ApiError::Conflict {
                message: "工单已被他人更新，请刷新后重试".into(),
            },
            ApiError::Invalid {
                field: Some("year".into()),
                message: "年份应为四位数字".into(),
            },
            ApiError::Internal,
            ApiError::Unavailable,
        ];
        for e in all {
            assert_eq!(ApiError::de(e.ser()), e);
            assert!(!e.to_string().is_empty());
        }
        let invalid = ApiError::Invalid {
            field: None,
            message: "密码至少10位".into(),
        };
        assert_eq!(invalid.to_string(), "密码至少10位");
        assert_eq!(invalid.status(), Some(422));
        assert_eq!(ApiError::Unauthorized.status(), Some(401));
        // A JSON caller is told 401; a plain form still goes back to its page (`raised` sets no
        // status for a form post).
        assert_eq!(ApiError::SignInFailed.status(), Some(401));
        assert_eq!(ApiError::Unavailable.status(), None);
    }
}
