-- 公示统计 — the counts behind every published figure, per scope and month, kept by triggers in the
-- same transaction as the rows they count: a rating, an invalidation or a ticket step can never be
-- stored without its aggregate, and no page scans the ratings. `rebuild-stats` recomputes them.
--
-- A month is YYYYMM in China time of the service occurrence (a rating counts in the month of the
-- service it rates). Scopes: the whole system ('all', id 0), a region, a department, a hall, a
-- window, a staff member, a service item.

CREATE TABLE stat_scope (scope TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO stat_scope (scope) VALUES
    ('all'), ('region'), ('department'), ('hall'), ('window'), ('staff'), ('item');

CREATE TABLE stat (
    scope         TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id      INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    occurrences   INTEGER NOT NULL DEFAULT 0,
    -- Valid ratings by interface level (1 非常不满意 … 5 非常满意); invalidated ones are taken out.
    l1            INTEGER NOT NULL DEFAULT 0,
    l2            INTEGER NOT NULL DEFAULT 0,
    l3            INTEGER NOT NULL DEFAULT 0,
    l4            INTEGER NOT NULL DEFAULT 0,
    l5            INTEGER NOT NULL DEFAULT 0,
    -- The same for ratings the citizen made (主动评价: not system defaults).
    a1            INTEGER NOT NULL DEFAULT 0,
    a2            INTEGER NOT NULL DEFAULT 0,
    a3            INTEGER NOT NULL DEFAULT 0,
    a4            INTEGER NOT NULL DEFAULT 0,
    a5            INTEGER NOT NULL DEFAULT 0,
    invalidated   INTEGER NOT NULL DEFAULT 0,
    bad_replied   INTEGER NOT NULL DEFAULT 0,
    bad_rectified INTEGER NOT NULL DEFAULT 0,
    bad_real_name INTEGER NOT NULL DEFAULT 0,
    fix_rated     INTEGER NOT NULL DEFAULT 0,
    fix_satisfied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month)
) WITHOUT ROWID;

CREATE INDEX stat_month ON stat (month, scope);

-- 差评原因 — how often each reason was given with a valid 差评.
CREATE TABLE stat_reason (
    scope       TEXT NOT NULL,
    scope_id    INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    reason_code INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, month, reason_code)
) WITHOUT ROWID;

-- Every (scope, id, month) an occurrence counts in.
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
CROSS JOIN stat_scope k;

CREATE TRIGGER stat_occurrence AFTER INSERT ON service_occurrence
BEGIN
    INSERT INTO stat (scope, scope_id, month, occurrences)
    SELECT scope, scope_id, month, 1 FROM occurrence_scope
    WHERE occurrence_id = NEW.id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET occurrences = occurrences + 1;
END;

CREATE TRIGGER stat_evaluation AFTER INSERT ON evaluation
BEGIN
    INSERT INTO stat (scope, scope_id, month, l1, l2, l3, l4, l5, a1, a2, a3, a4, a5)
    SELECT scope, scope_id, month,
           NEW.level = 1, NEW.level = 2, NEW.level = 3, NEW.level = 4, NEW.level = 5,
           NEW.level = 1 AND NEW.channel <> 'system_default',
           NEW.level = 2 AND NEW.channel <> 'system_default',
           NEW.level = 3 AND NEW.channel <> 'system_default',
           NEW.level = 4 AND NEW.channel <> 'system_default',
           NEW.level = 5 AND NEW.channel <> 'system_default'
    FROM occurrence_scope WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        l1 = l1 + excluded.l1, l2 = l2 + excluded.l2, l3 = l3 + excluded.l3,
        l4 = l4 + excluded.l4, l5 = l5 + excluded.l5,
        a1 = a1 + excluded.a1, a2 = a2 + excluded.a2, a3 = a3 + excluded.a3,
        a4 = a4 + excluded.a4, a5 = a5 + excluded.a5;
END;

CREATE TRIGGER stat_evaluation_reason AFTER INSERT ON evaluation_reason
WHEN (SELECT level FROM evaluation WHERE id = NEW.evaluation_id) <= 2
BEGIN
    INSERT INTO stat_reason (scope, scope_id, month, reason_code, n)
    SELECT s.scope, s.scope_id, s.month, NEW.reason_code, 1
    FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month, reason_code) DO UPDATE SET n = n + 1;
END;

-- 实名差评: counted when its ticket opens (the ticket knows whether contact details were left).
CREATE TRIGGER stat_ticket AFTER INSERT ON ticket
WHEN NEW.kind = 'bad_review' AND NEW.real_name
BEGIN
    INSERT INTO stat (scope, scope_id, month, bad_real_name)
    SELECT s.scope, s.scope_id, s.month, 1
    FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
    WHERE e.id = NEW.evaluation_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET bad_real_name = bad_real_name + 1;
END;

-- Steps of a 差评's ticket: the first reply; the citizen's rating of a fix; the close of a loop
-- that had its return visit (or, when anonymous, its check). Complaints have no evaluation.
CREATE TRIGGER stat_ticket_event AFTER INSERT ON ticket_event
WHEN NEW.action IN ('reply', 'rate_fix_satisfied', 'rate_fix_basically_satisfied',
                    'rate_fix_dissatisfied', 'close_unrated')
BEGIN
    INSERT INTO stat (scope, scope_id, month, bad_replied, bad_rectified, fix_rated, fix_satisfied)
    SELECT s.scope, s.scope_id, s.month,
           NEW.action = 'reply'
               AND (SELECT count(*) FROM ticket_event WHERE ticket_id = NEW.ticket_id AND action = 'reply') = 1,
           NEW.to_state = 'closed'
               AND EXISTS (SELECT 1 FROM ticket_event WHERE ticket_id = NEW.ticket_id
                           AND action IN ('record_visit', 'record_check')),
           NEW.action LIKE 'rate_fix_%',
           NEW.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied')
    FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id
    JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
    WHERE t.id = NEW.ticket_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        bad_replied = bad_replied + excluded.bad_replied,
        bad_rectified = bad_rectified + excluded.bad_rectified,
        fix_rated = fix_rated + excluded.fix_rated,
        fix_satisfied = fix_satisfied + excluded.fix_satisfied;
END;

-- 申诉成立: the rating leaves the figures (and so do its ticket's counts), and is counted as
-- invalidated. The evaluation itself is untouched.
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

-- Data stored before this migration is counted by `Store::rebuild_stats` at start-up.

-- The lists of a scope's children read the organisation by parent, then the aggregates by key.
CREATE INDEX department_region ON department (region_id);
CREATE INDEX window_department ON service_window (department_id);
CREATE INDEX item_department ON service_item (department_id);
CREATE INDEX staff_window ON staff (window_id);
