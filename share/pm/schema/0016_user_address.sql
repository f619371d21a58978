-- Staff addresses: where a user (not a resident) is told things by
-- pm-notify when their record has no person, or overrides the person's.
-- wecom: their WeCom user id, @-mentioned in the group robot's message.
ALTER TABLE user ADD COLUMN phone TEXT;
ALTER TABLE user ADD COLUMN email TEXT;
ALTER TABLE user ADD COLUMN wecom TEXT;
