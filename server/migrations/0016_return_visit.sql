-- 回访记录 — a return visit is a structured record, kept beside its step in the ticket's history
-- (`ticket_event`, whose note holds the handler's words): when it took place, how (phone, SMS, on
-- site), whether the citizen was reached, and when reached whether the review is 属实 and 合理.
-- Only a reached visit (`record_visit`) verifies the ticket; a failed attempt
-- (`record_visit_attempt`) stays on record and the visit is still owed. Append-only, like the
-- history. Visits recorded before this migration were plain steps and have no row here.
CREATE TABLE return_visit (
    event_id      INTEGER PRIMARY KEY REFERENCES ticket_event (id),
    ticket_id     INTEGER NOT NULL REFERENCES ticket (id),
    visited_at    INTEGER NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('phone', 'sms', 'on_site')),
    reached       INTEGER NOT NULL CHECK (reached IN (0, 1)),
    substantiated INTEGER CHECK (substantiated IN (0, 1)),
    reasonable    INTEGER CHECK (reasonable IN (0, 1)),
    -- The findings exactly when the citizen was reached.
    CHECK ((reached = 1) = (substantiated IS NOT NULL AND reasonable IS NOT NULL))
);

CREATE INDEX return_visit_ticket ON return_visit (ticket_id);

CREATE TRIGGER return_visit_no_update BEFORE UPDATE ON return_visit
BEGIN SELECT RAISE(ABORT, 'return visits are append-only'); END;
CREATE TRIGGER return_visit_no_delete BEFORE DELETE ON return_visit
BEGIN SELECT RAISE(ABORT, 'return visits are append-only'); END;

-- 实名差评回访率 = valid 实名差评 with a reached return visit ÷ valid 实名差评 (target 100 %).
ALTER TABLE stat ADD COLUMN bad_real_name_visited INTEGER NOT NULL DEFAULT 0;

-- Counted at the ticket's first reached visit.
CREATE TRIGGER stat_real_name_visit AFTER INSERT ON ticket_event
WHEN NEW.action = 'record_visit'
BEGIN
    INSERT INTO stat (scope, scope_id, month, bad_real_name_visited)
    SELECT s.scope, s.scope_id, s.month, 1
    FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id
    JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
    WHERE t.id = NEW.ticket_id AND t.kind = 'bad_review' AND t.real_name AND s.scope_id IS NOT NULL
    AND (SELECT count(*) FROM ticket_event WHERE ticket_id = NEW.ticket_id AND action = 'record_visit') = 1
    AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id)
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        bad_real_name_visited = bad_real_name_visited + 1;
END;

-- 申诉成立 takes a visited 实名差评 out, like the 实名差评 itself.
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

-- 回访整改率 counts a loop closed after a return visit: an anonymous review's check (record_check)
-- is not a return visit, so it no longer counts (it did in migration 0008).
DROP TRIGGER stat_ticket_event;
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
                           AND action = 'record_visit'),
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

-- 评价主体 in the open data: valid ratings by the evaluator type the business system registered
-- (GB/T 39046 服务对象 1 自然人 … 6 其他组织; a rating without one is in none of et1…et6) and those
-- whose evaluator chose anonymity (匿名评价). Kept like the other counts; 申诉成立 takes them out.
ALTER TABLE stat ADD COLUMN et1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN et2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN et3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN et4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN et5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN et6 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER stat_evaluator AFTER INSERT ON evaluation
WHEN (SELECT evaluator_type IS NOT NULL OR anonymous FROM service_occurrence WHERE id = NEW.occurrence_id)
BEGIN
    INSERT INTO stat (scope, scope_id, month, et1, et2, et3, et4, et5, et6, anonymous)
    SELECT s.scope, s.scope_id, s.month,
           coalesce(o.evaluator_type = 1, 0), coalesce(o.evaluator_type = 2, 0),
           coalesce(o.evaluator_type = 3, 0), coalesce(o.evaluator_type = 4, 0),
           coalesce(o.evaluator_type = 5, 0), coalesce(o.evaluator_type = 6, 0), o.anonymous
    FROM service_occurrence o JOIN occurrence_scope s ON s.occurrence_id = o.id
    WHERE o.id = NEW.occurrence_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        et1 = et1 + excluded.et1, et2 = et2 + excluded.et2, et3 = et3 + excluded.et3,
        et4 = et4 + excluded.et4, et5 = et5 + excluded.et5, et6 = et6 + excluded.et6,
        anonymous = anonymous + excluded.anonymous;
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

-- Both figures change for data already stored: emptied here, the aggregates are recounted from
-- the ratings and tickets at the next start (`Store::stats_missing`, `Store::rebuild_stats`).
DELETE FROM stat;
