-- The first statement of a REPEATABLE READ transaction that reads what the resolution's
-- transaction sees ({snapshot}: export_snapshot.sql's result; no bound parameter here).
SET TRANSACTION SNAPSHOT {snapshot}
