//! 评价器 — the tablet facing the citizen at a window: enrolled once by an administrator's one-time
//! code, it shows the rating of each visit its window finishes, goes back to idle after a while
//! storing nothing, and only it can rate there (channel hall_device). Its silence, while its window
//! serves, is an alarm on the supervisor's overview.

mod counter;
mod page;
mod routes;
mod service;
mod store;

pub use counter::finish_at_counter;
pub(crate) use routes::routes;
pub use service::*;
pub use store::{DeviceLine, SilentDevice};
