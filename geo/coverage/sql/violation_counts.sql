-- Records breaking each rule, from violations.sql.
SELECT regla, count(*) FROM violacion GROUP BY regla
