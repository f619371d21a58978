-- The change feed (`pm export --since CURSOR`): which rows changed, in
-- commit order, so a property group's head office can keep a copy of every
-- community in PostgreSQL (pm-rollup). A trigger on each table the group
-- needs appends the changed row's key; the feed reads the row as it is now,
-- so a row changed ten times since the cursor is sent once, and a key whose
-- row is gone is sent as a delete. Only one writer commits at a time, so
-- seq orders commits and a reader's snapshot holds every seq up to its
-- max: the cursor is that max, exactly.
--
-- What costs an insert per row is weighed against pm-bill run, which writes
-- a bill and its lines for every unit at month end: a bill's lines
-- (bill_line) and a journal entry's postings are never changed without
-- their bill or entry changing in the same transaction, so they carry no
-- trigger and travel with their parent. Not in the feed: people and users
-- (names, phones, logins stay in the community), secrets, web sessions,
-- the outbox, the audit chain (its own export), and bill_sum (derived).
-- seq is never reused: nothing deletes from change_log.
CREATE TABLE change_log (
	seq  INTEGER PRIMARY KEY,
	tbl  TEXT NOT NULL,
	pk   TEXT NOT NULL,         -- JSON array of the key's columns, in key order
	at   INTEGER NOT NULL       -- when it changed, Unix seconds
) STRICT;

-- Which store a feed came from: made once, kept by backup and restore.
CREATE TABLE feed_store (
	id TEXT NOT NULL
) STRICT;
INSERT INTO feed_store (id) VALUES (lower(hex(randomblob(16))));

CREATE TRIGGER feed_building_ins AFTER INSERT ON building BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('building', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_building_upd AFTER UPDATE ON building BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'building', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('building', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_building_del AFTER DELETE ON building BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('building', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_entrance_ins AFTER INSERT ON entrance BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('entrance', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_entrance_upd AFTER UPDATE ON entrance BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'entrance', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('entrance', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_entrance_del AFTER DELETE ON entrance BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('entrance', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_unit_ins AFTER INSERT ON unit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('unit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_unit_upd AFTER UPDATE ON unit BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'unit', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('unit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_unit_del AFTER DELETE ON unit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('unit', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_occupancy_ins AFTER INSERT ON occupancy BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('occupancy', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_occupancy_upd AFTER UPDATE ON occupancy BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'occupancy', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('occupancy', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_occupancy_del AFTER DELETE ON occupancy BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('occupancy', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_meter_ins AFTER INSERT ON meter BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_meter_upd AFTER UPDATE ON meter BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'meter', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_meter_del AFTER DELETE ON meter BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_reading_ins AFTER INSERT ON reading BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading', json_array(NEW.meter_id, NEW.ts), unixepoch());
END;
CREATE TRIGGER feed_reading_upd AFTER UPDATE ON reading BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'reading', json_array(OLD.meter_id, OLD.ts), unixepoch() WHERE OLD.meter_id IS NOT NEW.meter_id OR OLD.ts IS NOT NEW.ts;
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading', json_array(NEW.meter_id, NEW.ts), unixepoch());
END;
CREATE TRIGGER feed_reading_del AFTER DELETE ON reading BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading', json_array(OLD.meter_id, OLD.ts), unixepoch());
END;
CREATE TRIGGER feed_reading_register_ins AFTER INSERT ON reading_register BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_register', json_array(NEW.meter_id, NEW.ts, NEW.reg), unixepoch());
END;
CREATE TRIGGER feed_reading_register_upd AFTER UPDATE ON reading_register BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'reading_register', json_array(OLD.meter_id, OLD.ts, OLD.reg), unixepoch() WHERE OLD.meter_id IS NOT NEW.meter_id OR OLD.ts IS NOT NEW.ts OR OLD.reg IS NOT NEW.reg;
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_register', json_array(NEW.meter_id, NEW.ts, NEW.reg), unixepoch());
END;
CREATE TRIGGER feed_reading_register_del AFTER DELETE ON reading_register BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_register', json_array(OLD.meter_id, OLD.ts, OLD.reg), unixepoch());
END;
CREATE TRIGGER feed_reading_note_ins AFTER INSERT ON reading_note BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_note', json_array(NEW.meter_id, NEW.ts), unixepoch());
END;
CREATE TRIGGER feed_reading_note_upd AFTER UPDATE ON reading_note BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'reading_note', json_array(OLD.meter_id, OLD.ts), unixepoch() WHERE OLD.meter_id IS NOT NEW.meter_id OR OLD.ts IS NOT NEW.ts;
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_note', json_array(NEW.meter_id, NEW.ts), unixepoch());
END;
CREATE TRIGGER feed_reading_note_del AFTER DELETE ON reading_note BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reading_note', json_array(OLD.meter_id, OLD.ts), unixepoch());
END;
CREATE TRIGGER feed_meter_event_ins AFTER INSERT ON meter_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_event', json_array(NEW.meter_id, NEW.ts, NEW.kind), unixepoch());
END;
CREATE TRIGGER feed_meter_event_upd AFTER UPDATE ON meter_event BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'meter_event', json_array(OLD.meter_id, OLD.ts, OLD.kind), unixepoch() WHERE OLD.meter_id IS NOT NEW.meter_id OR OLD.ts IS NOT NEW.ts OR OLD.kind IS NOT NEW.kind;
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_event', json_array(NEW.meter_id, NEW.ts, NEW.kind), unixepoch());
END;
CREATE TRIGGER feed_meter_event_del AFTER DELETE ON meter_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_event', json_array(OLD.meter_id, OLD.ts, OLD.kind), unixepoch());
END;
CREATE TRIGGER feed_meter_estimate_ins AFTER INSERT ON meter_estimate BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_estimate', json_array(NEW.meter_id, NEW.period), unixepoch());
END;
CREATE TRIGGER feed_meter_estimate_upd AFTER UPDATE ON meter_estimate BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'meter_estimate', json_array(OLD.meter_id, OLD.period), unixepoch() WHERE OLD.meter_id IS NOT NEW.meter_id OR OLD.period IS NOT NEW.period;
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_estimate', json_array(NEW.meter_id, NEW.period), unixepoch());
END;
CREATE TRIGGER feed_meter_estimate_del AFTER DELETE ON meter_estimate BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('meter_estimate', json_array(OLD.meter_id, OLD.period), unixepoch());
END;
CREATE TRIGGER feed_asset_ins AFTER INSERT ON asset BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('asset', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_asset_upd AFTER UPDATE ON asset BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'asset', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('asset', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_asset_del AFTER DELETE ON asset BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('asset', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_ins AFTER INSERT ON ticket BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_upd AFTER UPDATE ON ticket BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'ticket', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_del AFTER DELETE ON ticket BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_event_ins AFTER INSERT ON ticket_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket_event', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_event_upd AFTER UPDATE ON ticket_event BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'ticket_event', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket_event', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ticket_event_del AFTER DELETE ON ticket_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ticket_event', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_repair_charge_ins AFTER INSERT ON repair_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('repair_charge', json_array(NEW.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_repair_charge_upd AFTER UPDATE ON repair_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'repair_charge', json_array(OLD.ticket_id), unixepoch() WHERE OLD.ticket_id IS NOT NEW.ticket_id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('repair_charge', json_array(NEW.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_repair_charge_del AFTER DELETE ON repair_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('repair_charge', json_array(OLD.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_patrol_visit_ins AFTER INSERT ON patrol_visit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('patrol_visit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_patrol_visit_upd AFTER UPDATE ON patrol_visit BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'patrol_visit', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('patrol_visit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_patrol_visit_del AFTER DELETE ON patrol_visit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('patrol_visit', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_bill_ins AFTER INSERT ON bill BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('bill', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_bill_upd AFTER UPDATE ON bill BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'bill', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('bill', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_bill_del AFTER DELETE ON bill BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('bill', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_journal_ins AFTER INSERT ON journal BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('journal', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_journal_upd AFTER UPDATE ON journal BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'journal', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('journal', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_journal_del AFTER DELETE ON journal BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('journal', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_payment_ins AFTER INSERT ON payment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('payment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_payment_upd AFTER UPDATE ON payment BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'payment', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('payment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_payment_del AFTER DELETE ON payment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('payment', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_allocation_ins AFTER INSERT ON allocation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('allocation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_allocation_upd AFTER UPDATE ON allocation BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'allocation', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('allocation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_allocation_del AFTER DELETE ON allocation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('allocation', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_adjustment_ins AFTER INSERT ON adjustment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('adjustment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_adjustment_upd AFTER UPDATE ON adjustment BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'adjustment', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('adjustment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_adjustment_del AFTER DELETE ON adjustment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('adjustment', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_late_fee_ins AFTER INSERT ON late_fee BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('late_fee', json_array(NEW.bill_id, NEW.as_of), unixepoch());
END;
CREATE TRIGGER feed_late_fee_upd AFTER UPDATE ON late_fee BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'late_fee', json_array(OLD.bill_id, OLD.as_of), unixepoch() WHERE OLD.bill_id IS NOT NEW.bill_id OR OLD.as_of IS NOT NEW.as_of;
	INSERT INTO change_log (tbl, pk, at) VALUES ('late_fee', json_array(NEW.bill_id, NEW.as_of), unixepoch());
END;
CREATE TRIGGER feed_late_fee_del AFTER DELETE ON late_fee BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('late_fee', json_array(OLD.bill_id, OLD.as_of), unixepoch());
END;
CREATE TRIGGER feed_announcement_ins AFTER INSERT ON announcement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('announcement', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_announcement_upd AFTER UPDATE ON announcement BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'announcement', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('announcement', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_announcement_del AFTER DELETE ON announcement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('announcement', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_rsvp_ins AFTER INSERT ON rsvp BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('rsvp', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_rsvp_upd AFTER UPDATE ON rsvp BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'rsvp', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('rsvp', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_rsvp_del AFTER DELETE ON rsvp BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('rsvp', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_points_ins AFTER INSERT ON points BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('points', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_points_upd AFTER UPDATE ON points BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'points', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('points', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_points_del AFTER DELETE ON points BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('points', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_receipt_ins AFTER INSERT ON receipt BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('receipt', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_receipt_upd AFTER UPDATE ON receipt BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'receipt', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('receipt', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_receipt_del AFTER DELETE ON receipt BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('receipt', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_visitor_ins AFTER INSERT ON visitor BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('visitor', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_visitor_upd AFTER UPDATE ON visitor BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'visitor', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('visitor', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_visitor_del AFTER DELETE ON visitor BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('visitor', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_pass_use_ins AFTER INSERT ON pass_use BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pass_use', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_pass_use_upd AFTER UPDATE ON pass_use BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'pass_use', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('pass_use', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_pass_use_del AFTER DELETE ON pass_use BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pass_use', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_gate_event_ins AFTER INSERT ON gate_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('gate_event', json_array(NEW.ts, NEW.gate, NEW.event, NEW.subject), unixepoch());
END;
CREATE TRIGGER feed_gate_event_upd AFTER UPDATE ON gate_event BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'gate_event', json_array(OLD.ts, OLD.gate, OLD.event, OLD.subject), unixepoch() WHERE OLD.ts IS NOT NEW.ts OR OLD.gate IS NOT NEW.gate OR OLD.event IS NOT NEW.event OR OLD.subject IS NOT NEW.subject;
	INSERT INTO change_log (tbl, pk, at) VALUES ('gate_event', json_array(NEW.ts, NEW.gate, NEW.event, NEW.subject), unixepoch());
END;
CREATE TRIGGER feed_gate_event_del AFTER DELETE ON gate_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('gate_event', json_array(OLD.ts, OLD.gate, OLD.event, OLD.subject), unixepoch());
END;
CREATE TRIGGER feed_vehicle_ins AFTER INSERT ON vehicle BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vehicle', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vehicle_upd AFTER UPDATE ON vehicle BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'vehicle', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('vehicle', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vehicle_del AFTER DELETE ON vehicle BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vehicle', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_parking_session_ins AFTER INSERT ON parking_session BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_session', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_session_upd AFTER UPDATE ON parking_session BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'parking_session', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_session', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_session_del AFTER DELETE ON parking_session BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_session', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_parking_payment_ins AFTER INSERT ON parking_payment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_payment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_payment_upd AFTER UPDATE ON parking_payment BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'parking_payment', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_payment', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_payment_del AFTER DELETE ON parking_payment BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_payment', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_reservation_ins AFTER INSERT ON reservation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reservation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_reservation_upd AFTER UPDATE ON reservation BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'reservation', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('reservation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_reservation_del AFTER DELETE ON reservation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('reservation', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_pay_order_ins AFTER INSERT ON pay_order BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_pay_order_upd AFTER UPDATE ON pay_order BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'pay_order', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_pay_order_del AFTER DELETE ON pay_order BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_pay_order_bill_ins AFTER INSERT ON pay_order_bill BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order_bill', json_array(NEW.order_id, NEW.seq), unixepoch());
END;
CREATE TRIGGER feed_pay_order_bill_upd AFTER UPDATE ON pay_order_bill BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'pay_order_bill', json_array(OLD.order_id, OLD.seq), unixepoch() WHERE OLD.order_id IS NOT NEW.order_id OR OLD.seq IS NOT NEW.seq;
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order_bill', json_array(NEW.order_id, NEW.seq), unixepoch());
END;
CREATE TRIGGER feed_pay_order_bill_del AFTER DELETE ON pay_order_bill BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('pay_order_bill', json_array(OLD.order_id, OLD.seq), unixepoch());
END;
CREATE TRIGGER feed_deposit_ins AFTER INSERT ON deposit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('deposit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_deposit_upd AFTER UPDATE ON deposit BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'deposit', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('deposit', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_deposit_del AFTER DELETE ON deposit BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('deposit', json_array(OLD.id), unixepoch());
END;
