-- 作业租约 — SQLite's 0030_job_lease.sql (main): background jobs run once across the instances
-- that share a database; each job runs only in the instance holding its lease, the
-- holder renews it while it lives, another takes it over once it has run out. (SQLite's 0029 needs
-- no counterpart: it folds `stat_evaluator` and `stat_kind` into `stat_evaluation`, one upsert per
-- scope, which `evaluation_counted` in 0001 already is, `k_*` counted with the insert for our own
-- ratings and on the later UPDATE only for a county's reported ones.)
CREATE TABLE job_lease (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    -- Unix ms after which another instance may take the lease.
    until  BIGINT NOT NULL
);
