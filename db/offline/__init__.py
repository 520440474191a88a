"""Working without the central database: the failover store, the journal's replay into
central and the card replica."""
