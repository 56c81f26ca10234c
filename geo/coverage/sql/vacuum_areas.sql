-- Compact analisis.area after a rebuild, with fresh statistics (outside a transaction).
VACUUM (FULL, ANALYZE) analisis.area
