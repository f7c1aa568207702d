-- 0005: what the usage checks count, without reading every transfer a sender
-- made in the window (each create reads it inside the one write
-- transaction, so that cost grew with a busy sender's history).

-- A transfer's place among its sender's transfers in the order of
-- created_at, ties in the order they were stored, from 1: how many of them
-- were created up to a moment is the sender_rank of the last one, found by
-- one lookup in transfers_sender_rank. Set by insertTransfer, which moves up
-- the later ones when a transfer is created out of order.
ALTER TABLE transfers ADD COLUMN sender_rank INTEGER NOT NULL DEFAULT 0;

UPDATE transfers SET sender_rank = r.n
FROM (SELECT rowid AS rid, row_number() OVER (PARTITION BY sender_id ORDER BY created_at, rowid) AS n FROM transfers) AS r
WHERE transfers.rowid = r.rid;

CREATE INDEX transfers_sender_rank ON transfers (sender_id, created_at, sender_rank);

-- Usage.Recent: the transfers that can still count towards the volume, so
-- that recalled and rejected ones are not read.
CREATE INDEX transfers_sender_counting ON transfers (sender_id, created_at)
	WHERE state NOT IN ('rejected', 'recalled');

-- The networks a sender created transfers from, with the latest creation
-- from each (the session rule counts the distinct networks of a span).
CREATE TABLE sender_networks (
	account_id      INTEGER NOT NULL REFERENCES accounts (id),
	network         TEXT    NOT NULL,
	last_created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, network)
) STRICT, WITHOUT ROWID;

CREATE INDEX sender_networks_last ON sender_networks (account_id, last_created_at);

INSERT INTO sender_networks (account_id, network, last_created_at)
SELECT sender_id, network, MAX(created_at) FROM transfers WHERE network != '' GROUP BY sender_id, network;
