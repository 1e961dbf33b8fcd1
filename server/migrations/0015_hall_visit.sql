-- 一次一评 as occurrences: a hall's queue system (取号/叫号) reports every visit, so that a window's
-- unrated visits exist and its 评价率 can be below 100 %.
--
-- Before this migration a window's e码 created its own occurrence when someone rated: every e码
-- window showed 评价率 100 %, the same service could be rated twice (case link and e码), and e码
-- ratings carried no staff and no item. Now:
--   * `kind` says what an occurrence is: 'case' (registered by a business system), 'visit' (a hall
--     visit reported by the queue system, finished or rated while served) or 'walk_in' (an e码
--     rating that matched no visit: 扫码评价 without a proven service).
--   * Walk-in ratings are stored and handled (a 差评 still opens its ticket) but are not in the
--     published 评价率, 满意率 or any figure of `stat`, `stat_reason`, `stat_channel`: nothing
--     proves a service behind them, and counting their occurrence would put them back at 100 %.
--     They are counted apart in `stat_walk_in`, so that pages can say how many there are.
--   * `stat_hour` and `stat_day` (when ratings come, the window satisfaction alert) keep counting
--     every rating of a window, walk-ins included: they are about the window, not about 评价率.

ALTER TABLE service_occurrence ADD COLUMN kind TEXT NOT NULL DEFAULT 'case'
    CHECK (kind IN ('case', 'visit', 'walk_in'));

-- 取号/叫号 — one visit of a hall as its queue system reports it. The queue system's key is (hall,
-- queue ticket number, day of taking, China time): re-posting it updates the same row. Its
-- occurrence is made when the visit finishes (办结), or when an e码 rating binds to it while it is
-- being served; from then on what defines the occurrence (window, staff, item) is fixed.
CREATE TABLE hall_visit (
    id                 INTEGER PRIMARY KEY,
    business_system_id INTEGER NOT NULL REFERENCES business_system (id),
    hall_id            INTEGER NOT NULL REFERENCES hall (id),
    -- 取号号码, as printed on the ticket (A012, 3-105 …).
    queue_no           TEXT NOT NULL CHECK (length(queue_no) BETWEEN 1 AND 20),
    -- YYYYMMDD, China time, of `taken_at`.
    day                INTEGER NOT NULL,
    window_id          INTEGER NOT NULL REFERENCES service_window (id),
    staff_id           INTEGER REFERENCES staff (id),
    service_item_id    INTEGER REFERENCES service_item (id),
    taken_at           INTEGER NOT NULL,
    called_at          INTEGER CHECK (called_at >= taken_at),
    finished_at        INTEGER CHECK (finished_at >= called_at),
    -- 办件编号 when the visit handled a case: its occurrence is then the case's occurrence 1, the
    -- same whether the case link or the e码 rates it (evaluation_occurrence_unique: one rating).
    case_number        TEXT CHECK (length(case_number) BETWEEN 1 AND 50),
    -- 评价码 printed on the queue ticket: rates this visit from the window's e码 page (?v=CODE).
    code               TEXT NOT NULL UNIQUE,
    occurrence_id      INTEGER UNIQUE REFERENCES service_occurrence (id),
    updated_at         INTEGER NOT NULL,
    CONSTRAINT hall_visit_queue_unique UNIQUE (hall_id, day, queue_no)
);

-- An e码 rating looks for the visit being served or just finished at its window.
CREATE INDEX hall_visit_window ON hall_visit (window_id, called_at);

-- The scopes an occurrence counts in: walk-ins count in none (every `stat*` trigger reads this view).
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
WHERE o.kind <> 'walk_in';

-- 未关联办件的扫码评价: valid walk-in ratings and their 差评, per scope and month (of the rating's
-- occurrence, made when it was given). Published beside the figures, never in them.
CREATE TABLE stat_walk_in (
    scope    TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    rated    INTEGER NOT NULL DEFAULT 0,
    bad      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month)
) WITHOUT ROWID;

-- The scopes a walk-in counts in (a walk-in has a window but no staff and no item).
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
       CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month
FROM service_occurrence o
JOIN department d ON d.id = o.department_id
LEFT JOIN service_window w ON w.id = o.window_id
CROSS JOIN stat_scope k
WHERE o.kind = 'walk_in';

CREATE TRIGGER stat_walk_in_evaluation AFTER INSERT ON evaluation
BEGIN
    INSERT INTO stat_walk_in (scope, scope_id, month, rated, bad)
    SELECT scope, scope_id, month, 1, NEW.level <= 2
    FROM walk_in_scope WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        rated = rated + 1, bad = bad + excluded.bad;
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

-- The e码 ratings stored before this migration made their own occurrence (no business system, no
-- item, a 'V…' case number): they were walk-ins. They leave the figures; `Store::rebuild_stats`
-- recounts everything at start-up because `stat` is empty.
UPDATE service_occurrence SET kind = 'walk_in'
WHERE business_system_id IS NULL AND service_item_id IS NULL AND channel = 'qr_code'
  AND case_number LIKE 'V%';
DELETE FROM stat WHERE EXISTS (SELECT 1 FROM service_occurrence WHERE kind = 'walk_in');
INSERT INTO stat_walk_in (scope, scope_id, month, rated, bad)
SELECT s.scope, s.scope_id, s.month, count(*), sum(e.level <= 2)
FROM evaluation e JOIN walk_in_scope s ON s.occurrence_id = e.occurrence_id
WHERE s.scope_id IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id)
GROUP BY s.scope, s.scope_id, s.month;
