"""Below every step: errors, database and COPY helpers, checksums, and field parsers (CURP,
names, dates, keys, coordinates). Imports nothing else of the project."""
