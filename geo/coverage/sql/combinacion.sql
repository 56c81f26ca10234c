-- Rebuild analisis.combinacion for one period (:periodo): persons of each area by the exact set
-- of programs they receive in that period (unresolved records count as persons of their own).
DELETE FROM analisis.combinacion WHERE periodo = :periodo;
INSERT INTO analisis.combinacion (periodo, nivel, clave, programas, personas)
WITH base AS (
    SELECT coalesce(a.persona_id, -r.id) AS persona, r.programa, u.cvegeo_loc, u.cvegeo_mun
    FROM padron.registro r
    JOIN padron.ubicacion u ON u.registro_id = r.id
    LEFT JOIN padron.asignacion a ON a.registro_id = r.id
    WHERE coalesce(r.periodo, '') = :periodo
),
claves AS (
    SELECT n.nivel, n.clave, b.persona, b.programa
    FROM base b
    LEFT JOIN boundaries.municipio m ON m.cvegeo = b.cvegeo_mun
    CROSS JOIN LATERAL (VALUES ('localidad', b.cvegeo_loc::text), ('municipio', b.cvegeo_mun::text),
                               ('distrito', m.distrito), ('region', m.region)) AS n (nivel, clave)
    WHERE n.clave IS NOT NULL
),
conjuntos AS (
    SELECT nivel, clave, persona, array_agg(DISTINCT programa ORDER BY programa) AS programas
    FROM claves GROUP BY nivel, clave, persona
)
SELECT CAST(:periodo AS text), nivel, clave, programas, count(*) FROM conjuntos GROUP BY nivel, clave, programas;
