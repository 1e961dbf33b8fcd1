//! 示范数据 — a demo county service centre, so that a first run shows something real.

use anyhow::Context;
use domain::{Catalogue, Channel, Level, access::Role, org::Scope};

use crate::{
    AppState,
    features::{
        admin::systems::NewSystem,
        rating::{self as rate, NewEvaluation},
        registration as register,
    },
    platform::{crypto, db::now},
};

/// A demo department: code, name, windows (number, name), service items (实施编码, name).
type DemoDepartment = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

const DEPARTMENTS: &[DemoDepartment] = &[
    (
        "BDC",
        "县不动产登记中心",
        &[("A01", "不动产登记综合受理"), ("A02", "不动产登记综合受理")],
        &[
            ("000112001000", "不动产首次登记"),
            ("000112002000", "不动产转移登记"),
            ("000112005000", "不动产抵押登记"),
        ],
    ),
    (
        "GA",
        "县公安局",
        &[("B01", "户籍业务"), ("B02", "出入境业务")],
        &[
            ("000131005000", "户口迁移"),
            ("000131017000", "居民身份证换领"),
            ("000131022000", "普通护照签发"),
        ],
    ),
    (
        "YB",
        "县医疗保障局",
        &[("C01", "医保业务")],
        &[
            ("000162001000", "参保登记"),
            ("000162008000", "异地就医备案"),
        ],
    ),
    (
        "SB",
        "县人力资源和社会保障局",
        &[("C02", "社保业务"), ("C03", "就业服务")],
        &[
            ("000113001000", "养老保险待遇申领"),
            ("000113014000", "失业保险金申领"),
        ],
    ),
    (
        "MZ",
        "县民政局",
        &[("D01", "婚姻登记")],
        &[
            ("000134001000", "内地居民结婚登记"),
            ("000134002000", "内地居民离婚登记"),
        ],
    ),
    (
        "SC",
        "县市场监督管理局",
        &[("E01", "企业开办")],
        &[
            ("000107001000", "企业设立登记"),
            ("000107002000", "企业变更登记"),
        ],
    ),
];

const STAFF_NAMES: &[&str] = &[
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴军", "徐丽",
];

/// The demo staff accounts' password (demo data only; real accounts come from `create-account`).
pub const DEMO_PASSWORD: &str = "haochaping-demo";

/// Fills an empty database with the demo centre. Returns the demo business system's API key.
pub async fn seed(state: &AppState) -> anyhow::Result<String> {
    let store = &state.store;
    let region = store.insert_region("341125", "示范县", None).await?;
    let hall = store
        .insert_hall(region, "HALL-01", "示范县政务服务中心", "示范县人民路1号")
        .await?;
    let key = crypto::new_api_key();
    let origins = domain::business_system::FrameOrigin::parse_list(
        "http://localhost:8080 http://127.0.0.1:8080",
    )?;
    let demo_system = NewSystem {
        name: "示范县一网通办",
        origins: &origins,
        regions: &[region],
        departments: &[],
    };
    let system = store
        .insert_business_system(&demo_system, &crypto::hash_api_key(&key), now())
        .await?
        .context("the demo region exists")?;
    let mut staff_names = STAFF_NAMES.iter().cycle();
    let mut staff_no = 0;
    let mut items = Vec::new();
    for (code, name, windows, services) in DEPARTMENTS {
        let department = store.insert_department(region, code, name).await?;
        for (number, window_name) in *windows {
            let window = store
                .insert_window(
                    hall,
                    department,
                    &format!("W-{number}"),
                    number,
                    window_name,
                )
                .await?;
            staff_no += 1;
            let staff_name = staff_names.next().copied().unwrap_or("工作人员");
            store
                .insert_staff(
                    department,
                    Some(window),
                    &format!("S{staff_no:03}"),
                    staff_name,
                )
                .await?;
            for (item_code, _) in *services {
                items.push((
                    *code,
                    format!("W-{number}"),
                    format!("S{staff_no:03}"),
                    *item_code,
                ));
            }
        }
        for (item_code, item_name) in *services {
            store
                .insert_service_item(department, item_code, item_name)
                .await?;
        }
    }
    rate_some(state, system, &items).await?;
    visit_some(state, system, items.first()).await?;
    let bdc = store.id_by_code::<domain::ids::DepartmentId>("BDC").await?;
    let password = crypto::hash_password(DEMO_PASSWORD);
    store
        .insert_account("bdc", &password, Role::Handler, bdc)
        .await?;
    let (totp, uri) = crate::platform::auth::new_totp(state, "jiandu");
    let supervisor = store
        .insert_account_with_totp(
            "jiandu",
            &password,
            (Role::Supervisor, None, Scope::All),
            Some(&totp),
        )
        .await?;
    std::fs::write(state.config.data_dir.join("demo-supervisor-totp.txt"), uri)?;
    let (totp, uri) = crate::platform::auth::new_totp(state, "admin");
    let admin = store
        .insert_account_with_totp(
            "admin",
            &password,
            (Role::Admin, None, Scope::All),
            Some(&totp),
        )
        .await?;
    std::fs::write(state.config.data_dir.join("demo-admin-totp.txt"), uri)?;
    // 窗口工作人员: the clerk of the first window, who sees the ratings of their own service.
    let clerk: Option<(domain::ids::StaffId, domain::ids::DepartmentId)> =
        sqlx::query_as("SELECT id, department_id FROM staff WHERE staff_no = 'S001'")
            .fetch_optional(store.pool())
            .await?;
    let clerk_account = crate::features::admin::NewAccount {
        username: "chuangkou",
        password_hash: &password,
        role: Role::WindowStaff,
        department: clerk.map(|(_, department)| department),
        staff: clerk.map(|(id, _)| id),
        scope: Scope::All,
        totp_secret_enc: None,
    };
    store.create_account(admin, &clerk_account).await?;
    // Five months of history, so that trends, rankings and the monthly report have data.
    let (_, bad_reason) = super::bad_reason_codes();
    store.demo_history(5, 40, supervisor, bad_reason).await?;
    Ok(key)
}

/// Registers a few dozen cases and rates most of them, with the usual mix and two bad reviews.
async fn rate_some(
    state: &AppState,
    system: domain::ids::BusinessSystemId,
    items: &[(&str, String, String, &str)],
) -> anyhow::Result<()> {
    let levels = [
        Level::VerySatisfied,
        Level::VerySatisfied,
        Level::Satisfied,
        Level::VerySatisfied,
        Level::BasicallySatisfied,
    ];
    for (i, (department, window, staff, item)) in items.iter().cycle().take(40).enumerate() {
        let request = register::RegisterRequest {
            case_number: format!("DEMO-2026-{:05}", i + 1),
            occurrence_no: 1,
            service_item: (*item).to_owned(),
            department: (*department).to_owned(),
            window: Some(window.clone()),
            staff: Some(staff.clone()),
            channel: Channel::QrCode.as_str().to_owned(),
            evaluator_phone: None,
            // Most applicants are people; every fifth case a firm.
            evaluator_type: Some(if i % 5 == 4 { 2 } else { 1 }),
            anonymous: false,
        };
        let registered = register::register(state, system, &request).await?;
        if i % 8 == 7 {
            continue; // not every case gets rated
        }
        let (level, reasons, comment) = match i {
            13 => (
                Level::Dissatisfied,
                vec![213],
                Some("窗口人员对业务不熟悉，来回问了三次。"),
            ),
            29 => (Level::VeryDissatisfied, vec![113], None),
            _ => (levels[i % levels.len()], vec![], None),
        };
        let evaluation = NewEvaluation {
            tracking_code: crypto::random_code(10),
            level,
            catalogue_version: Catalogue::CURRENT.version,
            reasons,
            comment: comment.map(str::to_owned),
            phone_enc: level.is_bad().then(|| state.secrets.encrypt("13800138000")),
            channel: Channel::QrCode,
            device_hash: None,
            ticket: rate::ticket_for(state, level, level.is_bad()),
        };
        state
            .store
            .insert_evaluation(registered.id, &evaluation)
            .await?;
    }
    Ok(())
}

/// The first window's queue this past hour: four visits finished and unrated (its 评价率 is not
/// 100 %), one being served now, which the window's e码 rates.
async fn visit_some(
    state: &AppState,
    system: domain::ids::BusinessSystemId,
    first: Option<&(&str, String, String, &str)>,
) -> anyhow::Result<()> {
    let Some((_, window, staff, item)) = first else {
        return Ok(());
    };
    let now = now().unix_ms();
    let minute = 60_000;
    for (i, ago) in [60, 50, 40, 30, 15].into_iter().enumerate() {
        let taken = now - ago * minute;
        let request = crate::features::visit::VisitRequest {
            hall: "HALL-01".into(),
            queue_no: format!("A{:03}", i + 1),
            window: window.clone(),
            staff: Some(staff.clone()),
            service_item: Some((*item).to_owned()),
            case_number: None,
            taken_at_ms: taken,
            called_at_ms: Some(taken + 5 * minute),
            finished_at_ms: (i < 4).then_some(taken + 10 * minute),
        };
        crate::features::visit::report_visit(state, system, &request)
            .await
            .map_err(|e| anyhow::anyhow!("demo visit: {e}"))?;
    }
    Ok(())
}

/// Seeds an empty database with the demo centre (keeping its API key in the data directory), then
/// prints the demo's log-ins and links.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    let config = &state.config;
    let key_file = config.data_dir.join("demo-api-key.txt");
    if state.store.is_empty().await? {
        let key = seed(state).await?;
        std::fs::write(&key_file, &key)?;
    }
    if let Ok(key) = std::fs::read_to_string(&key_file) {
        println!("Demo business-system API key: {key}");
    }
    println!(
        "Demo staff log-in:   {}/staff/login  bdc (不动产登记 handler) or jiandu (supervisor), password {}",
        config.public_url, DEMO_PASSWORD
    );
    println!("                     chuangkou (window clerk, own ratings) or admin (administrator)");
    for (who, file) in [
        ("supervisor", "demo-supervisor-totp.txt"),
        ("administrator", "demo-admin-totp.txt"),
    ] {
        if let Ok(uri) = std::fs::read_to_string(config.data_dir.join(file)) {
            println!("Demo {who}'s authenticator (TOTP) link: {uri}");
        }
    }
    if let Some(window) = state.store.windows().await?.first() {
        println!("Rate a demo window:  {}", state.window_url(&window.ecode));
    }
    Ok(())
}
