-- 申诉 in the published figures: per scope and month (of the rated service, like every count of
-- `stat`), the appeals filed against 差评 and how they were decided — beside the invalidations
-- that an upheld appeal makes.

ALTER TABLE stat ADD COLUMN appeals_filed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN appeals_upheld INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN appeals_rejected INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE appeal_counts AS
SELECT s.scope, s.scope_id, s.month,
       sum(v.action = 'triage_appeal') AS filed,
       sum(v.action = 'decide_appeal_upheld') AS upheld,
       sum(v.action = 'decide_appeal_rejected') AS rejected
FROM ticket_event v JOIN ticket t ON t.id = v.ticket_id
JOIN evaluation e ON e.id = t.evaluation_id
JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
WHERE v.action IN ('triage_appeal', 'decide_appeal_upheld', 'decide_appeal_rejected')
  AND s.scope_id IS NOT NULL
GROUP BY s.scope, s.scope_id, s.month;
UPDATE stat SET appeals_filed = c.filed, appeals_upheld = c.upheld, appeals_rejected = c.rejected
FROM appeal_counts c
WHERE stat.scope = c.scope AND stat.scope_id = c.scope_id AND stat.month = c.month;
DROP TABLE appeal_counts;

CREATE TRIGGER stat_appeal AFTER INSERT ON ticket_event
WHEN NEW.action IN ('triage_appeal', 'decide_appeal_upheld', 'decide_appeal_rejected')
BEGIN
    INSERT INTO stat (scope, scope_id, month, appeals_filed, appeals_upheld, appeals_rejected)
    SELECT s.scope, s.scope_id, s.month, NEW.action = 'triage_appeal',
           NEW.action = 'decide_appeal_upheld', NEW.action = 'decide_appeal_rejected'
    FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id
    JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
    WHERE t.id = NEW.ticket_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        appeals_filed = appeals_filed + excluded.appeals_filed,
        appeals_upheld = appeals_upheld + excluded.appeals_upheld,
        appeals_rejected = appeals_rejected + excluded.appeals_rejected;
END;
