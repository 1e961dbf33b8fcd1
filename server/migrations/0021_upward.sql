-- 上报 — reporting upward ("实时、全量") and receiving from counties (the province tier).
--
-- The outbox: every record an upstream platform carries gets a row written by a trigger in the
-- transaction of what it reports — an evaluation (not a walk-in: it has no 办件编号), an
-- invalidation (the effective flag changes), a return visit, a rectification or a reply of a 差评,
-- or a 追评.
-- Nothing is reported that was not committed; nothing committed is skipped. Records are built
-- from the stored (immutable) rows when they are sent, so a re-send carries the same values.

-- A ticket step upstream platforms carry: our own (from `ticket_event`) or a county's (received).
CREATE TABLE upward_step (
    id              INTEGER PRIMARY KEY,
    occurrence_id   INTEGER NOT NULL REFERENCES service_occurrence (id),
    kind            TEXT NOT NULL CHECK (kind IN ('return_visit', 'rectification', 'reply')),
    text            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    ticket_event_id INTEGER UNIQUE REFERENCES ticket_event (id),
    received_from   INTEGER REFERENCES business_system (id),
    CHECK ((ticket_event_id IS NULL) <> (received_from IS NULL))
);
-- A county's step is received once, however often it is sent.
CREATE UNIQUE INDEX upward_step_once ON upward_step (occurrence_id, kind, at)
    WHERE received_from IS NOT NULL;

CREATE TABLE upward_outbox (
    id            INTEGER PRIMARY KEY,
    occurrence_id INTEGER NOT NULL REFERENCES service_occurrence (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('evaluation', 'invalidation', 'return_visit', 'rectification', 'reply',
                        'follow_up')),
    step_id       INTEGER REFERENCES upward_step (id),
    -- When the row was committed (unix ms): the start of its reporting lag.
    created_at    INTEGER NOT NULL
);

-- An upstream platform records go to. `mapping` names a `domain::upward::Mapping`; the key is
-- sealed (key id || nonce || ciphertext). A new target receives everything from the first row.
CREATE TABLE upward_target (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    url         TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    sign_method TEXT NOT NULL,
    key_enc     BLOB NOT NULL,
    -- Who we are to the target (`dataSource`).
    data_source TEXT NOT NULL,
    -- Every outbox row up to this id has its delivery row.
    claimed_to  INTEGER NOT NULL DEFAULT 0,
    -- Rows delivered so far (kept here so that the overview never counts a province's history).
    delivered   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    disabled_at INTEGER
);

-- One outbox row on its way to one target: delivered, or when it is tried next and why it failed.
CREATE TABLE upward_delivery (
    target_id     INTEGER NOT NULL REFERENCES upward_target (id),
    outbox_id     INTEGER NOT NULL REFERENCES upward_outbox (id),
    occurrence_id INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    last_error    TEXT,
    delivered_at  INTEGER,
    PRIMARY KEY (target_id, outbox_id)
) WITHOUT ROWID;
CREATE INDEX upward_delivery_due ON upward_delivery (target_id, next_at)
    WHERE delivered_at IS NULL;
CREATE INDEX upward_delivery_waiting ON upward_delivery (target_id, occurrence_id)
    WHERE delivered_at IS NULL;

-- 对账 — a day's counts by level and channel, ours beside the target's, as last compared.
CREATE TABLE upward_reconciliation (
    target_id  INTEGER NOT NULL REFERENCES upward_target (id),
    day        INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    ours       INTEGER NOT NULL,
    theirs     INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (target_id, day, level, channel)
) WITHOUT ROWID;

-- Every record a county sent us (the province tier), and what became of it: audited, and the
-- answer to a re-send.
CREATE TABLE upward_receipt (
    id                 INTEGER PRIMARY KEY,
    business_system_id INTEGER NOT NULL REFERENCES business_system (id),
    kind               TEXT NOT NULL,
    project_no         TEXT NOT NULL,
    assess_number      INTEGER NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'refused')),
    message            TEXT,
    received_at        INTEGER NOT NULL
);
CREATE INDEX upward_receipt_system ON upward_receipt (business_system_id, received_at);

-- A county's invalidation has no ticket here and no deciding account: the table is rebuilt with
-- both optional and the county it came from (nothing references it; its triggers come back as
-- they were).
CREATE TEMP TABLE invalidation_kept AS SELECT * FROM evaluation_invalidation;
DROP TABLE evaluation_invalidation;
CREATE TABLE evaluation_invalidation (
    evaluation_id INTEGER PRIMARY KEY REFERENCES evaluation (id),
    ticket_id     INTEGER REFERENCES ticket (id),
    decided_by    INTEGER REFERENCES account (id),
    reason        TEXT NOT NULL,
    at            INTEGER NOT NULL,
    received_from INTEGER REFERENCES business_system (id),
    CHECK ((ticket_id IS NOT NULL AND decided_by IS NOT NULL) <> (received_from IS NOT NULL))
);
INSERT INTO evaluation_invalidation (evaluation_id, ticket_id, decided_by, reason, at)
SELECT evaluation_id, ticket_id, decided_by, reason, at FROM invalidation_kept;
DROP TABLE invalidation_kept;

CREATE TRIGGER evaluation_invalidation_no_update BEFORE UPDATE ON evaluation_invalidation
BEGIN SELECT RAISE(ABORT, 'invalidations are final'); END;
CREATE TRIGGER evaluation_invalidation_no_delete BEFORE DELETE ON evaluation_invalidation
BEGIN SELECT RAISE(ABORT, 'invalidations are final'); END;
CREATE TRIGGER stat_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat SET
        l1 = l1 - (e.level = 1), l2 = l2 - (e.level = 2), l3 = l3 - (e.level = 3),
        l4 = l4 - (e.level = 4), l5 = l5 - (e.level = 5),
        a1 = a1 - (e.level = 1 AND e.channel <> 'system_default'),
        a2 = a2 - (e.level = 2 AND e.channel <> 'system_default'),
        a3 = a3 - (e.level = 3 AND e.channel <> 'system_default'),
        a4 = a4 - (e.level = 4 AND e.channel <> 'system_default'),
        a5 = a5 - (e.level = 5 AND e.channel <> 'system_default'),
        invalidated = invalidated + 1,
        bad_real_name = bad_real_name - coalesce((SELECT real_name FROM ticket WHERE evaluation_id = e.id AND kind = 'bad_review'), 0),
        bad_replied = bad_replied - EXISTS (SELECT 1 FROM ticket t JOIN ticket_event v ON v.ticket_id = t.id
                                            WHERE t.evaluation_id = e.id AND v.action = 'reply'),
        fix_rated = fix_rated - (SELECT count(*) FROM ticket t JOIN ticket_event v ON v.ticket_id = t.id
                                 WHERE t.evaluation_id = e.id AND v.action LIKE 'rate_fix_%'),
        fix_satisfied = fix_satisfied - (SELECT count(*) FROM ticket t JOIN ticket_event v ON v.ticket_id = t.id
                                         WHERE t.evaluation_id = e.id
                                         AND v.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied'))
    FROM (SELECT ev.id, ev.level, ev.channel, s.scope, s.scope_id, s.month
          FROM evaluation ev JOIN occurrence_scope s ON s.occurrence_id = ev.occurrence_id
          WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL) AS e
    WHERE stat.scope = e.scope AND stat.scope_id = e.scope_id AND stat.month = e.month;

    UPDATE stat_reason SET n = n - 1
    WHERE (scope, scope_id, month, reason_code) IN (
        SELECT s.scope, s.scope_id, s.month, r.reason_code
        FROM evaluation ev JOIN occurrence_scope s ON s.occurrence_id = ev.occurrence_id
        JOIN evaluation_reason r ON r.evaluation_id = ev.id
        WHERE ev.id = NEW.evaluation_id AND ev.level <= 2 AND s.scope_id IS NOT NULL);
END;
CREATE TRIGGER stat_hour_invalidation AFTER INSERT ON evaluation_invalidation
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
CREATE TRIGGER stat_channel_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat_channel SET n = n - 1
    WHERE (scope, scope_id, month, channel) IN (
        SELECT s.scope, s.scope_id, s.month, ev.channel
        FROM evaluation ev JOIN occurrence_scope s ON s.occurrence_id = ev.occurrence_id
        WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL);
END;
CREATE TRIGGER stat_walk_in_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat_walk_in SET rated = rated - 1, bad = bad - (e.level <= 2)
    FROM (SELECT ev.level, s.scope, s.scope_id, s.month
          FROM evaluation ev JOIN walk_in_scope s ON s.occurrence_id = ev.occurrence_id
          WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL) AS e
    WHERE stat_walk_in.scope = e.scope AND stat_walk_in.scope_id = e.scope_id
      AND stat_walk_in.month = e.month;
END;
CREATE TRIGGER stat_real_name_visit_invalidation AFTER INSERT ON evaluation_invalidation
WHEN EXISTS (SELECT 1 FROM ticket t JOIN ticket_event v ON v.ticket_id = t.id
             WHERE t.evaluation_id = NEW.evaluation_id AND t.kind = 'bad_review' AND t.real_name
             AND v.action = 'record_visit')
BEGIN
    UPDATE stat SET bad_real_name_visited = bad_real_name_visited - 1
    WHERE (scope, scope_id, month) IN (
        SELECT s.scope, s.scope_id, s.month
        FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
        WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL);
END;
CREATE TRIGGER stat_evaluator_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat SET
        et1 = et1 - coalesce(o.kind = 1, 0), et2 = et2 - coalesce(o.kind = 2, 0),
        et3 = et3 - coalesce(o.kind = 3, 0), et4 = et4 - coalesce(o.kind = 4, 0),
        et5 = et5 - coalesce(o.kind = 5, 0), et6 = et6 - coalesce(o.kind = 6, 0),
        anonymous = stat.anonymous - o.anon
    FROM (SELECT so.evaluator_type AS kind, so.anonymous AS anon, s.scope, s.scope_id, s.month
          FROM evaluation e JOIN service_occurrence so ON so.id = e.occurrence_id
          JOIN occurrence_scope s ON s.occurrence_id = so.id
          WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL) AS o
    WHERE stat.scope = o.scope AND stat.scope_id = o.scope_id AND stat.month = o.month;
END;

-- What was stored before this migration goes upward too, in the order it happened (per
-- occurrence: the evaluation, then its steps and its invalidation).
INSERT INTO upward_step (occurrence_id, kind, text, at, ticket_event_id)
SELECT e.occurrence_id,
       CASE v.action WHEN 'record_visit' THEN 'return_visit'
                     WHEN 'record_rectification' THEN 'rectification' ELSE 'reply' END,
       coalesce(v.note, ''), v.at, v.id
FROM ticket_event v JOIN ticket t ON t.id = v.ticket_id
JOIN evaluation e ON e.id = t.evaluation_id JOIN service_occurrence o ON o.id = e.occurrence_id
WHERE v.action IN ('record_visit', 'record_rectification', 'reply') AND o.kind <> 'walk_in'
ORDER BY v.id;

INSERT INTO upward_outbox (occurrence_id, kind, step_id, created_at)
SELECT occurrence_id, kind, step_id, at FROM (
    SELECT e.occurrence_id, 'evaluation' AS kind, NULL AS step_id, e.created_at AS at, 0 AS seq, e.id AS ref
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id WHERE o.kind <> 'walk_in'
    UNION ALL
    SELECT occurrence_id, kind, id, at, 1, id FROM upward_step
    UNION ALL
    SELECT e.occurrence_id, 'follow_up', NULL, f.created_at, 1, f.evaluation_id
    FROM evaluation_follow_up f JOIN evaluation e ON e.id = f.evaluation_id
    JOIN service_occurrence o ON o.id = e.occurrence_id WHERE o.kind <> 'walk_in'
    UNION ALL
    SELECT e.occurrence_id, 'invalidation', NULL, i.at, 2, i.evaluation_id
    FROM evaluation_invalidation i JOIN evaluation e ON e.id = i.evaluation_id
    JOIN service_occurrence o ON o.id = e.occurrence_id WHERE o.kind <> 'walk_in'
)
ORDER BY at, seq, ref;

CREATE TRIGGER upward_evaluation AFTER INSERT ON evaluation
WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) <> 'walk_in'
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    VALUES (NEW.occurrence_id, 'evaluation',
            CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

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
    WHERE t.id = NEW.ticket_id AND o.kind <> 'walk_in';
END;

CREATE TRIGGER upward_follow_up AFTER INSERT ON evaluation_follow_up
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    SELECT e.occurrence_id, 'follow_up',
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND o.kind <> 'walk_in';
END;

CREATE TRIGGER upward_step_outbox AFTER INSERT ON upward_step
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, step_id, created_at)
    VALUES (NEW.occurrence_id, NEW.kind, NEW.id,
            CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER upward_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    INSERT INTO upward_outbox (occurrence_id, kind, created_at)
    SELECT e.occurrence_id, 'invalidation',
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND o.kind <> 'walk_in';
END;

-- Ratings received from counties, per scope and month (valid or not, as 评价率 counts ratings):
-- the province never learns of a county's unrated occurrences, so these are left out of 评价率
-- (its own occurrences are its denominator) and published as what they are.
ALTER TABLE stat ADD COLUMN received INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER stat_received AFTER INSERT ON evaluation
WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) = 'reported'
BEGIN
    INSERT INTO stat (scope, scope_id, month, received)
    SELECT scope, scope_id, month, 1 FROM occurrence_scope
    WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET received = received + 1;
END;
