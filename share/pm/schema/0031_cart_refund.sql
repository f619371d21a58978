-- A web payment the shop refused after the fact (its cart "refused":
-- the offer closed, the stock or the points gone between ordering and
-- paying) is money the company holds for the owner until pm-shop refund
-- gives it back through the channel it came by. Its receipt is posted
-- when it is refused (cash:CHANNEL against payable:shop_cart), its
-- refund when refunded (the reverse); the cart keeps both entries.
ALTER TABLE shop_cart ADD COLUMN received_journal_id INTEGER REFERENCES journal(id);
ALTER TABLE shop_cart ADD COLUMN refund_journal_id INTEGER REFERENCES journal(id);
ALTER TABLE shop_cart ADD COLUMN refunded_at INTEGER;
