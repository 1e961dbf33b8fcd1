//! Administrator commands, run from the shell: `haochaping create-account USER ROLE [DEPARTMENT]`.
//! The password comes from `HAOCHAPING_PASSWORD` or the first line of standard input, never from
//! the command line (which other users of the machine can read).

use anyhow::{Context, bail};
use domain::access::Role;

use crate::{AppState, Config, platform::crypto::hash_password};

/// Runs the command in `args` (without the program name). `None`: no command, start the server.
pub async fn command(args: &[String]) -> Option<anyhow::Result<()>> {
    match args.first().map(String::as_str) {
        Some("create-account") => Some(create_account(&args[1..]).await),
        Some("set-holidays") => Some(set_holidays(&args[1..]).await),
        #[cfg(feature = "dev-data")]
        Some("generate") => Some(crate::dev_data::generate_command(&args[1..]).await),
        Some("rebuild-stats") => Some(rebuild_stats().await),
        Some(other) => Some(Err(anyhow::anyhow!(
            "unknown command {other:?}; known: create-account, set-holidays, generate, rebuild-stats"
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
