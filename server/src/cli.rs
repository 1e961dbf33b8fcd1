//! Administrator commands, run from the shell: `haochaping create-account USER ROLE [DEPARTMENT]
//! [--region CODE | --hall CODE]`.
//! The password comes from `HAOCHAPING_PASSWORD` or the first line of standard input, never from
//! the command line (which other users of the machine can read).

use anyhow::{Context, bail};
use domain::{access::Role, org::Scope};

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

#[cfg(test)]
mod tests {
    use super::AccountArgs;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
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
