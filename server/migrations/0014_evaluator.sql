-- 评价主体: who the evaluator is (GB/T 39046 服务对象 code 1 自然人 … 6 其他组织, NULL when the business
-- system did not say) and whether they chose to rate anonymously (匿名评价), as registered with the
-- occurrence. Both go into the open data; neither identifies anyone.
ALTER TABLE service_occurrence ADD COLUMN evaluator_type INTEGER CHECK (evaluator_type BETWEEN 1 AND 6);
ALTER TABLE service_occurrence ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
