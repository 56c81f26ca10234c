-- The periods with coverage, newest first.
SELECT DISTINCT periodo FROM analisis.refresco ORDER BY periodo DESC
