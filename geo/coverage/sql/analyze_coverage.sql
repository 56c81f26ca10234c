-- Fresh statistics for the planner after coverage was recomputed.
ANALYZE analisis.cobertura;
ANALYZE analisis.combinacion;
