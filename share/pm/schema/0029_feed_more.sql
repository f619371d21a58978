-- The change feed (0028) for the tables migrations 0019 to 0023 added,
-- the feed's pruning point, and the gate's passages out of the feed.
--
-- In the feed, with the triggers 0028's are: the help desk's FAQ and the
-- questions it could not answer, renovations and their steps, the spare
-- parts and their moves, arrears chasing (dunning, contacts), contracts
-- and what they charged, votes and ballots, surveys and their answers,
-- group buying and the points spent on it.
--
-- Left out: faq_fts and its shadow tables (an index of faq_entry.terms:
-- a cache), faq_synonym and faq_stopword (rebuilt from the FAQ files and
-- ask.* of the config at every import: derivable), and survey_taken: who
-- took a survey, logged beside the answer written in the same
-- transaction, would name the author of an anonymous survey's answer by
-- the order of change_log, so it has no trigger (secret).
--
-- gate_event leaves the feed: every passage at a gate names its card,
-- plate or face in its key, which the head office has no use for, and it
-- is the busiest table a store has. Its change_log rows stay (a cursor
-- may stand on one); the feed skips a table it does not carry.
DROP TRIGGER feed_gate_event_ins;
DROP TRIGGER feed_gate_event_upd;
DROP TRIGGER feed_gate_event_del;

-- pm export --prune-before CURSOR deletes the change_log rows before the
-- cursor's own; pruned is the highest seq deleted, so a cursor older than
-- that is told apart from another store's.
ALTER TABLE feed_store ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER feed_faq_entry_ins AFTER INSERT ON faq_entry BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('faq_entry', json_array(NEW.n), unixepoch());
END;
CREATE TRIGGER feed_faq_entry_upd AFTER UPDATE ON faq_entry BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'faq_entry', json_array(OLD.n), unixepoch() WHERE OLD.n IS NOT NEW.n;
	INSERT INTO change_log (tbl, pk, at) VALUES ('faq_entry', json_array(NEW.n), unixepoch());
END;
CREATE TRIGGER feed_faq_entry_del AFTER DELETE ON faq_entry BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('faq_entry', json_array(OLD.n), unixepoch());
END;
CREATE TRIGGER feed_ask_gap_ins AFTER INSERT ON ask_gap BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ask_gap', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ask_gap_upd AFTER UPDATE ON ask_gap BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'ask_gap', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('ask_gap', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ask_gap_del AFTER DELETE ON ask_gap BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ask_gap', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_ins AFTER INSERT ON renovation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_upd AFTER UPDATE ON renovation BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'renovation', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_del AFTER DELETE ON renovation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_event_ins AFTER INSERT ON renovation_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_event', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_event_upd AFTER UPDATE ON renovation_event BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'renovation_event', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_event', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_event_del AFTER DELETE ON renovation_event BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_event', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_inspection_ins AFTER INSERT ON renovation_inspection BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_inspection', json_array(NEW.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_renovation_inspection_upd AFTER UPDATE ON renovation_inspection BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'renovation_inspection', json_array(OLD.ticket_id), unixepoch() WHERE OLD.ticket_id IS NOT NEW.ticket_id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_inspection', json_array(NEW.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_renovation_inspection_del AFTER DELETE ON renovation_inspection BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_inspection', json_array(OLD.ticket_id), unixepoch());
END;
CREATE TRIGGER feed_renovation_violation_ins AFTER INSERT ON renovation_violation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_violation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_violation_upd AFTER UPDATE ON renovation_violation BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'renovation_violation', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_violation', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_renovation_violation_del AFTER DELETE ON renovation_violation BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('renovation_violation', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_stock_item_ins AFTER INSERT ON stock_item BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_item', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_stock_item_upd AFTER UPDATE ON stock_item BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'stock_item', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_item', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_stock_item_del AFTER DELETE ON stock_item BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_item', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_stock_move_ins AFTER INSERT ON stock_move BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_move', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_stock_move_upd AFTER UPDATE ON stock_move BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'stock_move', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_move', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_stock_move_del AFTER DELETE ON stock_move BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('stock_move', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_dunning_ins AFTER INSERT ON dunning BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('dunning', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_dunning_upd AFTER UPDATE ON dunning BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'dunning', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('dunning', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_dunning_del AFTER DELETE ON dunning BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('dunning', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_collection_contact_ins AFTER INSERT ON collection_contact BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('collection_contact', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_collection_contact_upd AFTER UPDATE ON collection_contact BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'collection_contact', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('collection_contact', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_collection_contact_del AFTER DELETE ON collection_contact BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('collection_contact', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_contract_ins AFTER INSERT ON contract BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_contract_upd AFTER UPDATE ON contract BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'contract', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_contract_del AFTER DELETE ON contract BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_contract_charge_ins AFTER INSERT ON contract_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract_charge', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_contract_charge_upd AFTER UPDATE ON contract_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'contract_charge', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract_charge', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_contract_charge_del AFTER DELETE ON contract_charge BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('contract_charge', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_vote_ins AFTER INSERT ON vote BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vote_upd AFTER UPDATE ON vote BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'vote', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_vote_del AFTER DELETE ON vote BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('vote', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_ballot_ins AFTER INSERT ON ballot BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ballot_upd AFTER UPDATE ON ballot BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'ballot', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_ballot_del AFTER DELETE ON ballot BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('ballot', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_survey_ins AFTER INSERT ON survey BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_survey_upd AFTER UPDATE ON survey BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'survey', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_survey_del AFTER DELETE ON survey BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_survey_answer_ins AFTER INSERT ON survey_answer BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey_answer', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_survey_answer_upd AFTER UPDATE ON survey_answer BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'survey_answer', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey_answer', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_survey_answer_del AFTER DELETE ON survey_answer BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('survey_answer', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_merchant_ins AFTER INSERT ON merchant BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('merchant', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_merchant_upd AFTER UPDATE ON merchant BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'merchant', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('merchant', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_merchant_del AFTER DELETE ON merchant BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('merchant', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_offer_ins AFTER INSERT ON shop_offer BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_offer', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_offer_upd AFTER UPDATE ON shop_offer BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_offer', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_offer', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_offer_del AFTER DELETE ON shop_offer BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_offer', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_order_ins AFTER INSERT ON shop_order BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_order', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_order_upd AFTER UPDATE ON shop_order BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_order', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_order', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_shop_order_del AFTER DELETE ON shop_order BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_order', json_array(OLD.id), unixepoch());
END;
CREATE TRIGGER feed_shop_settlement_ins AFTER INSERT ON shop_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_settlement', json_array(NEW.offer_id), unixepoch());
END;
CREATE TRIGGER feed_shop_settlement_upd AFTER UPDATE ON shop_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'shop_settlement', json_array(OLD.offer_id), unixepoch() WHERE OLD.offer_id IS NOT NEW.offer_id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_settlement', json_array(NEW.offer_id), unixepoch());
END;
CREATE TRIGGER feed_shop_settlement_del AFTER DELETE ON shop_settlement BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('shop_settlement', json_array(OLD.offer_id), unixepoch());
END;
CREATE TRIGGER feed_points_use_ins AFTER INSERT ON points_use BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('points_use', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_points_use_upd AFTER UPDATE ON points_use BEGIN
	INSERT INTO change_log (tbl, pk, at) SELECT 'points_use', json_array(OLD.id), unixepoch() WHERE OLD.id IS NOT NEW.id;
	INSERT INTO change_log (tbl, pk, at) VALUES ('points_use', json_array(NEW.id), unixepoch());
END;
CREATE TRIGGER feed_points_use_del AFTER DELETE ON points_use BEGIN
	INSERT INTO change_log (tbl, pk, at) VALUES ('points_use', json_array(OLD.id), unixepoch());
END;
