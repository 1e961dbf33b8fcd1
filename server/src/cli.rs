//! Administrator commands, run from the shell: `haochaping create-account USER ROLE [DEPARTMENT]`.
//! The password comes from `HAOCHAPING_PASSWORD` or the first line of standard input, never from
//! the command line (which other users of the machine can read).

use anyhow::{Context, bail};
use domain::access::Role;

use crate::{
    AppState, Config,
    features::admin::{ByCode, systems},
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
        Some("add-business-system") => Some(add_business_system(&args[1..]).await),
        Some("rotate-key") => Some(rotate_key(&args[1..]).await),
        Some("revoke-key") => Some(revoke_key(&args[1..]).await),
        Some(other) => Some(Err(anyhow::anyhow!(
            "unknown command {other:?}; known: create-account, set-holidays, generate, rebuild-stats, \
             add-business-system, rotate-key, revoke-key"
        ))),
        None => None,
    }
}

async fn create_account(args: &[String]) -> anyhow::Result<()> {
    let [username, role, rest @ ..] = args else {
        bail!(
            "usage: haochaping create-account USER ROLE [DEPARTMENT-CODE]  (ROLE: window_staff, handler, supervisor, admin)"
        );
    };
    let role = Role::parse(role).with_context(|| format!("unknown role {role:?}"))?;
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
    let department = match rest.first() {
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
    let totp = role
        .needs_second_factor()
        .then(|| crate::platform::auth::new_totp(&state, username));
    let sealed = totp.as_ref().map(|(sealed, _)| sealed.as_slice());
    let hash = hash_password(&password);
    let id = state
        .store
        .insert_account_with_totp(username, &hash, role, department, sealed)
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
