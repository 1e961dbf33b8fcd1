//! The site's pages.

pub mod accounts;
pub mod admin;
pub mod home;
pub mod open;
pub mod organisation;
pub mod posters;
pub mod report;
pub mod staff;
pub mod voices;

pub use home::Home;
pub use posters::Posters;

use leptos::prelude::*;

/// The month chooser: a GET form, so it works without JavaScript.
#[component]
pub(crate) fn MonthPicker(
    label: &'static str,
    month: String,
    months: Vec<String>,
) -> impl IntoView {
    view! {
        <form method="get" class="month-picker">
            <label for="month">{label}</label>
            <select id="month" name="month">
                {months
                    .into_iter()
                    .map(|m| {
                        let selected = m == month;
                        view! {
                            <option value=m.clone() selected=selected>
                                {m.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit">"查看"</button>
        </form>
    }
}
