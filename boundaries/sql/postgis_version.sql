-- The PostGIS library's version: the extension is installed and answers.
SELECT postgis_lib_version()
