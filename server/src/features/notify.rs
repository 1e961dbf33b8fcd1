//! 消息 — messages out of haochaping: 智能邀评 (an SMS inviting an unrated service's evaluator,
//! with reminders, quiet hours and an honoured opt-out), 默认评价 (a system evaluation after N
//! natural days) and handlers told at once of a 差评, a complaint or a deadline one working day
//! away (group robot and/or the department's contact phone). The jobs take `now` so that tests
//! control the clock; the minute timer (`jobs`) calls them. Every message is logged with the phone
//! masked; no message text and no phone reaches the tracing log.

mod default_evaluation;
mod gateway;
mod handlers;
mod invite;
mod opt_out;
mod settings;
mod store;

pub use default_evaluation::apply_default_evaluations;
pub use handlers::{notify_handlers, notify_handlers_soon};
pub use invite::send_invitations;
pub use opt_out::OPT_OUT_PATH;
pub use opt_out::url as opt_out_url;
pub use settings::{
    NotifyForm, NotifyView, TargetForm, TargetView, save_settings, save_target, view,
};
pub use store::MessageLine;

pub(crate) use opt_out::routes;

/// What one run of a job did, for the log and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Messages the gateway or robot accepted (or evaluations made).
    pub done: usize,
    /// Attempts that failed (kept in the message log with their error).
    pub failed: usize,
}
