-- An exit read before its entry (a controller uploading its backlog, a
-- broker's redelivery) waits in gate_event until its entry comes, which
-- pairs with the earliest such exit of the plate before the plate's next
-- entry: the plates' exits by time, and the plates' stays by entry.
CREATE INDEX gate_event_exit ON gate_event(subject, ts) WHERE event = 'exit';
CREATE INDEX parking_plate ON parking_session(plate, entry_ts);
