//! Administrator commands, run from the shell: `haochaping create-account USER ROLE [DEPARTMENT]
//! [--region CODE | --hall CODE]`.
//! The password comes from `HAOCHAPING_PASSWORD` or the first line of standard input, never from
//! the command line (which other users of the machine can read).

use anyhow::{Context, bail};
use domain::{access::Role, org::Scope};

use crate::{
    AppState, Config,
    features::admin::{ByCode, Editor, ImportKind, OrgForm, OrgKind, systems},
    platform::{crypto::hash_password, db::now},
};

/// Runs the command in `args` (without the program name). `None`: no command, start the server.
pub async fn command(args: &[String]) -> Option<anyhow::Result<()>> {
    match args.first().map(String::as_str) {
        Some("create-account") => Some(create_account(&args[1..]).await),
        Some("set-holidays") => Some(set_holidays(&args[1..]).await),
        #[cfg(feature = "dev-data")]
        Some("generate") => Some(crate::dev_data::generate_command(&args[1..]).await),
        Some("rebuild-stats") => Some(rebuild_stats().await),
        Some(verb @ ("add" | "edit")) => Some(save_record(verb, &args[1..]).await),
        Some(verb @ ("deactivate" | "reactivate")) => Some(set_active(verb, &args[1..]).await),
        Some("import") => Some(import(&args[1..]).await),
        Some("add-business-system") => Some(add_business_system(&args[1..]).await),
        Some("rotate-key") => Some(rotate_key(&args[1..]).await),
        Some("revoke-key") => Some(revoke_key(&args[1..]).await),
        Some("set-callback") => Some(set_callback(&args[1..]).await),
        Some("erase") => Some(erase(&args[1..]).await),
        Some("add-upward") => Some(add_upward(&args[1..]).await),
        Some("reconcile") => Some(reconcile(&args[1..]).await),
        Some("set-opinion-department") => Some(set_opinion_department(&args[1..]).await),
        Some("backup") => Some(backup(&args[1..]).await),
        Some(other) => Some(Err(anyhow::anyhow!(
            "unknown command {other:?}; known: create-account, set-holidays, generate, rebuild-stats, \
             add, edit, deactivate, reactivate, import, add-business-system, rotate-key, revoke-key, \
             set-callback, erase, add-upward, reconcile, set-opinion-department, backup"
        ))),
        None => None,
    }
}

/// `haochaping backup FILE` — a consistent copy of the database while the server runs (see
/// `platform::db::backup`); restoring is copying it back while the server is stopped (README).
async fn backup(args: &[String]) -> anyhow::Result<()> {
    let [dest] = args else {
        bail!("usage: haochaping backup FILE");
    };
    let config = Config::from_env()?;
    let evaluations = crate::platform::db::backup(&config.database_url, dest.as_ref()).await?;
    println!("backup written to {dest}: {evaluations} evaluations, integrity ok");
    Ok(())
}

/// `haochaping set-opinion-department CODE` — the department that receives a 综合点评 naming none
/// (usually the centre's own office); until it is set, the public form asks for a department.
async fn set_opinion_department(args: &[String]) -> anyhow::Result<()> {
    let [code] = args else {
        bail!("usage: haochaping set-opinion-department DEPARTMENT-CODE");
    };
    let state = AppState::open(Config::from_env()?).await?;
    state
        .store
        .id_by_code::<domain::ids::DepartmentId>(code)
        .await?
        .with_context(|| format!("no open department has code {code:?}"))?;
    state.store.set_opinion_department(code).await?;
    println!("综合点评 naming no department go to {code}");
    Ok(())
}

/// `haochaping erase TRACKING-CODE REASON…` — 个人信息删除: the phone numbers and own words of the
/// rating or complaint with that tracking code are erased; the rating and the figures stay.
async fn erase(args: &[String]) -> anyhow::Result<()> {
    use crate::features::admin::erasure::Erased;
    let [code, reason @ ..] = args else {
        bail!("usage: haochaping erase TRACKING-CODE REASON (why: the request, its date)");
    };
    let reason = reason.join(" ");
    if reason.trim().is_empty() || reason.chars().count() > 200 {
        bail!("give the reason (the request and its date), at most 200 characters");
    }
    let state = AppState::open(Config::from_env()?).await?;
    match state
        .store
        .erase_personal_data(code, reason.trim(), None)
        .await?
    {
        Erased::Evaluation(_) => println!("erased: the rating's phone numbers and words"),
        Erased::Complaint(_) => println!("erased: the complaint's phone number and description"),
        Erased::Already => println!("already erased"),
        Erased::NotFound => bail!("no rating or complaint has tracking code {code:?}"),
    }
    Ok(())
}

/// What `create-account` was given after the user name and role: a department code, and a
/// supervisor's or administrator's scope (`--region CODE` or `--hall CODE`).
#[derive(Debug, Default)]
struct AccountArgs<'a> {
    department: Option<&'a str>,
    region: Option<&'a str>,
    hall: Option<&'a str>,
}

impl<'a> AccountArgs<'a> {
    fn parse(rest: &'a [String]) -> anyhow::Result<Self> {
        let mut parsed = AccountArgs::default();
        let mut args = rest.iter().map(String::as_str);
        while let Some(arg) = args.next() {
            let slot = match arg {
                "--region" => &mut parsed.region,
                "--hall" => &mut parsed.hall,
                flag if flag.starts_with("--") => bail!("unknown option {flag:?}"),
                _ => &mut parsed.department,
            };
            let value = if arg.starts_with("--") {
                args.next().with_context(|| format!("{arg} needs a code"))?
            } else {
                arg
            };
            if slot.replace(value).is_some() {
                bail!("{arg} given twice");
            }
        }
        if parsed.region.is_some() && parsed.hall.is_some() {
            bail!("give --region or --hall, not both");
        }
        Ok(parsed)
    }
}

/// The scope named by `--region` or `--hall`, checked for the role.
async fn account_scope(
    state: &AppState,
    args: &AccountArgs<'_>,
    role: Role,
) -> anyhow::Result<Scope> {
    let scope = match (args.region, args.hall) {
        (Some(code), _) => state
            .store
            .region_scope(code)
            .await?
            .with_context(|| format!("unknown region {code:?}"))?,
        (None, Some(code)) => state
            .store
            .hall_scope(code)
            .await?
            .with_context(|| format!("unknown hall {code:?}"))?,
        (None, None) => Scope::All,
    };
    scope.check_role(role)?;
    Ok(scope)
}

async fn create_account(args: &[String]) -> anyhow::Result<()> {
    let [username, role, rest @ ..] = args else {
        bail!(
            "usage: haochaping create-account USER ROLE [DEPARTMENT-CODE] [--region CODE | --hall CODE]  (ROLE: window_staff, handler, supervisor, admin; a region or hall scopes a supervisor or administrator)"
        );
    };
    let role = Role::parse(role).with_context(|| format!("unknown role {role:?}"))?;
    let rest = AccountArgs::parse(rest)?;
    let password = match std::env::var("HAOCHAPING_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    domain::access::check_password(&password)?;
    let state = AppState::open(Config::from_env()?).await?;
    let department = match rest.department {
        Some(code) => Some(
            state
                .store
                .id_by_code::<domain::ids::DepartmentId>(code)
                .await?
                .with_context(|| format!("unknown department {code:?}"))?,
        ),
        None if matches!(role, Role::Handler | Role::WindowStaff) => {
            bail!("a {} needs a department code", role.as_str())
        }
        None => None,
    };
    let scope = account_scope(&state, &rest, role).await?;
    let totp = role
        .needs_second_factor()
        .then(|| crate::platform::auth::new_totp(&state, username));
    let sealed = totp.as_ref().map(|(sealed, _)| sealed.as_slice());
    let hash = hash_password(&password);
    let id = state
        .store
        .insert_account_with_totp(username, &hash, (role, department, scope), sealed)
        .await?;
    println!(
        "account {username} ({}) created with id {id}",
        role.as_str()
    );
    if let Some((_, uri)) = totp {
        println!("second factor: add this link to an authenticator app (shown once): {uri}");
    }
    Ok(())
}

/// `haochaping set-holidays YEAR OFF WORKED`: enters a year's official schedule, e.g.
/// `set-holidays 2027 "2027-01-01,2027-02-06..2027-02-12" "2027-02-14"`. Running servers pick it up
/// when restarted.
async fn set_holidays(args: &[String]) -> anyhow::Result<()> {
    let [year, off, worked] = args else {
        bail!(
            "usage: haochaping set-holidays YEAR DAYS-OFF WEEKEND-DAYS-WORKED (comma-separated YYYY-MM-DD or ranges a..b)"
        );
    };
    let year: i32 = year
        .parse()
        .with_context(|| format!("{year:?} is not a year"))?;
    let schedule = domain::calendar::YearSchedule::parse(year, off, worked)?;
    let state = AppState::open(Config::from_env()?).await?;
    state
        .store
        .set_holiday_year(None, year, off, worked)
        .await?;
    println!(
        "{year}: {} days off and {} weekend days worked entered; restart the server to use them",
        schedule.holidays.len(),
        schedule.adjusted_workdays.len()
    );
    Ok(())
}

/// `haochaping rebuild-stats`: recomputes every published aggregate from the ratings.
async fn rebuild_stats() -> anyhow::Result<()> {
    let state = AppState::open(Config::from_env()?).await?;
    let started = std::time::Instant::now();
    state.store.rebuild_stats().await?;
    println!("aggregates recomputed in {:.0?}", started.elapsed());
    Ok(())
}

/// `haochaping add KIND FIELD=VALUE...` and `haochaping edit KIND FIELD=VALUE...`: the organisation
/// page's form from the shell, with the same field names, e.g.
/// `add region code=341125 name=示范县`, `add hall code=H1 name=示范县政务服务中心 hall_kind=centre
/// region=341125`, `add department code=BDC name=县不动产登记中心 region=341125`,
/// `add window hall=H1 number=A01 name=不动产登记 department=BDC`, `add staff code=S001 name=王芳
/// department=BDC window=H1-A01`, `add service_item code=... name=... department=BDC
/// item_type=licensing`. Audited as the shell's.
async fn save_record(verb: &str, args: &[String]) -> anyhow::Result<()> {
    let form = org_form(verb, args)?;
    let kind = form.kind.clone();
    let (record, mode) = form.record()?;
    let state = AppState::open(Config::from_env()?).await?;
    let saved = state
        .store
        .save_org_record(Editor::SHELL, record, mode)
        .await?;
    println!("{kind}: {saved:?}");
    Ok(())
}

/// The organisation form that `add`/`edit KIND FIELD=VALUE...` describes.
fn org_form(verb: &str, args: &[String]) -> anyhow::Result<OrgForm> {
    let Some((kind, fields)) = args.split_first() else {
        bail!(
            "usage: haochaping {verb} KIND FIELD=VALUE...  (KIND: region, hall, department, window, staff, service_item)"
        );
    };
    let mut form = OrgForm {
        kind: kind.clone(),
        mode: if verb == "edit" { "edit" } else { "new" }.to_owned(),
        ..OrgForm::default()
    };
    for field in fields {
        let (name, value) = field
            .split_once('=')
            .with_context(|| format!("{field:?} is not FIELD=VALUE"))?;
        let slot = match name {
            "code" => &mut form.code,
            "name" => &mut form.name,
            "parent" => &mut form.parent,
            "region" => &mut form.region,
            "hall" => &mut form.hall,
            "department" => &mut form.department,
            "window" => &mut form.window,
            "number" => &mut form.number,
            "hall_kind" => &mut form.hall_kind,
            "item_type" => &mut form.item_type,
            "credit_code" => &mut form.credit_code,
            "address" => &mut form.address,
            "hours" => &mut form.hours,
            other => bail!("unknown field {other:?}"),
        };
        *slot = value.to_owned();
    }
    Ok(form)
}

/// `haochaping deactivate KIND CODE` / `haochaping reactivate KIND CODE`.
async fn set_active(verb: &str, args: &[String]) -> anyhow::Result<()> {
    let [kind, code] = args else {
        bail!(
            "usage: haochaping {verb} KIND CODE  (KIND: hall, department, window, staff, service_item)"
        );
    };
    let kind = OrgKind::parse(kind).with_context(|| format!("unknown kind {kind:?}"))?;
    let state = AppState::open(Config::from_env()?).await?;
    let active = verb == "reactivate";
    let changed = state
        .store
        .set_org_active(Editor::SHELL, kind, code, active)
        .await?;
    println!(
        "{} {code}: {}",
        kind.as_str(),
        if changed { verb } else { "unchanged" }
    );
    Ok(())
}

/// `haochaping import items|staff FILE [--check]`: the 实施清单 or the staff roster from XLSX or CSV,
/// in one transaction; `--check` writes nothing and lists every row's problem.
async fn import(args: &[String]) -> anyhow::Result<()> {
    let [kind, file, rest @ ..] = args else {
        bail!("usage: haochaping import items|staff FILE.xlsx|FILE.csv [--check]");
    };
    let kind = ImportKind::parse(kind).with_context(|| format!("unknown import {kind:?}"))?;
    let write = !rest.iter().any(|a| a == "--check");
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
    let state = AppState::open(Config::from_env()?).await?;
    let report = state
        .store
        .import_org(Editor::SHELL, kind, &bytes, write)
        .await?;
    for problem in &report.problems {
        println!("row {}: {}", problem.row, problem.message);
    }
    println!(
        "{} rows: {} new, {} updated, {} unchanged, {} with problems; {}",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.problems.len(),
        if report.written {
            "written"
        } else {
            "nothing written"
        }
    );
    if !report.problems.is_empty() {
        bail!("the file has problems; nothing was written");
    }
    Ok(())
}

/// `haochaping add-business-system NAME [--origin URL]... [--region CODE]... [--department CODE]...`:
/// registers a business system that may be framed by the origins and register cases of the regions
/// (with everything under them) and departments; prints its API key once.
async fn add_business_system(args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str = "usage: haochaping add-business-system NAME [--origin URL]... \
                         [--region CODE]... [--department CODE]... (at least one region or department)";
    let [name, options @ ..] = args else {
        bail!(USAGE);
    };
    let state = AppState::open(Config::from_env()?).await?;
    let (mut origins, mut regions, mut departments) = (Vec::new(), Vec::new(), Vec::new());
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options
            .next()
            .with_context(|| format!("{option} needs a value; {USAGE}"))?;
        match option.as_str() {
            "--origin" => origins.push(value.as_str()),
            "--region" => regions.push(by_code(&state, "region", value).await?),
            "--department" => departments.push(by_code(&state, "department", value).await?),
            other => bail!("unknown option {other:?}; {USAGE}"),
        }
    }
    let form = systems::SystemForm {
        name,
        origins: &origins.join(" "),
        regions,
        departments,
    };
    let new = systems::register_system(&state, systems::By::Shell, form, now()).await?;
    println!("business system {name:?} registered with id {}", new.system);
    println!("API key (shown once, only its hash is kept): {}", new.key);
    Ok(())
}

async fn by_code<I: ByCode>(state: &AppState, what: &str, code: &str) -> anyhow::Result<I> {
    state
        .store
        .id_by_code::<I>(code)
        .await?
        .with_context(|| format!("unknown {what} code {code:?}"))
}

/// `haochaping rotate-key SYSTEM-ID [OVERLAP-DAYS]`: a new key for the system, printed once; its
/// other keys keep working for the overlap (default 7 days, 0 to 90).
async fn rotate_key(args: &[String]) -> anyhow::Result<()> {
    let (system, overlap) = match args {
        [system] => (system, "7"),
        [system, days] => (system, days.as_str()),
        _ => bail!("usage: haochaping rotate-key SYSTEM-ID [OVERLAP-DAYS (0 to 90, default 7)]"),
    };
    let system = system
        .parse()
        .with_context(|| format!("{system:?} is not a business system id"))?;
    let state = AppState::open(Config::from_env()?).await?;
    let new = systems::rotate_key(&state, systems::By::Shell, system, overlap, now()).await?;
    println!(
        "new API key {} (shown once, only its hash is kept): {}",
        new.key_id, new.key
    );
    println!("the system's other keys keep working for {overlap} days");
    Ok(())
}

/// `haochaping set-callback SYSTEM-ID URL`: where the system (a 12345 or website platform that
/// refers work orders) hears of its tickets' status changes; prints the new signing secret once.
async fn set_callback(args: &[String]) -> anyhow::Result<()> {
    let [system, url] = args else {
        bail!("usage: haochaping set-callback SYSTEM-ID URL (http:// or https://)");
    };
    let system = system
        .parse()
        .with_context(|| format!("{system:?} is not a business system id"))?;
    let state = AppState::open(Config::from_env()?).await?;
    let secret = crate::features::referral::set_callback(&state, None, system, url).await?;
    println!("status changes of its referred tickets go to {url}");
    println!(
        "signing secret (shown once, kept sealed): {secret}\n\
         each request carries X-Hcp-Timestamp (unix seconds) and X-Hcp-Signature: \
         hmac-sha256=<hex of HMAC-SHA256(secret, timestamp + \"\\n\" + body)>"
    );
    Ok(())
}

/// `haochaping revoke-key KEY-ID`: the key stops working at once.
async fn revoke_key(args: &[String]) -> anyhow::Result<()> {
    let [key] = args else {
        bail!("usage: haochaping revoke-key KEY-ID (the id the administration page lists)");
    };
    let key = key
        .parse()
        .with_context(|| format!("{key:?} is not a key id"))?;
    let state = AppState::open(Config::from_env()?).await?;
    systems::revoke_key(&state, systems::By::Shell, key, now()).await?;
    println!("key {key} revoked");
    Ok(())
}

/// `haochaping add-upward NAME URL MAPPING [--sign hmac-sha256|hmac-sm3] [--source TEXT]`: a
/// platform records are reported to (MAPPING: haochaping for a haochaping province, given by its
/// base URL; provincial for the common provincial interface). The key the target issued comes
/// from `HAOCHAPING_UPWARD_KEY` or the first line of standard input, and is kept sealed.
async fn add_upward(args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str =
        "usage: haochaping add-upward NAME URL MAPPING [--sign METHOD] [--source TEXT]";
    let [name, url, mapping, options @ ..] = args else {
        bail!(USAGE);
    };
    let (mut sign, mut source) = ("hmac-sha256".to_owned(), "haochaping".to_owned());
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options
            .next()
            .with_context(|| format!("{option} needs a value; {USAGE}"))?;
        match option.as_str() {
            "--sign" => sign.clone_from(value),
            "--source" => source.clone_from(value),
            other => bail!("unknown option {other:?}; {USAGE}"),
        }
    }
    let key = match std::env::var("HAOCHAPING_UPWARD_KEY") {
        Ok(key) => key,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line
        }
    };
    let state = AppState::open(Config::from_env()?).await?;
    let form = crate::features::upward::TargetForm {
        name,
        url,
        mapping,
        sign_method: &sign,
        key: key.trim(),
        data_source: &source,
    };
    let id = crate::features::upward::add_target(&state, &form).await?;
    println!(
        "upward target {name:?} added with id {id}: every record from the first is sent to it"
    );
    Ok(())
}

/// `haochaping reconcile [YYYYMMDD]`: compares that day's (default yesterday's) ratings by level
/// and channel with every target that can say what it holds; prints the differences.
async fn reconcile(args: &[String]) -> anyhow::Result<()> {
    let day = match args {
        [] => now().minus_days(1).date_cst(),
        [day] => day
            .parse()
            .ok()
            .and_then(crate::features::upward::date_of)
            .with_context(|| format!("{day:?} is not a day YYYYMMDD"))?,
        _ => bail!("usage: haochaping reconcile [YYYYMMDD]"),
    };
    let state = AppState::open(Config::from_env()?).await?;
    for target in crate::features::upward::reconcile(&state, day).await? {
        let differences: Vec<_> = target.differences().collect();
        println!(
            "{}: {} {} rows compared, {} differ",
            day.yyyymmdd(),
            target.target,
            target.rows.len(),
            differences.len()
        );
        for (level, channel, ours, theirs) in differences {
            println!("  level {level} {channel}: ours {ours}, theirs {theirs}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::admin::{OrgRecord, SaveMode};
    use domain::org::HallKind;

    fn args(text: &[&str]) -> Vec<String> {
        text.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_shell_describes_a_record_with_the_form_s_field_names() {
        let form = org_form(
            "add",
            &args(&[
                "hall",
                "code=H1",
                "name=示范县政务服务中心",
                "hall_kind=centre",
                "region=341125",
            ]),
        )
        .unwrap();
        let (record, mode) = form.record().unwrap();
        assert_eq!(mode, SaveMode::New);
        assert_eq!(
            record,
            OrgRecord::Hall {
                code: "H1".into(),
                name: "示范县政务服务中心".into(),
                hall_kind: HallKind::Centre,
                region: "341125".into(),
                address: String::new(),
                hours: String::new(),
            }
        );
        let (_, mode) = org_form("edit", &args(&["region", "code=341125", "name=x"]))
            .unwrap()
            .record()
            .unwrap();
        assert_eq!(mode, SaveMode::Edit);
        assert!(org_form("add", &args(&["hall", "colour=red"])).is_err());
        assert!(org_form("add", &args(&["hall", "code"])).is_err());
        assert!(org_form("add", &[]).is_err());
    }

    #[test]
    fn create_account_reads_a_department_and_one_scope() {
        let given = args(&["BDC"]);
        let parsed = AccountArgs::parse(&given).unwrap();
        assert_eq!(
            (parsed.department, parsed.region, parsed.hall),
            (Some("BDC"), None, None)
        );
        let given = args(&["--region", "341125101"]);
        let parsed = AccountArgs::parse(&given).unwrap();
        assert_eq!(
            (parsed.department, parsed.region),
            (None, Some("341125101"))
        );
        let given = args(&["--hall", "H2"]);
        assert_eq!(AccountArgs::parse(&given).unwrap().hall, Some("H2"));
        for bad in [
            &["--region"][..],
            &["--region", "1", "--hall", "H2"],
            &["--town", "1"],
            &["BDC", "GA"],
        ] {
            assert!(AccountArgs::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
