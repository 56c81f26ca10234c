-- The violations of one program are read; the next program's go in a new table.
DROP TABLE pg_temp.violacion
