"""Delivery to the hospital's HIS: the outbox sender, its HTTP client and the payload kinds."""
