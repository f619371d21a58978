-- An entry read after a later stay of its plate (a controller uploading
-- its backlog while the car is inside again) waits in gate_event for its
-- exit, which looks up the plate's last entry before it: the plates'
-- entries by time.
CREATE INDEX gate_event_entry ON gate_event(subject, ts) WHERE event = 'entry';
