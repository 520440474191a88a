"""Insurance cards in bulk: the feed/file row rules, the file import and the feed sync."""
