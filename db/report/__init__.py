"""The daily report: its figures (read from the store) and its drawing (matplotlib)."""
