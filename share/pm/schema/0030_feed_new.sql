-- The change feed (0028, 0029) for the tables migrations 0025 to 0027
-- added, which were made on other branches at the same time as the feed:
-- a vote's options and the options a ballot names, services with their
-- slots, bookings and settlements, points spent on parking, and the
-- owners' web orders (shop_cart). None holds what 0029 keeps out of the
-- feed (personal data the head office has no use for, secrets, caches).

CREATE TRIGGER feed_vote_option_ins AFTER INSERT ON vote_option BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote_option', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vote_option_upd AFTER UPDATE ON vote_option BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'vote_option', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote_option', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vote_option_del AFTER DELETE ON vote_option BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote_option', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_ballot_option_ins AFTER INSERT ON ballot_option BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot_option', json_array(NEW.ballot_id, NEW.option_id), unixepoch());
END;
CREATE TRIGGER feed_ballot_option_upd AFTER UPDATE ON ballot_option BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'ballot_option', json_array(OLD.ballot_id, OLD.option_id), unixepoch() WHERE OLD.ballot_id IS NOT NEW.ballot_id OR OLD.option_id IS NOT NEW.option_id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot_option', json_array(NEW.ballot_id, NEW.option_id), unixepoch());
END;
CREATE TRIGGER feed_ballot_option_del AFTER DELETE ON ballot_option BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot_option', json_array(OLD.ballot_id, OLD.option_id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_ins AFTER INSERT ON shop_service BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_upd AFTER UPDATE ON shop_service BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_service', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_del AFTER DELETE ON shop_service BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_slot_ins AFTER INSERT ON shop_slot BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_slot', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_slot_upd AFTER UPDATE ON shop_slot BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_slot', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_slot', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_slot_del AFTER DELETE ON shop_slot BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_slot', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_settlement_ins AFTER INSERT ON shop_service_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service_settlement', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_settlement_upd AFTER UPDATE ON shop_service_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_service_settlement', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service_settlement', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_service_settlement_del AFTER DELETE ON shop_service_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_service_settlement', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_booking_ins AFTER INSERT ON shop_booking BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_booking', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_booking_upd AFTER UPDATE ON shop_booking BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_booking', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_booking', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_booking_del AFTER DELETE ON shop_booking BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_booking', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_parking_discount_ins AFTER INSERT ON parking_discount BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_discount', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_discount_upd AFTER UPDATE ON parking_discount BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'parking_discount', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_discount', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_parking_discount_del AFTER DELETE ON parking_discount BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('parking_discount', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_cart_ins AFTER INSERT ON shop_cart BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_cart', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_cart_upd AFTER UPDATE ON shop_cart BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_cart', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_cart', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_cart_del AFTER DELETE ON shop_cart BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_cart', json_array(OLD.id), unixepoch());
END;
