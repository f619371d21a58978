-- A stay closed again at an earlier exit read late (a controller's
-- backlog: lib/parking.c) costs less than before, and may cost less than
-- was paid for it: the difference is owed back to the car's driver, a
-- refund due the office pays at the gate or by the payment's channel.
-- refund_fen is that difference, kept with the stay (paid_fen - fee_fen
-- when the fee is below what was paid, else 0), so that the money paid
-- stays accounted for to the fen: fee_fen + refund_fen = paid_fen for a
-- stay paid more than it costs. A store whose stays were closed so
-- before this had no refund: each gets its own now.
ALTER TABLE parking_session ADD COLUMN refund_fen INTEGER NOT NULL DEFAULT 0 CHECK (refund_fen >= 0);
UPDATE parking_session SET refund_fen = paid_fen - fee_fen WHERE fee_fen IS NOT NULL AND fee_fen < paid_fen;
