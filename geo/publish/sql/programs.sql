-- The programs computed in each period.
SELECT periodo, programa FROM analisis.refresco ORDER BY periodo, programa
