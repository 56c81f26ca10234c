-- Make the batch's table part of padron.registro: its indexes are built in bulk here and its
-- foreign key checked; the CHECK constraint of create_partition.sql spares a scan of its rows.
ALTER TABLE padron.registro ATTACH PARTITION {partition} FOR VALUES IN ({carga_id})
