-- A contract payment is one by its channel's reference, as every payment
-- is (channel, ref): the same ref on another channel is another payment,
-- not the first one again.
DROP INDEX contract_payment_ref;
CREATE UNIQUE INDEX contract_payment_ref ON contract_charge(channel, ref) WHERE ref IS NOT NULL;
