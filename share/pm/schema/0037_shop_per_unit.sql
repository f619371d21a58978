-- 每户限购: the most one unit may order of an offer, in paid orders not
-- refunded and in its web orders holding stock for their payment. NULL,
-- as every offer made before, is no limit but the stock: one unit could
-- then hold the whole stock by ordering again whenever its unpaid order
-- lapsed. STRICT keeps it an integer; the check keeps it above 0.
ALTER TABLE shop_offer ADD COLUMN per_unit INTEGER CHECK (per_unit IS NULL OR per_unit > 0);
