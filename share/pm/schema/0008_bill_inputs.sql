-- What a bill was computed from: a digest of its inputs (the config
-- version, and each line's facts as its breakdown records them: readings,
-- usage, the year to date, days occupied, shares). A re-run rebuilds a
-- draft whose inputs changed and tells of an issued bill whose did; NULL
-- for bills made before digests were kept.
ALTER TABLE bill ADD COLUMN inputs TEXT;

-- A payment's reference is compared after trimming surrounding white
-- space: the refs stored before are trimmed too, except one that would
-- then equal another payment's ref of its channel, which stays as it is.
UPDATE payment SET ref = trim(ref, ' ' || char(9, 10, 11, 12, 13))
 WHERE ref <> trim(ref, ' ' || char(9, 10, 11, 12, 13))
   AND NOT EXISTS (SELECT 1 FROM payment q WHERE q.channel = payment.channel
                   AND q.ref = trim(payment.ref, ' ' || char(9, 10, 11, 12, 13)));
