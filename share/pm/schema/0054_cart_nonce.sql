-- A web order form's one-time nonce (pm-web's /shop/OFFER/order), kept
-- with the cart it made, so that the form sent again (a double click, a
-- reload, a client replaying it) finds that cart instead of making a new
-- one holding more of the stock. A cart made without one, or before this
-- migration, has none.
ALTER TABLE shop_cart ADD COLUMN nonce TEXT;
CREATE UNIQUE INDEX shop_cart_nonce ON shop_cart(nonce) WHERE nonce IS NOT NULL;
