//! 综合点评 (supervisors and administrators: the month's list; typing in a card, e-mail, letter,
//! call or platform message) and 监督查评 (inspectors record; inspectors and supervisors list, with
//! the count per month). Forms work before hydration and after it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::MonthPicker;
use super::report::CountSection;
use super::staff::{SignInHint, StaffBar};
use crate::api::voices::{
    Choice, EnterOpinion, InspectionsView, OpinionsView, RecordInspection, inspections_page,
    opinions_page,
};

fn month_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("month").unwrap_or_default())
}

fn options(choices: Vec<Choice>, empty: Option<&'static str>) -> impl IntoView {
    view! {
        {empty.map(|label| view! { <option value="">{label}</option> })}
        {choices
            .into_iter()
            .map(|(value, label)| view! { <option value=value>{label}</option> })
            .collect_view()}
    }
}

/// The outcome line of a form: the tracking code, or the error.
fn outcome(value: Option<Result<String, crate::api::ApiError>>, done: &str) -> String {
    match value {
        Some(Ok(code)) => format!("{done}，查询码 {code}"),
        Some(Err(e)) => e.to_string(),
        None => String::new(),
    }
}

/// 综合点评.
#[component]
pub fn Opinions() -> impl IntoView {
    let month = month_query();
    let enter = ServerAction::<EnterOpinion>::new();
    let page = Resource::new(
        move || (month.get(), enter.version().get()),
        |(month, _)| opinions_page(month),
    );
    view! {
        <StaffBar />
        <h1>"综合点评"</h1>
        <p role="alert" id="opinion-status">
            {move || outcome(enter.value().get(), "已录入")}
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <OpinionsBody view enter /> }.into_any(),
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OpinionsBody(view: OpinionsView, enter: ServerAction<EnterOpinion>) -> impl IntoView {
    let OpinionsView {
        month,
        months,
        rows,
        sources,
        departments,
        halls,
        levels,
        csrf,
    } = view;
    let count = rows.len();
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                r.tracking_code,
                r.at,
                r.source,
                r.level,
                r.subject,
                r.comment,
                r.typed_by,
                r.ticket,
            ]
        })
        .collect();
    let headings = [
        "查询码",
        "时间",
        "来源",
        "等级",
        "所涉",
        "内容",
        "录入",
        "工单",
    ]
    .map(str::to_owned)
    .to_vec();
    view! {
        <section class="card">
            <h2>"录入综合点评"</h2>
            <p>
                "意见箱、电子邮件、来信、热线电话、监督平台收到的评价由工作人员录入，与群众在网上自行提交的分开统计。差评生成整改工单。"
            </p>
            <ActionForm action=enter attr:class="step" attr:id="opinion-form">
                <input type="hidden" name="csrf" value=csrf />
                <label for="source">"来源"</label>
                <select id="source" name="source">
                    {options(sources, Some("请选择"))}
                </select>
                <label for="level">"评价等级"</label>
                <select id="level" name="level">
                    {options(levels, Some("请选择"))}
                </select>
                <label for="comment">"内容"</label>
                <textarea id="comment" name="comment" rows="3" maxlength="500"></textarea>
                <label for="phone">
                    "联系电话（选填，差评回访用，加密保存）"
                </label>
                <input id="phone" name="phone" type="tel" />
                <label for="department">"所涉部门"</label>
                <select id="department" name="department">
                    {options(departments, Some("未指明"))}
                </select>
                <label for="hall">"所在大厅（选填）"</label>
                <select id="hall" name="hall">
                    {options(halls, Some("不限"))}
                </select>
                <label for="window">"窗口编码（选填）"</label>
                <input id="window" name="window" type="text" />
                <button type="submit">"录入"</button>
            </ActionForm>
        </section>
        <MonthPicker label="月份" month=month.clone() months />
        <CountSection
            id="opinion-list"
            caption=format!("{month} 综合点评 {count} 条")
            headings
            rows
        />
    }
}

/// 监督查评.
#[component]
pub fn Inspections() -> impl IntoView {
    let month = month_query();
    let record = ServerAction::<RecordInspection>::new();
    let page = Resource::new(
        move || (month.get(), record.version().get()),
        |(month, _)| inspections_page(month),
    );
    view! {
        <StaffBar />
        <h1>"监督查评"</h1>
        <p role="alert" id="inspection-status">
            {move || outcome(record.value().get(), "已登记")}
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <InspectionsBody view record /> }.into_any(),
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InspectionsBody(view: InspectionsView, record: ServerAction<RecordInspection>) -> impl IntoView {
    let InspectionsView {
        month,
        months,
        rows,
        per_month,
        can_record,
        targets,
        methods,
        levels,
        csrf,
    } = view;
    let count = rows.len();
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                r.inspection_no,
                r.date,
                r.target,
                r.method,
                r.level,
                r.department,
                r.findings,
                r.inspector,
                r.ticket,
            ]
        })
        .collect();
    let headings = [
        "检查编号",
        "日期",
        "检查对象",
        "方式",
        "等级",
        "被检查单位",
        "检查发现",
        "检查人",
        "整改工单",
    ]
    .map(str::to_owned)
    .to_vec();
    let per_month = per_month
        .into_iter()
        .map(|(m, n)| vec![m, n.to_string()])
        .collect();
    let form = can_record.then(|| {
        view! {
            <section class="card">
                <h2>"登记监督查评"</h2>
                <p>
                    "检查结论为不满意或非常不满意的，即向被检查单位生成整改工单，时限与差评相同。"
                </p>
                <ActionForm action=record attr:class="step" attr:id="inspection-form">
                    <input type="hidden" name="csrf" value=csrf />
                    <label for="inspection_no">"检查编号"</label>
                    <input id="inspection_no" name="inspection_no" type="text" maxlength="50" />
                    <label for="date">"检查日期"</label>
                    <input id="date" name="date" type="date" />
                    <label for="target">"检查对象类型"</label>
                    <select id="target" name="target">
                        {options(targets, Some("请选择"))}
                    </select>
                    <label for="target_code">
                        "检查对象编码（窗口编码、工号、事项编码或大厅编码）"
                    </label>
                    <input id="target_code" name="target_code" type="text" />
                    <label for="department_code">
                        "被检查部门编码（检查大厅时必填）"
                    </label>
                    <input id="department_code" name="department_code" type="text" />
                    <label for="method">"检查方式"</label>
                    <select id="method" name="method">
                        {options(methods, Some("请选择"))}
                    </select>
                    <label for="level">"评价等级"</label>
                    <select id="level" name="level">
                        {options(levels, Some("请选择"))}
                    </select>
                    <label for="findings">"检查发现"</label>
                    <textarea id="findings" name="findings" rows="4" maxlength="500"></textarea>
                    <button type="submit">"登记"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        {form}
        <MonthPicker label="月份" month=month.clone() months />
        <CountSection
            id="inspection-list"
            caption=format!("{month} 监督查评 {count} 次")
            headings
            rows
        />
        <CountSection
            id="inspection-months"
            caption="近12个月监督查评次数".to_owned()
            headings=vec!["月份".to_owned(), "次数".to_owned()]
            rows=per_month
        />
    }
}
