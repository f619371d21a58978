-- The change feed's bulk rows (lib/changefeed.c): from this version a run
-- of 64 or more integer keys of one table, noted one after the other, is
-- one change_log row whose pk is a JSON array of the keys,
-- '[[12,1790000000],[13,1790000000]]', which pm export reads as the rows
-- it stands for. The table is unchanged; this version is what makes a pm
-- from before, which would read such a pk as one key whose row is gone
-- and send a delete for it, refuse the store ("made by a newer pm").
SELECT 1;
