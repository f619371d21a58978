-- The real clock beside each recorded use of a pass: ts is the business
-- clock (PM_NOW when set), and a use is recorded only at that clock's now,
-- never at a time the guard gives, so the two together show when the gate
-- was really asked.
ALTER TABLE pass_use ADD COLUMN clock_ts INTEGER;
