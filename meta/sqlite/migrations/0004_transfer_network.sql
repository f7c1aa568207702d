-- 0004: the sender's network (IPv4 /24, IPv6 /64) at a transfer's creation,
-- so that the session rule (7003) counts the networks an account sends from
-- across nodes. '' where unknown, and for transfers made before this.

ALTER TABLE transfers ADD COLUMN network TEXT NOT NULL DEFAULT '';
