-- 评价类型 — every evaluation says what it is: 一事一评 ('case', a registered case's occurrence),
-- 一次一评 ('visit', a visit at a window, walk-ins included) or 默认评价 ('default', the system's);
-- 综合点评 and 监督查评 are kinds of their own, kept apart from these. The database sets the kind
-- once, right after the insert, from the occurrence and the channel (a province sets the kind its
-- county reported), and counts the valid ratings of each kind per scope and month.

ALTER TABLE evaluation ADD COLUMN kind TEXT
    CHECK (kind IN ('case', 'visit', 'general', 'inspection', 'default'));

-- Immutable as before; besides an erasure, the one change allowed is giving the kind once.
DROP TRIGGER evaluation_no_update;

UPDATE evaluation SET kind = CASE
    WHEN channel = 'system_default' THEN 'default'
    WHEN (SELECT kind FROM service_occurrence o WHERE o.id = evaluation.occurrence_id)
         IN ('visit', 'walk_in') THEN 'visit'
    ELSE 'case' END;

CREATE TRIGGER evaluation_no_update BEFORE UPDATE ON evaluation
WHEN NOT (
    NEW.id = OLD.id AND NEW.occurrence_id = OLD.occurrence_id
    AND NEW.tracking_code = OLD.tracking_code AND NEW.level = OLD.level
    AND NEW.catalogue_version = OLD.catalogue_version AND NEW.channel = OLD.channel
    AND NEW.device_hash IS OLD.device_hash AND NEW.created_at = OLD.created_at
    AND NEW.default_rule IS OLD.default_rule
    AND NEW.default_rule_version IS OLD.default_rule_version
    AND (
        (NEW.kind IS OLD.kind AND NEW.comment IS NULL AND NEW.phone_enc IS NULL
         AND EXISTS (SELECT 1 FROM erasure WHERE evaluation_id = OLD.id))
        OR (OLD.kind IS NULL AND NEW.kind IS NOT NULL
            AND NEW.comment IS OLD.comment AND NEW.phone_enc IS OLD.phone_enc)))
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;

CREATE TRIGGER evaluation_kind AFTER INSERT ON evaluation
WHEN NEW.kind IS NULL
    AND (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id) <> 'reported'
BEGIN
    UPDATE evaluation SET kind = CASE
        WHEN NEW.channel = 'system_default' THEN 'default'
        WHEN (SELECT kind FROM service_occurrence WHERE id = NEW.occurrence_id)
             IN ('visit', 'walk_in') THEN 'visit'
        ELSE 'case' END
    WHERE id = NEW.id;
END;

-- Valid ratings per kind (invalidated ones are taken out), beside the other counts of `stat`.
ALTER TABLE stat ADD COLUMN k_case INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN k_visit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat ADD COLUMN k_default INTEGER NOT NULL DEFAULT 0;

-- The counts of what was stored before, in one pass.
CREATE TEMP TABLE kind_counts AS
SELECT s.scope, s.scope_id, s.month, sum(e.kind = 'case') AS k_case,
       sum(e.kind = 'visit') AS k_visit, sum(e.kind = 'default') AS k_default
FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
WHERE s.scope_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id)
GROUP BY s.scope, s.scope_id, s.month;
UPDATE stat SET k_case = c.k_case, k_visit = c.k_visit, k_default = c.k_default
FROM kind_counts c
WHERE stat.scope = c.scope AND stat.scope_id = c.scope_id AND stat.month = c.month;
DROP TABLE kind_counts;

CREATE TRIGGER stat_kind AFTER UPDATE OF kind ON evaluation
WHEN OLD.kind IS NULL AND NEW.kind IN ('case', 'visit', 'default')
BEGIN
    INSERT INTO stat (scope, scope_id, month, k_case, k_visit, k_default)
    SELECT scope, scope_id, month, NEW.kind = 'case', NEW.kind = 'visit', NEW.kind = 'default'
    FROM occurrence_scope WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET
        k_case = k_case + excluded.k_case, k_visit = k_visit + excluded.k_visit,
        k_default = k_default + excluded.k_default;
END;

CREATE TRIGGER stat_kind_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat SET
        k_case = k_case - (e.kind = 'case'), k_visit = k_visit - (e.kind = 'visit'),
        k_default = k_default - (e.kind = 'default')
    FROM (SELECT ev.kind, s.scope, s.scope_id, s.month
          FROM evaluation ev JOIN occurrence_scope s ON s.occurrence_id = ev.occurrence_id
          WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL) AS e
    WHERE stat.scope = e.scope AND stat.scope_id = e.scope_id AND stat.month = e.month;
END;
