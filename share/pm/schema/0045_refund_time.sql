-- The refunds made in a month (pm-report collection's money received,
-- pm-bill reconcile's refunds of a statement's days) by an index of the
-- refund entries alone: the journal holds every issue, payment and late
-- fee, and without it a month's refunds were found by reading every
-- cash posting. Refunds are few, and no other entry enters the index.
CREATE INDEX journal_refund ON journal(ts) WHERE kind = 'refund';
