-- A web order holds what it asks for until it is paid: its quantity
-- against the offer's stock and its points against the unit's balance,
-- until hold_until (shop.cart_hold after it was made, pm.yaml(5)), or
-- until it is paid (the hold is then its order), refused, or its offer
-- stops taking orders. What is held is summed from the carts each time
-- (lib/shop.c, shop_held): no counter to drift. A cart made before this
-- migration holds nothing (hold_until NULL), as before.
ALTER TABLE shop_cart ADD COLUMN hold_until INTEGER;
CREATE INDEX shop_cart_held ON shop_cart(offer_id, hold_until) WHERE refused IS NULL;
