-- 综合点评 and 监督查评 — the other voices of the 立体式评价体系. Each is an evaluation of an
-- occurrence of its own kind ('general', 'inspection'), so that a 差评 among them opens a ticket and
-- runs the same loop (tracking page, return visit, reply, rating the fix, appeal). They count in no
-- service figure: `occurrence_scope` leaves them out like walk-ins, `stat_voice` counts them apart,
-- and nothing of them is reported upward (they have no 办件编号). Supervising bodies' inspectors get
-- a role of their own. SQLite cannot change a CHECK, so `service_occurrence` and `account` are rebuilt
-- inside the migration with foreign keys deferred (as in 0020).
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE occurrence_kept AS SELECT * FROM service_occurrence;
DROP TABLE service_occurrence;
CREATE TABLE service_occurrence (
    id                  INTEGER PRIMARY KEY,
    case_number         TEXT NOT NULL CHECK (length(case_number) BETWEEN 1 AND 50),
    occurrence_no       INTEGER NOT NULL CHECK (occurrence_no >= 1),
    service_item_id     INTEGER REFERENCES service_item (id),
    department_id       INTEGER NOT NULL REFERENCES department (id),
    window_id           INTEGER REFERENCES service_window (id),
    staff_id            INTEGER REFERENCES staff (id),
    channel             TEXT NOT NULL,
    business_system_id  INTEGER REFERENCES business_system (id),
    -- Evaluator's phone, AEAD-encrypted (key id || nonce || ciphertext); never stored in the clear.
    evaluator_phone_enc BLOB,
    registered_at       INTEGER NOT NULL,
    evaluator_type      INTEGER CHECK (evaluator_type BETWEEN 1 AND 6),
    anonymous           INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    -- 'reported': a county's rated occurrence received by a province (only rated ones arrive, so
    -- they are no occurrences of 评价率's denominator). 'general' (综合点评) and 'inspection'
    -- (监督查评): the subject of one such evaluation, counted apart.
    kind                TEXT NOT NULL DEFAULT 'case'
        CHECK (kind IN ('case', 'visit', 'walk_in', 'reported', 'general', 'inspection'))
);
INSERT INTO service_occurrence (id, case_number, occurrence_no, service_item_id,
    department_id, window_id, staff_id, channel, business_system_id, evaluator_phone_enc,
    registered_at, evaluator_type, anonymous, kind)
SELECT id, case_number, occurrence_no, service_item_id, department_id, window_id, staff_id, channel,
    business_system_id, evaluator_phone_enc, registered_at, evaluator_type, anonymous, kind
FROM occurrence_kept;
DROP TABLE occurrence_kept;
CREATE UNIQUE INDEX occurrence_case_unique
    ON service_occurrence (coalesce(business_system_id, 0), case_number, occurrence_no);
CREATE INDEX occurrence_window ON service_occurrence (window_id);
CREATE INDEX occurrence_staff ON service_occurrence (staff_id);
CREATE INDEX occurrence_registered ON service_occurrence (registered_at);
CREATE TRIGGER stat_occurrence AFTER INSERT ON service_occurrence
WHEN NEW.kind <> 'reported'
BEGIN
    INSERT INTO stat (scope, scope_id, month, occurrences)
    SELECT scope, scope_id, month, 1 FROM occurrence_scope
    WHERE occurrence_id = NEW.id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET occurrences = occurrences + 1;
END;

CREATE TEMP TABLE account_kept AS SELECT * FROM account;
DROP TABLE account;
CREATE TABLE account (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; the password itself is never stored.
    password_hash   TEXT NOT NULL,
    -- 'inspector': 监督查评 — a supervising body's inspector, scoped by region or hall.
    role            TEXT NOT NULL
        CHECK (role IN ('window_staff', 'handler', 'supervisor', 'inspector', 'admin')),
    department_id   INTEGER REFERENCES department (id),
    -- The TOTP secret of a supervisor or administrator (second factor), AEAD-encrypted.
    totp_secret_enc BLOB,
    -- Failed log-ins in a row, and the lock-out they caused.
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    created_at      INTEGER NOT NULL,
    staff_id        INTEGER REFERENCES staff (id),
    region_id       INTEGER REFERENCES region (id),
    hall_id         INTEGER REFERENCES hall (id),
    last_failed_at  INTEGER,
    totp_last_step  INTEGER,
    disabled_at     INTEGER
);
INSERT INTO account (id, username, password_hash, role, department_id, totp_secret_enc,
    failed_logins, locked_until, created_at, staff_id, region_id, hall_id, last_failed_at,
    totp_last_step, disabled_at)
SELECT id, username, password_hash, role, department_id, totp_secret_enc, failed_logins,
    locked_until, created_at, staff_id, region_id, hall_id, last_failed_at, totp_last_step,
    disabled_at
FROM account_kept;
DROP TABLE account_kept;

-- 综合点评: where it came from. 'web' is the public form, entered by the citizen; the others were
-- typed in by staff (`typed_by`) from a 意见箱 card, an e-mail, a letter, a hotline call or a
-- supervision platform, and are counted apart from what citizens entered themselves.
CREATE TABLE general_opinion (
    occurrence_id INTEGER PRIMARY KEY REFERENCES service_occurrence (id),
    source        TEXT NOT NULL
        CHECK (source IN ('web', 'box', 'email', 'letter', 'hotline', 'platform')),
    -- The hall it is about, when no window is named (a window names its hall).
    hall_id       INTEGER REFERENCES hall (id),
    typed_by      INTEGER REFERENCES account (id),
    CHECK ((source = 'web') = (typed_by IS NULL))
);

-- 监督查评: one inspection by a supervising body. Its occurrence carries the unit concerned (the
-- department, and the window, staff or service item inspected) and the inspection's date as
-- `registered_at`; its evaluation the level.
CREATE TABLE inspection (
    occurrence_id INTEGER PRIMARY KEY REFERENCES service_occurrence (id),
    -- The supervising body's own id of the inspection (检查编号).
    inspection_no TEXT NOT NULL UNIQUE CHECK (length(inspection_no) BETWEEN 1 AND 50),
    target        TEXT NOT NULL CHECK (target IN ('window', 'staff', 'item', 'hall')),
    hall_id       INTEGER REFERENCES hall (id),
    method        TEXT NOT NULL CHECK (method IN ('open', 'covert')),
    findings      TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES account (id),
    created_at    INTEGER NOT NULL
);

CREATE TRIGGER inspection_no_update BEFORE UPDATE ON inspection
BEGIN SELECT RAISE(ABORT, 'inspections are immutable'); END;
CREATE TRIGGER inspection_no_delete BEFORE DELETE ON inspection
BEGIN SELECT RAISE(ABORT, 'inspections are immutable'); END;
CREATE TRIGGER general_opinion_no_update BEFORE UPDATE ON general_opinion
BEGIN SELECT RAISE(ABORT, 'opinions are immutable'); END;
CREATE TRIGGER general_opinion_no_delete BEFORE DELETE ON general_opinion
BEGIN SELECT RAISE(ABORT, 'opinions are immutable'); END;

-- The service figures leave both kinds out, as they leave walk-ins out.
DROP VIEW occurrence_scope;
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
       CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
CROSS JOIN stat_scope k
WHERE o.kind NOT IN ('walk_in', 'general', 'inspection');

-- Every (scope, id, month) an opinion or inspection counts in; the hall is the window's, else the
-- one named.
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
       CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month,
       g.source IS NOT NULL AND g.source <> 'web' AS typed,
       i.method = 'covert' AS covert
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
LEFT JOIN general_opinion g ON g.occurrence_id = o.id
LEFT JOIN inspection i ON i.occurrence_id = o.id
CROSS JOIN stat_scope k
WHERE o.kind IN ('general', 'inspection');

-- Valid 综合点评 and 监督查评 per scope and month (an upheld appeal takes one out). `general` are
-- those citizens entered, `general_typed` those staff typed in; good = 满意 or better, bad = 差评.
CREATE TABLE stat_voice (
    scope              TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id           INTEGER NOT NULL,
    month              INTEGER NOT NULL,
    general            INTEGER NOT NULL DEFAULT 0,
    general_typed      INTEGER NOT NULL DEFAULT 0,
    general_good       INTEGER NOT NULL DEFAULT 0,
    general_bad        INTEGER NOT NULL DEFAULT 0,
    inspections        INTEGER NOT NULL DEFAULT 0,
    inspection_covert  INTEGER NOT NULL DEFAULT 0,
    inspection_good    INTEGER NOT NULL DEFAULT 0,
    inspection_bad     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month)
) WITHOUT ROWID;

CREATE TRIGGER stat_voice_evaluation AFTER INSERT ON evaluation
WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) IN ('general', 'inspection')
BEGIN
    INSERT INTO stat_voice (scope, scope_id, month, general, general_typed, general_good,
        general_bad, inspections, inspection_covert, inspection_good, inspection_bad)
    SELECT scope, scope_id, month,
           kind = 'general' AND NOT typed, kind = 'general' AND typed,
           kind = 'general' AND NEW.level >= 4, kind = 'general' AND NEW.level <= 2,
           kind = 'inspection', kind = 'inspection' AND covert,
           kind = 'inspection' AND NEW.level >= 4, kind = 'inspection' AND NEW.level <= 2
    FROM voice_scope WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        general = general + excluded.general,
        general_typed = general_typed + excluded.general_typed,
        general_good = general_good + excluded.general_good,
        general_bad = general_bad + excluded.general_bad,
        inspections = inspections + excluded.inspections,
        inspection_covert = inspection_covert + excluded.inspection_covert,
        inspection_good = inspection_good + excluded.inspection_good,
        inspection_bad = inspection_bad + excluded.inspection_bad;
END;

CREATE TRIGGER stat_voice_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat_voice SET
        general = general - (e.kind = 'general' AND NOT e.typed),
        general_typed = general_typed - (e.kind = 'general' AND e.typed),
        general_good = general_good - (e.kind = 'general' AND e.level >= 4),
        general_bad = general_bad - (e.kind = 'general' AND e.level <= 2),
        inspections = inspections - (e.kind = 'inspection'),
        inspection_covert = inspection_covert - (e.kind = 'inspection' AND e.covert),
        inspection_good = inspection_good - (e.kind = 'inspection' AND e.level >= 4),
        inspection_bad = inspection_bad - (e.kind = 'inspection' AND e.level <= 2)
    FROM (SELECT ev.level, s.kind, s.typed, s.covert, s.scope, s.scope_id, s.month
          FROM evaluation ev JOIN voice_scope s ON s.occurrence_id = ev.occurrence_id
          WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL) AS e
    WHERE stat_voice.scope = e.scope AND stat_voice.scope_id = e.scope_id
      AND stat_voice.month = e.month;
END;

-- Their evaluations take the kind of their occurrence.
DROP TRIGGER evaluation_kind;
CREATE TRIGGER evaluation_kind AFTER INSERT ON evaluation
WHEN NEW.kind IS NULL
    AND (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) <> 'reported'
BEGIN
    UPDATE evaluation SET kind = CASE
        WHEN NEW.channel = 'system_default' THEN 'default'
        WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id)
             IN ('visit', 'walk_in') THEN 'visit'
        WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) = 'general'
            THEN 'general'
        WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) = 'inspection'
            THEN 'inspection'
        ELSE 'case' END
    WHERE id = NEW.id;
END;

-- The hall's heat map and the window's days count ratings of services only.
DROP TRIGGER stat_hour_evaluation;
CREATE TRIGGER stat_hour_evaluation AFTER INSERT ON evaluation
WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id)
     NOT IN ('general', 'inspection')
BEGIN
    INSERT INTO stat_hour (hall_id, month, weekday, hour, rated, bad)
    SELECT w.hall_id,
           CAST(strftime('%Y%m', NEW.created_at / 1000 + 28800, 'unixepoch') AS INTEGER),
           CAST(strftime('%w', NEW.created_at / 1000 + 28800, 'unixepoch') AS INTEGER),
           CAST(strftime('%H', NEW.created_at / 1000 + 28800, 'unixepoch') AS INTEGER),
           1, NEW.level <= 2
    FROM service_occurrence o JOIN service_window w ON w.id = o.window_id
    WHERE o.id = NEW.occurrence_id
    ON CONFLICT (hall_id, month, weekday, hour) DO UPDATE SET
        rated = rated + 1, bad = bad + excluded.bad;
    INSERT INTO stat_day (window_id, day, rated, good, basic)
    SELECT o.window_id,
           CAST(strftime('%Y%m%d', NEW.created_at / 1000 + 28800, 'unixepoch') AS INTEGER),
           1, NEW.level >= 4, NEW.level = 3
    FROM service_occurrence o WHERE o.id = NEW.occurrence_id AND o.window_id IS NOT NULL
    ON CONFLICT (window_id, day) DO UPDATE SET
        rated = rated + 1, good = good + excluded.good, basic = basic + excluded.basic;
END;

DROP TRIGGER stat_hour_invalidation;
CREATE TRIGGER stat_hour_invalidation AFTER INSERT ON evaluation_invalidation
WHEN (SELECT o.kind FROM evaluation ev JOIN service_occurrence o ON o.id = ev.occurrence_id
      WHERE ev.id = NEW.evaluation_id) NOT IN ('general', 'inspection')
BEGIN
    UPDATE stat_hour SET rated = rated - 1, bad = bad - (e.level <= 2)
    FROM (SELECT ev.level, w.hall_id,
                 CAST(strftime('%Y%m', ev.created_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month,
                 CAST(strftime('%w', ev.created_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS weekday,
                 CAST(strftime('%H', ev.created_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS hour
          FROM evaluation ev JOIN service_occurrence o ON o.id = ev.occurrence_id
          JOIN service_window w ON w.id = o.window_id WHERE ev.id = NEW.evaluation_id) AS e
    WHERE stat_hour.hall_id = e.hall_id AND stat_hour.month = e.month
      AND stat_hour.weekday = e.weekday AND stat_hour.hour = e.hour;
    UPDATE stat_day SET rated = rated - 1, good = good - (e.level >= 4), basic = basic - (e.level = 3)
    FROM (SELECT ev.level, o.window_id,
                 CAST(strftime('%Y%m%d', ev.created_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS day
          FROM evaluation ev JOIN service_occurrence o ON o.id = ev.occurrence_id
          WHERE ev.id = NEW.evaluation_id) AS e
    WHERE stat_day.window_id = e.window_id AND stat_day.day = e.day;
END;

-- Nothing of them goes upward: they have no 办件编号 (like walk-ins).
DROP TRIGGER upward_evaluation;
CREATE TRIGGER upward_evaluation AFTER INSERT ON evaluation
WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id)
     NOT IN ('walk_in', 'general', 'inspection')
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    VALUES (NEW.occurrence_id, 'evaluation',
            CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER upward_ticket_step;
CREATE TRIGGER upward_ticket_step AFTER INSERT ON ticket_event
WHEN NEW.action IN ('record_visit', 'record_rectification', 'reply')
BEGIN
    INSERT INTO upward_step (occurrence_id, kind, text, at, ticket_event_id)
    SELECT e.occurrence_id,
           CASE NEW.action WHEN 'record_visit' THEN 'return_visit'
                           WHEN 'record_rectification' THEN 'rectification' ELSE 'reply' END,
           coalesce(NEW.note, ''), NEW.at, NEW.id
    FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id
    JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE t.id = NEW.ticket_id AND o.kind NOT IN ('walk_in', 'general', 'inspection');
END;

DROP TRIGGER upward_follow_up;
CREATE TRIGGER upward_follow_up AFTER INSERT ON evaluation_follow_up
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    SELECT e.occurrence_id, 'follow_up',
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND o.kind NOT IN ('walk_in', 'general', 'inspection');
END;

DROP TRIGGER upward_invalidation;
CREATE TRIGGER upward_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    SELECT e.occurrence_id, 'invalidation',
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND o.kind NOT IN ('walk_in', 'general', 'inspection');
END;
