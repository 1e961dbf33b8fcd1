//! The other public pages: the window staff's 公示, the rectification list and the methods.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::open::{RectificationsView, StaffPage, methods, rectifications, staff_disclosure};

use super::{month_query, tables::ChildTable};

/// 窗口工作人员评价公示 — the previous month by default.
#[component]
pub fn OpenStaff() -> impl IntoView {
    let month = month_query();
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").unwrap_or_default());
    let data = Resource::new(
        move || (month.get(), page.get()),
        |(month, page)| staff_disclosure(month, page),
    );
    view! {
        <nav class="crumbs" aria-label="位置">
            <a href="/open">"全部"</a>
            " › "
        </nav>
        <h1>"窗口工作人员评价公示"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|StaffPage { month, page, pages, rows }| {
                        let link = |p: usize| format!("/open/staff?month={month}&page={p}");
                        view! {
                            <p>
                                {format!(
                                    "{month} 各窗口工作人员的评价率与满意度（好评率）；样本不足的不计算比率。",
                                )}
                            </p>
                            <ChildTable
                                caption=format!(
                                    "{month} 窗口工作人员（第 {page}/{pages} 页）",
                                )
                                rows
                            />
                            <nav class="pages" aria-label="分页">
                                {(page > 1)
                                    .then(|| {
                                        view! {
                                            <a href=link(page - 1) rel="prev">
                                                "上一页"
                                            </a>
                                        }
                                    })}
                                " "
                                {(page < pages)
                                    .then(|| {
                                        view! {
                                            <a href=link(page + 1) rel="next">
                                                "下一页"
                                            </a>
                                        }
                                    })}
                            </nav>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}

/// 整改公示 — what was done about the 差评 of a month. No personal data, no free text.
#[component]
pub fn OpenRectifications() -> impl IntoView {
    let month = month_query();
    let data = Resource::new(move || month.get(), rectifications);
    view! {
        <nav class="crumbs" aria-label="位置">
            <a href="/open">"全部"</a>
            " › "
        </nav>
        <h1>"差评整改公示"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|RectificationsView { month, rows }| {
                        let empty = rows.is_empty();
                        view! {
                            <table class="figures" id="rectifications">
                                <caption>{format!("{month} 已办结的差评整改")}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"部门"</th>
                                        <th scope="col">"事项"</th>
                                        <th scope="col">"差评原因"</th>
                                        <th scope="col">"处置方式"</th>
                                        <th scope="col">"用时（工作日）"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    <td>{r.department}</td>
                                                    <td>{r.item}</td>
                                                    <td>{r.reasons}</td>
                                                    <td>{r.how}</td>
                                                    <td>
                                                        {r
                                                            .working_days
                                                            .map_or_else(|| "—".to_owned(), |d| d.to_string())}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                    {empty
                                        .then(|| {
                                            view! {
                                                <tr>
                                                    <td colspan="5">"本月无已办结的差评整改"</td>
                                                </tr>
                                            }
                                        })}
                                </tbody>
                            </table>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}

/// 统计口径 — every formula and setting in force.
#[component]
pub fn OpenMethods() -> impl IntoView {
    let data = Resource::new(|| (), |_| methods());
    view! {
        <h1>"统计口径与设置"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|m| {
                        view! {
                            <section class="card" id="methods">
                                <h2>"指标定义"</h2>
                                <dl>
                                    <dt>"评价率"</dt>
                                    <dd>
                                        "当月服务中已评价的办件数（含申诉成立后不计入统计的评价）÷ 当月登记的办件数。大厅的来访由排队叫号系统登记：办结的来访即为一次办件（计入取号当月），无论是否评价；在窗口扫描 e码 作出的评价，计为该窗口正在办理或刚办结（默认 10 分钟内）的来访的评价，或群众出示的排队小票评价码所对应来访的评价，工作人员和事项随该来访计入。"
                                    </dd>
                                    <dt>"好评率"</dt>
                                    <dd>
                                        {format!(
                                            "（非常满意 + 满意{}）÷ 有效评价数。",
                                            if m.basic_counts_as_good { " + 基本满意" } else { "" },
                                        )}
                                    </dd>
                                    <dt>"主动评价好评率"</dt>
                                    <dd>
                                        "同上，仅计群众本人作出的评价（不含系统默认评价），与好评率分列公示。"
                                    </dd>
                                    <dt>"未评率"</dt>
                                    <dd>
                                        "当月登记的办件中没有任何评价的办件数 ÷ 当月登记的办件数（系统默认评价计为已评价），即 1 − 评价率。"
                                    </dd>
                                    <dt>"默认评价"</dt>
                                    <dd id="default-evaluation-rule">
                                        {m.default_evaluation.clone()}
                                    </dd>
                                    <dt>"评价邀请"</dt>
                                    <dd id="invitation-rule">{m.invitations.clone()}</dd>
                                    <dt>"差评率"</dt>
                                    <dd>
                                        "（不满意 + 非常不满意）÷ 有效评价数。"
                                    </dd>
                                    <dt>"差评回复率"</dt>
                                    <dd>"已答复群众的差评 ÷ 有效差评。"</dd>
                                    <dt>"回访整改率"</dt>
                                    <dd>
                                        "经回访且联系上群众、并已办结的差评 ÷ 有效差评。匿名差评的核实不是回访，不计入分子。"
                                    </dd>
                                    <dt>"实名差评回访率"</dt>
                                    <dd>
                                        "回访时联系上群众的实名差评 ÷ 有效实名差评，目标 100 %，未达到时注明尚差件数（不论样本多少）。未联系上的回访尝试照实记录，但不算回访。"
                                    </dd>
                                    <dt>"回访记录"</dt>
                                    <dd>
                                        "每次回访记录回访时间、方式（电话、短信、上门或现场）、是否联系上；联系上的，认定反映问题是否属实、诉求是否合理，并写明回访情况（至少5个字）。答复群众须有答复内容。"
                                    </dd>
                                    <dt>"回访整改满意率"</dt>
                                    <dd>
                                        "群众评价为满意或基本满意的整改次数 ÷ 群众评价过的整改次数（每轮整改各计一次）。"
                                    </dd>
                                    <dt>"有效评价"</dt>
                                    <dd>
                                        "申诉复核成立的评价不计入各项比率，但单独公示其数量；评价本身从不删除或修改。"
                                    </dd>
                                    <dt>"评价渠道"</dt>
                                    <dd>
                                        "渠道按群众实际使用的评价入口记录：通过评价链接评价的，记为业务系统登记该链接时的渠道（如短信、办件回执二维码、评价器、自助终端、电话），不按打开的网页判断；在窗口扫描 e码 评价的，记为“二维码”。各渠道有效评价条数之和等于有效评价数。渠道名称采用 GB/T 39046 的文本，并列出两种编码：通用编码（1 PC端、2 移动服务端、3 二维码、4 政务大厅平板电脑、5 政务大厅其他终端、6 电话、7 短信）和另一种编码（6 短信、7 系统默认评价）。此规则启用前通过链接作出的评价，仍按当时记录的 PC端 或 移动服务端 统计。"
                                    </dd>
                                    <dt>"未关联办件的扫码评价"</dt>
                                    <dd>
                                        "在窗口扫描 e码 时，该窗口没有正在办理、刚办结且尚未评价的来访，评价仍予保存；其中的差评照常回访整改。因无法证明其背后确有一次服务，这类评价不计入评价率（分子、分母均不计），也不计入好评率、差评率等各项比率和渠道统计，而在各级公示页面单独列出条数及其中差评条数。同一设备对同一窗口在冷却时间内只能评价一次。"
                                    </dd>
                                    <dt>"评价器"</dt>
                                    <dd>
                                        "窗口评价器（面向群众的平板）由管理员用一次性绑定码绑定到窗口；窗口办结一次服务后，评价器显示该次服务的评价，计入“政务大厅平板电脑/评价器”渠道和该次服务的工作人员、事项；无人评价时超时自动返回待机，不保存任何内容；每次服务只能评价一次。工作人员不能代为评价，也看不到群众的选择。窗口有办结服务而评价器在设定的工作小时内（工作日 9:00–12:00、13:00–17:00）无评价时，向监督人员提示“评价器静默”。"
                                    </dd>
                                    <dt>"实名差评"</dt>
                                    <dd>
                                        "群众评价时留下手机号，或业务系统登记了申请人手机号且申请人未选择匿名评价的差评。实名差评须经电话等方式回访，不能以核查记录代替；匿名差评经核实即可。"
                                    </dd>
                                    <dt>"评价主体"</dt>
                                    <dd>
                                        "开放数据按业务系统登记的评价主体类型（GB/T 39046：1 自然人、2 企业法人、3 事业法人、4 社会组织法人、5 行政机关、6 其他组织）统计有效评价，未登记类型的不计入任何一类；另列选择匿名评价的有效评价数。"
                                    </dd>
                                    <dt>"申诉"</dt>
                                    <dd>
                                        "被评价单位认为差评属误评或恶意差评的，可以提出申诉，由监督人员复核。公示按所评服务的月份列出申诉件数及成立、不成立件数；申诉成立的评价失效，不计入各项比率，但仍计入评价率的分子（评价确曾作出）。"
                                    </dd>
                                    <dd id="appeal-rules">
                                        {format!(
                                            "申诉须选择类别：{}。承办单位须写明申诉理由，可附证据材料（图片或文档，每件申诉最多 {} 个文件），证据材料只供承办单位和监督人员查看，不公开、不进入开放数据。监督人员应在提出申诉后 {} 个工作日内作出复核决定（按节假日安排计算，提出当日不计），逾期即督办；复核前承办单位可补充证据，复核后不能补充，同一差评只能申诉一次。",
                                            domain::appeal::AppealCategory::ALL
                                                .map(|c| {
                                                    format!("{}（{}）", c.label_zh(), c.description_zh())
                                                })
                                                .join("、"),
                                            domain::appeal::MAX_EVIDENCE_FILES,
                                            m.appeal_review,
                                        )}
                                    </dd>
                                    <dt>"评价类型"</dt>
                                    <dd>
                                        "每条评价记明类型：一事一评（对登记办件的评价）、一次一评（对窗口来访的评价，含评价器和窗口 e码）、默认评价（评价期满后系统作出）。各级公示和开放数据分列各类型的有效评价数，三者之和等于有效评价数；综合点评、监督查评单独统计，不计入一事一评、一次一评的各项比率。"
                                    </dd>
                                    <dt>"综合点评"</dt>
                                    <dd>
                                        "社会各界不对应某一次办件的评价：群众在本网站“综合点评”页面自行提交的，与工作人员据意见箱、电子邮件、来信、热线电话、监督平台录入的（记明来源和录入人）分列。可匿名，可选所涉大厅、部门或事项；等级和原因与办件评价相同。差评照常生成整改工单，走回访、整改、答复流程。按提交月份计入所涉部门、地区、大厅、窗口、事项；不计入一事一评、一次一评的任何比率，也不上报（无办件编号）。"
                                    </dd>
                                    <dt>"监督查评"</dt>
                                    <dd>
                                        "监督部门（监督查评员，按地区或大厅限定范围）对窗口、工作人员、事项或大厅的检查：记明检查编号、日期、方式（明察、暗访）、检查发现和评价等级。结论为不满意或非常不满意的，即向被检查单位生成整改工单，时限与差评相同。按检查日期的月份计数，与综合点评一样单独统计、不计入各项比率。"
                                    </dd>
                                    <dt>"数据上报"</dt>
                                    <dd>
                                        "每条评价（扫码未关联办件的评价、综合点评和监督查评因无办件编号除外）、评价因申诉成立而失效，以及差评的回访、整改、答复，都在保存的同时记入上报队列，按办件顺序实时、全量报送上级平台，失败自动重试，重发内容与原记录一致；每日按满意度和渠道与上级平台对账。"
                                    </dd>
                                    <dt>"下级平台上报的评价"</dt>
                                    <dd>
                                        "作为省级平台时，各县（市、区）上报的评价按其部门、事项计入本平台各级公示。下级只上报已评价的办件，本平台无从得知其未评价的办件，因此这些评价不计入评价率（分子、分母均不计），开放数据另列其条数（received）；好评率、差评率等按有效评价照常计算。"
                                    </dd>
                                    <dt>"统计月份"</dt>
                                    <dd>
                                        "评价计入其所评价服务的月份（北京时间）。"
                                    </dd>
                                    <dt>"投诉（按来源）"</dt>
                                    <dd>
                                        "收到：窗口或网页“服务不满意”表单提交的投诉，以及 12345 热线、政府网站、领导信箱等平台转办的工单，按本平台收到的月份（北京时间）计入其承办部门、部门所在地区和所涉事项。按时答复：首次答复在答复时限（见下文办理时限，认定为复杂投诉的用较长时限，工作日按节假日安排计算）当日结束前；超时答复：首次答复晚于时限；尚未答复的不计入二者。复杂投诉：承办部门认定为复杂、延长答复时限的。"
                                    </dd>
                                </dl>
                                <h2>"显示规则"</h2>
                                <ul>
                                    <li>
                                        "百分比保留两位小数，截断不进位：23283 条中 1 条差评，好评率显示 99.99 %，不显示 100.00 %。"
                                    </li>
                                    <li>
                                        {format!(
                                            "分母少于 {} 时显示“样本不足”，不计算比率。",
                                            m.min_sample,
                                        )}
                                    </li>
                                    <li>"比率附 95 % 置信区间（Wilson 方法）。"</li>
                                    <li>
                                        "窗口工作人员只能看到本人服务评价的条数（按日、按满意度）和原因统计，看不到评价的具体时刻；差评的文字意见在其整改办结后才向本人显示，防止打击报复。"
                                    </li>
                                    <li>
                                        {if m.staff_by_name {
                                            "窗口工作人员公示显示姓名。"
                                        } else {
                                            "窗口工作人员公示显示工号。"
                                        }}
                                    </li>
                                </ul>
                                <h2>
                                    "办理时限（工作日，按国务院办公厅节假日安排含调休）"
                                </h2>
                                <ul>
                                    <li>
                                        {format!(
                                            "差评首次联系：{} 个工作日",
                                            m.deadlines[0],
                                        )}
                                    </li>
                                    <li>
                                        {format!("台账整改：{} 个工作日", m.deadlines[1])}
                                    </li>
                                    <li>
                                        {format!("申诉复核：{} 个工作日", m.appeal_review)}
                                    </li>
                                    <li>
                                        {format!(
                                            "投诉答复：{} 个工作日；复杂投诉 {} 个工作日",
                                            m.deadlines[2],
                                            m.deadlines[3],
                                        )}
                                    </li>
                                    <li>
                                        "每个未办结状态都有时限（已核实待处置、立行立改、待回复、申诉复核、待评价、重办等，由系统管理员设置），逾期即向监督股督办一次；每进入新的状态重新计时。"
                                    </li>
                                </ul>
                                <h2>"开放数据"</h2>
                                <p>
                                    "全部统计数据可下载："
                                    <a href="/open/data.csv">"CSV"</a>"、"
                                    <a href="/open/data.json">"JSON"</a> "，字段说明见 "
                                    <a href="/open/data-schema.json">"数据结构"</a>
                                    "。各页面上的每个数字均可由其重新计算。"
                                </p>
                            </section>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}
