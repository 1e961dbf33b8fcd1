//! Development data, built only with the `dev-data` feature: the demo county centre and the bulk
//! generator of a province-like year. Never part of a production build.

pub mod demo;
mod generate;

pub use generate::{GenerateSpec, Generated};

use anyhow::{Context, bail};

use crate::{AppState, Config};

/// `haochaping generate RATINGS`: fills the database with a province-like year (load tests and
/// benchmarks only; never on a production database).
pub async fn generate_command(args: &[String]) -> anyhow::Result<()> {
    let [ratings] = args else {
        bail!("usage: haochaping generate RATINGS   (e.g. 10000000 for a province-like year)");
    };
    let ratings: i64 = ratings
        .parse()
        .with_context(|| format!("{ratings:?} is not a number"))?;
    let state = AppState::open(Config::from_env()?).await?;
    let started = std::time::Instant::now();
    let generated = state
        .store
        .generate(GenerateSpec::province(ratings), bad_reason_codes())
        .await?;
    println!(
        "generated {} ratings ({} 差评) of {} occurrences at {} windows in {:.0?}",
        generated.ratings,
        generated.bad,
        generated.occurrences,
        generated.windows,
        started.elapsed()
    );
    Ok(())
}

/// A reason of 非常不满意 and one of 不满意 from the current catalogue.
pub fn bad_reason_codes() -> (i64, i64) {
    let first = |level| {
        domain::Catalogue::CURRENT
            .for_level(level)
            .next()
            .map_or(0, |r| i64::from(r.code))
    };
    (
        first(domain::Level::VeryDissatisfied),
        first(domain::Level::Dissatisfied),
    )
}
