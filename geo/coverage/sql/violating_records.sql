-- Records breaking at least one rule, from violations.sql.
SELECT count(DISTINCT id) FROM violacion
