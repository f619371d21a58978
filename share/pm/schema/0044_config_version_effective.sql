-- The version in force on a day, by an index: without one SQLite scanned
-- the versions and sorted them whole, each row's YAML and JSON copied into
-- the sorter, 78,000 instructions every time a program asked (pm-bill pay
-- asks twice a payment, a page of pm-web once or more a request).
CREATE INDEX config_version_effective ON config_version(effective, version);
