DROP TABLE IF EXISTS analisis.trabajo_cambio, analisis.trabajo_tocada, analisis.trabajo_registro
