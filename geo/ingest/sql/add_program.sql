-- A program seen for the first time is registered under its key, named after it.
INSERT INTO padron.programa (clave, nombre) VALUES (:c, :c) ON CONFLICT DO NOTHING
