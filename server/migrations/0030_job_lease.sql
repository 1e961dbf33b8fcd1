-- 作业租约 — background jobs run once across the instances that share a database: each job (the
-- minute timer, the upward reporter, the referral callbacks and 12345 forwarding) runs only in the
-- instance holding its lease; the holder renews it while it lives, another takes it over once it
-- has run out (a stopped or killed instance).
CREATE TABLE job_lease (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    -- Unix ms after which another instance may take the lease.
    until  INTEGER NOT NULL
);
