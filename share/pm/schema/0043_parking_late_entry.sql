-- An entry read after a later stay of its plate (a controller uploading
-- its backlog while the car is inside again) waits in gate_event for its
-- exit, which looks up the plate's last entry before it: the plates'
-- entries by time. Not the cards': no stay is a card's, and every card
-- entry kept here cost the ingest of each (300,000 events, a card entry
-- in eight: 0.67 s without the index, 0.78 s with every entry in it).
-- Entries stored before 0042 have no kind and are kept.
CREATE INDEX IF NOT EXISTS gate_event_entry ON gate_event(subject, ts)
	WHERE event = 'entry' AND subject_kind IS NOT 'card';
