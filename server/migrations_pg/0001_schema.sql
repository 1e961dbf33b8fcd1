-- The PostgreSQL schema: what server/migrations/0001…0028 leave in SQLite, in one step. Numbered on
-- its own; a later change to the product's schema lands in both folders (here as 0002, …). The
-- contract test (tests/tests/all/postgres.rs) runs the same writes on both backends and compares
-- every aggregate row for row.
--
-- Types. Every SQLite INTEGER is BIGINT (sqlx reads SQLite integers as i64, and the domain's
-- column types — `Timestamp` (unix ms), `Month` (YYYYMM), `Level`, the ids — are i64), apart from
-- the stored flags the server reads as `bool` (ticket.real_name, ticket.escalated,
-- service_occurrence.anonymous, return_visit.reached/substantiated/reasonable,
-- reason_catalogue.core): BOOLEAN. Counts computed from booleans stay integers (`flag()`). BLOB is
-- BYTEA; row ids are identities (by default, so that explicit ids still go in).
--
-- Counters without a hot row. SQLite has one writer, so each aggregate keeps one row per key
-- (`stat` per scope, scope id and month, …) and every rating of a province adds to the same
-- ('all', 0, month) row. Here many transactions commit at once and a row lock is held to the end
-- of its transaction, so one row per key would serialise every rating of a province (and every
-- rating of a department on its department row). So each counter table `<name>_shard` has a
-- `shard SMALLINT` in its primary key, and a view with the SQLite table's name and columns sums
-- over the shards: readers run the same SQL on both backends.
-- - A transaction adds to the rows of one shard, `stat_shard()`: its connection's backend pid
--   modulo `haochaping.stat_shards` (default 16; `SET haochaping.stat_shards = 1` gives the single
--   hot row, which the contention benchmark measures against). Fixed per connection, so that one
--   transaction never holds rows of two shards of the same key (no lock cycle between two
--   writers), and a pool's connections spread over the shards.
-- - Every trigger writes its rows in one order (ORDER BY scope), and every transaction takes the
--   counter tables in one order: stat, stat_channel, stat_hour, stat_day, stat_walk_in,
--   stat_voice, stat_reason, stat_complaint. So concurrent writers wait for each other, never
--   deadlock.
-- - Taking a rating out (an upheld appeal) adds negative counts to the writer's own shard: the
--   sums are what SQLite's UPDATE leaves. Like that UPDATE it touches only keys that exist (in
--   some shard) — a key it cannot find stays absent on both backends.
-- - A shard's row may hold negative counts; only the sums are figures. A rebuild (to come)
--   writes shard 0.
-- - The shard count is read at each write, and readers sum whatever shards exist, so it can change
--   at any time: `ALTER DATABASE … SET haochaping.stat_shards = 64` where more connections write
--   at once (`bench pg-contention`, 64 connections on 2 cores: one row ~500 ratings/s, p99 ~650 ms;
--   16 shards ~2,700/s, p99 ~85 ms; 64 shards ~3,400/s, p99 ~65 ms).
-- - One transaction adding to the same row thousands of times walks its own ever longer chain of
--   row versions (quadratic): bulk loads go in small transactions, or without the triggers and
--   then rebuild the counts.
--
-- Triggers. One PL/pgSQL function per table and event does what SQLite's triggers on it do (each
-- part names the SQLite trigger it stands for), in the order above. Differences, none visible
-- in the results:
-- - `evaluation.kind` is derived in a BEFORE INSERT trigger (SQLite: an UPDATE after the insert,
--   which then counts `stat.k_*`), so a rating is written once; its `k_*` are counted with the
--   insert. An explicit kind is accepted only for a province's received ('reported') occurrence,
--   whose kind the county gives (later, by UPDATE, which counts as in SQLite); no path of ours
--   inserts one for its own ratings.
-- - Statement-level semantics of multi-row INSERTs differ (PostgreSQL runs AFTER ROW triggers
--   at the end of the statement); the product inserts these rows one per statement.
-- - Timestamps the database takes itself (the outbox's `created_at`) are `clock_timestamp()`.

-- Helpers ---------------------------------------------------------------------------------------

-- 1 or 0 for a condition, 0 for NULL: SQLite's booleans as counts.
CREATE FUNCTION flag(b BOOLEAN) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN b THEN 1 ELSE 0 END $$;

-- China time (UTC+8, no daylight saving) of unix milliseconds, as SQLite's
-- strftime(…, ms / 1000 + 28800, 'unixepoch') sees it.
CREATE FUNCTION china_time(ms BIGINT) RETURNS TIMESTAMP
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT TIMESTAMP '1970-01-01' + (ms / 1000 + 28800) * INTERVAL '1 second'
$$;

-- YYYYMM, YYYYMMDD, 0 (Sunday) … 6 and 0 … 23 of unix milliseconds in China time.
CREATE FUNCTION china_month(ms BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(year FROM china_time(ms)) * 100 + extract(month FROM china_time(ms)))::BIGINT
$$;
CREATE FUNCTION china_day(ms BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(year FROM china_time(ms)) * 10000 + extract(month FROM china_time(ms)) * 100
            + extract(day FROM china_time(ms)))::BIGINT
$$;
CREATE FUNCTION china_weekday(ms BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT extract(dow FROM china_time(ms))::BIGINT $$;
CREATE FUNCTION china_hour(ms BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT extract(hour FROM china_time(ms))::BIGINT $$;

-- Now, in unix milliseconds.
CREATE FUNCTION unix_ms_now() RETURNS BIGINT
LANGUAGE sql VOLATILE AS $$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;

-- The counter shard this connection writes (see the header).
CREATE FUNCTION stat_shard() RETURNS SMALLINT
LANGUAGE sql STABLE AS $$
    SELECT (pg_backend_pid() % greatest(1, coalesce(
        nullif(current_setting('haochaping.stat_shards', true), '')::INTEGER, 16)))::SMALLINT
$$;

-- A trigger function that refuses the change with the message given as its argument.
CREATE FUNCTION refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

-- The organisation (0001, 0011, 0018) ----------------------------------------------------------

CREATE TABLE region (
    id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    -- 行政区划代码, at most 9 digits (GB/T 39046).
    code      TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 9),
    name      TEXT NOT NULL,
    parent_id BIGINT REFERENCES region (id)
);

CREATE TABLE department (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region_id      BIGINT NOT NULL REFERENCES region (id),
    parent_id      BIGINT REFERENCES department (id),
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    credit_code    TEXT,
    deactivated_at BIGINT
);
CREATE INDEX department_region ON department (region_id);
CREATE UNIQUE INDEX department_credit_code ON department (credit_code) WHERE credit_code IS NOT NULL;

CREATE TABLE hall (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region_id      BIGINT NOT NULL REFERENCES region (id),
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'centre' CHECK (kind IN ('centre', 'branch', 'township')),
    hours          TEXT NOT NULL DEFAULT '',
    deactivated_at BIGINT
);

CREATE TABLE service_window (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    hall_id        BIGINT NOT NULL REFERENCES hall (id),
    department_id  BIGINT NOT NULL REFERENCES department (id),
    code           TEXT NOT NULL UNIQUE,
    number         TEXT NOT NULL,
    name           TEXT NOT NULL,
    ecode          TEXT NOT NULL UNIQUE,
    deactivated_at BIGINT
);
CREATE INDEX window_department ON service_window (department_id);

CREATE TABLE staff (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES department (id),
    window_id      BIGINT REFERENCES service_window (id),
    staff_no       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    deactivated_at BIGINT
);
CREATE INDEX staff_window ON staff (window_id);

CREATE TABLE service_item (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES department (id),
    code           TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 24),
    name           TEXT NOT NULL,
    item_type      TEXT NOT NULL DEFAULT 'public_service'
        CHECK (item_type IN ('licensing', 'payment', 'confirmation', 'levy', 'reward', 'ruling',
                             'other_power', 'public_service')),
    deactivated_at BIGINT
);
CREATE INDEX item_department ON service_item (department_id);

-- Business systems and their keys (0002, 0011, 0024, 0028) ------------------------------------

CREATE TABLE business_system (
    id                   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name                 TEXT NOT NULL,
    api_key_hash         BYTEA NOT NULL UNIQUE,
    frame_origins        TEXT NOT NULL DEFAULT '',
    created_at           BIGINT NOT NULL,
    callback_url         TEXT,
    callback_secret_enc  BYTEA,
    callback_sign_method TEXT NOT NULL DEFAULT 'hmac-sha256'
        CHECK (callback_sign_method IN ('hmac-sha256', 'hmac-sm3', 'sm2'))
);

CREATE TABLE api_key (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    business_system_id BIGINT NOT NULL REFERENCES business_system (id),
    key_hash           BYTEA NOT NULL UNIQUE,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT,
    revoked_at         BIGINT
);
CREATE INDEX api_key_system ON api_key (business_system_id);

CREATE TABLE business_system_grant (
    business_system_id BIGINT NOT NULL REFERENCES business_system (id),
    region_id          BIGINT REFERENCES region (id),
    department_id      BIGINT REFERENCES department (id),
    CHECK ((region_id IS NULL) <> (department_id IS NULL))
);
CREATE UNIQUE INDEX business_system_grant_unique
    ON business_system_grant (business_system_id, coalesce(region_id, 0), coalesce(department_id, 0));

-- Staff accounts, sessions, the audit log (0004, 0018, 0026) -----------------------------------

CREATE TABLE account (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; the password itself is never stored.
    password_hash   TEXT NOT NULL,
    -- 'inspector': 监督查评 — a supervising body's inspector, scoped by region or hall.
    role            TEXT NOT NULL
        CHECK (role IN ('window_staff', 'handler', 'supervisor', 'inspector', 'admin')),
    department_id   BIGINT REFERENCES department (id),
    -- The TOTP secret of a supervisor or administrator (second factor), AEAD-encrypted.
    totp_secret_enc BYTEA,
    -- Failed log-ins in a row, and the lock-out they caused.
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL,
    staff_id        BIGINT REFERENCES staff (id),
    region_id       BIGINT REFERENCES region (id),
    hall_id         BIGINT REFERENCES hall (id),
    last_failed_at  BIGINT,
    totp_last_step  BIGINT,
    disabled_at     BIGINT
);

CREATE TABLE session (
    token_hash BYTEA PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account (id),
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_expiry ON session (expires_at);

CREATE TABLE audit_log (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    account_id BIGINT REFERENCES account (id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT,
    before     TEXT,
    after      TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, action, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse('the audit log is append-only');
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse('the audit log is append-only');

-- Settings and the calendar (0005, 0007, 0010) --------------------------------------------------

CREATE TABLE holiday_year (
    year       BIGINT PRIMARY KEY,
    -- Comma-separated dates or ranges (YYYY-MM-DD..YYYY-MM-DD) of days off.
    off_days   TEXT NOT NULL,
    -- Comma-separated weekend dates that are worked (调休).
    work_days  TEXT NOT NULL,
    entered_at BIGINT NOT NULL
);

CREATE TABLE setting (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Occurrences and evaluations (0002, 0014, 0019, 0020, 0022, 0023, 0026) -----------------------

CREATE TABLE reason_catalogue (
    version  BIGINT NOT NULL,
    code     BIGINT NOT NULL,
    level    BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    core     BOOLEAN NOT NULL,
    PRIMARY KEY (version, code)
);

-- 服务 — one occurrence of a case (办件编号 + 评价次数), or one window visit rated by its e码.
CREATE TABLE service_occurrence (
    id                  BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_number         TEXT NOT NULL CHECK (length(case_number) BETWEEN 1 AND 50),
    occurrence_no       BIGINT NOT NULL CHECK (occurrence_no >= 1),
    service_item_id     BIGINT REFERENCES service_item (id),
    department_id       BIGINT NOT NULL REFERENCES department (id),
    window_id           BIGINT REFERENCES service_window (id),
    staff_id            BIGINT REFERENCES staff (id),
    channel             TEXT NOT NULL,
    business_system_id  BIGINT REFERENCES business_system (id),
    -- Evaluator's phone, AEAD-encrypted (key id || nonce || ciphertext); never stored in the clear.
    evaluator_phone_enc BYTEA,
    registered_at       BIGINT NOT NULL,
    evaluator_type      BIGINT CHECK (evaluator_type BETWEEN 1 AND 6),
    anonymous           BOOLEAN NOT NULL DEFAULT FALSE,
    -- 'reported': a county's rated occurrence received by a province (only rated ones arrive, so
    -- they are no occurrences of 评价率's denominator). 'general' (综合点评) and 'inspection'
    -- (监督查评): the subject of one such evaluation, counted apart.
    kind                TEXT NOT NULL DEFAULT 'case'
        CHECK (kind IN ('case', 'visit', 'walk_in', 'reported', 'general', 'inspection'))
);
CREATE UNIQUE INDEX occurrence_case_unique
    ON service_occurrence (coalesce(business_system_id, 0), case_number, occurrence_no);
CREATE INDEX occurrence_window ON service_occurrence (window_id);
CREATE INDEX occurrence_staff ON service_occurrence (staff_id);
CREATE INDEX occurrence_registered ON service_occurrence (registered_at);

CREATE TABLE evaluation (
    id                   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    occurrence_id        BIGINT NOT NULL REFERENCES service_occurrence (id),
    tracking_code        TEXT NOT NULL UNIQUE,
    level                BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    catalogue_version    BIGINT NOT NULL,
    comment              TEXT,
    phone_enc            BYTEA,
    channel              TEXT NOT NULL,
    -- Keyed hash of a per-browser cookie, to stop repeated ratings of a window from one device.
    device_hash          BYTEA,
    created_at           BIGINT NOT NULL,
    default_rule         TEXT,
    default_rule_version BIGINT,
    kind                 TEXT CHECK (kind IN ('case', 'visit', 'general', 'inspection', 'default')),
    -- 一评一次: a second evaluation of the same occurrence is refused.
    CONSTRAINT evaluation_occurrence_unique UNIQUE (occurrence_id)
);
CREATE INDEX evaluation_device ON evaluation (device_hash, created_at) WHERE device_hash IS NOT NULL;

CREATE TABLE evaluation_reason (
    evaluation_id BIGINT NOT NULL REFERENCES evaluation (id),
    reason_code   BIGINT NOT NULL,
    PRIMARY KEY (evaluation_id, reason_code)
);

CREATE TABLE evaluation_follow_up (
    evaluation_id BIGINT PRIMARY KEY REFERENCES evaluation (id),
    level         BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    comment       TEXT,
    created_at    BIGINT NOT NULL
);

-- 综合点评 and 监督查评 (0026): the side rows of their occurrences.
CREATE TABLE general_opinion (
    occurrence_id BIGINT PRIMARY KEY REFERENCES service_occurrence (id),
    source        TEXT NOT NULL
        CHECK (source IN ('web', 'box', 'email', 'letter', 'hotline', 'platform')),
    -- The hall it is about, when no window is named (a window names its hall).
    hall_id       BIGINT REFERENCES hall (id),
    typed_by      BIGINT REFERENCES account (id),
    CHECK ((source = 'web') = (typed_by IS NULL))
);
CREATE TRIGGER general_opinion_no_update BEFORE UPDATE ON general_opinion
    FOR EACH ROW EXECUTE FUNCTION refuse('opinions are immutable');
CREATE TRIGGER general_opinion_no_delete BEFORE DELETE ON general_opinion
    FOR EACH ROW EXECUTE FUNCTION refuse('opinions are immutable');

CREATE TABLE inspection (
    occurrence_id BIGINT PRIMARY KEY REFERENCES service_occurrence (id),
    -- The supervising body's own id of the inspection (检查编号).
    inspection_no TEXT NOT NULL UNIQUE CHECK (length(inspection_no) BETWEEN 1 AND 50),
    target        TEXT NOT NULL CHECK (target IN ('window', 'staff', 'item', 'hall')),
    hall_id       BIGINT REFERENCES hall (id),
    method        TEXT NOT NULL CHECK (method IN ('open', 'covert')),
    findings      TEXT NOT NULL,
    account_id    BIGINT NOT NULL REFERENCES account (id),
    created_at    BIGINT NOT NULL
);
CREATE TRIGGER inspection_no_update BEFORE UPDATE ON inspection
    FOR EACH ROW EXECUTE FUNCTION refuse('inspections are immutable');
CREATE TRIGGER inspection_no_delete BEFORE DELETE ON inspection
    FOR EACH ROW EXECUTE FUNCTION refuse('inspections are immutable');

-- Complaints and tickets (0003, 0006, 0013, 0016) ----------------------------------------------

CREATE TABLE complaint (
    id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    tracking_code     TEXT NOT NULL UNIQUE,
    department_id     BIGINT NOT NULL REFERENCES department (id),
    service_item_id   BIGINT REFERENCES service_item (id),
    description       TEXT NOT NULL,
    contact_phone_enc BYTEA,
    -- Keyed hash of the browser's device cookie, against repeated submissions.
    device_hash       BYTEA,
    created_at        BIGINT NOT NULL
);
CREATE INDEX complaint_device ON complaint (device_hash, created_at);

CREATE TABLE ticket (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('bad_review', 'complaint')),
    -- The bad review this ticket handles; one ticket per evaluation.
    evaluation_id  BIGINT UNIQUE REFERENCES evaluation (id),
    complaint_id   BIGINT UNIQUE REFERENCES complaint (id),
    department_id  BIGINT NOT NULL REFERENCES department (id),
    state          TEXT NOT NULL,
    -- 实名差评: the evaluator left a phone number, so a return visit is owed.
    real_name      BOOLEAN NOT NULL,
    opened_at      BIGINT NOT NULL,
    -- End of the working day by which the first contact is due (unix ms, China time). NULL when
    -- the holiday calendar does not cover the date yet: the ticket is opened all the same.
    contact_due_at BIGINT,
    -- For a complaint: end of the working day by which the reply is due (2 working days by default).
    reply_due_at   BIGINT,
    -- For a ledger entry (建立台账、限期整改): end of the working day by which it must be rectified.
    rectify_due_at BIGINT,
    escalated      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at     BIGINT NOT NULL,
    state_due_at   BIGINT,
    CHECK ((evaluation_id IS NULL) <> (complaint_id IS NULL))
);
CREATE INDEX ticket_department_state ON ticket (department_id, state);
CREATE INDEX ticket_open_due ON ticket (escalated, state);

CREATE TABLE ticket_event (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES ticket (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, action);
CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event
    FOR EACH ROW EXECUTE FUNCTION refuse('ticket events are append-only');
CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON ticket_event
    FOR EACH ROW EXECUTE FUNCTION refuse('ticket events are append-only');

CREATE TABLE return_visit (
    event_id      BIGINT PRIMARY KEY REFERENCES ticket_event (id),
    ticket_id     BIGINT NOT NULL REFERENCES ticket (id),
    visited_at    BIGINT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('phone', 'sms', 'on_site')),
    reached       BOOLEAN NOT NULL,
    substantiated BOOLEAN,
    reasonable    BOOLEAN,
    -- The findings exactly when the citizen was reached.
    CHECK (reached = (substantiated IS NOT NULL AND reasonable IS NOT NULL))
);
CREATE INDEX return_visit_ticket ON return_visit (ticket_id);
CREATE TRIGGER return_visit_no_update BEFORE UPDATE ON return_visit
    FOR EACH ROW EXECUTE FUNCTION refuse('return visits are append-only');
CREATE TRIGGER return_visit_no_delete BEFORE DELETE ON return_visit
    FOR EACH ROW EXECUTE FUNCTION refuse('return visits are append-only');

-- 个人信息删除 (0019): what was erased on request; the immutability triggers allow that only.
CREATE TABLE erasure (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    evaluation_id BIGINT UNIQUE REFERENCES evaluation (id),
    complaint_id  BIGINT UNIQUE REFERENCES complaint (id),
    erased_at     BIGINT NOT NULL,
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    CHECK ((evaluation_id IS NULL) <> (complaint_id IS NULL))
);

-- Upheld appeals and received invalidations (0021): the rating stays, the figures drop it.
CREATE TABLE evaluation_invalidation (
    evaluation_id BIGINT PRIMARY KEY REFERENCES evaluation (id),
    ticket_id     BIGINT REFERENCES ticket (id),
    decided_by    BIGINT REFERENCES account (id),
    reason        TEXT NOT NULL,
    at            BIGINT NOT NULL,
    received_from BIGINT REFERENCES business_system (id),
    CHECK ((ticket_id IS NOT NULL AND decided_by IS NOT NULL) <> (received_from IS NOT NULL))
);
CREATE TRIGGER evaluation_invalidation_no_update BEFORE UPDATE ON evaluation_invalidation
    FOR EACH ROW EXECUTE FUNCTION refuse('invalidations are final');
CREATE TRIGGER evaluation_invalidation_no_delete BEFORE DELETE ON evaluation_invalidation
    FOR EACH ROW EXECUTE FUNCTION refuse('invalidations are final');

-- 申诉 (0027): the filing and its evidence files (kept outside the database).
CREATE TABLE appeal (
    id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES ticket (id),
    -- The history line of the filing: the category is shown beside it.
    event_id  BIGINT NOT NULL UNIQUE REFERENCES ticket_event (id),
    category  TEXT NOT NULL CHECK (category IN ('mistaken', 'malicious')),
    filed_by  BIGINT NOT NULL REFERENCES account (id),
    filed_at  BIGINT NOT NULL
);
CREATE TRIGGER appeal_no_update BEFORE UPDATE ON appeal
    FOR EACH ROW EXECUTE FUNCTION refuse('appeals are kept as filed');
CREATE TRIGGER appeal_no_delete BEFORE DELETE ON appeal
    FOR EACH ROW EXECUTE FUNCTION refuse('appeals are kept as filed');

CREATE TABLE appeal_evidence (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    appeal_id     BIGINT NOT NULL REFERENCES appeal (id),
    -- The ticket again, so that its scope is checked without a join.
    ticket_id     BIGINT NOT NULL REFERENCES ticket (id),
    -- The file's name in the evidence directory: 32 random hex digits, nothing from the upload.
    stored_name   TEXT NOT NULL UNIQUE
                  CHECK (length(stored_name) = 32 AND stored_name ~ '^[0-9a-f]*$'),
    -- The uploader's file name, sanitised (`domain::appeal::evidence::file_name`).
    original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 80),
    -- The type told by the content, never by the name.
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png',
                  'application/pdf', 'application/ofd',
                  'application/vnd.openxmlformats-officedocument.wordprocessingml.document')),
    size          BIGINT NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    -- Hex SHA-256 of the file: checked again on every download.
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    uploaded_by   BIGINT NOT NULL REFERENCES account (id),
    uploaded_at   BIGINT NOT NULL
);
CREATE INDEX appeal_evidence_ticket ON appeal_evidence (ticket_id);
CREATE INDEX appeal_evidence_appeal ON appeal_evidence (appeal_id);
CREATE TRIGGER appeal_evidence_no_update BEFORE UPDATE ON appeal_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse('evidence is kept as uploaded');
CREATE TRIGGER appeal_evidence_no_delete BEFORE DELETE ON appeal_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse('evidence is kept as uploaded');

-- appeal_evidence_undecided, appeal_evidence_at_most_five.
CREATE FUNCTION appeal_evidence_checked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT state FROM ticket WHERE id = NEW.ticket_id) IS DISTINCT FROM 'appealed'
       OR NOT EXISTS (SELECT 1 FROM appeal WHERE id = NEW.appeal_id AND ticket_id = NEW.ticket_id)
    THEN
        RAISE EXCEPTION 'evidence is added to an undecided appeal of its ticket only';
    END IF;
    IF (SELECT count(*) FROM appeal_evidence WHERE appeal_id = NEW.appeal_id) >= 5 THEN
        RAISE EXCEPTION 'an appeal carries at most 5 evidence files';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER appeal_evidence_checked BEFORE INSERT ON appeal_evidence
    FOR EACH ROW EXECUTE FUNCTION appeal_evidence_checked();

-- Window visits and tablets (0015, 0017) --------------------------------------------------------

CREATE TABLE hall_visit (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    business_system_id BIGINT NOT NULL REFERENCES business_system (id),
    hall_id            BIGINT NOT NULL REFERENCES hall (id),
    -- 取号号码, as printed on the ticket (A012, 3-105 …).
    queue_no           TEXT NOT NULL CHECK (length(queue_no) BETWEEN 1 AND 20),
    -- YYYYMMDD, China time, of `taken_at`.
    day                BIGINT NOT NULL,
    window_id          BIGINT NOT NULL REFERENCES service_window (id),
    staff_id           BIGINT REFERENCES staff (id),
    service_item_id    BIGINT REFERENCES service_item (id),
    taken_at           BIGINT NOT NULL,
    called_at          BIGINT CHECK (called_at >= taken_at),
    finished_at        BIGINT CHECK (finished_at >= called_at),
    -- 办件编号 when the visit handled a case: its occurrence is then the case's occurrence 1, the
    -- same whether the case link or the e码 rates it (evaluation_occurrence_unique: one rating).
    case_number        TEXT CHECK (length(case_number) BETWEEN 1 AND 50),
    -- 评价码 printed on the queue ticket: rates this visit from the window's e码 page (?v=CODE).
    code               TEXT NOT NULL UNIQUE,
    occurrence_id      BIGINT UNIQUE REFERENCES service_occurrence (id),
    updated_at         BIGINT NOT NULL,
    CONSTRAINT hall_visit_queue_unique UNIQUE (hall_id, day, queue_no)
);
CREATE INDEX hall_visit_window ON hall_visit (window_id, called_at);

CREATE TABLE device_enrolment (
    code_hash  BYTEA PRIMARY KEY,
    window_id  BIGINT NOT NULL REFERENCES service_window (id),
    created_by BIGINT NOT NULL REFERENCES account (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    -- Wrong codes typed while this one was open: past a few, every open code is void (guessing).
    failures   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE device (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    window_id    BIGINT NOT NULL REFERENCES service_window (id),
    token_hash   BYTEA NOT NULL UNIQUE,
    enrolled_at  BIGINT NOT NULL,
    -- The administrator whose code enrolled it.
    enrolled_by  BIGINT NOT NULL REFERENCES account (id),
    revoked_at   BIGINT,
    last_seen_at BIGINT
);
CREATE INDEX device_window ON device (window_id) WHERE revoked_at IS NULL;

-- Upward reporting (0021) ----------------------------------------------------------------------

-- A ticket step upstream platforms carry: our own (from `ticket_event`) or a county's (received).
CREATE TABLE upward_step (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    occurrence_id   BIGINT NOT NULL REFERENCES service_occurrence (id),
    kind            TEXT NOT NULL CHECK (kind IN ('return_visit', 'rectification', 'reply')),
    text            TEXT NOT NULL,
    at              BIGINT NOT NULL,
    ticket_event_id BIGINT UNIQUE REFERENCES ticket_event (id),
    received_from   BIGINT REFERENCES business_system (id),
    CHECK ((ticket_event_id IS NULL) <> (received_from IS NULL))
);
CREATE UNIQUE INDEX upward_step_once ON upward_step (occurrence_id, kind, at)
    WHERE received_from IS NOT NULL;

CREATE TABLE upward_outbox (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    occurrence_id BIGINT NOT NULL REFERENCES service_occurrence (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('evaluation', 'invalidation', 'return_visit', 'rectification', 'reply',
                        'follow_up')),
    step_id       BIGINT REFERENCES upward_step (id),
    -- When the row was committed (unix ms): the start of its reporting lag.
    created_at    BIGINT NOT NULL
);

CREATE TABLE upward_target (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    url         TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    sign_method TEXT NOT NULL,
    key_enc     BYTEA NOT NULL,
    -- Who we are to the target (`dataSource`).
    data_source TEXT NOT NULL,
    -- Every outbox row up to this id has its delivery row.
    claimed_to  BIGINT NOT NULL DEFAULT 0,
    -- Rows delivered so far (kept here so that the overview never counts a province's history).
    delivered   BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE upward_delivery (
    target_id     BIGINT NOT NULL REFERENCES upward_target (id),
    outbox_id     BIGINT NOT NULL REFERENCES upward_outbox (id),
    occurrence_id BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,
    last_error    TEXT,
    delivered_at  BIGINT,
    PRIMARY KEY (target_id, outbox_id)
);
CREATE INDEX upward_delivery_due ON upward_delivery (target_id, next_at)
    WHERE delivered_at IS NULL;
CREATE INDEX upward_delivery_waiting ON upward_delivery (target_id, occurrence_id)
    WHERE delivered_at IS NULL;

CREATE TABLE upward_reconciliation (
    target_id  BIGINT NOT NULL REFERENCES upward_target (id),
    day        BIGINT NOT NULL,
    level      BIGINT NOT NULL,
    channel    TEXT NOT NULL,
    ours       BIGINT NOT NULL,
    theirs     BIGINT NOT NULL,
    checked_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, day, level, channel)
);

CREATE TABLE upward_receipt (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    business_system_id BIGINT NOT NULL REFERENCES business_system (id),
    kind               TEXT NOT NULL,
    project_no         TEXT NOT NULL,
    assess_number      BIGINT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'refused')),
    message            TEXT,
    received_at        BIGINT NOT NULL
);
CREATE INDEX upward_receipt_system ON upward_receipt (business_system_id, received_at);

-- Messages (0022) ------------------------------------------------------------------------------

CREATE TABLE message_log (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'bad_review_opened',
                                                'complaint_opened', 'deadline_near')),
    -- 'sms' through the SMS gateway (or its development file), 'robot' a group-robot webhook.
    via           TEXT NOT NULL CHECK (via IN ('sms', 'robot')),
    occurrence_id BIGINT REFERENCES service_occurrence (id),
    ticket_id     BIGINT REFERENCES ticket (id),
    phone_masked  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'failed')),
    error         TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX message_log_occurrence ON message_log (occurrence_id) WHERE occurrence_id IS NOT NULL;
CREATE INDEX message_log_at ON message_log (at);

CREATE TABLE invitation (
    occurrence_id   BIGINT PRIMARY KEY REFERENCES service_occurrence (id),
    sent            BIGINT NOT NULL DEFAULT 0,
    last_attempt_at BIGINT NOT NULL
);

CREATE TABLE opt_out (
    phone_hash BYTEA PRIMARY KEY,
    -- 'link' the citizen's opt-out page, 'sms' the platform's forwarded "TD" reply.
    source     TEXT NOT NULL CHECK (source IN ('link', 'sms')),
    at         BIGINT NOT NULL
);

CREATE TABLE ticket_notice (
    ticket_id BIGINT NOT NULL REFERENCES ticket (id),
    reason    TEXT NOT NULL CHECK (reason IN ('opened', 'deadline_near')),
    -- The deadline warned about (unix ms); 0 for the opening.
    due_at    BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, reason, due_at)
);

-- Referrals and forwarding to 12345 (0024, 0028) -----------------------------------------------

CREATE TABLE referral (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    complaint_id       BIGINT NOT NULL UNIQUE REFERENCES complaint (id),
    business_system_id BIGINT NOT NULL REFERENCES business_system (id),
    source             TEXT NOT NULL CHECK (source IN ('12345', 'website', 'leader_mailbox', 'other')),
    external_id        TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    category           TEXT NOT NULL CHECK (category IN ('complaint', 'suggestion', 'inquiry', 'help')),
    received_at        BIGINT NOT NULL,
    -- SHA-256 of the request's details: a repeat with other details is a conflict (409).
    fingerprint        BYTEA NOT NULL,
    created_at         BIGINT NOT NULL,
    CONSTRAINT referral_external UNIQUE (source, external_id)
);
CREATE TRIGGER referral_no_update BEFORE UPDATE ON referral
    FOR EACH ROW EXECUTE FUNCTION refuse('referrals are immutable');

CREATE TABLE referral_callback (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    referral_id  BIGINT NOT NULL REFERENCES referral (id),
    event_id     BIGINT REFERENCES ticket_event (id),
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'replied', 'closed')),
    -- The reply text for `replied`.
    note         TEXT,
    at           BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_try_at  BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error   TEXT
);
CREATE INDEX referral_callback_due ON referral_callback (delivered_at, next_try_at);
CREATE INDEX referral_callback_referral ON referral_callback (referral_id, id);

CREATE TABLE referral_callback_attempt (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    callback_id BIGINT NOT NULL REFERENCES referral_callback (id),
    at          BIGINT NOT NULL,
    http_status BIGINT,
    error       TEXT
);

CREATE TABLE forward_message (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES ticket (id),
    kind         TEXT NOT NULL CHECK (kind IN ('work_order', 'status')),
    event_id     BIGINT REFERENCES ticket_event (id),
    status       TEXT CHECK (status IN ('accepted', 'in_progress', 'replied', 'closed')),
    -- The reply text for `replied`.
    note         TEXT,
    at           BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_try_at  BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error   TEXT,
    -- The 12345 platform's own order id, from its answer to the work order.
    order_id     TEXT,
    CHECK ((kind = 'work_order') = (status IS NULL))
);
CREATE UNIQUE INDEX forward_message_work_order ON forward_message (ticket_id)
    WHERE kind = 'work_order';
CREATE INDEX forward_message_due ON forward_message (delivered_at, next_try_at);
CREATE INDEX forward_message_ticket ON forward_message (ticket_id, id);

CREATE TABLE forward_attempt (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    message_id  BIGINT NOT NULL REFERENCES forward_message (id),
    at          BIGINT NOT NULL,
    http_status BIGINT,
    error       TEXT
);

-- 公示统计: the counters (0008, 0009, 0012, 0015, 0024, 0026) --------------------------------
-- Counts per scope and month, kept by the triggers below in the transaction of what they count. A
-- month is YYYYMM in China time of the service occurrence (a rating counts in the month of the
-- service it rates). Scopes: the whole system ('all', id 0), a region, a department, a hall, a
-- window, a staff member, a service item. Each table is sharded; its view sums the shards.

CREATE TABLE stat_scope (scope TEXT PRIMARY KEY);
INSERT INTO stat_scope (scope) VALUES
    ('all'), ('region'), ('department'), ('hall'), ('window'), ('staff'), ('item');

CREATE TABLE stat_shard (
    scope                 TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id              BIGINT NOT NULL,
    month                 BIGINT NOT NULL,
    shard                 SMALLINT NOT NULL,
    occurrences           BIGINT NOT NULL DEFAULT 0,
    -- Valid ratings by interface level (1 非常不满意 … 5 非常满意); invalidated ones are taken out.
    l1                    BIGINT NOT NULL DEFAULT 0,
    l2                    BIGINT NOT NULL DEFAULT 0,
    l3                    BIGINT NOT NULL DEFAULT 0,
    l4                    BIGINT NOT NULL DEFAULT 0,
    l5                    BIGINT NOT NULL DEFAULT 0,
    -- The same for ratings the citizen made (主动评价: not system defaults).
    a1                    BIGINT NOT NULL DEFAULT 0,
    a2                    BIGINT NOT NULL DEFAULT 0,
    a3                    BIGINT NOT NULL DEFAULT 0,
    a4                    BIGINT NOT NULL DEFAULT 0,
    a5                    BIGINT NOT NULL DEFAULT 0,
    invalidated           BIGINT NOT NULL DEFAULT 0,
    bad_replied           BIGINT NOT NULL DEFAULT 0,
    bad_rectified         BIGINT NOT NULL DEFAULT 0,
    bad_real_name         BIGINT NOT NULL DEFAULT 0,
    fix_rated             BIGINT NOT NULL DEFAULT 0,
    fix_satisfied         BIGINT NOT NULL DEFAULT 0,
    -- 实名差评 counted at their first reached return visit.
    bad_real_name_visited BIGINT NOT NULL DEFAULT 0,
    -- Valid ratings by 评价主体 (1 … 6), and anonymous ones.
    et1                   BIGINT NOT NULL DEFAULT 0,
    et2                   BIGINT NOT NULL DEFAULT 0,
    et3                   BIGINT NOT NULL DEFAULT 0,
    et4                   BIGINT NOT NULL DEFAULT 0,
    et5                   BIGINT NOT NULL DEFAULT 0,
    et6                   BIGINT NOT NULL DEFAULT 0,
    anonymous             BIGINT NOT NULL DEFAULT 0,
    -- Ratings a province received from its counties (outside 评价率).
    received              BIGINT NOT NULL DEFAULT 0,
    -- Valid ratings by 评价类型.
    k_case                BIGINT NOT NULL DEFAULT 0,
    k_visit               BIGINT NOT NULL DEFAULT 0,
    k_default             BIGINT NOT NULL DEFAULT 0,
    appeals_filed         BIGINT NOT NULL DEFAULT 0,
    appeals_upheld        BIGINT NOT NULL DEFAULT 0,
    appeals_rejected      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, shard)
);
CREATE INDEX stat_month ON stat_shard (month, scope);

CREATE VIEW stat AS
SELECT scope, scope_id, month,
       sum(occurrences)::BIGINT AS occurrences,
       sum(l1)::BIGINT AS l1, sum(l2)::BIGINT AS l2, sum(l3)::BIGINT AS l3,
       sum(l4)::BIGINT AS l4, sum(l5)::BIGINT AS l5,
       sum(a1)::BIGINT AS a1, sum(a2)::BIGINT AS a2, sum(a3)::BIGINT AS a3,
       sum(a4)::BIGINT AS a4, sum(a5)::BIGINT AS a5,
       sum(invalidated)::BIGINT AS invalidated,
       sum(bad_replied)::BIGINT AS bad_replied,
       sum(bad_rectified)::BIGINT AS bad_rectified,
       sum(bad_real_name)::BIGINT AS bad_real_name,
       sum(fix_rated)::BIGINT AS fix_rated,
       sum(fix_satisfied)::BIGINT AS fix_satisfied,
       sum(bad_real_name_visited)::BIGINT AS bad_real_name_visited,
       sum(et1)::BIGINT AS et1, sum(et2)::BIGINT AS et2, sum(et3)::BIGINT AS et3,
       sum(et4)::BIGINT AS et4, sum(et5)::BIGINT AS et5, sum(et6)::BIGINT AS et6,
       sum(anonymous)::BIGINT AS anonymous,
       sum(received)::BIGINT AS received,
       sum(k_case)::BIGINT AS k_case, sum(k_visit)::BIGINT AS k_visit,
       sum(k_default)::BIGINT AS k_default,
       sum(appeals_filed)::BIGINT AS appeals_filed,
       sum(appeals_upheld)::BIGINT AS appeals_upheld,
       sum(appeals_rejected)::BIGINT AS appeals_rejected
FROM stat_shard
GROUP BY scope, scope_id, month;

-- 差评 reasons (levels 1 and 2).
CREATE TABLE stat_reason_shard (
    scope       TEXT NOT NULL,
    scope_id    BIGINT NOT NULL,
    month       BIGINT NOT NULL,
    reason_code BIGINT NOT NULL,
    shard       SMALLINT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, month, reason_code, shard)
);
CREATE VIEW stat_reason AS
SELECT scope, scope_id, month, reason_code, sum(n)::BIGINT AS n
FROM stat_reason_shard
GROUP BY scope, scope_id, month, reason_code;

-- Valid ratings per channel (domain::Channel::as_str, like evaluation.channel).
CREATE TABLE stat_channel_shard (
    scope    TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id BIGINT NOT NULL,
    month    BIGINT NOT NULL,
    channel  TEXT NOT NULL,
    shard    SMALLINT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, month, channel, shard)
);
CREATE VIEW stat_channel AS
SELECT scope, scope_id, month, channel, sum(n)::BIGINT AS n
FROM stat_channel_shard
GROUP BY scope, scope_id, month, channel;

-- 时段分析: ratings per hall, month, weekday (0 = Sunday … 6 = Saturday) and hour of the rating.
CREATE TABLE stat_hour_shard (
    hall_id BIGINT NOT NULL,
    month   BIGINT NOT NULL,
    weekday BIGINT NOT NULL,
    hour    BIGINT NOT NULL,
    shard   SMALLINT NOT NULL,
    rated   BIGINT NOT NULL DEFAULT 0,
    bad     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hall_id, month, weekday, hour, shard)
);
CREATE VIEW stat_hour AS
SELECT hall_id, month, weekday, hour, sum(rated)::BIGINT AS rated, sum(bad)::BIGINT AS bad
FROM stat_hour_shard
GROUP BY hall_id, month, weekday, hour;

-- Ratings per window and day (YYYYMMDD, China time, of the rating): 非常满意 + 满意, and 基本满意
-- apart (whether it counts as good is a setting).
CREATE TABLE stat_day_shard (
    window_id BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    shard     SMALLINT NOT NULL,
    rated     BIGINT NOT NULL DEFAULT 0,
    good      BIGINT NOT NULL DEFAULT 0,
    basic     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (window_id, day, shard)
);
CREATE INDEX stat_day_day ON stat_day_shard (day);
CREATE VIEW stat_day AS
SELECT window_id, day, sum(rated)::BIGINT AS rated, sum(good)::BIGINT AS good,
       sum(basic)::BIGINT AS basic
FROM stat_day_shard
GROUP BY window_id, day;

-- Walk-in e码 ratings (no visit proven), outside every other figure.
CREATE TABLE stat_walk_in_shard (
    scope    TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id BIGINT NOT NULL,
    month    BIGINT NOT NULL,
    shard    SMALLINT NOT NULL,
    rated    BIGINT NOT NULL DEFAULT 0,
    bad      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, shard)
);
CREATE VIEW stat_walk_in AS
SELECT scope, scope_id, month, sum(rated)::BIGINT AS rated, sum(bad)::BIGINT AS bad
FROM stat_walk_in_shard
GROUP BY scope, scope_id, month;

-- 综合点评 and 监督查评.
CREATE TABLE stat_voice_shard (
    scope             TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id          BIGINT NOT NULL,
    month             BIGINT NOT NULL,
    shard             SMALLINT NOT NULL,
    general           BIGINT NOT NULL DEFAULT 0,
    general_typed     BIGINT NOT NULL DEFAULT 0,
    general_good      BIGINT NOT NULL DEFAULT 0,
    general_bad       BIGINT NOT NULL DEFAULT 0,
    inspections       BIGINT NOT NULL DEFAULT 0,
    inspection_covert BIGINT NOT NULL DEFAULT 0,
    inspection_good   BIGINT NOT NULL DEFAULT 0,
    inspection_bad    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, shard)
);
CREATE VIEW stat_voice AS
SELECT scope, scope_id, month,
       sum(general)::BIGINT AS general, sum(general_typed)::BIGINT AS general_typed,
       sum(general_good)::BIGINT AS general_good, sum(general_bad)::BIGINT AS general_bad,
       sum(inspections)::BIGINT AS inspections,
       sum(inspection_covert)::BIGINT AS inspection_covert,
       sum(inspection_good)::BIGINT AS inspection_good,
       sum(inspection_bad)::BIGINT AS inspection_bad
FROM stat_voice_shard
GROUP BY scope, scope_id, month;

-- Complaints by source: received in the month the ticket opened, replied on time or late against
-- `reply_due_at`, complex.
CREATE TABLE stat_complaint_shard (
    scope    TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    month    BIGINT NOT NULL,
    source   TEXT NOT NULL CHECK (source IN ('form', '12345', 'website', 'leader_mailbox', 'other')),
    shard    SMALLINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    on_time  BIGINT NOT NULL DEFAULT 0,
    late     BIGINT NOT NULL DEFAULT 0,
    complex  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, source, shard)
);
CREATE INDEX stat_complaint_month ON stat_complaint_shard (month, scope);
CREATE VIEW stat_complaint AS
SELECT scope, scope_id, month, source,
       sum(received)::BIGINT AS received, sum(on_time)::BIGINT AS on_time,
       sum(late)::BIGINT AS late, sum(complex)::BIGINT AS complex
FROM stat_complaint_shard
GROUP BY scope, scope_id, month, source;

-- The scopes an occurrence counts in (walk-ins, 综合点评 and 监督查评 are counted apart).
CREATE VIEW occurrence_scope AS
SELECT o.id AS occurrence_id,
       k.scope,
       CASE k.scope
           WHEN 'all' THEN 0
           WHEN 'region' THEN d.region_id
           WHEN 'department' THEN o.department_id
           WHEN 'hall' THEN w.hall_id
           WHEN 'window' THEN o.window_id
           WHEN 'staff' THEN o.staff_id
           WHEN 'item' THEN o.service_item_id
       END AS scope_id,
       china_month(o.registered_at) AS month
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
CROSS JOIN stat_scope k
WHERE o.kind NOT IN ('walk_in', 'general', 'inspection');

CREATE VIEW walk_in_scope AS
SELECT o.id AS occurrence_id,
       k.scope,
       CASE k.scope
           WHEN 'all' THEN 0
           WHEN 'region' THEN d.region_id
           WHEN 'department' THEN o.department_id
           WHEN 'hall' THEN w.hall_id
           WHEN 'window' THEN o.window_id
           WHEN 'staff' THEN o.staff_id
           WHEN 'item' THEN o.service_item_id
       END AS scope_id,
       china_month(o.registered_at) AS month
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
CROSS JOIN stat_scope k
WHERE o.kind = 'walk_in';

CREATE VIEW voice_scope AS
SELECT o.id AS occurrence_id,
       o.kind,
       k.scope,
       CASE k.scope
           WHEN 'all' THEN 0
           WHEN 'region' THEN d.region_id
           WHEN 'department' THEN o.department_id
           WHEN 'hall' THEN coalesce(w.hall_id, g.hall_id, i.hall_id)
           WHEN 'window' THEN o.window_id
           WHEN 'staff' THEN o.staff_id
           WHEN 'item' THEN o.service_item_id
       END AS scope_id,
       china_month(o.registered_at) AS month,
       g.source IS NOT NULL AND g.source <> 'web' AS typed,
       i.method = 'covert' AS covert
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
LEFT JOIN general_opinion g ON g.occurrence_id = o.id
LEFT JOIN inspection i ON i.occurrence_id = o.id
CROSS JOIN stat_scope k
WHERE o.kind IN ('general', 'inspection');

CREATE VIEW complaint_scope AS
SELECT t.id AS ticket_id,
       k.scope,
       CASE k.scope
           WHEN 'all' THEN 0
           WHEN 'region' THEN d.region_id
           WHEN 'department' THEN c.department_id
           WHEN 'item' THEN c.service_item_id
       END AS scope_id,
       china_month(t.opened_at) AS month,
       coalesce(r.source, 'form') AS source
FROM ticket t
JOIN complaint c ON c.id = t.complaint_id
JOIN department d ON d.id = c.department_id
LEFT JOIN referral r ON r.complaint_id = c.id
CROSS JOIN (VALUES ('all'), ('region'), ('department'), ('item')) AS k (scope);

-- Triggers on service_occurrence --------------------------------------------------------------

-- stat_occurrence.
CREATE FUNCTION service_occurrence_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_shard AS t (scope, scope_id, month, shard, occurrences)
    SELECT s.scope, s.scope_id, s.month, stat_shard(), 1
    FROM occurrence_scope s WHERE s.occurrence_id = NEW.id AND s.scope_id IS NOT NULL
    ORDER BY s.scope
    ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET occurrences = t.occurrences + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER service_occurrence_counted AFTER INSERT ON service_occurrence
    FOR EACH ROW WHEN (NEW.kind <> 'reported') EXECUTE FUNCTION service_occurrence_counted();

-- Triggers on evaluation -----------------------------------------------------------------------

-- evaluation_kind: an own rating's kind from its occurrence and channel.
CREATE FUNCTION evaluation_kind() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    occurrence_kind TEXT;
BEGIN
    SELECT kind INTO occurrence_kind FROM service_occurrence WHERE id = NEW.occurrence_id;
    IF occurrence_kind = 'reported' THEN
        RETURN NEW;
    END IF;
    IF NEW.kind IS NOT NULL THEN
        RAISE EXCEPTION 'the kind of an own rating is derived, never given';
    END IF;
    NEW.kind := CASE
        WHEN NEW.channel = 'system_default' THEN 'default'
        WHEN occurrence_kind IN ('visit', 'walk_in') THEN 'visit'
        WHEN occurrence_kind = 'general' THEN 'general'
        WHEN occurrence_kind = 'inspection' THEN 'inspection'
        ELSE 'case' END;
    RETURN NEW;
END
$$;
CREATE TRIGGER evaluation_kind BEFORE INSERT ON evaluation
    FOR EACH ROW EXECUTE FUNCTION evaluation_kind();

-- stat_evaluation, stat_evaluator, stat_received, stat_kind (for the kind derived on insert),
-- stat_channel_evaluation, stat_hour_evaluation, stat_walk_in_evaluation, stat_voice_evaluation,
-- upward_evaluation.
CREATE FUNCTION evaluation_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o service_occurrence%ROWTYPE;
    my_shard SMALLINT := stat_shard();
    own BOOLEAN;
BEGIN
    SELECT * INTO o FROM service_occurrence WHERE id = NEW.occurrence_id;
    own := o.kind <> 'reported';
    IF o.kind NOT IN ('walk_in', 'general', 'inspection') THEN
        INSERT INTO stat_shard AS t (scope, scope_id, month, shard, l1, l2, l3, l4, l5,
            a1, a2, a3, a4, a5, et1, et2, et3, et4, et5, et6, anonymous, received,
            k_case, k_visit, k_default)
        SELECT s.scope, s.scope_id, s.month, my_shard,
               flag(NEW.level = 1), flag(NEW.level = 2), flag(NEW.level = 3),
               flag(NEW.level = 4), flag(NEW.level = 5),
               flag(NEW.level = 1 AND NEW.channel <> 'system_default'),
               flag(NEW.level = 2 AND NEW.channel <> 'system_default'),
               flag(NEW.level = 3 AND NEW.channel <> 'system_default'),
               flag(NEW.level = 4 AND NEW.channel <> 'system_default'),
               flag(NEW.level = 5 AND NEW.channel <> 'system_default'),
               flag(o.evaluator_type = 1), flag(o.evaluator_type = 2),
               flag(o.evaluator_type = 3), flag(o.evaluator_type = 4),
               flag(o.evaluator_type = 5), flag(o.evaluator_type = 6), flag(o.anonymous),
               flag(NOT own),
               flag(own AND NEW.kind = 'case'), flag(own AND NEW.kind = 'visit'),
               flag(own AND NEW.kind = 'default')
        FROM occurrence_scope s WHERE s.occurrence_id = NEW.occurrence_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            l1 = t.l1 + excluded.l1, l2 = t.l2 + excluded.l2, l3 = t.l3 + excluded.l3,
            l4 = t.l4 + excluded.l4, l5 = t.l5 + excluded.l5,
            a1 = t.a1 + excluded.a1, a2 = t.a2 + excluded.a2, a3 = t.a3 + excluded.a3,
            a4 = t.a4 + excluded.a4, a5 = t.a5 + excluded.a5,
            et1 = t.et1 + excluded.et1, et2 = t.et2 + excluded.et2, et3 = t.et3 + excluded.et3,
            et4 = t.et4 + excluded.et4, et5 = t.et5 + excluded.et5, et6 = t.et6 + excluded.et6,
            anonymous = t.anonymous + excluded.anonymous,
            received = t.received + excluded.received,
            k_case = t.k_case + excluded.k_case, k_visit = t.k_visit + excluded.k_visit,
            k_default = t.k_default + excluded.k_default;

        INSERT INTO stat_channel_shard AS t (scope, scope_id, month, channel, shard, n)
        SELECT s.scope, s.scope_id, s.month, NEW.channel, my_shard, 1
        FROM occurrence_scope s WHERE s.occurrence_id = NEW.occurrence_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, channel, shard) DO UPDATE SET n = t.n + 1;
    END IF;

    IF o.kind NOT IN ('general', 'inspection') THEN
        INSERT INTO stat_hour_shard AS t (hall_id, month, weekday, hour, shard, rated, bad)
        SELECT w.hall_id, china_month(NEW.created_at), china_weekday(NEW.created_at),
               china_hour(NEW.created_at), my_shard, 1, flag(NEW.level <= 2)
        FROM service_window w WHERE w.id = o.window_id
        ON CONFLICT (hall_id, month, weekday, hour, shard) DO UPDATE SET
            rated = t.rated + 1, bad = t.bad + excluded.bad;
        IF o.window_id IS NOT NULL THEN
            INSERT INTO stat_day_shard AS t (window_id, day, shard, rated, good, basic)
            VALUES (o.window_id, china_day(NEW.created_at), my_shard, 1, flag(NEW.level >= 4),
                    flag(NEW.level = 3))
            ON CONFLICT (window_id, day, shard) DO UPDATE SET
                rated = t.rated + 1, good = t.good + excluded.good, basic = t.basic + excluded.basic;
        END IF;
    END IF;

    IF o.kind = 'walk_in' THEN
        INSERT INTO stat_walk_in_shard AS t (scope, scope_id, month, shard, rated, bad)
        SELECT s.scope, s.scope_id, s.month, my_shard, 1, flag(NEW.level <= 2)
        FROM walk_in_scope s WHERE s.occurrence_id = NEW.occurrence_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            rated = t.rated + 1, bad = t.bad + excluded.bad;
    END IF;

    IF o.kind IN ('general', 'inspection') THEN
        INSERT INTO stat_voice_shard AS t (scope, scope_id, month, shard, general, general_typed,
            general_good, general_bad, inspections, inspection_covert, inspection_good,
            inspection_bad)
        SELECT s.scope, s.scope_id, s.month, my_shard,
               flag(s.kind = 'general' AND NOT s.typed), flag(s.kind = 'general' AND s.typed),
               flag(s.kind = 'general' AND NEW.level >= 4),
               flag(s.kind = 'general' AND NEW.level <= 2),
               flag(s.kind = 'inspection'), flag(s.kind = 'inspection' AND s.covert),
               flag(s.kind = 'inspection' AND NEW.level >= 4),
               flag(s.kind = 'inspection' AND NEW.level <= 2)
        FROM voice_scope s WHERE s.occurrence_id = NEW.occurrence_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            general = t.general + excluded.general,
            general_typed = t.general_typed + excluded.general_typed,
            general_good = t.general_good + excluded.general_good,
            general_bad = t.general_bad + excluded.general_bad,
            inspections = t.inspections + excluded.inspections,
            inspection_covert = t.inspection_covert + excluded.inspection_covert,
            inspection_good = t.inspection_good + excluded.inspection_good,
            inspection_bad = t.inspection_bad + excluded.inspection_bad;
    ELSIF o.kind <> 'walk_in' THEN
        INSERT INTO upward_outbox (occurrence_id, kind, created_at)
        VALUES (NEW.occurrence_id, 'evaluation', unix_ms_now());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_counted AFTER INSERT ON evaluation
    FOR EACH ROW EXECUTE FUNCTION evaluation_counted();

-- evaluation_no_update: only an erasure (comment and phone cleared, recorded in `erasure`) or
-- setting a missing kind once.
CREATE FUNCTION evaluation_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (
        NEW.id = OLD.id AND NEW.occurrence_id = OLD.occurrence_id
        AND NEW.tracking_code = OLD.tracking_code AND NEW.level = OLD.level
        AND NEW.catalogue_version = OLD.catalogue_version AND NEW.channel = OLD.channel
        AND NEW.device_hash IS NOT DISTINCT FROM OLD.device_hash
        AND NEW.created_at = OLD.created_at
        AND NEW.default_rule IS NOT DISTINCT FROM OLD.default_rule
        AND NEW.default_rule_version IS NOT DISTINCT FROM OLD.default_rule_version
        AND (
            (NEW.kind IS NOT DISTINCT FROM OLD.kind AND NEW.comment IS NULL
             AND NEW.phone_enc IS NULL
             AND EXISTS (SELECT 1 FROM erasure WHERE evaluation_id = OLD.id))
            OR (OLD.kind IS NULL AND NEW.kind IS NOT NULL
                AND NEW.comment IS NOT DISTINCT FROM OLD.comment
                AND NEW.phone_enc IS NOT DISTINCT FROM OLD.phone_enc)))
    THEN
        RAISE EXCEPTION 'evaluations are immutable';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER evaluation_no_update BEFORE UPDATE ON evaluation
    FOR EACH ROW EXECUTE FUNCTION evaluation_no_update();
CREATE TRIGGER evaluation_no_delete BEFORE DELETE ON evaluation
    FOR EACH ROW EXECUTE FUNCTION refuse('evaluations are immutable');

-- stat_kind: a province sets the kind its county reported.
CREATE FUNCTION evaluation_kind_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_shard AS t (scope, scope_id, month, shard, k_case, k_visit, k_default)
    SELECT s.scope, s.scope_id, s.month, stat_shard(), flag(NEW.kind = 'case'),
           flag(NEW.kind = 'visit'), flag(NEW.kind = 'default')
    FROM occurrence_scope s WHERE s.occurrence_id = NEW.occurrence_id AND s.scope_id IS NOT NULL
    ORDER BY s.scope
    ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
        k_case = t.k_case + excluded.k_case, k_visit = t.k_visit + excluded.k_visit,
        k_default = t.k_default + excluded.k_default;
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_kind_counted AFTER UPDATE OF kind ON evaluation
    FOR EACH ROW WHEN (OLD.kind IS NULL AND NEW.kind IN ('case', 'visit', 'default'))
    EXECUTE FUNCTION evaluation_kind_counted();

-- stat_evaluation_reason: the reasons of a 差评.
CREATE FUNCTION evaluation_reason_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT level FROM evaluation WHERE id = NEW.evaluation_id) <= 2 THEN
        INSERT INTO stat_reason_shard AS t (scope, scope_id, month, reason_code, shard, n)
        SELECT s.scope, s.scope_id, s.month, NEW.reason_code, stat_shard(), 1
        FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
        WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, reason_code, shard) DO UPDATE SET n = t.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_reason_counted AFTER INSERT ON evaluation_reason
    FOR EACH ROW EXECUTE FUNCTION evaluation_reason_counted();
CREATE TRIGGER evaluation_reason_no_update BEFORE UPDATE ON evaluation_reason
    FOR EACH ROW EXECUTE FUNCTION refuse('evaluations are immutable');
CREATE TRIGGER evaluation_reason_no_delete BEFORE DELETE ON evaluation_reason
    FOR EACH ROW EXECUTE FUNCTION refuse('evaluations are immutable');

-- upward_follow_up, evaluation_follow_up_no_update (only an erasure of its comment),
-- evaluation_follow_up_no_delete.
CREATE FUNCTION evaluation_follow_up_reported() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    SELECT e.occurrence_id, 'follow_up', unix_ms_now()
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND o.kind NOT IN ('walk_in', 'general', 'inspection');
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_follow_up_reported AFTER INSERT ON evaluation_follow_up
    FOR EACH ROW EXECUTE FUNCTION evaluation_follow_up_reported();

CREATE FUNCTION evaluation_follow_up_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (
        NEW.evaluation_id = OLD.evaluation_id AND NEW.level = OLD.level
        AND NEW.created_at = OLD.created_at AND NEW.comment IS NULL
        AND EXISTS (SELECT 1 FROM erasure WHERE evaluation_id = OLD.evaluation_id))
    THEN
        RAISE EXCEPTION 'follow-up ratings are immutable';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER evaluation_follow_up_no_update BEFORE UPDATE ON evaluation_follow_up
    FOR EACH ROW EXECUTE FUNCTION evaluation_follow_up_no_update();
CREATE TRIGGER evaluation_follow_up_no_delete BEFORE DELETE ON evaluation_follow_up
    FOR EACH ROW EXECUTE FUNCTION refuse('follow-up ratings are immutable');

-- complaint_no_update (only an erasure), complaint_no_delete.
CREATE FUNCTION complaint_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (
        NEW.id = OLD.id AND NEW.tracking_code = OLD.tracking_code
        AND NEW.department_id = OLD.department_id
        AND NEW.service_item_id IS NOT DISTINCT FROM OLD.service_item_id
        AND NEW.device_hash IS NOT DISTINCT FROM OLD.device_hash
        AND NEW.created_at = OLD.created_at
        AND NEW.contact_phone_enc IS NULL AND NEW.description = '（应投诉人申请，内容已删除）'
        AND EXISTS (SELECT 1 FROM erasure WHERE complaint_id = OLD.id))
    THEN
        RAISE EXCEPTION 'complaints are immutable';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER complaint_no_update BEFORE UPDATE ON complaint
    FOR EACH ROW EXECUTE FUNCTION complaint_no_update();
CREATE TRIGGER complaint_no_delete BEFORE DELETE ON complaint
    FOR EACH ROW EXECUTE FUNCTION refuse('complaints are immutable');

-- Triggers on ticket ---------------------------------------------------------------------------

-- stat_ticket (实名差评), stat_complaint_received, forward_bad_review (差评转送12345 while on).
CREATE FUNCTION ticket_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    my_shard SMALLINT := stat_shard();
BEGIN
    IF NEW.kind = 'bad_review' AND NEW.real_name THEN
        INSERT INTO stat_shard AS t (scope, scope_id, month, shard, bad_real_name)
        SELECT s.scope, s.scope_id, s.month, my_shard, 1
        FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
        WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            bad_real_name = t.bad_real_name + 1;
    END IF;
    IF NEW.kind = 'complaint' THEN
        INSERT INTO stat_complaint_shard AS t (scope, scope_id, month, source, shard, received)
        SELECT s.scope, s.scope_id, s.month, s.source, my_shard, 1
        FROM complaint_scope s WHERE s.ticket_id = NEW.id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, source, shard) DO UPDATE SET
            received = t.received + 1;
    END IF;
    IF NEW.kind = 'bad_review'
       AND (SELECT value::jsonb -> 'enabled' FROM setting WHERE key = 'forward')
           IN ('true'::jsonb, '1'::jsonb)
    THEN
        INSERT INTO forward_message (ticket_id, kind, at, next_try_at)
        VALUES (NEW.id, 'work_order', NEW.opened_at, NEW.opened_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_counted AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_counted();

-- Triggers on ticket_event ---------------------------------------------------------------------

-- The status a step's new state means to 12345 (referral callbacks and forwarded work orders).
CREATE FUNCTION referral_status(to_state TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN to_state = 'verified' THEN 'accepted'
        WHEN to_state = 'replied' THEN 'replied'
        WHEN to_state = 'closed' THEN 'closed'
        ELSE 'in_progress'
    END
$$;

-- stat_real_name_visit, stat_ticket_event, stat_appeal, stat_complaint_step, referral_status,
-- upward_ticket_step, forward_status.
CREATE FUNCTION ticket_event_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t ticket%ROWTYPE;
    my_shard SMALLINT := stat_shard();
    d_visited BIGINT := 0;
    first_reply BOOLEAN;
    callback_referral BIGINT;
    new_status TEXT := referral_status(NEW.to_state);
BEGIN
    SELECT * INTO t FROM ticket WHERE id = NEW.ticket_id;
    first_reply := NEW.action = 'reply'
        AND (SELECT count(*) FROM ticket_event
             WHERE ticket_id = NEW.ticket_id AND action = 'reply') = 1;

    IF t.evaluation_id IS NOT NULL THEN
        d_visited := flag(NEW.action = 'record_visit' AND t.kind = 'bad_review' AND t.real_name
            AND (SELECT count(*) FROM ticket_event
                 WHERE ticket_id = NEW.ticket_id AND action = 'record_visit') = 1
            AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i
                            WHERE i.evaluation_id = t.evaluation_id));
        IF d_visited = 1 OR NEW.action IN ('reply', 'rate_fix_satisfied',
               'rate_fix_basically_satisfied', 'rate_fix_dissatisfied', 'close_unrated',
               'triage_appeal', 'decide_appeal_upheld', 'decide_appeal_rejected')
        THEN
            INSERT INTO stat_shard AS st (scope, scope_id, month, shard, bad_real_name_visited,
                bad_replied, bad_rectified, fix_rated, fix_satisfied, appeals_filed,
                appeals_upheld, appeals_rejected)
            SELECT s.scope, s.scope_id, s.month, my_shard, d_visited,
                   flag(first_reply),
                   flag(NEW.action IN ('reply', 'rate_fix_satisfied',
                            'rate_fix_basically_satisfied', 'rate_fix_dissatisfied',
                            'close_unrated')
                        AND NEW.to_state = 'closed'
                        AND EXISTS (SELECT 1 FROM ticket_event
                                    WHERE ticket_id = NEW.ticket_id AND action = 'record_visit')),
                   flag(NEW.action LIKE 'rate_fix_%'),
                   flag(NEW.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied')),
                   flag(NEW.action = 'triage_appeal'), flag(NEW.action = 'decide_appeal_upheld'),
                   flag(NEW.action = 'decide_appeal_rejected')
            FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
            WHERE e.id = t.evaluation_id AND s.scope_id IS NOT NULL
            ORDER BY s.scope
            ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
                bad_real_name_visited = st.bad_real_name_visited + excluded.bad_real_name_visited,
                bad_replied = st.bad_replied + excluded.bad_replied,
                bad_rectified = st.bad_rectified + excluded.bad_rectified,
                fix_rated = st.fix_rated + excluded.fix_rated,
                fix_satisfied = st.fix_satisfied + excluded.fix_satisfied,
                appeals_filed = st.appeals_filed + excluded.appeals_filed,
                appeals_upheld = st.appeals_upheld + excluded.appeals_upheld,
                appeals_rejected = st.appeals_rejected + excluded.appeals_rejected;
        END IF;
    END IF;

    IF t.kind = 'complaint' AND NEW.action IN ('reply', 'mark_complex') THEN
        INSERT INTO stat_complaint_shard AS st (scope, scope_id, month, source, shard, on_time,
            late, complex)
        SELECT s.scope, s.scope_id, s.month, s.source, my_shard,
               flag(first_reply AND (t.reply_due_at IS NULL OR NEW.at <= t.reply_due_at)),
               flag(first_reply AND t.reply_due_at IS NOT NULL AND NEW.at > t.reply_due_at),
               flag(NEW.action = 'mark_complex')
        FROM complaint_scope s WHERE s.ticket_id = t.id AND s.scope_id IS NOT NULL
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, source, shard) DO UPDATE SET
            on_time = st.on_time + excluded.on_time,
            late = st.late + excluded.late,
            complex = st.complex + excluded.complex;
    END IF;

    IF NEW.to_state <> 'open' THEN
        SELECT r.id INTO callback_referral FROM referral r WHERE r.complaint_id = t.complaint_id;
        IF callback_referral IS NOT NULL
           AND new_status IS DISTINCT FROM (SELECT c.status FROM referral_callback c
                                            WHERE c.referral_id = callback_referral
                                            ORDER BY c.id DESC LIMIT 1)
        THEN
            INSERT INTO referral_callback (referral_id, event_id, status, note, at, next_try_at)
            VALUES (callback_referral, NEW.id, new_status,
                    CASE WHEN new_status = 'replied' THEN NEW.note END, NEW.at, NEW.at);
        END IF;
    END IF;

    IF NEW.action IN ('record_visit', 'record_rectification', 'reply') THEN
        INSERT INTO upward_step (occurrence_id, kind, text, at, ticket_event_id)
        SELECT e.occurrence_id,
               CASE NEW.action WHEN 'record_visit' THEN 'return_visit'
                               WHEN 'record_rectification' THEN 'rectification' ELSE 'reply' END,
               coalesce(NEW.note, ''), NEW.at, NEW.id
        FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
        WHERE e.id = t.evaluation_id AND o.kind NOT IN ('walk_in', 'general', 'inspection');
    END IF;

    IF NEW.to_state <> 'open'
       AND EXISTS (SELECT 1 FROM forward_message
                   WHERE ticket_id = NEW.ticket_id AND kind = 'work_order')
       AND new_status IS DISTINCT FROM (SELECT m.status FROM forward_message m
                                        WHERE m.ticket_id = NEW.ticket_id AND m.kind = 'status'
                                        ORDER BY m.id DESC LIMIT 1)
    THEN
        INSERT INTO forward_message (ticket_id, kind, event_id, status, note, at, next_try_at)
        VALUES (NEW.ticket_id, 'status', NEW.id, new_status,
                CASE WHEN new_status = 'replied' THEN NEW.note END, NEW.at, NEW.at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_event_counted AFTER INSERT ON ticket_event
    FOR EACH ROW EXECUTE FUNCTION ticket_event_counted();

-- upward_step_outbox.
CREATE FUNCTION upward_step_reported() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, step_id, created_at)
    VALUES (NEW.occurrence_id, NEW.kind, NEW.id, unix_ms_now());
    RETURN NULL;
END
$$;
CREATE TRIGGER upward_step_reported AFTER INSERT ON upward_step
    FOR EACH ROW EXECUTE FUNCTION upward_step_reported();

-- Triggers on evaluation_invalidation ----------------------------------------------------------

-- stat_invalidation, stat_real_name_visit_invalidation, stat_evaluator_invalidation,
-- stat_kind_invalidation, stat_channel_invalidation, stat_hour_invalidation,
-- stat_walk_in_invalidation, stat_voice_invalidation, upward_invalidation: the rating's counts
-- come out (negative counts in this writer's shard, for keys that exist — SQLite's UPDATE).
CREATE FUNCTION evaluation_invalidation_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    e evaluation%ROWTYPE;
    o service_occurrence%ROWTYPE;
    my_shard SMALLINT := stat_shard();
    d_real_name BIGINT;
    d_replied BIGINT;
    d_fix_rated BIGINT;
    d_fix_satisfied BIGINT;
    d_visited BIGINT;
BEGIN
    SELECT * INTO e FROM evaluation WHERE id = NEW.evaluation_id;
    SELECT * INTO o FROM service_occurrence WHERE id = e.occurrence_id;

    IF o.kind NOT IN ('walk_in', 'general', 'inspection') THEN
        d_real_name := coalesce((SELECT flag(tk.real_name) FROM ticket tk
                               WHERE tk.evaluation_id = e.id AND tk.kind = 'bad_review'), 0);
        d_replied := flag(EXISTS (SELECT 1 FROM ticket tk JOIN ticket_event v ON v.ticket_id = tk.id
                                WHERE tk.evaluation_id = e.id AND v.action = 'reply'));
        d_fix_rated := (SELECT count(*) FROM ticket tk JOIN ticket_event v ON v.ticket_id = tk.id
                      WHERE tk.evaluation_id = e.id AND v.action LIKE 'rate_fix_%');
        d_fix_satisfied := (SELECT count(*) FROM ticket tk JOIN ticket_event v ON v.ticket_id = tk.id
                          WHERE tk.evaluation_id = e.id
                          AND v.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied'));
        d_visited := flag(EXISTS (SELECT 1 FROM ticket tk JOIN ticket_event v ON v.ticket_id = tk.id
                                WHERE tk.evaluation_id = e.id AND tk.kind = 'bad_review'
                                AND tk.real_name AND v.action = 'record_visit'));
        INSERT INTO stat_shard AS t (scope, scope_id, month, shard, l1, l2, l3, l4, l5,
            a1, a2, a3, a4, a5, invalidated, bad_real_name, bad_replied, fix_rated, fix_satisfied,
            bad_real_name_visited, et1, et2, et3, et4, et5, et6, anonymous,
            k_case, k_visit, k_default)
        SELECT s.scope, s.scope_id, s.month, my_shard,
               -flag(e.level = 1), -flag(e.level = 2), -flag(e.level = 3),
               -flag(e.level = 4), -flag(e.level = 5),
               -flag(e.level = 1 AND e.channel <> 'system_default'),
               -flag(e.level = 2 AND e.channel <> 'system_default'),
               -flag(e.level = 3 AND e.channel <> 'system_default'),
               -flag(e.level = 4 AND e.channel <> 'system_default'),
               -flag(e.level = 5 AND e.channel <> 'system_default'),
               1, -d_real_name, -d_replied, -d_fix_rated, -d_fix_satisfied, -d_visited,
               -flag(o.evaluator_type = 1), -flag(o.evaluator_type = 2),
               -flag(o.evaluator_type = 3), -flag(o.evaluator_type = 4),
               -flag(o.evaluator_type = 5), -flag(o.evaluator_type = 6), -flag(o.anonymous),
               -flag(e.kind = 'case'), -flag(e.kind = 'visit'), -flag(e.kind = 'default')
        FROM occurrence_scope s WHERE s.occurrence_id = e.occurrence_id AND s.scope_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM stat_shard x
                    WHERE x.scope = s.scope AND x.scope_id = s.scope_id AND x.month = s.month)
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            l1 = t.l1 + excluded.l1, l2 = t.l2 + excluded.l2, l3 = t.l3 + excluded.l3,
            l4 = t.l4 + excluded.l4, l5 = t.l5 + excluded.l5,
            a1 = t.a1 + excluded.a1, a2 = t.a2 + excluded.a2, a3 = t.a3 + excluded.a3,
            a4 = t.a4 + excluded.a4, a5 = t.a5 + excluded.a5,
            invalidated = t.invalidated + excluded.invalidated,
            bad_real_name = t.bad_real_name + excluded.bad_real_name,
            bad_replied = t.bad_replied + excluded.bad_replied,
            fix_rated = t.fix_rated + excluded.fix_rated,
            fix_satisfied = t.fix_satisfied + excluded.fix_satisfied,
            bad_real_name_visited = t.bad_real_name_visited + excluded.bad_real_name_visited,
            et1 = t.et1 + excluded.et1, et2 = t.et2 + excluded.et2, et3 = t.et3 + excluded.et3,
            et4 = t.et4 + excluded.et4, et5 = t.et5 + excluded.et5, et6 = t.et6 + excluded.et6,
            anonymous = t.anonymous + excluded.anonymous,
            k_case = t.k_case + excluded.k_case, k_visit = t.k_visit + excluded.k_visit,
            k_default = t.k_default + excluded.k_default;

        INSERT INTO stat_channel_shard AS t (scope, scope_id, month, channel, shard, n)
        SELECT s.scope, s.scope_id, s.month, e.channel, my_shard, -1
        FROM occurrence_scope s WHERE s.occurrence_id = e.occurrence_id AND s.scope_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM stat_channel_shard x
                    WHERE x.scope = s.scope AND x.scope_id = s.scope_id AND x.month = s.month
                    AND x.channel = e.channel)
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, channel, shard) DO UPDATE SET n = t.n - 1;
    END IF;

    IF o.kind NOT IN ('general', 'inspection') THEN
        INSERT INTO stat_hour_shard AS t (hall_id, month, weekday, hour, shard, rated, bad)
        SELECT w.hall_id, china_month(e.created_at), china_weekday(e.created_at),
               china_hour(e.created_at), my_shard, -1, -flag(e.level <= 2)
        FROM service_window w WHERE w.id = o.window_id
        AND EXISTS (SELECT 1 FROM stat_hour_shard x
                    WHERE x.hall_id = w.hall_id AND x.month = china_month(e.created_at)
                    AND x.weekday = china_weekday(e.created_at)
                    AND x.hour = china_hour(e.created_at))
        ON CONFLICT (hall_id, month, weekday, hour, shard) DO UPDATE SET
            rated = t.rated - 1, bad = t.bad + excluded.bad;
        INSERT INTO stat_day_shard AS t (window_id, day, shard, rated, good, basic)
        SELECT o.window_id, china_day(e.created_at), my_shard, -1, -flag(e.level >= 4),
               -flag(e.level = 3)
        WHERE EXISTS (SELECT 1 FROM stat_day_shard x
                      WHERE x.window_id = o.window_id AND x.day = china_day(e.created_at))
        ON CONFLICT (window_id, day, shard) DO UPDATE SET
            rated = t.rated - 1, good = t.good + excluded.good, basic = t.basic + excluded.basic;
    END IF;

    IF o.kind = 'walk_in' THEN
        INSERT INTO stat_walk_in_shard AS t (scope, scope_id, month, shard, rated, bad)
        SELECT s.scope, s.scope_id, s.month, my_shard, -1, -flag(e.level <= 2)
        FROM walk_in_scope s WHERE s.occurrence_id = e.occurrence_id AND s.scope_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM stat_walk_in_shard x
                    WHERE x.scope = s.scope AND x.scope_id = s.scope_id AND x.month = s.month)
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            rated = t.rated - 1, bad = t.bad + excluded.bad;
    END IF;

    IF o.kind IN ('general', 'inspection') THEN
        INSERT INTO stat_voice_shard AS t (scope, scope_id, month, shard, general, general_typed,
            general_good, general_bad, inspections, inspection_covert, inspection_good,
            inspection_bad)
        SELECT s.scope, s.scope_id, s.month, my_shard,
               -flag(s.kind = 'general' AND NOT s.typed), -flag(s.kind = 'general' AND s.typed),
               -flag(s.kind = 'general' AND e.level >= 4),
               -flag(s.kind = 'general' AND e.level <= 2),
               -flag(s.kind = 'inspection'), -flag(s.kind = 'inspection' AND s.covert),
               -flag(s.kind = 'inspection' AND e.level >= 4),
               -flag(s.kind = 'inspection' AND e.level <= 2)
        FROM voice_scope s WHERE s.occurrence_id = e.occurrence_id AND s.scope_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM stat_voice_shard x
                    WHERE x.scope = s.scope AND x.scope_id = s.scope_id AND x.month = s.month)
        ORDER BY s.scope
        ON CONFLICT (scope, scope_id, month, shard) DO UPDATE SET
            general = t.general + excluded.general,
            general_typed = t.general_typed + excluded.general_typed,
            general_good = t.general_good + excluded.general_good,
            general_bad = t.general_bad + excluded.general_bad,
            inspections = t.inspections + excluded.inspections,
            inspection_covert = t.inspection_covert + excluded.inspection_covert,
            inspection_good = t.inspection_good + excluded.inspection_good,
            inspection_bad = t.inspection_bad + excluded.inspection_bad;
    END IF;

    IF o.kind NOT IN ('walk_in', 'general', 'inspection') AND e.level <= 2 THEN
        INSERT INTO stat_reason_shard AS t (scope, scope_id, month, reason_code, shard, n)
        SELECT s.scope, s.scope_id, s.month, r.reason_code, my_shard, -1
        FROM occurrence_scope s JOIN evaluation_reason r ON r.evaluation_id = e.id
        WHERE s.occurrence_id = e.occurrence_id AND s.scope_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM stat_reason_shard x
                    WHERE x.scope = s.scope AND x.scope_id = s.scope_id AND x.month = s.month
                    AND x.reason_code = r.reason_code)
        ORDER BY s.scope, r.reason_code
        ON CONFLICT (scope, scope_id, month, reason_code, shard) DO UPDATE SET n = t.n - 1;
    END IF;

    IF o.kind NOT IN ('walk_in', 'general', 'inspection') THEN
        INSERT INTO upward_outbox (occurrence_id, kind, created_at)
        VALUES (e.occurrence_id, 'invalidation', unix_ms_now());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_invalidation_counted AFTER INSERT ON evaluation_invalidation
    FOR EACH ROW EXECUTE FUNCTION evaluation_invalidation_counted();
