-- A contract payment is one by its channel's reference, as every payment
-- is (channel, ref): the same ref on another channel is another payment,
-- not the first one again.
DROP INDEX contract_payment_ref;
CREATE UNIQUE INDEX contract_payment_ref ON contract_charge(channel, ref) WHERE ref IS NOT NULL;

-- A renewal not begun when the contract it renews is terminated ends with
-- it: its last day is the terminated one's, before its own first, so it
-- never charges. Loosening a CHECK changes no stored row, so the table's
-- text is edited in place as 0021 does, instead of copying a table other
-- tables refer to.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
	'CHECK (ended IS NULL OR (ended >= from_date AND ended <= to_date))',
	'CHECK (ended IS NULL OR ended <= to_date)')
	WHERE type = 'table' AND name = 'contract';
PRAGMA writable_schema = RESET;
