-- Concentration analysis: when ratings and 差评 come, per hall (hour of day × weekday, by the time
-- the rating was made, China time), and each window's ratings per day for the satisfaction alert.
-- Kept by triggers like `stat`; an upheld appeal takes its rating out of both.

CREATE TABLE stat_hour (
    hall_id INTEGER NOT NULL,
    month   INTEGER NOT NULL,
    -- 0 = Sunday … 6 = Saturday.
    weekday INTEGER NOT NULL,
    hour    INTEGER NOT NULL,
    rated   INTEGER NOT NULL DEFAULT 0,
    bad     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hall_id, month, weekday, hour)
) WITHOUT ROWID;

CREATE TABLE stat_day (
    window_id INTEGER NOT NULL,
    -- YYYYMMDD, China time, of the rating.
    day       INTEGER NOT NULL,
    rated     INTEGER NOT NULL DEFAULT 0,
    -- 非常满意 + 满意, and 基本满意 apart (whether it counts as good is a setting).
    good      INTEGER NOT NULL DEFAULT 0,
    basic     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (window_id, day)
) WITHOUT ROWID;

CREATE INDEX stat_day_day ON stat_day (day);

CREATE TRIGGER stat_hour_evaluation AFTER INSERT ON evaluation
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
