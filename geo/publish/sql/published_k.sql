-- The threshold the publication was built with (none before the first publication).
SELECT k FROM publico.publicacion
