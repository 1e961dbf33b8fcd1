-- 评价渠道 in the published figures: valid ratings per (scope, scope id, month, channel), so that
-- every figure can be split by the channel the citizen used and upward reports send the right
-- `pf` code without scanning the ratings. Kept by triggers like `stat` (migration 0008), in the
-- transaction of what they count; an upheld appeal takes its rating out. For every scope and
-- month, the channels' counts add up to `stat`'s l1 + … + l5.
--
-- From this migration on, a rating through a link stores the channel its token was issued for
-- (the business system's registered channel), no longer pc / mobile by the page's URL. Ratings
-- stored before keep the channel they were stored with: evaluations are never updated.

CREATE TABLE stat_channel (
    scope    TEXT NOT NULL REFERENCES stat_scope (scope),
    scope_id INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    -- domain::Channel::as_str, like evaluation.channel.
    channel  TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, month, channel)
) WITHOUT ROWID;

CREATE TRIGGER stat_channel_evaluation AFTER INSERT ON evaluation
BEGIN
    INSERT INTO stat_channel (scope, scope_id, month, channel, n)
    SELECT scope, scope_id, month, NEW.channel, 1
    FROM occurrence_scope WHERE occurrence_id = NEW.occurrence_id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month, channel) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stat_channel_invalidation AFTER INSERT ON evaluation_invalidation
BEGIN
    UPDATE stat_channel SET n = n - 1
    WHERE (scope, scope_id, month, channel) IN (
        SELECT s.scope, s.scope_id, s.month, ev.channel
        FROM evaluation ev JOIN occurrence_scope s ON s.occurrence_id = ev.occurrence_id
        WHERE ev.id = NEW.evaluation_id AND s.scope_id IS NOT NULL);
END;

-- The ratings already stored, counted as `Store::rebuild_stats` counts them.
INSERT INTO stat_channel (scope, scope_id, month, channel, n)
SELECT s.scope, s.scope_id, s.month, e.channel, count(*)
FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id
WHERE s.scope_id IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id)
GROUP BY s.scope, s.scope_id, s.month, e.channel;
